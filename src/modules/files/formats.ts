/**
 * The attachment formats the platform accepts, decided by the content (magic bytes), never by the
 * name a client sends. Pure: no I/O.
 */
export const attachmentTypes = {
  "image/jpeg": { label: "JPEG 图片", extension: "jpg", extensions: ["jpg", "jpeg"] },
  "image/png": { label: "PNG 图片", extension: "png", extensions: ["png"] },
  "application/pdf": { label: "PDF 文件", extension: "pdf", extensions: ["pdf"] },
} as const;

export type AttachmentMime = keyof typeof attachmentTypes;
export const attachmentMimes = Object.keys(attachmentTypes) as AttachmentMime[];

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The type the bytes really are, or null when they are none of the accepted ones. */
export function sniffType(bytes: Buffer): AttachmentMime | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "image/jpeg";
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return "image/png";
  // PDF 1.x and 2.0 (ISO 32000) begin with "%PDF-<digit>.". Readers tolerate junk before the
  // header; we do not, so a file that is something else with a PDF header inside is refused.
  if (bytes.length >= 8 && /^%PDF-[12]\.\d/.test(bytes.subarray(0, 8).toString("latin1"))) {
    return "application/pdf";
  }
  return null;
}

export { PNG_SIGNATURE };
