import fs from "node:fs";
import { PassThrough } from "node:stream";
import zlib from "node:zlib";
import { AppError } from "../../shared/errors.js";

/**
 * Just enough of ZIP (PKWARE APPNOTE 6.3) to read the parts of an xlsx file from disk: the central
 * directory gives each part's offset, so parts are read in any order and streamed through inflate
 * without loading the archive. Inflated bytes are counted against a budget as they come out, so a
 * zip bomb (a small file that expands to gigabytes) is stopped early, whatever sizes it declares.
 */

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

/** Inflated bytes allowed across every part read from one file. */
export class InflateBudget {
  used = 0;
  constructor(readonly limit: number) {}

  take(bytes: number) {
    this.used += bytes;
    if (this.used > this.limit)
      throw new AppError(
        "IMPORT_INVALID",
        `文件解压后超过 ${formatBytes(this.limit)}，已停止读取（可能是“压缩炸弹”或异常文件）。如确为正常数据，请拆分为多个文件后分别导入`,
      );
  }
}

export function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${Math.round((n / (1 << 30)) * 10) / 10} GB`;
  if (n >= 1 << 20) return `${Math.round(n / (1 << 20))} MB`;
  return `${Math.round(n / 1024)} KB`;
}

/** Inflated bytes kept ready ahead of the reader. */
const INFLATE_READ_AHEAD = 8 << 20;

const corrupt = () =>
  new AppError("IMPORT_INVALID", "Excel 文件已损坏，无法读取。请在 Excel 中打开后重新另存为 .xlsx 再上传");

const SIG_EOCD = 0x06054b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

export class ZipFile {
  private constructor(
    private readonly fd: fs.promises.FileHandle,
    private readonly filePath: string,
    readonly entries: Map<string, ZipEntry>,
  ) {}

  static async open(filePath: string): Promise<ZipFile> {
    const fd = await fs.promises.open(filePath, "r");
    try {
      const entries = await readCentralDirectory(fd);
      return new ZipFile(fd, filePath, entries);
    } catch (e) {
      await fd.close();
      throw e;
    }
  }

  async close() {
    await this.fd.close();
  }

  /**
   * Streams one part's bytes, inflated, charging them to `budget`; `onSourceBytes` hears how many
   * compressed bytes were read (for progress).
   */
  async *read(
    entry: ZipEntry,
    budget: InflateBudget,
    onSourceBytes?: (bytes: number) => void,
  ): AsyncGenerator<Buffer> {
    if (entry.flags & 1)
      throw new AppError("IMPORT_INVALID", "文件已加密，请在 Excel 中取消密码后重新保存再上传");
    const local = Buffer.alloc(30);
    await this.fd.read(local, 0, 30, entry.localHeaderOffset);
    if (local.readUInt32LE(0) !== SIG_LOCAL) throw corrupt();
    const start = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    if (entry.compressedSize === 0) return;
    const source = fs.createReadStream(this.filePath, {
      start,
      end: start + entry.compressedSize - 1,
      highWaterMark: 1 << 18,
    });
    if (onSourceBytes) source.on("data", (c) => onSourceBytes(c.length));
    if (entry.method === 0) {
      try {
        for await (const chunk of source as AsyncIterable<Buffer>) {
          budget.take(chunk.length);
          yield chunk;
        }
      } finally {
        source.destroy();
      }
      return;
    }
    if (entry.method !== 8)
      throw new AppError(
        "IMPORT_INVALID",
        `不支持的压缩方式（${entry.method}），请用 Excel 重新另存为 .xlsx`,
      );
    // Inflation runs on libuv's thread pool: a read-ahead of a few megabytes lets it go on while
    // the caller scans and validates the previous chunk, instead of waiting for each chunk.
    const inflate = zlib.createInflateRaw({ chunkSize: 1 << 18 });
    const ahead = new PassThrough({ highWaterMark: INFLATE_READ_AHEAD });
    source.on("error", (e) => inflate.destroy(e));
    inflate.on("error", (e) => ahead.destroy(e));
    source.pipe(inflate).pipe(ahead);
    try {
      for await (const chunk of ahead as AsyncIterable<Buffer>) {
        budget.take(chunk.length);
        yield chunk;
      }
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw corrupt();
    } finally {
      source.unpipe(inflate);
      inflate.unpipe(ahead);
      source.destroy();
      inflate.destroy();
      ahead.destroy();
    }
  }
}

async function readCentralDirectory(fd: fs.promises.FileHandle): Promise<Map<string, ZipEntry>> {
  const { size } = await fd.stat();
  const tailSize = Math.min(size, 22 + 0xffff);
  const tail = Buffer.alloc(tailSize);
  await fd.read(tail, 0, tailSize, size - tailSize);
  let eocd = -1;
  for (let i = tailSize - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === SIG_EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw corrupt();
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || tail.readUInt32LE(loc) !== SIG_EOCD64_LOCATOR) throw corrupt();
    const rec = Buffer.alloc(56);
    await fd.read(rec, 0, 56, Number(tail.readBigUInt64LE(loc + 8)));
    if (rec.readUInt32LE(0) !== SIG_EOCD64) throw corrupt();
    count = Number(rec.readBigUInt64LE(32));
    cdSize = Number(rec.readBigUInt64LE(40));
    cdOffset = Number(rec.readBigUInt64LE(48));
  }
  if (cdOffset + cdSize > size || cdSize > 64 << 20) throw corrupt();
  const cd = Buffer.alloc(cdSize);
  await fd.read(cd, 0, cdSize, cdOffset);
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== SIG_CENTRAL) throw corrupt();
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    const entry: ZipEntry = {
      name: cd.toString("utf8", p + 46, p + 46 + nameLen),
      flags: cd.readUInt16LE(p + 8),
      method: cd.readUInt16LE(p + 10),
      compressedSize: cd.readUInt32LE(p + 20),
      uncompressedSize: cd.readUInt32LE(p + 24),
      localHeaderOffset: cd.readUInt32LE(p + 42),
    };
    readZip64Extra(cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen), entry);
    if (entry.localHeaderOffset + 30 > size || entry.localHeaderOffset + entry.compressedSize > size)
      throw corrupt();
    // Part names are case-insensitive in OPC (ECMA-376 Part 2); "/xl/…" and "xl/…" are the same part.
    entries.set(entry.name.replace(/^\//, "").toLowerCase(), entry);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** ZIP64 extended information (header 0x0001): the 64-bit values of fields stored as 0xFFFFFFFF. */
function readZip64Extra(extra: Buffer, e: ZipEntry) {
  let p = 0;
  while (p + 4 <= extra.length) {
    const id = extra.readUInt16LE(p);
    const len = extra.readUInt16LE(p + 2);
    if (id === 1) {
      let q = p + 4;
      const next = () => {
        const v = Number(extra.readBigUInt64LE(q));
        q += 8;
        return v;
      };
      if (e.uncompressedSize === 0xffffffff) e.uncompressedSize = next();
      if (e.compressedSize === 0xffffffff) e.compressedSize = next();
      if (e.localHeaderOffset === 0xffffffff) e.localHeaderOffset = next();
      return;
    }
    p += 4 + len;
  }
}
