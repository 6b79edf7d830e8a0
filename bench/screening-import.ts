/**
 * Import of 550,000 vision screenings (CSV, one per demo student) through the platform's import
 * pipeline: dry run (stream, validate, stage, database checks) + commit (all or nothing), on
 * PostgreSQL or PGlite, with a baseline in the same run: a bare COPY of the same rows into an
 * unindexed table, so that the ratio means something on a busy machine.
 *
 *   npx tsx bench/screening-import.ts --engine postgres --pg-base DBNAME
 *   npx tsx bench/screening-import.ts --engine pglite --pglite-base DIR
 *
 * --row-by-row keeps the table's indexes in place however large the commit (deferred-indexes.ts).
 *
 * The base holds the demo city (`cli migrate` + `cli seed-demo`, without screenings); the bench
 * works on a copy (a database cloned from it as template, or a copy of the PGlite folder) and
 * removes the copy after. Run one engine per process, so the peak RSS is that engine's. Besides
 * wall seconds it prints the Node process's CPU seconds, on PostgreSQL its backends' CPU seconds
 * (bench/server-cpu.ts), and the time of each database step: on a busy machine the CPU figures are
 * the steadier ones.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { sql } from "kysely";
import { connect, type Database } from "../src/db/connect.js";
import { ImportRepository } from "../src/modules/exchange/repository.js";
import { ImportService } from "../src/modules/exchange/service.js";
import { systemActor } from "../src/shared/actor.js";
import { writeScreeningsCsv } from "./screening-file.js";
import { ServerCpu } from "./server-cpu.js";

const arg = (name: string, fallback = "") => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const engine = arg("engine", "postgres");
const server = arg("url", "postgres://postgres@127.0.0.1:5432");
const file = `/tmp/edu-bench-screenings-${engine}-${process.pid}.csv`;
const load = () => fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

async function baseline(database: Database) {
  const r = await sql<{ student_number: string; name: string }>`
    select student_number, name from student where deleted_at is null order by id`.execute(database.db);
  const rows = r.rows.map((s) => [
    s.student_number,
    s.name,
    "2023-10-01",
    "4.8",
    "5.0",
    "-1.00",
    "0.25",
    "机构",
  ]);
  const t0 = performance.now();
  await database.bulkTransaction(async (tx) => {
    await tx.exec(`create unlogged table bench_copy (a text, b text, c date, d numeric, e numeric, f numeric,
      g numeric, h text)`);
    for (let i = 0; i < rows.length; i += 50_000)
      await tx.copyRows("bench_copy", ["a", "b", "c", "d", "e", "f", "g", "h"], rows.slice(i, i + 50_000));
    await tx.exec("drop table bench_copy");
  });
  return (performance.now() - t0) / 1000;
}

async function run(database: Database) {
  const rows = await writeScreeningsCsv(database, file);
  const copySeconds = await baseline(database);
  const steps: Record<string, number> = {};
  const repository = new ImportRepository(database, {
    bulkMinRows: process.argv.includes("--row-by-row") ? Number.POSITIVE_INFINITY : undefined,
    onPhase: (phase, seconds) => {
      steps[phase] = (steps[phase] ?? 0) + seconds;
    },
  });
  const service = new ImportService(repository, {
    uploadDir: "/tmp/edu-bench-uploads",
    maxUploadBytes: 1 << 30,
  });
  const actor = systemActor();
  const server = await ServerCpu.of(database);
  const s0 = await server?.read();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const started = await service.importLocalFile(actor, "vision-screenings", file);
  await service.idle();
  const checked = await service.get(actor, started.id);
  const t1 = performance.now();
  if (checked.status !== "validated") throw new Error(`dry run: ${checked.status} ${checked.message}`);
  const dryCpu = process.cpuUsage(c0);
  const s1 = await server?.read();
  const drySteps = Object.entries(steps);
  for (const k of Object.keys(steps)) delete steps[k];
  await service.commit(actor, started.id);
  await service.idle();
  const done = await service.get(actor, started.id);
  const t2 = performance.now();
  if (done.status !== "committed") throw new Error(`commit: ${done.status} ${done.message}`);
  const cpu = process.cpuUsage(c0);
  const dry = (t1 - t0) / 1000;
  const commit = (t2 - t1) / 1000;
  const serverCpu =
    server && s0 && s1
      ? `; server CPU ${(await server.since(s0)).toFixed(1)} s (dry run ${ServerCpu.between(s0, s1).toFixed(1)})`
      : "";
  const fmtSteps = (e: [string, number][]) => e.map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ");
  console.log(
    `${engine}: ${rows} rows — dry run ${dry.toFixed(1)} s (${Math.round(rows / dry)} rows/s) + commit ` +
      `${commit.toFixed(1)} s = ${Math.round(rows / (dry + commit))} rows/s end to end; ` +
      `inserted ${done.inserted}; Node CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s ` +
      `(dry run ${((dryCpu.user + dryCpu.system) / 1e6).toFixed(1)})${serverCpu}; ` +
      `database steps (s): dry run: ${fmtSteps(drySteps)}; commit: ${fmtSteps(Object.entries(steps))}; ` +
      `baseline bare COPY of the same rows ${copySeconds.toFixed(1)} s (${Math.round(rows / copySeconds)} rows/s); ` +
      `peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB; load ${load()}`,
  );
}

try {
  if (engine === "pglite") {
    const dir = `/tmp/screening-import-${process.pid}`;
    execFileSync("cp", ["-r", arg("pglite-base"), dir]);
    const database = await connect({ pgliteDir: dir });
    try {
      await run(database);
    } finally {
      await database.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  } else {
    const name = `edu_screening_import_${process.pid}`;
    const admin = await connect({ url: `${server}/postgres`, poolSize: 1 });
    await admin.exec(`create database ${name} template ${arg("pg-base")}`);
    const database = await connect({ url: `${server}/${name}` });
    try {
      await run(database);
    } finally {
      await database.close();
      await admin.exec(`drop database ${name} with (force)`);
      await admin.close();
    }
  }
} finally {
  fs.rmSync(file, { force: true });
}
