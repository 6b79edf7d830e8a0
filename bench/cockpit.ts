/**
 * The cockpit on the full demo city (≈1,500 schools, ≈550,000 students), on PostgreSQL and PGlite,
 * through the HTTP API as the demo `leader`:
 *   - the whole cockpit (every indicator × 13 counties + city, trend of 3 periods): cold, then p50/p95
 *     warm over --n requests (targets: p95 < 30 ms on PostgreSQL, < 200 ms on PGlite);
 *   - one indicator for every school of the city (children=schools from the city; target < 100 ms):
 *     warm, and recomputed after a definition change (the engine over every unit, data cached);
 *   - a baseline in the same process: GET /api/auth/me (session check and routing only);
 *   - change → visible: a kindergarten's 普惠性 is changed through the API as the demo `admin`; the
 *     time from the write's response to the first cockpit response that shows the new 普惠率
 *     (target < 1 s), --changes times; and a primary pupil's status (休学 ↔ 在读) changed through the
 *     API, until the city's compulsory-education student count moves.
 *
 *   npx tsx bench/cockpit.ts [--engines postgres,pglite] [--url postgres://…/edu_bench] [--n 200] [--no-snapshot]
 *
 * "Cold" is the first request of a fresh process: the screenings come from their per-school summary
 * (vision_screening_summary), and the org units and people counts from the snapshot the previous
 * process saved (indicator_source_snapshot) when the tables have not changed since; --no-snapshot
 * deletes that snapshot first (a first start after the registry changed). Cold and warm figures also
 * give the process's CPU time (on PGlite it includes the database's work, which runs in-process).
 *
 * Each engine runs in a child process of its own. The PGlite city is loaded once into
 * /tmp/edu-bench-cockpit/pglite-city (several minutes the first time) and reused.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pino from "pino";
import { loadConfig } from "../src/config.js";
import { connect, type Database } from "../src/db/connect.js";
import { migrate } from "../src/db/migrate.js";
import { syncBuiltinRoles } from "../src/modules/access/bootstrap.js";
import { todayInChina } from "../src/modules/registry/calendar.js";
import { buildApp } from "../src/server/app.js";
import { CSRF_HEADER, SESSION_COOKIE } from "../src/server/plugins/auth.js";
import { DEFAULT_BENCH_URL, ensureBenchDatabase } from "./lib.js";

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const dir = "/tmp/edu-bench-cockpit";
const N = Number(arg("n", "200"));
const CHANGES = Number(arg("changes", "5"));

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function openPglite(): Promise<Database> {
  const folder = path.join(dir, "pglite-city");
  if (!fs.existsSync(folder)) {
    fs.mkdirSync(dir, { recursive: true });
    const self = fileURLToPath(import.meta.url);
    const p = spawnSync(process.execPath, ["--import", "tsx", self, "--prepare", folder], {
      stdio: "inherit",
    });
    if (p.status !== 0) throw new Error("preparing the PGlite city failed");
  }
  const database = await connect({ pgliteDir: folder });
  await migrate(database);
  await syncBuiltinRoles(database.db);
  const { ensureDemoCity } = await import("../src/demo/load.js");
  await ensureDemoCity(database, pino({ level: "warn" }));
  return database;
}

async function prepare(folder: string) {
  const tmp = `${folder}.part`;
  fs.rmSync(tmp, { recursive: true, force: true });
  const database = await connect({ pgliteDir: tmp });
  await migrate(database);
  await syncBuiltinRoles(database.db);
  const { ensureDemoCity } = await import("../src/demo/load.js");
  await ensureDemoCity(database, pino({ level: "warn" }));
  await database.close();
  fs.renameSync(tmp, folder);
}

async function measure(engine: string) {
  const url = arg("url", DEFAULT_BENCH_URL);
  const database = engine === "postgres" ? await ensureBenchDatabase(url) : await openPglite();
  if (args.includes("--no-snapshot")) await database.exec("delete from indicator_source_snapshot");
  const app = await buildApp({ config: loadConfig({ DATA_DIR: path.join(dir, "data") }), database });
  await app.ready();
  const session = async (username: string) => {
    const res = await app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username, password: "demo1234" },
    });
    if (res.statusCode !== 200) throw new Error(`sign-in of ${username}: ${res.body}`);
    return {
      cookies: { [SESSION_COOKIE]: res.cookies.find((c) => c.name === SESSION_COOKIE)!.value },
      headers: { [CSRF_HEADER]: res.json().csrfToken as string },
    };
  };
  const leader = await session("leader");
  const admin = await session("admin");
  const get = async (u: string) => {
    const t0 = performance.now();
    const res = await app.inject({ method: "GET", url: u, ...leader });
    const t = performance.now() - t0;
    if (res.statusCode !== 200) throw new Error(`${u}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    return { t, body: res.json() };
  };
  const cockpitUrl = "/api/cockpit?period=2022&trend=3";

  // Baseline in the same process: a signed-in request that does almost nothing (session, routing).
  const baseline: number[] = [];
  for (let i = 0; i < N; i++) baseline.push((await get("/api/auth/me")).t);

  const cpu = () => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1000;
  };
  let cpu0 = cpu();
  const cold = await get(cockpitUrl);
  const coldCpu = cpu() - cpu0;
  const indicators = cold.body.indicators.length as number;
  const counties = cold.body.counties.length as number;
  const warm: number[] = [];
  cpu0 = cpu();
  for (let i = 0; i < N; i++) warm.push((await get(cockpitUrl)).t);
  const warmCpu = (cpu() - cpu0) / N;

  const schoolsUrl = "/api/indicator-results?indicator=safe_campus_coverage&period=2022&children=schools";
  const first = await get(schoolsUrl);
  const schools = first.body.children.length as number;
  const schoolsWarm: number[] = [];
  for (let i = 0; i < Math.min(N, 100); i++) schoolsWarm.push((await get(schoolsUrl)).t);
  // Recomputed: a definition change drops every cached result (the source data stays cached).
  const recomputed: number[] = [];
  for (let i = 0; i < 10; i++) {
    const r = await app.inject({
      method: "PATCH",
      url: "/api/indicators/safe_campus_coverage",
      payload: { ordinal: 1 + (i % 2) },
      ...admin,
    });
    if (r.statusCode !== 200) throw new Error(r.body);
    recomputed.push((await get(schoolsUrl)).t);
  }

  type Figures = { indicators: { code: string; city: { numerator: number; denominator: number } }[] };
  const city = (b: Figures, code: string) => b.indicators.find((i) => i.code === code)!.city;
  /**
   * `CHANGES` times: reads `figure` from the cockpit, makes change i through `write`, then reads the
   * cockpit until the figure moves; the milliseconds from the write's response to that read.
   */
  const changeToVisible = async (
    label: string,
    figure: (b: Figures) => number,
    write: (i: number) => Promise<{ statusCode: number; body: string }>,
  ) => {
    const out: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const before = figure((await get(cockpitUrl)).body);
      const w = await write(i);
      if (w.statusCode !== 200) throw new Error(`${label}: ${w.statusCode} ${w.body}`);
      const t0 = performance.now();
      let polls = 0;
      for (;;) {
        polls++;
        if (figure((await get(cockpitUrl)).body) !== before) break;
        if (performance.now() - t0 > 10_000) throw new Error(`${label}: not visible after 10 s`);
      }
      out.push(performance.now() - t0);
      if (polls > 1) console.log(`  (${label} ${i + 1} needed ${polls} cockpit reads)`);
    }
    return out;
  };

  // Change → visible: toggle a private kindergarten's 普惠性 and wait for the city's 普惠率 to move.
  const kg = await database.db
    .selectFrom("org_unit")
    .select(["code", "inclusive"])
    .where("school_type", "=", "111")
    .where("ownership", "=", "private")
    .where("valid_to", "is", null)
    .orderBy("code")
    .executeTakeFirstOrThrow();
  let inclusive = kg.inclusive ?? false;
  const visible = await changeToVisible(
    "kindergarten 普惠性",
    (b) => city(b, "inclusive_share").numerator,
    () => {
      inclusive = !inclusive;
      return app.inject({
        method: "PATCH",
        url: `/api/org-units/${kg.code}`,
        payload: { inclusive, note: "bench: cockpit change latency" },
        ...admin,
      });
    },
  );

  // Change → visible: a primary pupil suspended (休学) and back on the roll, through the API as the
  // demo `admin`: the city's compulsory-education student count (民办义务教育在校生占比's denominator)
  // moves. The people counts are re-read for the pupil's school only (facts.ts).
  const pupil = await database.db
    .selectFrom("student")
    .select("student_number")
    .where("stage", "=", "primary")
    .where("status", "=", "enrolled")
    .where("deleted_at", "is", null)
    .orderBy("id")
    .executeTakeFirstOrThrow();
  const studentVisible = await changeToVisible(
    "pupil status",
    (b) => city(b, "private_compulsory_share").denominator,
    (i) =>
      app.inject({
        method: "POST",
        url: `/api/students/${pupil.student_number}/status`,
        payload: {
          status: i % 2 === 0 ? "suspended" : "enrolled",
          effectiveOn: todayInChina(),
          note: "bench: cockpit change latency",
        },
        ...admin,
      }),
  );
  if (CHANGES % 2 === 1) {
    // leave the pupil on the roll, as found
    await app.inject({
      method: "POST",
      url: `/api/students/${pupil.student_number}/status`,
      payload: { status: "enrolled", effectiveOn: todayInChina() },
      ...admin,
    });
  }

  console.log(`\n${engine}: ${indicators} indicators × (city + ${counties} counties), period 2022, trend 3`);
  console.log(
    `  baseline GET /api/auth/me over ${N}: p50 ${ms(pct(baseline, 50))}, p95 ${ms(pct(baseline, 95))}`,
  );
  console.log(`  cockpit cold (first request, reads all sources): ${ms(cold.t)}, CPU ${ms(coldCpu)}`);
  console.log(
    `  cockpit warm over ${N}: p50 ${ms(pct(warm, 50))}, p95 ${ms(pct(warm, 95))}, p99 ${ms(pct(warm, 99))}, ` +
      `CPU ${ms(warmCpu)} per request (parsing the answer included)`,
  );
  console.log(
    `  one indicator × every school (${schools} schools): first ${ms(first.t)}, warm p95 ${ms(pct(schoolsWarm, 95))}, ` +
      `recomputed after a definition change p50 ${ms(pct(recomputed, 50))} max ${ms(Math.max(...recomputed))}`,
  );
  console.log(
    `  change → visible (${CHANGES} changes, from the write's response): median ${ms(pct(visible, 50))}, max ${ms(Math.max(...visible))}`,
  );
  console.log(
    `  student status change → visible (${CHANGES} changes): median ${ms(pct(studentVisible, 50))}, max ${ms(Math.max(...studentVisible))}`,
  );
  await app.close();
  await database.close();
}

if (args[0] === "--prepare") await prepare(args[1]);
else if (args[0] === "--engine") await measure(args[1]);
else {
  console.log(
    `load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}, ${os.cpus().length} CPUs (shared)`,
  );
  for (const engine of arg("engines", "postgres,pglite").split(",")) {
    const self = fileURLToPath(import.meta.url);
    const p = spawnSync(process.execPath, ["--import", "tsx", self, "--engine", engine, ...args], {
      stdio: "inherit",
    });
    if (p.status !== 0) process.exitCode = 1;
  }
  console.log(
    `load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  );
}
