import { AsyncLocalStorage } from "node:async_hooks";
import zlib from "node:zlib";
import {
  EncryptedPDFError,
  PDFArray,
  type PDFContext,
  PDFDict,
  PDFDocument,
  PDFName,
  type PDFObject,
  PDFObjectStreamParser,
  PDFRawStream,
  PDFRef,
  PDFStream,
  PDFXRefStreamParser,
} from "pdf-lib";
import { EncryptedFile, MalformedFile } from "./file-errors.js";
import { stripJpeg } from "./strip.js";

/**
 * PDF metadata removal (ISO 32000-1 §14.3 "Metadata", §14.5 "Page-piece dictionaries"). Pure:
 * bytes in, bytes out, no I/O.
 *
 * The document is read with pdf-lib and written again as one fresh revision: the document
 * information dictionary (/Info: Author, Creator, Producer, Title, dates…) is deleted with the
 * trailer's reference to it and the file identifier (/ID, often a hash of the path and time it was
 * made); every XMP stream (/Type /Metadata: on the catalog, pages, images, fonts…), page-piece
 * data (/PieceInfo, the authoring application's private data) and /LastModified dates go; page
 * thumbnails (/Thumb) go (like a JPEG thumbnail, one may show what was since removed); comments
 * lose the name of who wrote them and when (/T, /M, /CreationDate of markup annotations); a JPEG
 * image kept whole inside the PDF (as "save photo as PDF" does) loses its EXIF/GPS like an upload.
 * Objects that nothing reaches any more are dropped, so an older revision of an incrementally
 * updated file (an earlier Author, a page since deleted) does not survive, nor does anything after
 * the last %%EOF.
 *
 * Active content goes too, since an attachment is opened by staff in desktop readers: scripts
 * (document-level /JavaScript, /JS actions), actions that start a program, send or fetch data
 * or play media (/Launch, /ImportData, /SubmitForm, /GoToE, /RichMediaExecute, /Rendition, /Sound,
 * /Movie), triggers (/AA additional actions, and an /OpenAction that is not a plain destination),
 * XFA forms (their XML carries scripts), and embedded files (the /EF of every file specification,
 * so attached files, /EmbeddedFiles, /AF associated files and portfolios: an attached Word file
 * would keep its own metadata). What the pages show, form fields, links to web addresses and
 * jumps within the document are kept as they are.
 * An encrypted PDF cannot be read, hence not cleaned: it is refused (EncryptedFile).
 */
export async function stripPdf(buf: Buffer): Promise<Buffer> {
  checkPdf(buf);
  const doc = await loadPdf(buf);
  const context = doc.context;
  if (context.trailerInfo.Encrypt) throw encrypted();
  let pages: number;
  try {
    pages = doc.getPageCount();
  } catch {
    throw new MalformedFile("PDF 页面结构无效");
  }
  if (pages === 0) throw new MalformedFile("PDF 不含任何页面");

  const info = context.trailerInfo.Info;
  if (info instanceof PDFRef) context.delete(info);
  context.trailerInfo.Info = undefined;
  context.trailerInfo.ID = undefined;
  for (const [ref, object] of context.enumerateIndirectObjects()) {
    if (object instanceof PDFStream && isXmp(object.dict)) {
      context.delete(ref);
      continue;
    }
    scrub(object, context);
    const photo = object instanceof PDFRawStream ? withoutExif(object) : null;
    if (photo) context.assign(ref, photo);
  }
  dropUnreachable(context);

  // pdf-lib always writes a PDF-1.7 header; a later version is kept in the catalog (§7.7.2).
  const version = pdfVersion(buf, doc);
  if (version > 1.7) doc.catalog.set(name("Version"), name(version.toFixed(1)));
  const saved = await doc.save({
    useObjectStreams: true, // PDF 1.5+, which the 1.7 header declares; smaller than a plain table
    addDefaultPage: false,
    // true would create an AcroForm and rewrite field appearances: the content must not change.
    updateFieldAppearances: false,
    objectsPerTick: OBJECTS_PER_TICK,
  });
  return Buffer.from(saved.buffer, saved.byteOffset, saved.byteLength);
}

/**
 * pdf-lib yields to the event loop every so many objects (setTimeout 0, about 1 ms each); its
 * defaults (100 when reading, 50 when writing) cost more waiting than work on a large file.
 */
const OBJECTS_PER_TICK = 2000;

/** A whole PDF ends with "%%EOF" (possibly followed by a line end) near its end. */
export function checkPdf(buf: Buffer): void {
  const tail = buf.subarray(Math.max(0, buf.length - 1024)).toString("latin1");
  if (!tail.includes("%%EOF")) throw new MalformedFile("PDF 文件不完整（缺少 %%EOF）");
}

const encrypted = () => new EncryptedFile("加密的 PDF 无法去除元数据，请去除密码后再上传");

async function loadPdf(buf: Buffer): Promise<PDFDocument> {
  const budget: DecodeBudget = { left: DECODED_MAX_BYTES };
  try {
    return await decodeBudget.run(budget, () =>
      PDFDocument.load(buf, {
        updateMetadata: false, // pdf-lib would otherwise write its own Producer, Creator and dates
        throwOnInvalidObject: true, // refuse a broken object rather than keep it as opaque bytes
        parseSpeed: OBJECTS_PER_TICK,
      }),
    );
  } catch (e) {
    if (budget.refused) throw new MalformedFile(budget.refused);
    // An encrypted file with object streams fails while parsing them, before pdf-lib sees /Encrypt.
    if (e instanceof EncryptedPDFError || /\/Encrypt(?![A-Za-z])/.test(buf.toString("latin1"))) {
      throw encrypted();
    }
    throw new MalformedFile("PDF 结构无效，无法读取");
  }
}

// ---------------------------------------------------------------- decompression bombs

/**
 * While reading, pdf-lib inflates object streams and cross-reference streams at once and in
 * JavaScript: 1 MB of deflated spaces is 1 GB, which took 18 CPU seconds and 1.1 GB of memory in
 * one blocking call (measured). So each such stream is first inflated by zlib with a cap, and the
 * whole document may decode at most DECODED_MAX_BYTES of them; past that it is refused. A
 * legitimate file needs far less: its object streams hold only the small dictionaries (pages,
 * fonts, annotations), some 100–200 bytes per object, never the page contents or images.
 */
const DECODED_MAX_BYTES = 32 * 1024 * 1024;

interface DecodeBudget {
  left: number;
  refused?: string;
}
const decodeBudget = new AsyncLocalStorage<DecodeBudget>();
const FILTER = PDFName.of("Filter");
const FLATE = PDFName.of("FlateDecode");

/** Charges what `raw` inflates to against the budget of the document being read (if any). */
function chargeDecoded(raw: PDFRawStream): void {
  const budget = decodeBudget.getStore();
  if (!budget) return;
  const filter = raw.dict.lookup(FILTER);
  const only = filter instanceof PDFArray && filter.size() === 1 ? filter.lookup(0) : filter;
  let size = raw.contents.length;
  if (only === FLATE) {
    try {
      const cap = { maxOutputLength: budget.left + 1, finishFlush: zlib.constants.Z_SYNC_FLUSH };
      size = zlib.inflateSync(raw.contents, cap).length;
    } catch (e) {
      if ((e as { code?: string }).code !== "ERR_BUFFER_TOO_LARGE") return; // broken: pdf-lib judges
      size = Number.POSITIVE_INFINITY;
    }
  } else if (only !== undefined) {
    budget.refused = "PDF 对象流使用了不支持的压缩方式";
    throw new MalformedFile(budget.refused);
  }
  budget.left -= size;
  if (budget.left < 0) {
    budget.refused = `PDF 对象流解压后超过 ${DECODED_MAX_BYTES / 1024 / 1024} MB，疑似压缩炸弹`;
    throw new MalformedFile(budget.refused);
  }
}

const forObjectStream = PDFObjectStreamParser.forStream;
PDFObjectStreamParser.forStream = (raw, shouldWaitForTick) => {
  chargeDecoded(raw);
  return forObjectStream(raw, shouldWaitForTick);
};
const forXRefStream = PDFXRefStreamParser.forStream;
PDFXRefStreamParser.forStream = (raw) => {
  chargeDecoded(raw);
  return forXRefStream(raw);
};

// ---------------------------------------------------------------- metadata

const name = (n: string) => PDFName.of(n);
const TYPE = name("Type");
const SUBTYPE = name("Subtype");

/** Entries of any dictionary that say who made the document, with what and when. */
const DROPPED = ["Metadata", "PieceInfo", "LastModified", "Thumb"].map(name);

/** Markup annotations (ISO 32000-1 §12.5.6.2): their /T is by convention the author's name. */
const MARKUP = new Set(
  [
    "Text",
    "FreeText",
    "Line",
    "Square",
    "Circle",
    "Polygon",
    "PolyLine",
    "Highlight",
    "Underline",
    "Squiggly",
    "StrikeOut",
    "Stamp",
    "Caret",
    "Ink",
    "FileAttachment",
    "Sound",
    "Redact",
  ].map(name),
);
const ANNOTATION_AUTHOR = ["T", "M", "CreationDate"].map(name);

const isXmp = (dict: PDFDict) => dict.get(TYPE) === name("Metadata") || dict.get(SUBTYPE) === name("XML");

// ---------------------------------------------------------------- active content

/** Entries that run something or carry another file, wherever they are (ISO 32000-1 §12.6.2, §7.11.4, §12.7.8). */
const ACTIVE = ["AA", "JS", "JavaScript", "EmbeddedFiles", "EF", "AF", "XFA", "Collection"].map(name);
/** Entries whose value is an action (§12.6.2, §12.6.4.2: /Next chains further actions). */
const ACTION_KEYS = ["A", "OpenAction", "Next"].map(name);
/** Action types that run code, start a program, read or send data, or open an embedded file. */
const UNSAFE_ACTIONS = new Set(
  [
    "JavaScript",
    "Launch",
    "ImportData",
    "SubmitForm",
    "GoToE",
    "RichMediaExecute",
    "Rendition",
    "Sound",
    "Movie",
  ].map(name),
);
const ACTION_TYPE = name("S");

/**
 * Whether the value of an action entry must go: an action dictionary of an unsafe type, or an
 * array of actions (/Next may hold one) with any such action. A destination (an array of a page
 * and a position, as /OpenAction may be) and a safe action (/URI, /GoTo, /Named …) stay.
 */
function unsafeAction(context: PDFContext, value: PDFObject | undefined): boolean {
  const target = value instanceof PDFRef ? context.lookup(value) : value;
  if (target instanceof PDFDict) {
    const type = target.get(ACTION_TYPE);
    return type instanceof PDFName && UNSAFE_ACTIONS.has(type);
  }
  if (target instanceof PDFArray)
    return target.asArray().some((v) => v instanceof PDFRef && unsafeAction(context, v));
  return false;
}

/** Removes the identifying entries and the active content from `object` and the direct objects inside it. */
function scrub(object: PDFObject, context: PDFContext): void {
  const dict = object instanceof PDFStream ? object.dict : object instanceof PDFDict ? object : null;
  if (dict) {
    for (const key of DROPPED) dict.delete(key);
    for (const key of ACTIVE) dict.delete(key);
    for (const key of ACTION_KEYS) if (unsafeAction(context, dict.get(key))) dict.delete(key);
    const subtype = dict.get(SUBTYPE);
    if (subtype instanceof PDFName && MARKUP.has(subtype) && dict.has(name("Rect"))) {
      for (const key of ANNOTATION_AUTHOR) dict.delete(key);
    }
    for (const [, value] of dict.entries()) scrub(value, context);
  } else if (object instanceof PDFArray) {
    for (const value of object.asArray()) scrub(value, context);
  }
}

/**
 * A JPEG image stream (/DCTDecode alone: the stream is a JPEG file) passed through stripJpeg, or
 * null to keep it: not a JPEG, or one stripJpeg refuses (a reader may still show it; the PDF
 * is not refused for it).
 */
function withoutExif(stream: PDFRawStream): PDFRawStream | null {
  const filter = stream.dict.lookup(FILTER);
  const only = filter instanceof PDFArray && filter.size() === 1 ? filter.lookup(0) : filter;
  if (only !== name("DCTDecode")) return null;
  try {
    const bytes = Buffer.from(stream.contents.buffer, stream.contents.byteOffset, stream.contents.byteLength);
    return PDFRawStream.of(stream.dict, stripJpeg(bytes)); // pdf-lib sets /Length when writing
  } catch {
    return null;
  }
}

/** Deletes every indirect object the catalog does not reach (older revisions, orphans). */
function dropUnreachable(context: PDFContext): void {
  const reached = new Set<PDFRef>();
  const root = context.trailerInfo.Root;
  const pending: PDFObject[] = root ? [root] : [];
  for (let object = pending.pop(); object !== undefined; object = pending.pop()) {
    if (object instanceof PDFRef) {
      if (reached.has(object)) continue;
      reached.add(object);
      const target = context.lookup(object);
      if (target) pending.push(target);
    } else if (object instanceof PDFStream) {
      pending.push(object.dict);
    } else if (object instanceof PDFDict) {
      for (const [, value] of object.entries()) pending.push(value);
    } else if (object instanceof PDFArray) {
      for (const value of object.asArray()) pending.push(value);
    }
  }
  for (const [ref] of context.enumerateIndirectObjects()) if (!reached.has(ref)) context.delete(ref);
}

/** The larger of the header's version and the catalog's /Version (an update may raise it). */
function pdfVersion(buf: Buffer, doc: PDFDocument): number {
  const header = Number.parseFloat(buf.toString("latin1", 5, 8));
  const catalog = doc.catalog.get(name("Version"));
  const declared = catalog instanceof PDFName ? Number.parseFloat(catalog.decodeText()) : 0;
  return Math.max(Number.isFinite(header) ? header : 0, Number.isFinite(declared) ? declared : 0);
}
