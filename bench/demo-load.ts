/**
 * Demo city generation and load: seconds and peak memory, on PGlite and on PostgreSQL.
 *
 *   npx tsx bench/demo-load.ts [--scale 1] [--engines generate,pglite,postgres] [--url postgres://…]
 *
 * Each measurement runs in its own child process, so that its peak RSS is its own. PGlite loads into
 * a fresh folder on disk (as `npm start` does, initdb included); PostgreSQL into a database created
 * for the run and dropped after (server from --url or BENCH_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { connect } from "../src/db/connect.js";
import { migrate } from "../src/db/migrate.js";
import { withDatabase } from "../src/db/url.js";
import { generateDemoCity } from "../src/demo/generate.js";
import { loadCountyShapes } from "../src/demo/geo.js";
import { loadDemoCity } from "../src/demo/load.js";
import { luliangCounties } from "../src/modules/registry/codes.js";

type Mode = "generate" | "pglite" | "postgres";
interface Figures {
  mode: Mode;
  seconds: Record<string, number>;
  /** CPU seconds (user + system) per phase, and of the whole child (module loading included). */
  cpu: Record<string, number>;
  cpuSeconds: number;
  rows: Record<string, number>;
  peakRssMb: number;
}

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const scale = Number(arg("scale", "1"));
const serverUrl = arg("url", process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");

/** Wall and CPU seconds per phase: on a busy machine the CPU figures are the steadier ones. */
function stopwatch() {
  const t0 = performance.now();
  let last = t0;
  let lastCpu = process.cpuUsage();
  const seconds: Record<string, number> = {};
  const cpu: Record<string, number> = {};
  return {
    seconds,
    cpu,
    lap(name: string) {
      const now = performance.now();
      const c = process.cpuUsage(lastCpu);
      seconds[name] = Math.round(now - last) / 1000;
      cpu[name] = Math.round((c.user + c.system) / 1e4) / 100;
      last = now;
      lastCpu = process.cpuUsage();
    },
    total() {
      seconds.total = Math.round(performance.now() - t0) / 1000;
    },
  };
}

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return Math.round((u.user + u.system) / 1e4) / 100;
};

async function measureGenerate(): Promise<Figures> {
  const w = stopwatch();
  const city = generateDemoCity({ shapes: loadCountyShapes(luliangCounties), scale });
  w.lap("plan (units, classes, staff)");
  let students = 0;
  for (const b of city.students()) students += b.students.length;
  w.lap("students (streamed)");
  w.total();
  const rows = { orgUnits: city.orgUnits.length, staff: city.staff.length, students };
  return {
    mode: "generate",
    seconds: w.seconds,
    cpu: w.cpu,
    cpuSeconds: cpuSeconds(),
    rows,
    peakRssMb: peakRssMb(),
  };
}

async function measureLoad(mode: "pglite" | "postgres"): Promise<Figures> {
  const w = stopwatch();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "demo-bench-"));
  const dbName = `edu_demo_bench_${process.pid}`;
  let admin: Awaited<ReturnType<typeof connect>> | null = null;
  if (mode === "postgres") {
    admin = await connect({ url: serverUrl, poolSize: 1 });
    await admin.exec(`create database ${dbName}`);
  }
  const database = await connect(
    mode === "pglite" ? { pgliteDir: path.join(dir, "pglite") } : { url: withDatabase(serverUrl, dbName) },
  );
  try {
    await migrate(database);
    w.lap(mode === "pglite" ? "initdb + migrate" : "create + migrate");
    let phase = "";
    const summary = await loadDemoCity(database, {
      scale,
      onProgress: (p) => {
        if (p.phase === phase) return;
        // Generation of the plan happens before the first phase; students are generated while copied.
        if (!phase) w.lap("generate plan");
        else if (p.phase === "students") w.lap("copy units, classes, staff");
        else if (p.phase === "finishing") w.lap("generate + copy students");
        phase = p.phase;
      },
    });
    w.lap("rebuild indexes, analyze, commit");
    await database.close();
    w.lap("close");
    w.total();
    const rows = { orgUnits: summary.orgUnits, staff: summary.staff, students: summary.students };
    return { mode, seconds: w.seconds, cpu: w.cpu, cpuSeconds: cpuSeconds(), rows, peakRssMb: peakRssMb() };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    if (admin) {
      // pool.end() resolves before the sockets have closed: wait for the backends to go, or a
      // forced drop would kill them mid-goodbye and their pool would raise an unhandled error.
      for (let i = 0; i < 50; i++) {
        const r = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where datname = ${dbName}`.execute(admin.db);
        if (r.rows[0].n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await admin.exec(`drop database if exists ${dbName}`);
      await admin.close();
    }
  }
}

async function child(mode: Mode) {
  const figures = mode === "generate" ? await measureGenerate() : await measureLoad(mode);
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

function parent() {
  const modes = arg("engines", "generate,pglite,postgres").split(",") as Mode[];
  const self = fileURLToPath(import.meta.url);
  const load = os.loadavg().map((l) => l.toFixed(1));
  console.log(
    `demo city, scale ${scale}, ${os.cpus().length} cores, Node ${process.version}, load average ${load.join(" ")}`,
  );
  for (const mode of modes) {
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", self, "--child", mode, "--scale", String(scale), "--url", serverUrl],
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const line = r.stdout.trim().split("\n").at(-1) ?? "";
    if (r.status !== 0 || !line.startsWith("{")) {
      console.log(`${mode}: failed (exit ${r.status})`);
      continue;
    }
    const f = JSON.parse(line) as Figures;
    const parts = Object.entries(f.seconds)
      .filter(([k]) => k !== "total")
      .map(([k, v]) => `${k} ${v.toFixed(1)}s (CPU ${f.cpu[k]?.toFixed(1)}s)`)
      .join(", ");
    console.log(
      `${mode.padEnd(8)} total ${f.seconds.total.toFixed(1)}s (CPU ${f.cpuSeconds.toFixed(1)}s), peak RSS ${f.peakRssMb} MB — ${parts} ` +
        `(${f.rows.orgUnits} org units, ${f.rows.staff} staff, ${f.rows.students} students)`,
    );
  }
}

const childMode = arg("child", "");
if (childMode) await child(childMode as Mode);
else parent();
