import zlib from "node:zlib";
import exifr from "exifr";
import jpeg from "jpeg-js";
import {
  decodePDFRawStream,
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFName,
  type PDFRawStream,
  type PDFRef,
  PDFString,
  StandardFonts,
} from "pdf-lib";
import { describe, expect, it } from "vitest";
import { EncryptedFile, MalformedFile } from "./file-errors.js";
import { PdfWorker } from "./pdf-thread.js";
import { stripPdf } from "./strip-pdf.js";
import { encryptedPdf, metadataPdf, PDF_SECRETS, pdfFile, smallPdf } from "./test-samples.js";

/** The file's bytes plus every stream it holds inflated (object streams hide dictionaries). */
function everything(pdf: Buffer): string {
  const text = pdf.toString("latin1");
  const parts = [text];
  for (const m of text.matchAll(/stream\r?\n/g)) {
    const start = (m.index ?? 0) + m[0].length;
    const end = text.indexOf("endstream", start);
    try {
      parts.push(
        zlib
          .inflateSync(pdf.subarray(start, end), { finishFlush: zlib.constants.Z_SYNC_FLUSH })
          .toString("latin1"),
      );
    } catch {
      // not deflated
    }
  }
  return parts.join("\n");
}

const load = (pdf: Buffer) => PDFDocument.load(pdf, { updateMetadata: false });

/** Each page's content, decoded. */
async function pageContents(pdf: Buffer): Promise<string[]> {
  const doc = await load(pdf);
  return doc.getPages().map((page) => {
    const contents = page.node.Contents();
    const streams =
      contents instanceof PDFArray ? contents.asArray().map((r) => doc.context.lookup(r)) : [contents];
    return streams
      .map((s) => Buffer.from(decodePDFRawStream(s as PDFRawStream).decode()).toString("latin1"))
      .join("\n");
  });
}

const refusal = (pdf: Buffer) =>
  stripPdf(pdf).then(
    () => null,
    (e: unknown) => e as Error,
  );

describe("PDF metadata", () => {
  it("the sample carries Info, XMP, page-piece data, a comment's author, a photo's GPS and an update that changed the Author", async () => {
    const pdf = metadataPdf();
    for (const s of PDF_SECRETS) expect(pdf.includes(s), s).toBe(true);
    expect(await exifr.gps(pdf.subarray(pdf.indexOf(Buffer.from([0xff, 0xd8, 0xff]))))).toBeDefined();
    const doc = await load(pdf);
    expect(doc.getAuthor()).toBe("LiSiRevisedAuthor"); // the update is the version readers show
    expect(pdf.toString("latin1").match(/%%EOF/g)).toHaveLength(3); // two updates
  });

  it("removes all of it, keeps the page, its text and the comment itself, as one revision", async () => {
    const pdf = metadataPdf();
    const clean = await stripPdf(pdf);
    const all = everything(clean);
    for (const s of PDF_SECRETS) expect(all.includes(s), s).toBe(false);
    expect(all).not.toMatch(/\/(Info|ID|Metadata|PieceInfo|LastModified|Thumb|Producer|Creator|Author)\b/);
    expect(clean.toString("latin1").match(/%%EOF/g)).toHaveLength(1);
    // the photo inside is still a JPEG of the same size, without its EXIF/GPS
    const photo = clean.subarray(clean.indexOf(Buffer.from([0xff, 0xd8, 0xff])));
    expect(await exifr.gps(photo)).toBeUndefined();
    expect(jpeg.decode(photo).width).toBe(64);
    const doc = await load(clean);
    expect(doc.getPageCount()).toBe(1);
    expect([doc.getAuthor(), doc.getTitle(), doc.getProducer(), doc.getCreator()]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(await pageContents(clean)).toEqual(await pageContents(pdf));
    expect(await pageContents(clean)).toEqual(["BT /F1 12 Tf 20 50 Td (Report evidence) Tj ET"]);
    const annot = doc.getPage(0).node.Annots()?.lookup(0, PDFDict);
    expect(annot?.get(PDFName.of("Contents"))?.toString()).toBe("(see the receipt)");
    // the same bytes in give the same bytes out (the store addresses files by their hash)
    expect((await stripPdf(pdf)).equals(clean)).toBe(true);
    expect(clean.length).toBeLessThan(pdf.length);
  });

  it("cleans a document pdf-lib wrote with object streams: Chinese Info, XMP, three pages of text", async () => {
    const made = await PDFDocument.create();
    made.setAuthor("张三（举报人）");
    made.setTitle("内部通知");
    made.setSubject("补课收费");
    made.setKeywords(["吕梁", "举报"]);
    made.setCreator("SecretWriter");
    made.setProducer("SecretProducer");
    const font = await made.embedFont(StandardFonts.Helvetica);
    for (let p = 1; p <= 3; p++)
      made.addPage([300, 200]).drawText(`Page ${p}: tuition 800 yuan`, { x: 20, y: 100, font });
    const packet = made.context.stream("<x:xmpmeta><dc:creator>XmpCatalogAuthor</dc:creator></x:xmpmeta>", {
      Type: "Metadata",
      Subtype: "XML",
    });
    made.catalog.set(PDFName.of("Metadata"), made.context.register(packet));
    const pdf = Buffer.from(await made.save({ useObjectStreams: true }));
    expect(everything(pdf)).toContain("XmpCatalogAuthor");

    const clean = await stripPdf(pdf);
    const all = everything(clean);
    const utf16 = (s: string) => Buffer.from(s, "utf16le").swap16().toString("hex").toUpperCase();
    for (const s of ["XmpCatalogAuthor", "SecretWriter", "SecretProducer", utf16("张三"), utf16("内部通知")])
      expect(all.toUpperCase().includes(s.toUpperCase()), s).toBe(false);
    const doc = await load(clean);
    expect([doc.getAuthor(), doc.getTitle(), doc.getSubject(), doc.getKeywords()]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(doc.getPageCount()).toBe(3);
    expect(await pageContents(clean)).toEqual(await pageContents(pdf));
    expect(clean.length).toBeLessThanOrEqual(pdf.length);
  });

  it("removes scripts, launch actions, triggers and embedded files; keeps web links and destinations", async () => {
    const made = await PDFDocument.create();
    const font = await made.embedFont(StandardFonts.Helvetica);
    const page = made.addPage([300, 200]);
    page.drawText("Evidence", { x: 20, y: 100, font });
    await made.attach(Buffer.from("SECRET-ATTACHMENT written by LiSi"), "note.txt", {
      mimeType: "text/plain",
    });
    const ctx = made.context;
    const action = (fields: Record<string, string | PDFString>) => ctx.register(ctx.obj(fields));
    made.catalog.set(
      PDFName.of("OpenAction"),
      action({ S: "JavaScript", JS: PDFString.of("app.alert('SECRET-OPENJS')") }),
    );
    // attachments are embedded when saving, into this /Names dictionary
    made.catalog.set(
      PDFName.of("Names"),
      ctx.obj({
        JavaScript: ctx.obj({
          Names: [PDFString.of("init"), action({ S: "JavaScript", JS: PDFString.of("SECRET-DOCJS") })],
        }),
      }),
    );
    page.node.set(
      PDFName.of("AA"),
      ctx.obj({ O: action({ S: "Launch", F: PDFString.of("SECRET-LAUNCH.exe") }) }),
    );
    const link = (a: PDFRef, x: number) =>
      ctx.register(ctx.obj({ Type: "Annot", Subtype: "Link", Rect: [x, 0, x + 40, 20], A: a }));
    page.node.set(
      PDFName.of("Annots"),
      ctx.obj([
        link(action({ S: "URI", URI: PDFString.of("https://example.org/keep") }), 0),
        link(action({ S: "JavaScript", JS: PDFString.of("SECRET-LINKJS") }), 50),
        link(action({ S: "SubmitForm", F: PDFString.of("https://SECRET-SUBMIT.example") }), 100),
      ]),
    );
    const pdf = Buffer.from(await made.save({ useObjectStreams: false }));
    const secrets = [
      "SECRET-ATTACHMENT",
      "SECRET-OPENJS",
      "SECRET-DOCJS",
      "SECRET-LAUNCH",
      "SECRET-LINKJS",
      "SECRET-SUBMIT",
    ];
    for (const s of secrets) expect(everything(pdf).includes(s), s).toBe(true);

    const clean = await stripPdf(pdf);
    const all = everything(clean);
    for (const s of secrets) expect(all.includes(s), s).toBe(false);
    expect(all).not.toMatch(/\/(JavaScript|JS|Launch|SubmitForm|AA|EmbeddedFiles?|EF|OpenAction)\b/);
    expect(all).toContain("https://example.org/keep");
    const doc = await load(clean);
    expect(doc.getPage(0).node.Annots()?.size()).toBe(3); // the links stay; two lost their action
    expect(await pageContents(clean)).toEqual(await pageContents(pdf));

    // an /OpenAction that only opens a page at a position stays
    const jump = await PDFDocument.create();
    const first = jump.addPage([100, 100]);
    jump.catalog.set(PDFName.of("OpenAction"), jump.context.obj([first.ref, PDFName.of("Fit")]));
    const kept = await load(await stripPdf(Buffer.from(await jump.save())));
    expect(kept.catalog.lookup(PDFName.of("OpenAction"), PDFArray).toString()).toMatch(/\/Fit/);
  });

  it("keeps a PDF 2.0 version in the catalog (pdf-lib writes a 1.7 header)", async () => {
    const v2 = Buffer.from(smallPdf().toString("latin1").replace("%PDF-1.4", "%PDF-2.0"), "latin1");
    const doc = await load(await stripPdf(v2));
    expect(doc.catalog.get(PDFName.of("Version"))?.toString()).toBe("/2.0");
  });

  it("refuses an encrypted PDF, also one whose object streams cannot be read", async () => {
    const e = await refusal(encryptedPdf());
    expect(e).toBeInstanceOf(EncryptedFile);
    expect(e?.message).toBe("加密的 PDF 无法去除元数据，请去除密码后再上传");
    // encrypted object stream: pdf-lib fails on it before it reads /Encrypt
    const scrambled = Buffer.from(
      encryptedPdf()
        .toString("latin1")
        .replace(
          "<< /Type /Pages",
          "<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length 8 >>\nstream\n\x93\x11\xfe\x02\xab\xcd\xef\x01\nendstream\nendobj\n9 0 obj\n<< /Type /Pages",
        ),
      "latin1",
    );
    const read = PDFDocument.load(scrambled, { throwOnInvalidObject: true });
    await expect(read).rejects.toThrow(/invalid object/);
    expect(await refusal(scrambled)).toBeInstanceOf(EncryptedFile);
  });

  it("refuses truncated, garbage, page-less PDFs and decompression bombs", async () => {
    const whole = await stripPdf(metadataPdf());
    const cut = await refusal(whole.subarray(0, whole.length / 2));
    expect(cut).toBeInstanceOf(MalformedFile);
    expect(cut?.message).toContain("%%EOF");
    const garbage = await refusal(Buffer.from("%PDF-1.7\nthis is not a PDF at all\n%%EOF\n"));
    expect(garbage).toBeInstanceOf(MalformedFile);
    const noPages = pdfFile(
      ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>"],
      "/Root 1 0 R",
    );
    expect((await refusal(noPages))?.message).toContain("页面");
    // 64 MB of spaces deflated to some 64 KB, as an object stream
    const bomb = zlib.deflateSync(Buffer.alloc(64 * 1024 * 1024, 0x20), { level: 9 });
    const head = `<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length ${bomb.length} >>\nstream\n`;
    const withBomb = pdfFile(
      [
        ...smallPdf()
          .toString("latin1")
          .matchAll(/\d+ 0 obj\n([\s\S]*?)\nendobj/g),
      ]
        .map((m) => m[1])
        .concat(`${head}${bomb.toString("latin1")}\nendstream`),
      "/Root 1 0 R",
    );
    const refused = await refusal(withBomb);
    expect(refused).toBeInstanceOf(MalformedFile);
    expect(refused?.message).toContain("压缩炸弹");
  });
});

describe("PDF worker thread", () => {
  it("gives what stripPdf gives, refuses alike, and replaces its thread by job count and heap", async () => {
    const pdf = metadataPdf();
    const byCount = new PdfWorker({ maxJobs: 2, maxHeapBytes: 1e12, timeoutMs: 60_000, threadHeapMb: 256 });
    try {
      expect((await byCount.strip(pdf)).equals(await stripPdf(pdf))).toBe(true);
      const [locked, cut] = await Promise.all([
        byCount.strip(encryptedPdf()).catch((e: unknown) => e),
        byCount.strip(pdf.subarray(0, 100)).catch((e: unknown) => e),
      ]);
      expect(locked).toBeInstanceOf(EncryptedFile);
      expect(cut).toBeInstanceOf(MalformedFile);
      expect(byCount.started).toBe(2); // two files, then a new thread for the third
    } finally {
      await byCount.close();
    }
    const byHeap = new PdfWorker({ maxJobs: 1000, maxHeapBytes: 0, timeoutMs: 60_000, threadHeapMb: 256 });
    try {
      for (let i = 0; i < 2; i++)
        expect((await byHeap.strip(smallPdf())).subarray(0, 8).toString()).toBe("%PDF-1.7");
      expect(byHeap.started).toBe(2);
    } finally {
      await byHeap.close();
    }
  });
});
