import crypto from "node:crypto";
import type { Readable } from "node:stream";
import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import type { Actor } from "../../shared/actor.js";
import { AppError } from "../../shared/errors.js";
import { FileUploadRepository } from "./repository.js";
import type { FileStore, StoredFile } from "./store.js";

/** One upload: the stored file plus the id its owner module claims it by. */
export interface Upload extends StoredFile {
  id: string;
}

/**
 * Whether `actor` may see the attachment `sha256` of the owner's record `ownerId`; the owner answers
 * with the name and type the attachment has there (the same bytes may be attached twice under two
 * names), or null ("not found": out of scope and absent look alike).
 */
export type OwnerCheck = (actor: Actor, ownerId: string, sha256: string) => Promise<StoredFile | null>;

/**
 * Attachments for every module. The flow: the client uploads (POST /api/files, or a module's own
 * public route) and gets an upload id; it sends that id with the record it belongs to; the module
 * calls `claim` in the transaction that writes the record and keeps the returned StoredFile. Reads go
 * through GET /api/files/:owner/:ownerId/:sha256, which asks the owner registered under `owner`.
 * Knowing a SHA-256 therefore gives nothing: a file is served only as part of a record the
 * actor may see, and an upload is claimed only by the one who uploaded it.
 */
export class FileService {
  private readonly owners = new Map<string, OwnerCheck>();
  private readonly repo: FileUploadRepository;

  private lastSweep = 0;

  constructor(
    private readonly db: Kysely<DB>,
    readonly store: FileStore,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new FileUploadRepository(db);
  }

  /**
   * Stores the bytes and records the upload. `uploader` null: the public page (nobody recorded).
   * The receipt and the bytes are written under the content's lock, so a sweep deleting the same
   * content (uploaded before and abandoned) cannot take the bytes from under the new receipt.
   * Runs the housekeeping first when it is due (uploads are what leaves garbage behind).
   */
  async upload(uploader: Actor | null, input: Readable | Buffer, declaredName: string): Promise<Upload> {
    if (this.now().getTime() - this.lastSweep >= SWEEP_EVERY_MS) await this.sweep();
    const { file, bytes } = await this.store.prepare(input, declaredName);
    const id = crypto.randomUUID();
    await this.db.transaction().execute(async (tx) => {
      await this.repo.lockContent(tx, file.sha256);
      await this.repo.insert(tx, { id, ...file, uploaded_by: uploaderId(uploader), created_at: this.now() });
      await this.store.put(file.sha256, bytes);
    });
    return { id, ...file };
  }

  /**
   * Claims uploads for a record, inside the caller's transaction `tx`: each id must exist, be
   * unclaimed and have been uploaded by `uploader` (null: anonymously). `claimedFor` names the
   * record, e.g. "cases:42". Throws VALIDATION_FAILED naming the bad id; nothing is claimed then
   * (the caller's transaction rolls back).
   */
  async claim(
    tx: Kysely<DB>,
    uploader: Actor | null,
    ids: string[],
    claimedFor: string,
  ): Promise<StoredFile[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const wellFormed = unique.filter((id) => UUID.test(id));
    const claimed = wellFormed.length
      ? await this.repo.claim(tx, wellFormed, uploaderId(uploader), claimedFor)
      : [];
    if (claimed.length !== unique.length) {
      const got = new Set(claimed.map((c) => c.id));
      const missing = unique.filter((id) => !got.has(id));
      throw new AppError("VALIDATION_FAILED", `附件无效或已被使用：${missing.join("、")}`, {
        issues: missing.map((id) => ({ field: "attachments", message: `附件 ${id} 无效或已被使用` })),
      });
    }
    const byId = new Map(claimed.map((c) => [c.id, c]));
    return unique.map((id) => {
      const c = byId.get(id)!;
      return { sha256: c.sha256, size: Number(c.size), mime: c.mime, name: c.name };
    });
  }

  /** Registers who decides on the files of `owner` (a module name, e.g. "cases", "reports"). */
  registerOwner(owner: string, check: OwnerCheck): void {
    if (this.owners.has(owner)) throw new Error(`file owner ${owner} registered twice`);
    this.owners.set(owner, check);
  }

  /** The attachment as the owner presents it to `actor`; NOT_FOUND when the owner says no. */
  async resolve(actor: Actor, owner: string, ownerId: string, sha256: string): Promise<StoredFile> {
    const check = this.owners.get(owner);
    const file = check && this.store.has(sha256) ? await check(actor, ownerId, sha256) : null;
    if (!file || file.sha256 !== sha256) throw new AppError("NOT_FOUND", "附件不存在或无权访问");
    return file;
  }

  /**
   * Housekeeping: receipts never claimed within UNCLAIMED_HOURS are forgotten, and the bytes of
   * each content no receipt names any more are deleted (claimed receipts are kept for good, so
   * an attachment of a record always has one); files left in tmp/ by a cut-short write go after an
   * hour. Concurrent calls share the pass under way.
   */
  sweep(): Promise<SweepResult> {
    this.sweeping ??= this.sweepPass().finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  private sweeping: Promise<SweepResult> | null = null;

  private async sweepPass(): Promise<SweepResult> {
    const now = this.now().getTime();
    this.lastSweep = now;
    const forgotten = await this.repo.deleteUnclaimedBefore(new Date(now - UNCLAIMED_HOURS * 3600_000));
    let removed = 0;
    for (const sha256 of new Set(forgotten)) {
      await this.db.transaction().execute(async (tx) => {
        await this.repo.lockContent(tx, sha256);
        if (await this.repo.named(tx, sha256)) return;
        await this.store.remove(sha256);
        removed++;
      });
    }
    const tmp = await this.store.removeStaleTmp(new Date(now - 3600_000));
    return { receipts: forgotten.length, files: removed, tmp };
  }
}

/** What one sweep removed: receipts forgotten, stored files deleted, half-written files deleted. */
export interface SweepResult {
  receipts: number;
  files: number;
  tmp: number;
}

/** Uploads not attached to a record within this many hours are forgotten (the public page says so). */
export const UNCLAIMED_HOURS = 24;
/** The housekeeping runs before an upload at most this often. */
const SWEEP_EVERY_MS = 10 * 60_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uploaderId = (actor: Actor | null) => (actor?.type === "user" ? actor.id : null);
