import { sql } from "kysely";
import type { BulkTx } from "../db/connect.js";

/**
 * Runs a bulk load into `tables` with their indexes and keys set aside: drops them, runs `load`,
 * then rebuilds them exactly as they were (definitions read from the catalog, so indexes that later
 * migrations add are handled too). Building an index once over 550,000 rows is many times faster
 * than updating seven of them row by row — on PGlite (WASM) it is the difference between minutes
 * and seconds. All inside the caller's transaction: on failure, nothing was dropped.
 *
 * Primary keys, unique constraints and foreign keys of the tables (and foreign keys of other tables
 * that point at them) are recreated and validated; check constraints stay in place throughout.
 */
export async function withIndexesDeferred<T>(
  tx: BulkTx,
  tables: string[],
  load: () => Promise<T>,
): Promise<T> {
  const constraints = await sql<{ table: string; name: string; type: "p" | "u" | "f"; def: string }>`
    select c.conrelid::regclass::text as table, c.conname as name, c.contype as type,
           pg_get_constraintdef(c.oid) as def
      from pg_constraint c
     where c.contype in ('p', 'u', 'f')
       and (c.conrelid::regclass::text in (${sql.join(tables)})
            or (c.contype = 'f' and c.confrelid::regclass::text in (${sql.join(tables)})))
     order by c.conrelid::regclass::text, c.conname`.execute(tx.db);
  const indexes = await sql<{ name: string; def: string }>`
    select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def
      from pg_index i
     where i.indrelid::regclass::text in (${sql.join(tables)})
       and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)
     order by 1`.execute(tx.db);
  const keys = constraints.rows.filter((c) => c.type !== "f");
  const foreign = constraints.rows.filter((c) => c.type === "f");
  for (const c of foreign) await tx.exec(`alter table ${c.table} drop constraint ${quote(c.name)}`);
  for (const c of keys) await tx.exec(`alter table ${c.table} drop constraint ${quote(c.name)}`);
  for (const i of indexes.rows) await tx.exec(`drop index ${i.name}`);

  const result = await load();

  for (const c of keys) await tx.exec(`alter table ${c.table} add constraint ${quote(c.name)} ${c.def}`);
  for (const i of indexes.rows) await tx.exec(i.def);
  for (const c of foreign) await tx.exec(`alter table ${c.table} add constraint ${quote(c.name)} ${c.def}`);
  return result;
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
