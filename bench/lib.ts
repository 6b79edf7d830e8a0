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
  };
}

export function memoryMb(): number {
  return Math.round(process.memoryUsage().rss / 1048576);
}

/**
 * Loads the platform (bench/search-server.ts "platform") with `urls` as a signed-in user, then a bare
 * Fastify + pg handler replaying the SQL the platform ran for each URL (captured into `sqlFile`),
 * and prints both with their ratio: the ceiling of this stack on this machine beside our figure.
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
  const platform = startChild("bench/search-server.ts", ["platform", String(platformPort), opts.databaseUrl]);
  await platform.ready;
  const real = await load(`http://127.0.0.1:${platformPort}`, opts.urls, {
    duration: opts.duration,
    headers: { cookie: opts.cookie },
  });
  platform.stop();

  const bare = startChild("bench/search-server.ts", [
    "bare",
    String(barePort),
    opts.databaseUrl,
    opts.sqlFile,
  ]);
  await bare.ready;
  const ceiling = await load(
    `http://127.0.0.1:${barePort}`,
    opts.urls.map((_, i) => `/search?i=${i}`),
    { duration: opts.duration },
  );
  bare.stop();

  const fmt = (r: LoadResult) =>
    `${Math.round(r.requestsPerSecond)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors}, non-2xx ${r.non2xx}`;
  console.log(`platform ${opts.label}: ${fmt(real)}`);
  console.log(`bare Fastify + pg, same SQL: ${fmt(ceiling)}`);
  console.log(`ratio platform / bare: ${(real.requestsPerSecond / ceiling.requestsPerSecond).toFixed(2)}`);
  return { real, ceiling };
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
