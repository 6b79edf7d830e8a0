import { type Insertable, type Kysely, sql } from "kysely";
import type { DB, FileUploadTable } from "../../db/types.js";

/** file_upload rows: the receipts of uploads until a module claims them. */
export class FileUploadRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(tx: Kysely<DB>, row: Insertable<FileUploadTable>): Promise<void> {
    await tx.insertInto("file_upload").values(row).execute();
  }

  /** Marks the given unclaimed uploads of `uploadedBy` (null: anonymous) claimed; returns those marked. */
  claim(tx: Kysely<DB>, ids: string[], uploadedBy: number | null, claimedFor: string) {
    return tx
      .updateTable("file_upload")
      .set({ claimed_at: new Date(), claimed_for: claimedFor })
      .where("id", "in", ids)
      .where("claimed_at", "is", null)
      .where(sql<boolean>`uploaded_by is not distinct from ${uploadedBy}`)
      .returning(["id", "sha256", "size", "mime", "name"])
      .execute();
  }

  /** Forgets receipts never claimed and made before `before`; returns the SHA-256 of each. */
  async deleteUnclaimedBefore(before: Date): Promise<string[]> {
    const r = await this.db
      .deleteFrom("file_upload")
      .where("claimed_at", "is", null)
      .where("created_at", "<", before)
      .returning("sha256")
      .execute();
    return r.map((x) => x.sha256);
  }

  /** Whether any receipt, claimed or not, names the content `sha256`. */
  async named(tx: Kysely<DB>, sha256: string): Promise<boolean> {
    const r = await tx.selectFrom("file_upload").select("id").where("sha256", "=", sha256).limit(1).execute();
    return r.length > 0;
  }

  /**
   * Holds the content `sha256` until the transaction ends: an upload that records a receipt for it
   * and the sweep that deletes its bytes once nothing names it take turns (FileService).
   */
  async lockContent(tx: Kysely<DB>, sha256: string): Promise<void> {
    await sql`select pg_advisory_xact_lock(${CONTENT_LOCK}::int, hashtext(${sha256}))`.execute(tx);
  }
}

/** The first key of the content locks (the second is the hash of the SHA-256). */
const CONTENT_LOCK = 7411050;
