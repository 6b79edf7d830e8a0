import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import pino from "pino";
import { loadConfig } from "../src/config.js";
import { connect, type Database } from "../src/db/connect.js";
import { migrate } from "../src/db/migrate.js";
import { withDatabase } from "../src/db/url.js";
import { syncBuiltinRoles } from "../src/modules/access/bootstrap.js";
import { buildApp } from "../src/server/app.js";
import { ServerCpu } from "./server-cpu.js";

export const DEFAULT_BENCH_URL = "postgres://postgres@127.0.0.1:5432/edu_bench";

/** The bench database with the full demo city: created and loaded on first use, then reused. */
export async function ensureBenchDatabase(url: string): Promise<Database> {
  const name = new URL(url).pathname.slice(1);
  const admin = await connect({ url: withDatabase(url, "postgres"), poolSize: 1 });
  const exists = await admin.db
    .selectFrom("pg_database" as never)
    .select("datname" as never)
    .where("datname" as never, "=", name as never)
    .execute();
  if (exists.length === 0) await admin.exec(`create database "${name}"`);
  await admin.close();
  const database = await connect({ url, poolSize: 4 });
  await migrate(database);
  await syncBuiltinRoles(database.db);
  const { ensureDemoCity } = await import("../src/demo/load.js");
  const t0 = performance.now();
  await ensureDemoCity(database, pino({ level: "warn" }));
  const s = (performance.now() - t0) / 1000;
  if (s > 2) console.log(`demo city loaded into ${name} in ${s.toFixed(1)} s`);
  return database;
}

/** Starts `tsx bench/<script> …args` and resolves once it prints "ready". */
export function startChild(script: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      if (d.toString().includes("ready")) resolve();
    });
    child.on("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { child, ready, stop: () => child.kill("SIGTERM") };
}

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
}

/** autocannon on loopback: bounded by duration, stops by itself. */
export async function load(
  url: string,
  paths: string[],
  opts: { connections?: number; duration?: number; headers?: Record<string, string> } = {},
): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections: opts.connections ?? 50,
    duration: opts.duration ?? 10,
    headers: opts.headers,
    requests: paths.map((path) => ({ method: "GET", path })),
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
    total: result.requests.total,
  };
}

export function memoryMb(): number {
  return Math.round(process.memoryUsage().rss / 1048576);
}

/**
 * Loads the platform (bench/search-server.ts "platform") with `urls` as a signed-in user, then a bare
 * Fastify + pg handler replaying the SQL the platform ran for each URL (captured into `sqlFile`),
 * and prints both with their ratio: the ceiling of this stack on this machine beside our figure.
 * Each run follows a 1 s warm-up and reports the CPU per request of the server process, of
 * the bench database's PostgreSQL backends (server-cpu.ts) and of autocannon.
 */
export async function compareWithBare(opts: {
  label: string;
  databaseUrl: string;
  urls: string[];
  cookie: string;
  sqlFile: string;
  ports: [number, number];
  duration: number;
}): Promise<{ real: LoadResult; ceiling: LoadResult }> {
  const [platformPort, barePort] = opts.ports;
  const probe = await connect({ url: opts.databaseUrl, poolSize: 1 });
  const backends = await ServerCpu.of(probe);
  const measured = async (args: string[], paths: string[], headers: Record<string, string>) => {
    const server = startChild("bench/search-server.ts", args);
    await server.ready;
    const base = `http://127.0.0.1:${args[1]}`;
    await load(base, paths, { duration: 1, connections: 10, headers }); // warm: plans, caches, JIT
    const before = { ...cpuSplit(server.child.pid!), backends: await backends?.read() };
    const result = await load(base, paths, { duration: opts.duration, headers });
    const cpu = cpuSplit(server.child.pid!, before);
    cpu.postgres = before.backends ? await backends!.since(before.backends) : 0;
    server.stop();
    return { result, cpu };
  };
  const real = await measured(["platform", String(platformPort), opts.databaseUrl], opts.urls, {
    cookie: opts.cookie,
  });
  const ceiling = await measured(
    ["bare", String(barePort), opts.databaseUrl, opts.sqlFile],
    opts.urls.map((_, i) => `/search?i=${i}`),
    {},
  );

  const fmt = ({ result: r, cpu }: typeof real) => {
    const per = (s: number) => ((s * 1000) / Math.max(1, r.total)).toFixed(3);
    return `${Math.round(r.requestsPerSecond)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors}, non-2xx ${r.non2xx}; CPU per request: server ${per(cpu.server)} ms, PostgreSQL ${per(cpu.postgres)} ms, autocannon ${per(cpu.client)} ms`;
  };
  console.log(`platform ${opts.label}: ${fmt(real)}`);
  console.log(`bare Fastify + pg, same SQL: ${fmt(ceiling)}`);
  console.log(
    `ratio platform / bare: ${(real.result.requestsPerSecond / ceiling.result.requestsPerSecond).toFixed(2)}; load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")} on ${os.cpus().length} cores`,
  );
  await probe.close();
  return { real: real.result, ceiling: ceiling.result };
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (Linux). */
function cpuSeconds(pid: number | "self"): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return 0; // not Linux, or the process ended
  }
}

interface CpuSplit {
  server: number;
  postgres: number;
  client: number;
}

/** CPU seconds of the server process and of this process (autocannon): so far, or since `before`. */
function cpuSplit(serverPid: number, before?: CpuSplit): CpuSplit {
  const now = { server: cpuSeconds(serverPid), postgres: 0, client: cpuSeconds("self") };
  if (!before) return now;
  return { server: now.server - before.server, postgres: 0, client: now.client - before.client };
}

/**
 * Signs in as `username` on an in-process app and records the SQL each of `urls` runs (after a
 * warming request; sign-in and session statements left out), for the bare handler of
 * compareWithBare to replay. Writes the statements to a temp file named after `name`; `onPage`
 * sees each response body.
 */
export async function captureRouteSql(opts: {
  databaseUrl: string;
  urls: string[];
  username: string;
  name: string;
  onPage?: (url: string, body: unknown) => void;
}): Promise<{ cookie: string; sqlFile: string; statements: number[] }> {
  const captured: { sql: string; parameters: unknown[] }[][] = [];
  let current: { sql: string; parameters: unknown[] }[] | null = null;
  const database = await connect({
    url: opts.databaseUrl,
    poolSize: 2,
    onQuery: (text, parameters) => current?.push({ sql: text, parameters: [...parameters] }),
  });
  const app = await buildApp({ config: loadConfig({ DATABASE_URL: opts.databaseUrl }), database });
  try {
    const login = await app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: opts.username, password: "demo1234" },
    });
    const cookie = `edu_session=${login.cookies.find((c) => c.name === "edu_session")?.value}`;
    for (const u of opts.urls) {
      await app.inject({ method: "GET", url: u, headers: { cookie } }); // warm (count cache, plans)
      current = [];
      const res = await app.inject({ method: "GET", url: u, headers: { cookie } });
      if (res.statusCode !== 200) throw new Error(`${u}: ${res.statusCode} ${res.body}`);
      opts.onPage?.(u, res.json());
      captured.push(current.filter((q) => !/\b(session|app_user|user_scope|role)\b/.test(q.sql)));
      current = null;
    }
    const sqlFile = path.join(os.tmpdir(), `edu-bench-${opts.name}-sql.json`);
    fs.writeFileSync(sqlFile, JSON.stringify(captured));
    return { cookie, sqlFile, statements: captured.map((c) => c.length) };
  } finally {
    await app.close();
    await database.close();
  }
}
