import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Database } from "./connect.js";

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");

/** The migrations shipped with this build, in order: `NNNN-name.sql`. */
export function listMigrations(): { name: string; sql: string }[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}-[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ name: f.replace(/\.sql$/, ""), sql: fs.readFileSync(path.join(dir, f), "utf8") }));
}

/**
 * Applies pending migrations, each in its own transaction, forward only. The same files run on
 * PGlite and PostgreSQL. An advisory lock keeps two processes from migrating at once.
 */
export async function migrate(database: Database): Promise<string[]> {
  const applied: string[] = [];
  await database.exec(`create table if not exists schema_migration (
    name text primary key, applied_at timestamptz not null default now())`);
  await database.bulkTransaction(async ({ exec, db }) => {
    await exec("select pg_advisory_xact_lock(7411001)");
    const done = new Set(
      (await db.selectFrom("schema_migration").select("name").execute()).map((r) => r.name),
    );
    for (const m of listMigrations()) {
      if (done.has(m.name)) continue;
      await exec(m.sql);
      await db.insertInto("schema_migration").values({ name: m.name }).execute();
      applied.push(m.name);
    }
  });
  return applied;
}
