/**
 * Scoped student search as a county admin under load (issue 2's bench):
 *   npx tsx bench/search.ts            (BENCH_DATABASE_URL defaults to …/edu_bench on 127.0.0.1)
 * Loads the demo city into the bench database on first use. Runs autocannon (50 connections, 10 s,
 * loopback) against the platform's GET /api/students signed in as `lishi` (county admin of 离石区),
 * then against a bare Fastify + pg handler executing exactly the SQL the platform ran for the same
 * searches, and prints both and their ratio.
 */
import { captureRouteSql, compareWithBare, DEFAULT_BENCH_URL, ensureBenchDatabase } from "./lib.js";

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

const { cookie, sqlFile, statements } = await captureRouteSql({
  databaseUrl: url,
  urls: searches,
  username: "lishi",
  name: "search",
});
console.log(`statements per search (after sign-in): ${statements.join(", ")}`);
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
