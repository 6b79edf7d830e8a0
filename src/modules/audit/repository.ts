import type { Kysely, SelectQueryBuilder } from "kysely";
import { underPaths } from "../../db/scope.js";
import type { DB } from "../../db/types.js";
import { COUNT_CAP } from "../../shared/paging.js";

export interface AuditFilter {
  actor?: string;
  entity?: string;
  entityKey?: string;
  action?: string;
  /** at >= from */
  from?: Date;
  /** at < to, or at <= to when inclusive */
  to?: { at: Date; inclusive: boolean };
}

/** Which rows an actor may read: rows under its paths; rows tied to no org unit need the whole tree. */
export interface AuditScope {
  paths: string[];
  wholeTree: boolean;
}

/**
 * Reads of the audit log. Nothing here writes it (recordAudit does, inside each change's
 * transaction) and nothing can change it: a trigger refuses UPDATE and DELETE (0001-core.sql).
 * Newest first means highest id first: ids follow insertion, and id order is stable for keyset
 * paging (timestamps tie, and keep microseconds that a JavaScript Date would drop).
 */
export class AuditRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** A transaction handle for recordAudit (the export records itself). */
  transaction<T>(fn: (tx: Kysely<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  private filtered(scope: AuditScope, f: AuditFilter) {
    let q = this.db.selectFrom("audit_log") as SelectQueryBuilder<DB, "audit_log", object>;
    if (!scope.wholeTree) q = q.where(underPaths("org_path", scope.paths));
    if (f.actor) q = q.where("actor_name", "=", f.actor);
    if (f.entity) q = q.where("entity", "=", f.entity);
    if (f.entityKey) q = q.where("entity_key", "=", f.entityKey);
    if (f.action) q = q.where("action", "=", f.action);
    if (f.from) q = q.where("at", ">=", f.from);
    if (f.to) q = q.where("at", f.to.inclusive ? "<=" : "<", f.to.at);
    return q;
  }

  async page(scope: AuditScope, f: AuditFilter, page: { page: number; pageSize: number }) {
    const q = this.filtered(scope, f);
    const rows = await q
      .selectAll()
      .orderBy("id", "desc")
      .limit(page.pageSize)
      .offset((page.page - 1) * page.pageSize)
      .execute();
    const counted = await this.db
      .selectFrom(
        q
          .select("id")
          .limit(COUNT_CAP + 1)
          .as("m"),
      )
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const n = Number(counted.n);
    return { rows, total: Math.min(n, COUNT_CAP), totalExact: n <= COUNT_CAP };
  }

  /** The next `size` rows below id `beforeId` (keyset paging, for the streamed export). */
  batch(scope: AuditScope, f: AuditFilter, beforeId: number | null, size: number) {
    let q = this.filtered(scope, f);
    if (beforeId !== null) q = q.where("id", "<", beforeId);
    return q.selectAll().orderBy("id", "desc").limit(size).execute();
  }
}
