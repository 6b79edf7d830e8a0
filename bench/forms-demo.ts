/**
 * Seconds the census demo entry ("forms.census" in src/demo/extras.ts) adds to `npm start` on a
 * fresh database: the full demo city is loaded first (not timed), then the entry is timed alone.
 *
 *   npx tsx bench/forms-demo.ts [--engine pglite|postgres] [--scale 1]
 *
 * PGlite loads into a fresh folder on disk (as `npm start` does); PostgreSQL into a database created
 * for the run and dropped after (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres).
 * Prints the load average beside the figure: on a shared machine the figure is noisy.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { connect, type Database } from "../src/db/connect.js";
import { migrate } from "../src/db/migrate.js";
import { loadDemoCity } from "../src/demo/load.js";
import { loadCensusDemo } from "../src/modules/forms/demo.js";
import { withDatabase } from "../test/db-url.js";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const engine = arg("engine", "pglite");
const scale = Number(arg("scale", "1"));

async function run(database: Database) {
  await migrate(database);
  let t0 = performance.now();
  const city = await loadDemoCity(database, { scale });
  const citySeconds = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const census = await loadCensusDemo(database);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  // PGlite runs in this process: its CPU time is counted here too (a steadier figure than wall time
  // on a loaded machine). On PostgreSQL the server's CPU is not.
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(
    JSON.stringify(
      {
        engine,
        scale,
        schools: city.schools,
        citySeconds: Math.round(citySeconds * 10) / 10,
        censusSeconds: Math.round(seconds * 100) / 100,
        censusCpuSeconds: Math.round(cpuSeconds * 100) / 100,
        census,
        loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
        cores: os.cpus().length,
      },
      null,
      2,
    ),
  );
}

if (engine === "pglite") {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "forms-demo-"));
  const database = await connect({ pgliteDir: dir });
  try {
    await run(database);
  } finally {
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
} else {
  const url = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `edu_bench_forms_${process.pid}`;
  const admin = await connect({ url });
  await admin.exec(`create database ${name}`);
  const database = await connect({ url: withDatabase(url, name) });
  try {
    await run(database);
  } finally {
    await database.close();
    await admin.exec(`drop database ${name} with (force)`);
    await admin.close();
  }
}
