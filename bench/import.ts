/**
 * Roster import at the city's size: 550,000 students validated (dry run) and committed, from CSV
 * and from xlsx, on PostgreSQL and on PGlite.
 *
 *   npx tsx bench/import.ts [--rows 550000] [--engines postgres,pglite] [--formats csv,xlsx]
 *                           [--twice] [--row-by-row] [--url postgres://…] [--keep <database>]
 *
 * The bench makes its own city (13 counties, ~1,500 schools, inserted directly: it does not depend
 * on the demo city) and its own student files (valid ID numbers via makeResidentId), cached under
 * the system temp folder. Each measurement runs in a child process of its own, on a fresh database,
 * so its peak RSS is its own. Wall seconds, the Node process's CPU seconds and (on PostgreSQL) the
 * CPU seconds of its database backends are reported, with the time of each database step: on a
 * busy machine the CPU figures are the steadier ones. --twice imports the same file again
 * (every row unchanged) and reports that too. --row-by-row keeps the indexes in place however large
 * the commit (deferred-indexes.ts), for comparison. --keep <database> (PostgreSQL, CSV) runs only
 * the first dry run, into that database, and leaves it with the job validated and its stage in place
 * for bench/sql-steps.ts. Tests never assert on time; this prints figures.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ExcelJS from "exceljs";
import { connect, type Database } from "../src/db/connect.js";
import { migrate } from "../src/db/migrate.js";
import { withDatabase } from "../src/db/url.js";
import { syncBuiltinRoles } from "../src/modules/access/bootstrap.js";
import { ImportRepository, stageTableOf } from "../src/modules/exchange/repository.js";
import { ImportService } from "../src/modules/exchange/service.js";
import { gradeLabels, luliangCounties, schoolTypeByCode } from "../src/modules/registry/codes.js";
import { gradesOfSchoolType } from "../src/modules/registry/rules.js";
import { systemActor } from "../src/shared/actor.js";
import { makeResidentId } from "../src/shared/resident-id.js";
import { ServerCpu } from "./server-cpu.js";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const rows = Number(arg("rows", "550000"));
const serverUrl = arg("url", process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
const dir = path.join(os.tmpdir(), "edu-bench-import");
const keep = process.argv.includes("--keep") ? arg("keep", "") : null;
const fileOf = (format: string) => path.join(dir, `students-${rows}.${format}`);

const SCHOOLS_PER_COUNTY = 115; // 13 × 115 = 1,495 schools
const TYPES = ["111", "211", "211", "211", "311", "312", "342"];
const schoolCode = (county: number, n: number) =>
  `${luliangCounties[county].code}${String(n + 1).padStart(4, "0")}`;
const schoolType = (n: number) => TYPES[n % TYPES.length];

const SURNAMES =
  "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文";
const GIVEN =
  "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚华玉兰萍红鹏辉建国志宇浩然轩涵诺欣怡泽思远博文嘉佳琪晨阳子梓一雨";

/** Student i, deterministic: county i % 13, a school of that county, a grade the school teaches. */
function student(i: number): string[] {
  const county = i % 13;
  const n = Math.floor(i / 13) % SCHOOLS_PER_COUNTY;
  const type = schoolTypeByCode.get(schoolType(n))!;
  const grades = gradesOfSchoolType(type);
  const grade = grades[Math.floor(i / (13 * SCHOOLS_PER_COUNTY)) % grades.length];
  // 13 counties × 5,475 birth days × sequence: every ID distinct.
  const day = Math.floor(i / 13) % 5475;
  const seq = Math.floor(i / (13 * 5475));
  const birth = new Date(Date.UTC(2006, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
  const id = makeResidentId(luliangCounties[county].code, birth, seq);
  const name =
    SURNAMES[(i * 7) % SURNAMES.length] +
    GIVEN[(i * 13) % GIVEN.length] +
    (i % 3 ? GIVEN[(i * 31) % GIVEN.length] : "");
  return [
    `G${id}`,
    name,
    Number(id[16]) % 2 ? "男" : "女",
    id,
    birth,
    schoolCode(county, n),
    gradeLabels[grade],
    "",
    "在读",
    "2022-09-01",
  ];
}

const HEADER = [
  "学籍号",
  "姓名",
  "性别",
  "身份证号",
  "出生日期",
  "学校标识码",
  "年级",
  "班级",
  "学籍状态",
  "入学日期",
];

async function generate(format: string) {
  fs.mkdirSync(dir, { recursive: true });
  const file = fileOf(format);
  if (fs.existsSync(file)) return;
  const tmp = `${file}.part`;
  if (format === "csv") {
    const out = fs.createWriteStream(tmp);
    out.write(`\ufeff${HEADER.join(",")}\r\n`);
    let buf = "";
    for (let i = 0; i < rows; i++) {
      buf += `${student(i).join(",")}\r\n`;
      if (buf.length > 1 << 20) {
        if (!out.write(buf)) await new Promise<void>((r) => out.once("drain", () => r()));
        buf = "";
      }
    }
    out.end(buf);
    await new Promise<void>((r) => out.on("finish", () => r()));
  } else {
    // Shared strings, as Excel writes them; ID columns as text cells.
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
      filename: tmp,
      useSharedStrings: true,
      useStyles: true,
    });
    const ws = wb.addWorksheet("学生");
    ws.addRow(HEADER).commit();
    for (let i = 0; i < rows; i++) {
      const row = ws.addRow(student(i));
      row.getCell(1).numFmt = "@";
      row.getCell(4).numFmt = "@";
      row.commit();
    }
    ws.commit();
    await wb.commit();
  }
  fs.renameSync(tmp, file);
}

/** The bench city: 141100 → 13 counties → 115 schools each, with their first versions. */
async function seedCity(database: Database) {
  await database.exec(
    `insert into org_unit (code, kind, name, path, valid_from) values ('141100', 'city', '吕梁市', '/141100/', '2000-01-01')`,
  );
  const counties = luliangCounties.map(
    (c) => `('${c.code}', 'county', '${c.name}', '/141100/${c.code}/', '${c.code}', '2000-01-01')`,
  );
  await database.exec(`insert into org_unit (code, kind, name, path, county_code, valid_from) values ${counties.join(",")};
    update org_unit set parent_id = (select id from org_unit where code = '141100') where kind = 'county'`);
  const schools: string[] = [];
  luliangCounties.forEach((c, ci) => {
    for (let n = 0; n < SCHOOLS_PER_COUNTY; n++)
      schools.push(
        `('${schoolCode(ci, n)}', 'school', '${c.name}第${n + 1}学校', '/141100/${c.code}/${schoolCode(ci, n)}/', '${c.code}', '${schoolType(n)}', 'public', 'urban', false, '2000-01-01', '${c.code}')`,
      );
  });
  await database.exec(`insert into org_unit (code, kind, name, path, county_code, school_type, ownership, urban_rural, boarding, valid_from, parent_id)
    select v.code, v.kind, v.name, v.path, v.county_code, v.school_type, v.ownership, v.urban_rural, v.boarding, v.valid_from::date, p.id
    from (values ${schools.join(",")}) as v(code, kind, name, path, county_code, school_type, ownership, urban_rural, boarding, valid_from, parent)
    join org_unit p on p.code = v.parent;
    insert into org_unit_version (org_unit_id, valid_from, name, parent_id, path, school_type, ownership, urban_rural, boarding)
    select id, valid_from, name, parent_id, path, school_type, ownership, urban_rural, boarding from org_unit;`);
}

/** A PGlite data folder with the bench city (run in a process of its own). */
async function prepare(folder: string) {
  const tmp = `${folder}.part`;
  fs.rmSync(tmp, { recursive: true, force: true });
  const database = await connect({ pgliteDir: tmp });
  await migrate(database);
  await syncBuiltinRoles(database.db);
  await seedCity(database);
  await database.close();
  fs.renameSync(tmp, folder);
}

interface Phase {
  seconds: number;
  cpuSeconds: number;
  /** CPU seconds of the PostgreSQL backends (null on PGlite, whose work is in cpuSeconds). */
  serverCpuSeconds: number | null;
  /** Seconds of each database step (the repository's onPhase). */
  steps: Record<string, number>;
}

async function timed(server: ServerCpu | null, steps: Record<string, number>, fn: () => Promise<void>) {
  for (const k of Object.keys(steps)) delete steps[k];
  const s0 = await server?.read();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await fn();
  const c = process.cpuUsage(c0);
  const phase: Phase = {
    seconds: (performance.now() - t0) / 1000,
    cpuSeconds: (c.user + c.system) / 1e6,
    serverCpuSeconds: s0 && server ? await server.since(s0) : null,
    steps: { ...steps },
  };
  return phase;
}

/** One measurement (child process): fresh database, seed, dry run, commit (and again with --twice). */
async function run(engine: string, format: string) {
  let database: Database;
  let cleanup = async () => {};
  const pgliteDir = path.join(dir, `pglite-${process.pid}`);
  if (engine === "postgres") {
    const name = keep ?? `edu_bench_import_${process.pid}`;
    const admin = await connect({ url: serverUrl, poolSize: 1 });
    await admin.exec(`drop database if exists ${name}`);
    await admin.exec(`create database ${name}`);
    await admin.close();
    database = await connect({ url: withDatabase(serverUrl, name), poolSize: 4 });
    cleanup = async () => {
      const a = await connect({ url: serverUrl, poolSize: 1 });
      await a.exec(`drop database if exists ${name} with (force)`);
      await a.close();
    };
  } else {
    // PGlite's initdb alone peaks near 1 GB of RSS: the city is prepared once in a process of its
    // own, and each measurement opens a copy, so the figure is the import's.
    const template = path.join(dir, "pglite-city");
    if (!fs.existsSync(template)) {
      const self = fileURLToPath(import.meta.url);
      const p = spawnSync(process.execPath, ["--import", "tsx", self, "--prepare", template], {
        stdio: "inherit",
      });
      if (p.status !== 0) throw new Error("preparing the PGlite city failed");
    }
    fs.rmSync(pgliteDir, { recursive: true, force: true });
    fs.cpSync(template, pgliteDir, { recursive: true });
    database = await connect({ pgliteDir });
    cleanup = async () => fs.rmSync(pgliteDir, { recursive: true, force: true });
  }
  try {
    await migrate(database);
    await syncBuiltinRoles(database.db);
    if (engine === "postgres") await seedCity(database);
    const steps: Record<string, number> = {};
    const repository = new ImportRepository(database, {
      bulkMinRows: process.argv.includes("--row-by-row") ? Number.POSITIVE_INFINITY : undefined,
      onPhase: (phase, seconds) => {
        steps[phase] = (steps[phase] ?? 0) + seconds;
      },
    });
    const service = new ImportService(repository, {
      uploadDir: path.join(dir, "uploads"),
      maxUploadBytes: Number.POSITIVE_INFINITY,
    });
    const server = await ServerCpu.of(database);
    const actor = systemActor("bench");
    const once = async () => {
      let id = "";
      const dry = await timed(server, steps, async () => {
        id = (await service.importLocalFile(actor, "students", fileOf(format))).id;
        await service.idle();
      });
      const checked = await service.get(actor, id);
      if (checked.status !== "validated") throw new Error(`dry run: ${checked.status} ${checked.message}`);
      const commit = await timed(server, steps, async () => {
        await service.commit(actor, id);
        await service.idle();
      });
      const job = await service.get(actor, id);
      if (job.status !== "committed") throw new Error(`commit: ${job.status} ${job.message}`);
      return { dry, commit, inserted: job.inserted, updated: job.updated, unchanged: job.unchanged };
    };
    if (keep) {
      const job = await service.importLocalFile(actor, "students", fileOf(format));
      await service.idle();
      const checked = await service.get(actor, job.id);
      console.error(`database ${keep}: job ${checked.status}, stage table ${stageTableOf(job.id)}`);
      await database.close();
      cleanup = async () => {};
      return;
    }
    const first = await once();
    const second = process.argv.includes("--twice") ? await once() : null;
    await database.close();
    console.log(
      JSON.stringify({
        engine,
        format,
        rows,
        first,
        second,
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      }),
    );
  } finally {
    await cleanup();
  }
}

const cpuOf = (p: Phase) =>
  `cpu ${p.cpuSeconds.toFixed(1)}${p.serverCpuSeconds === null ? "" : ` + server ${p.serverCpuSeconds.toFixed(1)}`}`;
const stepsOf = (p: Phase) =>
  Object.entries(p.steps)
    .map(([k, v]) => `${k} ${v.toFixed(1)}`)
    .join(", ");
const fmt = (r: { dry: Phase; commit: Phase }) => {
  const total = r.dry.seconds + r.commit.seconds;
  return (
    `dry run ${r.dry.seconds.toFixed(1)} s (${cpuOf(r.dry)}) + commit ${r.commit.seconds.toFixed(1)} s (${cpuOf(r.commit)}) = ${total.toFixed(1)} s → ${Math.round(rows / total).toLocaleString("en")} rows/s (dry run alone ${Math.round(rows / r.dry.seconds).toLocaleString("en")} rows/s)` +
    `\n    database steps (s): dry run: ${stepsOf(r.dry)}; commit: ${stepsOf(r.commit)}`
  );
};

const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

async function main() {
  const mode = process.argv[2];
  if (mode === "--generate") return generate(process.argv[3]);
  if (mode === "--run") return run(process.argv[3], process.argv[4]);
  if (mode === "--prepare") return prepare(process.argv[3]);
  const engines = arg("engines", "postgres,pglite").split(",");
  const formats = arg("formats", "csv,xlsx").split(",");
  const self = fileURLToPath(import.meta.url);
  const passthrough = process.argv.slice(2);
  for (const format of formats) {
    const existed = fs.existsSync(fileOf(format));
    const t0 = performance.now();
    const g = spawnSync(process.execPath, ["--import", "tsx", self, "--generate", format, ...passthrough], {
      stdio: "inherit",
    });
    if (g.status !== 0) throw new Error(`generating ${format} failed`);
    const size = `${(fs.statSync(fileOf(format)).size / 1048576).toFixed(0)} MB`;
    console.log(
      existed
        ? `${fileOf(format)} (${size}, cached)`
        : `generated ${fileOf(format)} (${size}) in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );
  }
  console.log(`load average ${loadAverage()} on ${os.cpus().length} CPUs`);
  for (const engine of engines)
    for (const format of formats) {
      const r = spawnSync(
        process.execPath,
        ["--max-old-space-size=1024", "--import", "tsx", self, "--run", engine, format, ...passthrough],
        {
          stdio: ["ignore", "pipe", "inherit"],
          encoding: "utf8",
        },
      );
      if (keep) continue; // the child said where the job is
      const line = r.stdout.trim().split("\n").at(-1) ?? "";
      if (r.status !== 0 || !line.startsWith("{")) {
        console.log(`${engine} ${format}: failed (${r.status})\n${r.stdout}`);
        continue;
      }
      const f = JSON.parse(line);
      console.log(
        `${engine} ${format} ${rows.toLocaleString("en")} rows: ${fmt(f.first)}; peak RSS ${f.peakRssMb} MB; load average after ${loadAverage()}`,
      );
      if (f.second)
        console.log(`  again, unchanged (${f.second.unchanged.toLocaleString("en")}): ${fmt(f.second)}`);
    }
}

await main();
