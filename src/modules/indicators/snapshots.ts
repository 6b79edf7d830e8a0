import { type Kysely, sql } from "kysely";
import type { DB } from "../../db/types.js";

/**
 * Source aggregates of the indicator engine kept in the database between restarts
 * (indicator_source_snapshot): a name, the fingerprint of the tables they were read under, and the
 * data as JSON text (one value: parsing it is far cheaper than receiving thousands of rows, on
 * PGlite above all). FactsProvider decides when a row may be used.
 */
export class SourceSnapshots {
  constructor(private readonly db: Kysely<DB>) {}

  async load(name: string): Promise<{ fingerprint: string; data: string } | undefined> {
    const r = await sql<{ fingerprint: string; data: string }>`select fingerprint, data
      from indicator_source_snapshot where name = ${name}`.execute(this.db);
    return r.rows[0];
  }

  async save(name: string, fingerprint: string, data: string): Promise<void> {
    await sql`insert into indicator_source_snapshot (name, fingerprint, data) values (${name}, ${fingerprint}, ${data})
      on conflict (name) do update set fingerprint = excluded.fingerprint, data = excluded.data, saved_at = now()`.execute(
      this.db,
    );
  }
}
