/**
 * Server CPU of SQL statements, step by step, in one transaction that is rolled back: how the
 * commit of a large import splits (session 5's figures in docs/benchmarks.md).
 *
 *   npx tsx bench/sql-steps.ts <database> <steps.sql> [stage table]
 *
 * The file holds steps, each starting with a line `-- step: <name>`; `$STAGE` stands for the stage
 * table (e.g. import_stage.j_… of a validated job: run a dry run and leave it uncommitted). Each
 * step prints the CPU seconds of its backend (read from /proc: the server runs on this machine)
 * and its wall seconds; parallel workers (index builds) are not counted. Nothing is kept.
 * bench/import-commit-steps.sql is the student commit's writes one by one.
 */
import fs from "node:fs";
import pg from "pg";

const [database, file, stage = ""] = process.argv.slice(2);
const base = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const url = new URL(base);
url.pathname = `/${database}`;
const client = new pg.Client({ connectionString: url.toString() });
await client.connect();
const pid: number = (await client.query("select pg_backend_pid() as p")).rows[0].p;
const cpu = () => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
};
const steps = fs
  .readFileSync(file, "utf8")
  .replaceAll("$STAGE", stage)
  .split(/^-- step:/m)
  .slice(1);
await client.query("begin");
try {
  for (const step of steps) {
    const name = step.slice(0, step.indexOf("\n")).trim();
    const c0 = cpu();
    const t0 = performance.now();
    await client.query(step.slice(step.indexOf("\n") + 1));
    console.log(
      `${name.padEnd(44)} cpu ${(cpu() - c0).toFixed(2)} s, wall ${((performance.now() - t0) / 1000).toFixed(2)} s`,
    );
  }
} finally {
  await client.query("rollback");
  await client.end();
}
