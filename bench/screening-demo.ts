/**
 * Seconds the demo extra "health.screening" (a 2021 and a 2022 screening of every student, ~1.1 M
 * rows) adds to `npm start`, on PGlite and on PostgreSQL, and the myopia rates it produces per county.
 *
 *   npx tsx bench/screening-demo.ts --pglite-base DIR --pg-base DBNAME [--engines pglite,postgres] [--keep DBNAME]
 *
 * Each engine starts from a copy of a database that already holds the demo city (made once with
 * `cli migrate` + `cli seed-demo`): PGlite a copy of the data folder, PostgreSQL a database cloned
 * from the base as template. The copy is removed after.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import pino from "pino";
import { connect, type Database } from "../src/db/connect.js";
import { loadDemoScreenings } from "../src/modules/health/demo-screenings.js";
import { HealthRepository } from "../src/modules/health/repository.js";
import { HealthService } from "../src/modules/health/service.js";

const arg = (name: string, fallback = "") => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const server = arg("url", "postgres://postgres@127.0.0.1:5432");
const engines = arg("engines", "pglite,postgres").split(",");
const log = pino({ level: "info" });

async function measure(label: string, database: Database) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await loadDemoScreenings(database, log);
  const c = process.cpuUsage(c0);
  const seconds = (performance.now() - t0) / 1000;
  const health = new HealthService(new HealthRepository(database.db));
  const q0 = performance.now();
  const y22 = await health.myopiaBySchool("2022");
  const queryMs = performance.now() - q0;
  const y21 = await health.myopiaBySchool("2021");
  const byCounty = (rows: typeof y22) => {
    const m = new Map<string, { s: number; m: number }>();
    for (const r of rows) {
      const x = m.get(r.countyCode) ?? { s: 0, m: 0 };
      x.s += r.screened;
      x.m += r.myopic;
      m.set(r.countyCode, x);
    }
    return m;
  };
  const a = byCounty(y21);
  const b = byCounty(y22);
  console.log(
    `${label}: ${seconds.toFixed(1)} s wall, ${((c.user + c.system) / 1e6).toFixed(1)} s CPU (this process), ` +
      `myopiaBySchool("2022") ${queryMs.toFixed(0)} ms, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB, load ${fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`,
  );
  for (const [code, x] of [...b].sort()) {
    const p = a.get(code) ?? { s: 0, m: 0 };
    const r21 = (100 * p.m) / p.s;
    const r22 = (100 * x.m) / x.s;
    console.log(
      `  ${code}  2021 ${r21.toFixed(1)} % (${p.s})  2022 ${r22.toFixed(1)} % (${x.s})  change ${(r22 - r21).toFixed(2)} pp${r22 - r21 <= -1 ? "  meets −1 pp" : ""}`,
    );
  }
}

if (engines.includes("pglite")) {
  const base = arg("pglite-base");
  const dir = `/tmp/screening-demo-${process.pid}`;
  execFileSync("cp", ["-r", base, dir]);
  const database = await connect({ pgliteDir: dir });
  try {
    await measure("PGlite", database);
  } finally {
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (engines.includes("postgres")) {
  const base = arg("pg-base");
  const keep = arg("keep");
  const name = keep || `edu_screening_demo_${process.pid}`;
  const admin = await connect({ url: `${server}/postgres`, poolSize: 1 });
  await admin.exec(`create database ${name} template ${base}`);
  const database = await connect({ url: `${server}/${name}` });
  try {
    await measure("PostgreSQL", database);
  } finally {
    await database.close();
    if (!keep) await admin.exec(`drop database ${name} with (force)`);
    await admin.close();
  }
}
