import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { AppError, invalid } from "../../shared/errors.js";
import { EncryptedFile, MalformedFile, UnsupportedFile } from "./file-errors.js";
import { type AttachmentMime, attachmentTypes } from "./formats.js";
import { BadFileName, sanitiseFileName } from "./names.js";
import { normaliseAttachment } from "./normalise.js";
import { pdfWorker } from "./pdf-thread.js";

/** What a stored attachment is: its content address, size, real type and display name. */
export interface StoredFile {
  sha256: string;
  size: number;
  mime: AttachmentMime;
  name: string;
}

const SHA256 = /^[0-9a-f]{64}$/;
/** Where a file is written before it is renamed into place. */
const TMP = "tmp";
const accepted = Object.values(attachmentTypes)
  .map((t) => t.label)
  .join("、");

/**
 * Attachments on disk, content-addressed: `<root>/ab/cd/<sha256>` where ab, cd are the first hex
 * pairs of the SHA-256 of the stored (metadata-stripped) bytes. The same content is stored once.
 * A file is written to `<root>/tmp` and renamed into place, so a reader never sees half a file.
 * Nothing here decides who may read a file: that is the owning module's question (FileService).
 */
export class FileStore {
  constructor(
    readonly root: string,
    readonly maxBytes: number,
  ) {}

  /**
   * Reads the input (refusing it past `maxBytes`), checks the type by content, strips metadata
   * (a PDF in the shared worker thread, pdf-thread.ts), sanitises the name and stores the bytes.
   * Throws AppError FILE_TOO_LARGE, UNSUPPORTED_FILE or VALIDATION_FAILED (the name); nothing is
   * written then.
   */
  async store(input: Readable | Buffer, declaredName: string): Promise<StoredFile> {
    const { file, bytes } = await this.prepare(input, declaredName);
    await this.put(file.sha256, bytes);
    return file;
  }

  /** `store` without the write: the stored form's description and bytes, for `put`. */
  async prepare(
    input: Readable | Buffer,
    declaredName: string,
  ): Promise<{ file: StoredFile; bytes: Buffer }> {
    const raw = Buffer.isBuffer(input) ? input : await readLimited(input, this.maxBytes);
    if (raw.length > this.maxBytes) throw tooLarge(this.maxBytes);
    if (raw.length === 0) throw new AppError("UNSUPPORTED_FILE", "文件为空");
    let normalised: Awaited<ReturnType<typeof normaliseAttachment>>;
    let name: string;
    try {
      normalised = await normaliseAttachment(raw, (pdf) => pdfWorker().strip(pdf));
      name = sanitiseFileName(declaredName, normalised.mime);
    } catch (e) {
      if (e instanceof UnsupportedFile)
        throw new AppError("UNSUPPORTED_FILE", `只接受${accepted}（按文件内容判断，与文件名无关）`);
      if (e instanceof MalformedFile)
        throw new AppError("UNSUPPORTED_FILE", `文件已损坏或不完整：${e.message}`);
      if (e instanceof EncryptedFile) throw new AppError("UNSUPPORTED_FILE", e.message);
      if (e instanceof BadFileName) throw invalid([{ field: "文件名", message: e.message }]);
      throw e;
    }
    const { mime, bytes } = normalised;
    const sha256 = crypto.createHash("sha256").update(bytes).digest("hex");
    return { file: { sha256, size: bytes.length, mime, name }, bytes };
  }

  /** Writes the bytes under their SHA-256 unless they are there already (via tmp/, then a rename). */
  async put(sha256: string, bytes: Uint8Array): Promise<void> {
    const target = this.pathOf(sha256);
    if (fs.existsSync(target)) return;
    const tmpDir = path.join(this.root, TMP);
    await fs.promises.mkdir(tmpDir, { recursive: true });
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    const tmp = path.join(tmpDir, `${sha256}.${crypto.randomBytes(6).toString("hex")}`);
    await fs.promises.writeFile(tmp, bytes, { mode: 0o640 });
    await fs.promises.rename(tmp, target);
  }

  /** Deletes the bytes (nothing when they are not there). The caller knows no record names them. */
  async remove(sha256: string): Promise<void> {
    await fs.promises.rm(this.pathOf(sha256), { force: true });
  }

  /** Deletes files in tmp/ older than `before`: writes a crash or a full disk cut short. */
  async removeStaleTmp(before: Date): Promise<number> {
    const dir = path.join(this.root, TMP);
    let n = 0;
    for (const name of await fs.promises.readdir(dir).catch(() => [] as string[])) {
      const p = path.join(dir, name);
      const st = await fs.promises.stat(p).catch(() => null);
      if (st?.isFile() && st.mtime < before) {
        await fs.promises.rm(p, { force: true });
        n++;
      }
    }
    return n;
  }

  /** The file's path; refuses anything that is not a SHA-256 (so no path can be smuggled in). */
  pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new AppError("NOT_FOUND", "附件不存在或无权访问");
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  has(sha256: string): boolean {
    return SHA256.test(sha256) && fs.existsSync(this.pathOf(sha256));
  }

  open(sha256: string): fs.ReadStream {
    return fs.createReadStream(this.pathOf(sha256));
  }
}

const tooLarge = (max: number) =>
  new AppError("FILE_TOO_LARGE", `文件过大：每个附件不超过 ${Math.round(max / 1024 / 1024)} MB`);

async function readLimited(input: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of input) {
    total += (chunk as Buffer).length;
    if (total > max) {
      input.destroy();
      throw tooLarge(max);
    }
    chunks.push(chunk as Buffer);
  }
  // @fastify/multipart marks a stream cut at its own fileSize limit as truncated.
  if ((input as Readable & { truncated?: boolean }).truncated) throw tooLarge(max);
  return Buffer.concat(chunks);
}
