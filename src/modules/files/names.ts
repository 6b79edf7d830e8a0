import { type AttachmentMime, attachmentTypes } from "./formats.js";

/** Why a declared file name is refused (the caller turns it into a clear error). */
export class BadFileName extends Error {}

const MAX_BASE_LENGTH = 80;
// C0/C1 controls, and the bidirectional overrides that make "photo‮gpj.exe" read as "photoexe.jpg".
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const RESERVED = /[<>:"|?*]/g;

/**
 * The name an attachment is kept and served under. A name that tries to be a path (a slash or
 * backslash anywhere, so "../x", "/etc/passwd" and "C:\x" alike) is refused: a browser sends only a
 * base name, so such a name was crafted. Control and bidi characters and characters Windows
 * forbids are replaced, length is capped, and the extension is set from the content's real type
 * (a PNG sent as "a.jpg" is kept as "a.png"). The name is only ever a label: the file on disk is
 * named by its SHA-256.
 */
export function sanitiseFileName(declared: string, mime: AttachmentMime): string {
  if (/[/\\]/.test(declared) || declared.includes("\u0000")) {
    throw new BadFileName("文件名不能包含路径（/ 或 \\）");
  }
  let name = declared.normalize("NFC").replace(CONTROL, "").replace(RESERVED, "_").trim();
  name = name.replace(/^[.\s]+|[.\s]+$/g, "");
  const type = attachmentTypes[mime];
  const dot = name.lastIndexOf(".");
  let base = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
  base = base.replace(/[.\s]+$/g, "");
  if (!base) base = "附件";
  const chars = Array.from(base);
  if (chars.length > MAX_BASE_LENGTH) base = chars.slice(0, MAX_BASE_LENGTH).join("");
  const keep = (type.extensions as readonly string[]).includes(ext);
  return `${base}.${keep ? ext : type.extension}`;
}
