import { UnsupportedFile } from "./file-errors.js";
import { type AttachmentMime, sniffType } from "./formats.js";
import { stripJpeg, stripPng } from "./strip.js";
import { stripPdf } from "./strip-pdf.js";

/**
 * An accepted attachment without its metadata. Pure: bytes in, bytes out, no I/O. The type is
 * decided by content; a JPEG or PNG is re-assembled from what is needed to show it (strip.ts); a
 * PDF is read and written again without its document information, XMP metadata and older
 * revisions, and an encrypted one is refused, as it cannot be read (strip-pdf.ts).
 * Async because pdf-lib is; `pdf` lets the store run it in a worker thread (pdf-thread.ts).
 * Refusals are MalformedFile, UnsupportedFile or EncryptedFile (file-errors.ts).
 */
export async function normaliseAttachment(
  bytes: Buffer,
  pdf: (bytes: Buffer) => Promise<Buffer> = stripPdf,
): Promise<{ mime: AttachmentMime; bytes: Buffer }> {
  const mime = sniffType(bytes);
  if (!mime) throw new UnsupportedFile("文件内容不是 JPEG、PNG 或 PDF");
  if (mime === "image/jpeg") return { mime, bytes: stripJpeg(bytes) };
  if (mime === "image/png") return { mime, bytes: stripPng(bytes) };
  return { mime, bytes: await pdf(bytes) };
}
