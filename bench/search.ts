/**
 * Scoped student search as a county admin under load (issue 2's bench):
 *   npx tsx bench/search.ts            (BENCH_DATABASE_URL defaults to …/edu_bench on 127.0.0.1)
 * Loads the demo city into the bench database on first use. Runs autocannon (50 connections, 10 s,
 * loopback) against the platform's GET /api/students signed in as `lishi` (county admin of 离石区),
 * then against a bare Fastify + pg handler executing exactly the SQL the platform ran for the same
 * searches, and prints both and their ratio.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../src/config.js";
import { connect } from "../src/db/connect.js";
import { buildApp } from "../src/server/app.js";
import { compareWithBare, DEFAULT_BENCH_URL, ensureBenchDatabase } from "./lib.js";

const url = process.env.BENCH_DATABASE_URL ?? DEFAULT_BENCH_URL;
const duration = Number(process.env.BENCH_SECONDS ?? 10);
(await ensureBenchDatabase(url)).close();

// Searches a county officer makes: by surname prefix, by grade, by status.
const searches = [
  "q=王",
  "q=李",
  "q=张",
  "q=刘&grade=3",
  "q=陈",
  "grade=7",
  "q=杨&status=enrolled",
  "q=赵",
].map((q) => `/api/students?${encodeURI(q)}&page=1&pageSize=20`);

// Capture the SQL the platform runs for each search (excluding sign-in/session lookups).
const captured: { sql: string; parameters: unknown[] }[][] = [];
let current: { sql: string; parameters: unknown[] }[] | null = null;
const database = await connect({
  url,
  poolSize: 2,
  onQuery: (sql, parameters) => current?.push({ sql, parameters: [...parameters] }),
});
const app = await buildApp({ config: loadConfig({ DATABASE_URL: url }), database });
const login = await app.inject({
  method: "POST",
  url: "/api/auth/login",
  payload: { username: "lishi", password: "demo1234" },
});
const cookie = `edu_session=${login.cookies.find((c) => c.name === "edu_session")?.value}`;
for (const s of searches) {
  await app.inject({ method: "GET", url: s, headers: { cookie } }); // warm (count cache, plans)
  current = [];
  const res = await app.inject({ method: "GET", url: s, headers: { cookie } });
  if (res.statusCode !== 200) throw new Error(`${s}: ${res.statusCode} ${res.body}`);
  captured.push(current.filter((q) => !/\b(session|app_user|user_scope|role)\b/.test(q.sql)));
  current = null;
}
await app.close();
await database.close();
const sqlFile = path.join(os.tmpdir(), "edu-bench-search-sql.json");
fs.writeFileSync(sqlFile, JSON.stringify(captured));

console.log(`statements per search (after sign-in): ${captured.map((c) => c.length).join(", ")}`);
await compareWithBare({
  label: "GET /api/students as lishi",
  databaseUrl: url,
  urls: searches,
  cookie,
  sqlFile,
  ports: [3901, 3902],
  duration,
});
process.exit(0);
