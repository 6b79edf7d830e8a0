import { crc32 } from "node:zlib";
import { MalformedFile } from "./file-errors.js";
import { PNG_SIGNATURE } from "./formats.js";

/**
 * Metadata removal for images. Pure: bytes in, bytes out, no I/O. (normalise.ts picks the format;
 * PDFs are in strip-pdf.ts, which also passes the JPEG images inside a PDF through stripJpeg.)
 *
 * A whistle-blower's phone photo carries the place it was taken (EXIF GPS), the phone, and often
 * an un-cropped thumbnail; a screenshot PNG can carry text chunks with the author or the software.
 * Each image is re-assembled from the parts needed to show it, so anything unknown is dropped
 * rather than kept. The structure is checked on the way (a broken or truncated file is refused),
 * and bytes after the image's end marker are dropped (no polyglot file survives).
 */

// ---------------------------------------------------------------- JPEG (ITU-T T.81, JFIF, EXIF 2.3)

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const APP0 = 0xe0;
const APP1 = 0xe1;
const APP2 = 0xe2;
const APP14 = 0xee;
const COM = 0xfe;

interface Segment {
  marker: number;
  bytes: Buffer;
}

const isRst = (m: number) => m >= 0xd0 && m <= 0xd7;

/**
 * Keeps what a decoder needs (tables, frame, scans), the JFIF header without its thumbnail, an
 * ICC colour profile (APP2 "ICC_PROFILE") and the Adobe colour-transform flag (APP14). Drops EXIF
 * and XMP (APP1), IPTC/Photoshop (APP13), every other APPn and comments. The EXIF orientation is
 * carried over in a minimal EXIF block of one tag, so a phone photo is not shown on its side.
 */
export function stripJpeg(buf: Buffer): Buffer {
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== SOI) throw new MalformedFile("JPEG 文件头无效");
  const kept: Segment[] = [];
  let orientation: number | null = null;
  let pos = 2;
  while (pos < buf.length) {
    if (buf[pos] !== 0xff) throw new MalformedFile("JPEG 结构无效");
    while (pos < buf.length && buf[pos] === 0xff) pos++; // fill bytes
    if (pos >= buf.length) break;
    const marker = buf[pos++];
    if (marker === EOI) return assemble(kept, orientation);
    if (isRst(marker) || marker === 0x01) {
      kept.push({ marker, bytes: Buffer.from([0xff, marker]) });
      continue;
    }
    if (marker === SOI || marker === 0x00) throw new MalformedFile("JPEG 结构无效");
    if (pos + 2 > buf.length) throw new MalformedFile("JPEG 文件不完整");
    const length = buf.readUInt16BE(pos);
    if (length < 2 || pos + length > buf.length) throw new MalformedFile("JPEG 文件不完整");
    const data = buf.subarray(pos + 2, pos + length);
    const segment = Buffer.concat([Buffer.from([0xff, marker]), buf.subarray(pos, pos + length)]);
    pos += length;
    if (marker === SOS) {
      // Entropy-coded data runs to the next marker that is neither a stuffed 0xFF00 nor a restart.
      const start = pos;
      while (pos < buf.length) {
        if (buf[pos] === 0xff && pos + 1 < buf.length) {
          const next = buf[pos + 1];
          if (next === 0x00 || isRst(next)) {
            pos += 2;
            continue;
          }
          break;
        }
        pos++;
      }
      kept.push({ marker, bytes: Buffer.concat([segment, buf.subarray(start, pos)]) });
      continue;
    }
    if (marker === APP1) {
      orientation ??= exifOrientation(data);
      continue;
    }
    if (marker === APP0) {
      const jfif = jfifWithoutThumbnail(data);
      if (jfif) kept.push({ marker, bytes: jfif });
      continue;
    }
    if (marker === APP2 && data.subarray(0, 12).toString("latin1") === "ICC_PROFILE\u0000") {
      kept.push({ marker, bytes: segment });
      continue;
    }
    if (marker === APP14 && data.subarray(0, 5).toString("latin1") === "Adobe") {
      kept.push({ marker, bytes: segment });
      continue;
    }
    if ((marker >= APP0 && marker <= 0xef) || marker === COM) continue;
    kept.push({ marker, bytes: segment });
  }
  throw new MalformedFile("JPEG 文件不完整（缺少结束标记）");
}

function assemble(kept: Segment[], orientation: number | null): Buffer {
  if (!kept.some((s) => s.marker === SOS)) throw new MalformedFile("JPEG 文件不含图像数据");
  const parts = kept.map((s) => s.bytes);
  if (orientation !== null && orientation !== 1) {
    const at = kept[0]?.marker === APP0 ? 1 : 0;
    parts.splice(at, 0, orientationExif(orientation));
  }
  return Buffer.concat([Buffer.from([0xff, SOI]), ...parts, Buffer.from([0xff, EOI])]);
}

/** The JFIF APP0 header with its optional thumbnail removed (a thumbnail may show what was cropped). */
function jfifWithoutThumbnail(data: Buffer): Buffer | null {
  if (data.length < 14 || data.subarray(0, 5).toString("latin1") !== "JFIF\u0000") return null;
  const header = Buffer.from(data.subarray(0, 14));
  header[12] = 0; // Xthumbnail
  header[13] = 0; // Ythumbnail
  const out = Buffer.alloc(4 + header.length);
  out[0] = 0xff;
  out[1] = APP0;
  out.writeUInt16BE(header.length + 2, 2);
  header.copy(out, 4);
  return out;
}

/** EXIF tag 0x0112 Orientation (1–8) of IFD0, or null when absent or unreadable. */
export function exifOrientation(data: Buffer): number | null {
  if (data.length < 14 || data.subarray(0, 6).toString("latin1") !== "Exif\u0000\u0000") return null;
  const tiff = data.subarray(6);
  const order = tiff.subarray(0, 2).toString("latin1");
  if (order !== "II" && order !== "MM") return null;
  const le = order === "II";
  const u16 = (o: number) => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number) => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
  const ifd = u32(4);
  if (ifd + 2 > tiff.length) return null;
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return null;
    if (u16(entry) === 0x0112 && u16(entry + 2) === 3) {
      const value = u16(entry + 8);
      return value >= 1 && value <= 8 ? value : null;
    }
  }
  return null;
}

/** An APP1 segment holding an EXIF block with one tag: Orientation. */
function orientationExif(orientation: number): Buffer {
  const tiff = Buffer.alloc(8 + 2 + 12 + 4);
  tiff.write("MM", 0, "latin1");
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(8, 4); // IFD0 right after the header
  tiff.writeUInt16BE(1, 8); // one entry
  tiff.writeUInt16BE(0x0112, 10); // Orientation
  tiff.writeUInt16BE(3, 12); // SHORT
  tiff.writeUInt32BE(1, 14); // count
  tiff.writeUInt16BE(orientation, 18);
  // next-IFD offset 0 (already zero)
  const body = Buffer.concat([Buffer.from("Exif\u0000\u0000", "latin1"), tiff]);
  const head = Buffer.from([0xff, APP1, 0, 0]);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([head, body]);
}

// ---------------------------------------------------------------- PNG (ISO/IEC 15948, PNG 3rd ed.)

/**
 * Chunks a viewer needs to show the image as intended (critical chunks, transparency, colour
 * space, physical size, animation). Text (tEXt, zTXt, iTXt), EXIF (eXIf), time (tIME) and every
 * chunk not listed are dropped.
 */
const PNG_KEEP = new Set([
  "IHDR",
  "PLTE",
  "IDAT",
  "IEND",
  "tRNS",
  "gAMA",
  "cHRM",
  "sRGB",
  "iCCP",
  "cICP",
  "mDCV",
  "cLLI",
  "sBIT",
  "bKGD",
  "hIST",
  "pHYs",
  "sPLT",
  "acTL",
  "fcTL",
  "fdAT",
]);

export function stripPng(buf: Buffer): Buffer {
  if (!buf.subarray(0, 8).equals(PNG_SIGNATURE)) throw new MalformedFile("PNG 文件头无效");
  const out: Buffer[] = [PNG_SIGNATURE];
  let pos = 8;
  let first = true;
  while (pos + 12 <= buf.length) {
    const length = buf.readUInt32BE(pos);
    const type = buf.toString("latin1", pos + 4, pos + 8);
    if (!/^[A-Za-z]{4}$/.test(type)) throw new MalformedFile("PNG 结构无效");
    const end = pos + 12 + length;
    if (end > buf.length) throw new MalformedFile("PNG 文件不完整");
    if (crc32(buf.subarray(pos + 4, pos + 8 + length)) !== buf.readUInt32BE(pos + 8 + length)) {
      throw new MalformedFile(`PNG 数据块 ${type} 校验失败`);
    }
    if (first && type !== "IHDR") throw new MalformedFile("PNG 结构无效（首块不是 IHDR）");
    first = false;
    const critical = type.charCodeAt(0) < 0x61; // upper-case first letter
    if (PNG_KEEP.has(type)) out.push(buf.subarray(pos, end));
    else if (critical) throw new MalformedFile(`PNG 含未知的关键数据块 ${type}`);
    pos = end;
    if (type === "IEND") return Buffer.concat(out);
  }
  throw new MalformedFile("PNG 文件不完整（缺少 IEND）");
}
