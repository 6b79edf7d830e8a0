import { type Insertable, type Kysely, sql } from "kysely";
import type { DB, FileUploadTable } from "../../db/types.js";

/** file_upload rows: the receipts of uploads until a module claims them. */
export class FileUploadRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(row: Insertable<FileUploadTable>): Promise<void> {
    await this.db.insertInto("file_upload").values(row).execute();
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

  async deleteUnclaimedBefore(before: Date): Promise<number> {
    const r = await this.db
      .deleteFrom("file_upload")
      .where("claimed_at", "is", null)
      .where("created_at", "<", before)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
