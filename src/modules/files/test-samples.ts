import crypto from "node:crypto";
import { createRequire } from "node:module";
import { crc32 } from "node:zlib";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";

/**
 * Real files for tests (test code only; the dev dependencies jpeg-js, pngjs and piexifjs make them):
 * a JPEG encoded by jpeg-js with camera EXIF and GPS written by piexifjs, an XMP packet and a comment;
 * a PNG encoded by pngjs with text chunks; small hand-written PDFs (plain, with every kind of
 * metadata and an incremental update, encrypted).
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
  return pdfFile(pageObjects(text), "/Root 1 0 R");
}

/** Catalog, page tree, one page with `text` in Helvetica (objects 1–5; extra entries per object). */
function pageObjects(
  text: string,
  extra: { catalog?: string; page?: string; resources?: string } = {},
): string[] {
  const stream = `BT /F1 12 Tf 20 50 Td (${text}) Tj ET`;
  return [
    `<< /Type /Catalog /Pages 2 0 R ${extra.catalog ?? ""}>>`,
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> ${extra.resources ?? ""}>> ${extra.page ?? ""}>>`,
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
}

/**
 * A PDF file (header, objects numbered from `first`, xref table, trailer with `trailer` entries),
 * or, with `base`, an incremental update appended to it (ISO 32000-1 §7.5.6).
 */
export function pdfFile(objects: string[], trailer: string, base?: Buffer, first = 1): Buffer {
  let out = base ? base.toString("latin1") : "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${first + i} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  const size = first + objects.length;
  out += base ? `xref\n${first} ${objects.length}\n` : `xref\n0 ${size}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, "0")} 00000 n \n`;
  const prev = base ? ` /Prev ${startXref(base)}` : "";
  out += `trailer\n<< /Size ${size} ${trailer}${prev} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

const startXref = (pdf: Buffer) => Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(pdf.toString("latin1"))?.[1]);

const xmp = (who: string) => {
  const packet = `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"><dc:creator>${who}</dc:creator><xmp:CreatorTool>XmpWriterPro</xmp:CreatorTool></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;
  return `<< /Type /Metadata /Subtype /XML /Length ${packet.length} >>\nstream\n${packet}\nendstream`;
};

/** Strings the metadata-laden sample carries outside what its page shows; none may survive stripping. */
export const PDF_SECRETS = [
  "ZhangSanAuthor",
  "LiSiRevisedAuthor",
  "SecretWriter",
  "SecretProducer",
  "Internal memo title",
  "XmpCatalogAuthor",
  "XmpPageAuthor",
  "XmpWriterPro",
  "IllustratorPrivate",
  "zhangsan-laptop",
  "D:20261130",
  "0123456789ABCDEF",
  "ThumbPixels",
  "TrailingJunk",
  "TestPhone", // EXIF Make of the photo inside
];

/**
 * A one-page PDF as an office suite leaves it, then edited: document information (Author, Creator,
 * Producer, Title, dates) and a file identifier; XMP on the catalog and the page; page-piece data;
 * a thumbnail; a comment with its author; then an incremental update that gives the document a
 * new information dictionary with another Author (the first one stays in the file, unreferenced),
 * a second update adding a phone photo (EXIF, GPS) as the page's image resource, and junk after
 * the last %%EOF.
 */
export function metadataPdf(text = "Report evidence"): Buffer {
  const objects = pageObjects(text, {
    catalog: "/Metadata 6 0 R ",
    page:
      "/Metadata 7 0 R /PieceInfo << /Illustrator << /Private (IllustratorPrivate) /LastModified (D:20261130090000) >> >> " +
      "/LastModified (D:20261130090000) /Thumb 9 0 R /Annots [10 0 R] ",
    resources: "/XObject << /Im1 12 0 R >> ",
  });
  objects.push(
    xmp("XmpCatalogAuthor"),
    xmp("XmpPageAuthor"),
    "<< /Author (ZhangSanAuthor) /Creator (SecretWriter 9) /Producer (SecretProducer 1.0) /Title (Internal memo title) /CreationDate (D:20261130080000+08'00') >>",
    "<< /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length 11 >>\nstream\nThumbPixels\nendstream",
    "<< /Type /Annot /Subtype /Text /Rect [10 10 30 30] /Contents (see the receipt) /T (zhangsan-laptop) /M (D:20261130100000) /CreationDate (D:20261130100000) >>",
  );
  const id = "<0123456789ABCDEF0123456789ABCDEF>";
  const first = pdfFile(objects, `/Root 1 0 R /Info 8 0 R /ID [${id} ${id}]`);
  const update = pdfFile(
    ["<< /Author (LiSiRevisedAuthor) /Producer (SecretProducer 2.0) /ModDate (D:20261130110000) >>"],
    `/Root 1 0 R /Info 11 0 R /ID [${id} ${id}]`,
    first,
    11,
  );
  const photo = cameraJpeg();
  const image = `<< /Type /XObject /Subtype /Image /Width 64 /Height 48 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length ${photo.length} >>\nstream\n${photo.toString("latin1")}\nendstream`;
  const withPhoto = pdfFile([image], "/Root 1 0 R /Info 11 0 R", update, 12);
  return Buffer.concat([withPhoto, Buffer.from("TrailingJunk\n")]);
}

/** A PDF with a Standard security handler entry (ISO 32000-1 §7.6.3), as a password leaves it. */
export function encryptedPdf(): Buffer {
  const objects = pageObjects("secret");
  objects.push(`<< /Filter /Standard /V 1 /R 2 /O <${"28".repeat(32)}> /U <${"4e".repeat(32)}> /P -44 >>`);
  return pdfFile(
    objects,
    "/Root 1 0 R /Encrypt 6 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>]",
  );
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
