import crypto from "node:crypto";
import { createRequire } from "node:module";
import { crc32 } from "node:zlib";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";

/**
 * Real files for tests (test code only; the dev dependencies jpeg-js, pngjs and piexifjs make them):
 * a JPEG encoded by jpeg-js with camera EXIF and GPS written by piexifjs, an XMP packet and a comment;
 * a PNG encoded by pngjs with text chunks; a small well-formed PDF.
 */
const require = createRequire(import.meta.url);
const piexif = require("piexifjs") as {
  dump(data: Record<string, unknown>): string;
  insert(exif: string, jpeg: string): string;
  GPSIFD: Record<string, number>;
  ImageIFD: Record<string, number>;
};

/** A width×height gradient (deterministic). */
function pixels(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = (x * 7) & 255;
      data[i + 1] = (y * 5) & 255;
      data[i + 2] = ((x + y) * 3) & 255;
      data[i + 3] = 255;
    }
  return data;
}

function segment(marker: number, body: Buffer): Buffer {
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([head, body]);
}

export const SAMPLE_GPS = { lat: 37.5189, lng: 111.1347 }; // 吕梁市区 (离石)

/** A JPEG photo as a phone makes it: EXIF (make, model, GPS, orientation), XMP, a comment. */
export function cameraJpeg(opts: { width?: number; height?: number; orientation?: number } = {}): Buffer {
  const width = opts.width ?? 64;
  const height = opts.height ?? 48;
  const plain = jpeg.encode({ data: pixels(width, height), width, height }, 85).data;
  const deg = (v: number) => {
    const d = Math.floor(v);
    const m = Math.floor((v - d) * 60);
    const s = Math.round(((v - d) * 60 - m) * 60 * 100);
    return [
      [d, 1],
      [m, 1],
      [s, 100],
    ];
  };
  const exif = piexif.dump({
    "0th": {
      [piexif.ImageIFD.Make]: "TestPhone",
      [piexif.ImageIFD.Model]: "Model X",
      [piexif.ImageIFD.Artist]: "张三",
      [piexif.ImageIFD.Orientation]: opts.orientation ?? 6,
    },
    Exif: {},
    GPS: {
      [piexif.GPSIFD.GPSLatitudeRef]: "N",
      [piexif.GPSIFD.GPSLatitude]: deg(SAMPLE_GPS.lat),
      [piexif.GPSIFD.GPSLongitudeRef]: "E",
      [piexif.GPSIFD.GPSLongitude]: deg(SAMPLE_GPS.lng),
    },
  });
  const withExif = Buffer.from(piexif.insert(exif, plain.toString("binary")), "binary");
  // XMP (APP1 with the Adobe namespace header) and a comment (COM), after the EXIF block.
  const xmp = segment(
    0xe1,
    Buffer.from(
      'http://ns.adobe.com/xap/1.0/\u0000<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="张三"/></rdf:RDF></x:xmpmeta>',
      "utf8",
    ),
  );
  const comment = segment(0xfe, Buffer.from("taken by 张三 at home", "utf8"));
  return Buffer.concat([withExif.subarray(0, 2), xmp, comment, withExif.subarray(2)]);
}

/** The pixels cameraJpeg encodes (to compare decoded output against). */
export function plainJpeg(width = 64, height = 48): Buffer {
  return jpeg.encode({ data: pixels(width, height), width, height }, 85).data;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A PNG screenshot with tEXt (Author), iTXt (Comment) and tIME chunks after IHDR. */
export function texturedPng(width = 32, height = 24): Buffer {
  const png = new PNG({ width, height });
  pixels(width, height).copy(png.data);
  const plain = PNG.sync.write(png);
  const ihdrEnd = 8 + 12 + 13;
  const text = pngChunk("tEXt", Buffer.from("Author\u0000Zhang San", "latin1"));
  const itxt = pngChunk("iTXt", Buffer.from("Comment\u0000\u0000\u0000\u0000\u0000家里拍的", "utf8"));
  const time = pngChunk("tIME", Buffer.from([0x07, 0xea, 11, 30, 12, 0, 0]));
  return Buffer.concat([plain.subarray(0, ihdrEnd), text, itxt, time, plain.subarray(ihdrEnd)]);
}

/** A one-page PDF with a correct cross-reference table. */
export function smallPdf(text = "Report evidence"): Buffer {
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    "",
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  const stream = `BT /F1 12 Tf 20 50 Td (${text}) Tj ET`;
  objects[3] = `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

/** A multipart/form-data body with one file in the field `file` (for app.inject). */
export function multipartFile(fileName: string, content: Buffer, extra: Record<string, string> = {}) {
  const boundary = `----edu${crypto.randomBytes(8).toString("hex")}`;
  const fields = Object.entries(extra).map(
    ([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
  );
  const head = Buffer.from(
    `${fields.join("")}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  return {
    payload: Buffer.concat([head, content, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
  };
}
