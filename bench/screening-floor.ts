/**
 * The floor of an import of 550,000 screenings that checks the file before it writes anything (a
 * dry run that lists every bad row, then the all-or-nothing commit once the user confirms: issue
 * 2's exchange contract, which the screening import follows). The two passes cannot overlap, so
 * such an import takes at least
 *
 *   (1) reading and validating every row in Node, the dry run's part that no database work can
 *       replace: the CSV reader, the kind's validator and the COPY encoding, with no database;
 *   (2) writing every row into vision_screening, with its three indexes (id, student + date,
 *       path + date), its summary triggers set aside as the import sets them aside: from rows
 *       already resolved to their students, both as INSERT … SELECT from a table (what the commit
 *       does) and as a COPY straight into vision_screening (the cheapest way in); rolled back.
 *
 * Students are not looked up, nothing is checked against the database, no audit or job row is
 * written: the figures are what is left when every other step costs nothing. Then what looking
 * the students up costs, on the staged rows (the dry run's and the commit's first step):
 *
 *   (3) the import's own resolution (screeningsSql.prepare: one hash join of the staged rows with
 *       every student, into a temporary table), and the alternative of resolving each staged batch
 *       of 20,000 rows as it arrives (index look-ups by 学籍号), which could overlap with Node's
 *       validation of the next batch if it cost less than the one join.
 *
 *   npx tsx bench/screening-floor.ts --pg-base DBNAME [--runs 3]
 *
 * DBNAME holds the demo city (`cli migrate` + `cli seed-demo`); the bench works on a clone of it.
 * It prints each run's Node CPU and wall seconds for (1), the backend CPU and wall seconds for
 * (2), and the floor in rows/s from the best runs.
 */
import fs from "node:fs";
import { sql } from "kysely";
import { CsvEncoder, connect, type Database } from "../src/db/connect.js";
import { loadLookups } from "../src/modules/exchange/lookups.js";
import { SheetValidator } from "../src/modules/exchange/sheet-validator.js";
import { openTable } from "../src/modules/exchange/table-source.js";
import { screeningsKind } from "../src/modules/health/screening-import.js";
import { screeningsSql } from "../src/modules/health/screening-import-sql.js";
import { schoolYearOf } from "../src/modules/registry/calendar.js";
import { writeScreeningsCsv } from "./screening-file.js";
import { ServerCpu } from "./server-cpu.js";

const arg = (name: string, fallback = "") => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const server = arg("url", "postgres://postgres@127.0.0.1:5432");
const runs = Number(arg("runs", "3"));
const file = `/tmp/edu-bench-screening-floor-${process.pid}.csv`;
const load = () => fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const today = new Date().toISOString().slice(0, 10);

const COLUMNS = [
  "student_id",
  "school_id",
  "org_path",
  "county_code",
  "screened_on",
  "age_years",
  "grade",
  "va_left",
  "va_right",
  "se_left",
  "se_right",
  "institution",
];

/** (1) The file read, validated and encoded for COPY as the dry run does it, without a database. */
async function readAndValidate(database: Database, keep?: Uint8Array[]) {
  const lookups = await loadLookups(database.db, screeningsKind, ["/"], today, schoolYearOf(today));
  let issues = 0;
  const validator = new SheetValidator(screeningsKind, lookups, () => issues++);
  const staged = new CsvEncoder();
  let bytes = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const reader = await openTable(file, "csv");
  for await (const batch of reader.rows(() => {})) {
    for (const row of batch) {
      const values = validator.accept(row);
      if (values) staged.add(values, String(row.n));
    }
    if (staged.rows >= 20_000) bytes += kept(staged.take(), keep);
  }
  bytes += kept(staged.take(), keep);
  await reader.close();
  const cpu = process.cpuUsage(c0);
  if (issues) throw new Error(`${issues} issues in the bench file`);
  return {
    cpu: (cpu.user + cpu.system) / 1e6,
    wall: (performance.now() - t0) / 1000,
    rows: validator.dataRows,
    bytes,
  };
}

function kept(chunk: Uint8Array, keep?: Uint8Array[]) {
  keep?.push(chunk);
  return chunk.length;
}

class Rollback extends Error {}

/** Runs `fn` in a transaction that is always rolled back; backend CPU and wall seconds of `fn`. */
async function measured(
  database: Database,
  cpu: ServerCpu,
  fn: (tx: Parameters<Parameters<Database["bulkTransaction"]>[0]>[0]) => Promise<void>,
) {
  let out = { cpu: 0, wall: 0 };
  try {
    await database.bulkTransaction(async (tx) => {
      await tx.exec("select vision_screening_summary_bulk_begin(1000000000)");
      const s0 = await cpu.read();
      const t0 = performance.now();
      await fn(tx);
      out = { wall: (performance.now() - t0) / 1000, cpu: await cpu.since(s0) };
      throw new Rollback();
    });
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
  }
  return out;
}

async function run(database: Database) {
  const rows = await writeScreeningsCsv(database, file);
  // The rows as the commit writes them, resolved to their students (not timed).
  await database.exec(`create unlogged table bench_resolved as
    select s.id as student_id, s.school_id, s.org_path, s.county_code,
      date '2023-10-01' + (s.id % 28)::int as screened_on, 9::smallint as age_years, s.grade::smallint as grade,
      (4.0 + (s.id % 14) / 10.0)::numeric(2,1) as va_left, 5.0::numeric(2,1) as va_right,
      (-((s.id * 7) % 24) / 4.0 + 1)::numeric(5,2) as se_left, 0.25::numeric(5,2) as se_right,
      '吕梁市妇幼保健院'::text as institution
    from student s where s.deleted_at is null order by s.id`);
  await database.exec("vacuum analyze bench_resolved");
  await database.exec("checkpoint");
  const encoded: Uint8Array[] = [];
  const r = await sql<
    Record<string, string | null>
  >`select ${sql.raw(COLUMNS.join(", "))} from bench_resolved`.execute(database.db);
  const enc = new CsvEncoder();
  for (const row of r.rows) {
    enc.add(COLUMNS.map((c) => (row[c] === null ? null : String(row[c]))));
    if (enc.rows >= 50_000) encoded.push(enc.take());
  }
  encoded.push(enc.take());
  const cpu = await ServerCpu.of(database);
  if (!cpu) throw new Error("PostgreSQL only");
  const resolve: number[] = [];
  const batchLookups: { wall: number; cpu: number }[] = [];
  // (3) on the staged rows of a first read
  const chunks: Uint8Array[] = [];
  await readAndValidate(database, chunks);
  const stageColumns = screeningsKind.stage.map(([n]) => n);
  await database.exec(
    `create unlogged table bench_stage (row_no int not null, ${screeningsKind.stage.map(([n, t]) => `${n} ${t}`).join(", ")})`,
  );
  await database.bulkTransaction(async (tx) => {
    for (const c of chunks) await tx.copyCsv("bench_stage", ["row_no", ...stageColumns], c);
  });
  chunks.length = 0;
  await database.exec("vacuum analyze bench_stage");
  for (let i = 0; i < runs; i++) {
    const join = await measured(database, cpu, async (tx) => {
      for (const q of screeningsSql.prepare?.(sql.raw("bench_stage"), ["/"], today) ?? [])
        await q.execute(tx.db);
    });
    // timed per batch inside (each batch's copy into the temporary table left out)
    await measured(database, cpu, async (tx) => {
      await tx.exec(`set local enable_hashjoin = off; set local enable_mergejoin = off;
        create temporary table bench_batch (like bench_stage) on commit drop;
        create temporary table bench_resolved_batches as select b.*, a.id as student_id, a.name as roll_name,
          a.resident_id as roll_resident_id, a.birth_date, a.school_id, a.org_path, a.county_code, a.grade,
          a.class_group_id from bench_batch b join student a on false`);
      const max = Number(
        (await sql<{ n: number }>`select max(row_no) as n from bench_stage`.execute(tx.db)).rows[0].n,
      );
      let t = 0;
      let s = 0;
      for (let from = 0; from < max; from += 20_000) {
        // the batch as the dry run would have it (its copy into the temporary table not counted)
        await tx.exec(`truncate bench_batch; insert into bench_batch select * from bench_stage
          where row_no > ${from} and row_no <= ${from + 20_000}; analyze bench_batch`);
        const s0 = await cpu.read();
        const t0 = performance.now();
        await tx.exec(`insert into bench_resolved_batches select b.*, a.id, a.name, a.resident_id, a.birth_date,
          a.school_id, a.org_path, a.county_code, a.grade, a.class_group_id
          from bench_batch b left join student a on a.student_number = b.student_number and a.deleted_at is null`);
        t += performance.now() - t0;
        s += await cpu.since(s0);
      }
      batchLookups.push({ wall: t / 1000, cpu: s });
    });
    console.log(
      `run ${i + 1}: (3) resolve the staged rows to students: one hash join (the import's) wall ` +
        `${join.wall.toFixed(2)} s (backend CPU ${join.cpu.toFixed(2)} s); by batches of 20,000, index look-ups: ` +
        `wall ${batchLookups[i].wall.toFixed(2)} s (backend CPU ${batchLookups[i].cpu.toFixed(2)} s); load ${load()}`,
    );
    resolve.push(join.wall);
  }
  const node: number[] = [];
  const insert: number[] = [];
  const copy: number[] = [];
  for (let i = 0; i < runs; i++) {
    const v = await readAndValidate(database);
    if (v.rows !== rows) throw new Error(`read ${v.rows} rows of ${rows}`);
    // Node's wall seconds, the lower figure (its GC runs on helper threads): the floor in its favour
    node.push(v.wall);
    const ins = await measured(database, cpu, async (tx) => {
      await tx.exec(
        `insert into vision_screening (${COLUMNS.join(", ")}) select ${COLUMNS.join(", ")} from bench_resolved`,
      );
    });
    insert.push(ins.wall);
    await database.exec("checkpoint");
    const cp = await measured(database, cpu, async (tx) => {
      for (const chunk of encoded) await tx.copyCsv("vision_screening", COLUMNS, chunk);
    });
    copy.push(cp.wall);
    await database.exec("checkpoint");
    console.log(
      `run ${i + 1}: (1) read + validate + encode ${v.rows} rows, ${(v.bytes / 1e6).toFixed(0)} MB staged: ` +
        `Node CPU ${v.cpu.toFixed(2)} s, wall ${v.wall.toFixed(2)} s; (2) write into vision_screening: ` +
        `INSERT … SELECT wall ${ins.wall.toFixed(2)} s (backend CPU ${ins.cpu.toFixed(2)} s), ` +
        `COPY wall ${cp.wall.toFixed(2)} s (backend CPU ${cp.cpu.toFixed(2)} s); load ${load()}`,
    );
  }
  const best = Math.min(...node) + Math.min(...insert, ...copy);
  const looked = best + Math.min(...resolve);
  console.log(
    `floor (1) + (2): ${Math.min(...node).toFixed(2)} s + ${Math.min(...insert, ...copy).toFixed(2)} s = ${best.toFixed(2)} s ` +
      `→ at most ${Math.round(rows / best)} rows/s for ${rows} rows; with the students looked up once (3): ` +
      `${looked.toFixed(2)} s → at most ${Math.round(rows / looked)} rows/s ` +
      `(target 100,000 rows/s = ${(rows / 100_000).toFixed(2)} s)`,
  );
}

const name = `edu_screening_floor_${process.pid}`;
const admin = await connect({ url: `${server}/postgres`, poolSize: 1 });
await admin.exec(`create database ${name} template ${arg("pg-base")}`);
const database = await connect({ url: `${server}/${name}` });
try {
  await run(database);
} finally {
  await database.close();
  await admin.exec(`drop database ${name} with (force)`);
  await admin.close();
  fs.rmSync(file, { force: true });
}
