import { sql } from "kysely";
import type { BulkTx } from "../../db/connect.js";

/**
 * A large commit writes its tables with their secondary indexes and foreign keys set aside, then
 * builds each index once and validates each key once. Measured on PostgreSQL (the 2-core machine
 * under load) with 550,000 new students: the upsert maintaining the student table's ten secondary
 * indexes and its history's keys row by row took 49 s of server CPU; with them set aside and
 * rebuilt, 24 s, of which the rebuild ~5 s (each index build is one sort). `bench/import.ts
 * --row-by-row` compares the two. The demo loader does the same (src/demo/bulk-indexes.ts);
 * unlike it, primary keys and unique constraints stay in place here: they keep every row's natural
 * key checked as it is written (a row another transaction inserts meanwhile fails the commit).
 *
 * The price is an exclusive lock on the tables until the commit ends (readers of the student table
 * wait for it), so it is taken only when the rebuild is cheaper than the row-by-row work, and only
 * if the lock comes quickly: otherwise the commit runs row by row, as a small one does. Everything
 * happens in the commit's transaction: if anything fails, nothing was dropped.
 */

/** Fewer rows than this are written row by row: the row-by-row cost is then a second or two. */
export const BULK_MIN_ROWS = 50_000;
/** How long a large commit waits for the exclusive lock before it goes row by row instead. */
export const BULK_LOCK_WAIT = "2s";

interface Deferred {
  table: string;
  indexes: { name: string; def: string }[];
  foreignKeys: { name: string; def: string }[];
}

/**
 * The tables of `tables` worth rebuilding when `rows` rows are written (from `minRows` on): those
 * holding fewer rows than are written, since a rebuild reads the whole table. Bounded counts, so a
 * table of millions is not counted to the end.
 */
export async function tablesWorthDeferring(
  tx: BulkTx,
  tables: readonly string[],
  rows: number,
  minRows = BULK_MIN_ROWS,
) {
  if (rows < minRows) return [];
  const out: string[] = [];
  for (const table of tables) {
    const r = await sql<{ n: number }>`select count(*)::int as n
      from (select 1 from ${sql.table(table)} limit ${rows}) as x`.execute(tx.db);
    if (r.rows[0].n < rows) out.push(table);
  }
  return out;
}

/**
 * Locks `tables` and drops their secondary indexes and foreign keys; returns the step that puts
 * them back (and refreshes the tables' statistics), or null when the lock did not come within
 * BULK_LOCK_WAIT (nothing was changed then).
 */
export async function deferIndexes(tx: BulkTx, tables: string[]): Promise<(() => Promise<void>) | null> {
  if (tables.length === 0) return null;
  const list = tables.map((t) => sql.table(t));
  await tx.exec("savepoint defer_indexes");
  try {
    await tx.exec(`set local lock_timeout = '${BULK_LOCK_WAIT}'`);
    await sql`lock table ${sql.join(list)} in access exclusive mode`.execute(tx.db);
    await tx.exec("set local lock_timeout to default");
  } catch (e) {
    if ((e as { code?: string }).code !== "55P03") throw e;
    await tx.exec("rollback to savepoint defer_indexes");
    return null;
  }
  await tx.exec("release savepoint defer_indexes");
  const deferred: Deferred[] = [];
  for (const table of tables) {
    const indexes = await sql<{ name: string; def: string }>`
      select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def
        from pg_index i
       where i.indrelid = ${table}::regclass
         and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)
       order by 1`.execute(tx.db);
    const foreignKeys = await sql<{ name: string; def: string }>`
      select quote_ident(c.conname) as name, pg_get_constraintdef(c.oid) as def
        from pg_constraint c
       where c.contype = 'f' and c.conrelid = ${table}::regclass
       order by 1`.execute(tx.db);
    deferred.push({ table, indexes: indexes.rows, foreignKeys: foreignKeys.rows });
  }
  for (const d of deferred) {
    for (const f of d.foreignKeys) await tx.exec(`alter table ${d.table} drop constraint ${f.name}`);
    for (const i of d.indexes) await tx.exec(`drop index ${i.name}`);
  }
  return async () => {
    for (const d of deferred) for (const i of d.indexes) await tx.exec(i.def);
    for (const d of deferred)
      for (const f of d.foreignKeys)
        await tx.exec(`alter table ${d.table} add constraint ${f.name} ${f.def}`);
    // The planner's picture of a table that just grew several times over (PGlite has no autovacuum).
    await tx.exec(`analyze ${tables.join(", ")}`);
  };
}
