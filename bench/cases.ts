/**
 * The case list under load as a county user (issue 5's bench):
 *   npx tsx bench/cases.ts            (BENCH_DATABASE_URL defaults to …/edu_bench on 127.0.0.1)
 * Loads the demo city (with its demo cases) into the bench database on first use and tops the
 * cases up to 100,000 city-wide (hazards and supervision findings over every school, a fifth of
 * them open, some overdue). Then runs autocannon (50 connections, 10 s, loopback) against
 * GET /api/cases signed in as `lishi` (county admin of 离石区) with the filters a county officer
 * uses, and against a bare Fastify + pg handler running exactly the SQL the platform ran for the
 * same lists, and prints both and their ratio, with the CPU per request of each server process, of
 * PostgreSQL and of autocannon (from /proc; Linux only): on a shared 2-core machine req/s says more
 * about the neighbours than about the code, CPU per request is the figure to compare across runs.
 */
import { sql } from "kysely";
import { captureRouteSql, compareWithBare, DEFAULT_BENCH_URL, ensureBenchDatabase } from "./lib.js";

const url = process.env.BENCH_DATABASE_URL ?? DEFAULT_BENCH_URL;
const duration = Number(process.env.BENCH_SECONDS ?? 10);
const TARGET = 100_000;

const bench = await ensureBenchDatabase(url);
const have = Number(
  (await sql<{ n: string }>`select count(*) as n from case_record`.execute(bench.db)).rows[0].n,
);
if (have < TARGET) {
  const t0 = performance.now();
  // Generated in SQL: case i goes to school i mod schools; states and severities cycle with
  // co-prime periods so that filters select realistic shares (about a fifth open, 1/7 major …).
  await sql`
    with s as (select id, path, county_code, row_number() over (order by path) - 1 as k, count(*) over () as n
               from org_unit where kind = 'school' and valid_to is null),
    g as (select i from generate_series(1, ${TARGET - have}::int) i)
    insert into case_record (kind, title, org_unit_id, org_path, county_code, state, severity, category, source,
      reporter_name, due_at, overdue_since, escalation_level, closed_at, data, created_at, updated_at)
    select case when i % 6 = 0 then 'supervision' else 'hazard' end,
      '批量隐患 ' || i, s.id, s.path, s.county_code,
      case when i % 6 = 0 then (array['found','notified','reported','rectified','rectified'])[1 + i % 5]
           else (array['reported','assigned','rectifying','submitted','verified','verified','verified','verified',
                        'verified','verified'])[1 + i % 10] end,
      (array['ordinary','ordinary','ordinary','ordinary','significant','significant','major'])[1 + i % 7],
      (array['fire','food','building','traffic','surroundings','bullying','mental','security','other'])[1 + i % 9],
      case when i % 6 = 0 then null else (array['self_check','county_inspection','city_spot_check'])[1 + i % 3] end,
      'bench', now() + ((i % 40) - 20) * interval '1 day',
      case when i % 40 < 20 and i % 10 in (1, 2) then now() - interval '1 day' end,
      case when i % 40 < 20 and i % 10 in (1, 2) then 1 else 0 end,
      case when i % 10 >= 4 then now() - (i % 90) * interval '1 day' end,
      '{"bench": true}'::jsonb,
      now() - (i % 365) * interval '1 day', now()
    from g join s on s.k = g.i % s.n`.execute(bench.db);
  await sql`analyze case_record`.execute(bench.db);
  console.log(`topped case_record up to ${TARGET} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
await bench.close();

const lists = [
  "kind=hazard",
  "kind=hazard&status=open",
  "kind=hazard&status=overdue",
  "kind=hazard&severity=major&status=open",
  "kind=hazard&category=fire&page=2",
  "kind=supervision&status=open",
  "status=open&page=3",
  "kind=hazard&state=submitted",
].map((q) => `/api/cases?${q}&pageSize=20`);

const { cookie, sqlFile, statements } = await captureRouteSql({
  databaseUrl: url,
  urls: lists,
  username: "lishi",
  name: "cases",
  onPage: (s, page) => {
    const body = page as { total: number; items: unknown[] };
    console.log(`${s}: ${body.total}${body.total >= 10_000 ? "+" : ""} rows, page of ${body.items.length}`);
  },
});
console.log(`statements per list (after sign-in): ${statements.join(", ")}`);
await compareWithBare({
  label: "GET /api/cases as lishi",
  databaseUrl: url,
  urls: lists,
  cookie,
  sqlFile,
  ports: [3903, 3904],
  duration,
});
process.exit(0);
