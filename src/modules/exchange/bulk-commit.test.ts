import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testEngine } from "../../../test/db.js";
import { smallCity } from "../../../test/factories.js";
import type { Database } from "../../db/connect.js";
import { systemActor } from "../../shared/actor.js";
import { makeResidentId } from "../../shared/resident-id.js";
import { schoolYearOf, todayInChina } from "../registry/calendar.js";
import { type ImportPhase, ImportRepository } from "./repository.js";
import { ImportService } from "./service.js";
import { csvText, tmpFile } from "./test-helpers.js";

/**
 * A large commit sets the written tables' secondary indexes and foreign keys aside and rebuilds
 * them (deferred-indexes.ts). Here "large" is lowered to one row, and the same imports run on two
 * databases, one row by row and one in bulk: students, history and audit rows must come out the
 * same, and the tables must keep exactly their indexes and keys.
 */

const actor = systemActor("test");
const header = ["学籍号", "姓名", "性别", "身份证号", "出生日期", "学校标识码", "年级", "班级", "学籍状态"];
const id = (seq: number) => makeResidentId("141102", "2014-03-05", seq);
const row = (seq: number, o: { name?: string; school?: string; cls?: string; status?: string } = {}) => [
  `G${id(seq)}`,
  o.name ?? `学生${seq}`,
  seq % 2 ? "男" : "女",
  id(seq),
  "2014-03-05",
  o.school ?? "1411020001",
  "三年级",
  o.cls ?? "",
  o.status ?? "在读",
];

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

interface Side {
  database: Database;
  service: ImportService;
  phases: ImportPhase[];
}

async function side(bulkMinRows: number): Promise<Side> {
  const database = await createTestDatabase();
  await smallCity(database.db);
  const phases: ImportPhase[] = [];
  const repo = new ImportRepository(database, { bulkMinRows, onPhase: (p) => phases.push(p) });
  const service = new ImportService(repo, {
    uploadDir: `/tmp/edu-bulk-commit-${process.pid}`,
    maxUploadBytes: 1 << 20,
  });
  return { database, service, phases };
}

async function importFile(
  s: Side,
  kind: "students" | "class-groups" | "vision-screenings",
  rows: string[][],
) {
  const file = tmpFile(`${kind}.csv`, csvText(rows));
  const job = await s.service.importLocalFile(actor, kind, file);
  await s.service.idle();
  const checked = await s.service.get(actor, job.id);
  expect(checked.status, checked.message ?? "").toBe("validated");
  s.phases.length = 0;
  await s.service.commit(actor, job.id);
  await s.service.idle();
  const done = await s.service.get(actor, job.id);
  expect(done.status, done.message ?? "").toBe("committed");
  return { inserted: done.inserted, updated: done.updated, unchanged: done.unchanged, phases: [...s.phases] };
}

/** What an import leaves behind, without ids and times. */
async function snapshot(database: Database) {
  const db = database.db;
  const students =
    await sql`select s.student_number, s.name, s.gender, s.resident_id, s.birth_date, o.code as school,
      s.org_path, s.county_code, s.stage, s.grade, c.name as class_name, s.status, s.enrolled_on,
      s.deleted_at is not null as deleted
    from student s join org_unit o on o.id = s.school_id left join class_group c on c.id = s.class_group_id
    order by s.student_number`.execute(db);
  const history = await sql<{
    note: string;
  }>`select s.student_number, h.status, o.code as school, h.effective_on, h.note, h.recorded_by
    from student_status_history h join student s on s.id = h.student_id join org_unit o on o.id = h.school_id
    order by s.student_number, h.id`.execute(db);
  const audit = await sql<{ action: string }>`select action, entity, entity_key, org_path,
      before - 'classGroupId' as before, after - 'classGroupId' as after,
      (before ->> 'classGroupId') is not null as had_class, (after ->> 'classGroupId') is not null as has_class
    from audit_log where entity = 'student' order by id`.execute(db);
  return { students: students.rows, history: history.rows, audit: audit.rows };
}

/** Students whose latest audit row's "after" differs from the stored row (studentSnapshot's keys). */
async function afterMismatches(database: Database) {
  const r = await sql<{ student_number: string }>`
    select s.student_number from student s join org_unit o on o.id = s.school_id
      join lateral (select a.after from audit_log a where a.entity = 'student' and a.entity_key = s.student_number
        order by a.id desc limit 1) a on true
    where s.deleted_at is null and a.after is distinct from jsonb_build_object('studentNumber', s.student_number,
      'name', s.name, 'gender', s.gender, 'residentId', s.resident_id, 'birthDate', s.birth_date::text,
      'schoolCode', o.code, 'grade', s.grade, 'classGroupId', s.class_group_id, 'status', s.status,
      'enrolledOn', s.enrolled_on::text)`.execute(database.db);
  return r.rows.map((x) => x.student_number);
}

/** The indexes and keys of the tables a students import writes. */
async function schema(database: Database) {
  const r = await sql<{ def: string }>`
    select pg_get_indexdef(i.indexrelid) as def from pg_index i
      where i.indrelid in ('student'::regclass, 'student_status_history'::regclass)
    union all
    select conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) from pg_constraint
      where conrelid in ('student'::regclass, 'student_status_history'::regclass)
    order by 1`.execute(database.db);
  return r.rows.map((x) => x.def);
}

let rowByRow: Side;
let bulk: Side;

beforeAll(async () => {
  [rowByRow, bulk] = await Promise.all([side(Number.POSITIVE_INFINITY), side(1)]);
});
afterAll(async () => {
  await rowByRow.database.close();
  await bulk.database.close();
});

describe("a large commit with its indexes rebuilt", () => {
  it("writes what a row-by-row commit writes, and keeps every index and key", async () => {
    const before = await schema(bulk.database);
    const year = String(schoolYearOf(todayInChina(new Date())));
    const classes = [
      ["学校标识码", "学年", "班级名称", "年级"],
      ["1411020001", year, "三年级1班", "三年级"],
      ["1411020002", year, "三年级1班", "三年级"],
    ];
    const first = [header, ...[1, 2, 3, 4, 5, 6].map((n) => row(n))];
    // unchanged, renamed, moved to another school, suspended, put in a class, revived after a
    // deletion, and three new ones (one in a class)
    const second = [
      header,
      row(1),
      row(2, { name: "改名" }),
      row(3, { school: "1411020002" }),
      row(4, { status: "休学" }),
      row(5, { cls: "三年级1班" }),
      row(6),
      row(7),
      row(8, { cls: "三年级1班" }),
      row(9, { school: "1411020002", cls: "三年级1班" }),
    ];
    const results = [];
    for (const s of [rowByRow, bulk]) {
      await importFile(s, "class-groups", classes);
      const a = await importFile(s, "students", first);
      await sql`update student set deleted_at = now() where student_number = ${`G${id(6)}`}`.execute(
        s.database.db,
      );
      const b = await importFile(s, "students", second);
      const c = await importFile(s, "students", second);
      results.push({ a, b, c, snapshot: await snapshot(s.database) });
    }
    const [r, k] = results;
    expect(r.a).toMatchObject({ inserted: 6, updated: 0, unchanged: 0 });
    expect(r.b).toMatchObject({ inserted: 3, updated: 5, unchanged: 1 });
    expect(r.c).toMatchObject({ inserted: 0, updated: 0, unchanged: 9 });
    expect(r.b.phases).not.toContain("indexes");
    expect(k.a.phases).toContain("indexes");
    expect(k.b.phases).toContain("indexes");
    expect(k.c.phases).not.toContain("indexes"); // nothing to write
    const counts = ({ inserted, updated, unchanged }: typeof r.a) => ({ inserted, updated, unchanged });
    expect([k.a, k.b, k.c].map(counts)).toEqual([r.a, r.b, r.c].map(counts));
    expect(k.snapshot).toEqual(r.snapshot);
    expect(r.snapshot.students).toHaveLength(9);
    expect(r.snapshot.history.map((h) => h.note)).toEqual(expect.arrayContaining(["导入建档", "导入变更"]));
    expect(r.snapshot.audit.filter((x) => x.action === "update")).toHaveLength(5);
    expect(await schema(bulk.database)).toEqual(before);
    // The "after" staged by the dry run is the row as written, in the student editor's shape.
    for (const s of [rowByRow, bulk]) expect(await afterMismatches(s.database)).toEqual([]);
  });

  it("leaves the indexes and keys as they were when the commit fails after the rebuild", async () => {
    const before = await schema(bulk.database);
    const count = async () =>
      (await sql<{ n: number }>`select count(*)::int as n from student`.execute(bulk.database.db)).rows[0].n;
    const students = await count();
    await bulk.database.exec(`create function refuse_import() returns trigger language plpgsql as $$
      begin if new.action = 'import' then raise exception 'disk full (test)'; end if; return new; end $$;
      create trigger refuse_import before insert on audit_log for each row execute function refuse_import();`);
    try {
      // more rows than the tables hold, so the commit rebuilds
      const file = tmpFile("s.csv", csvText([header, ...range(20, 32).map((n) => row(n))]));
      const job = await bulk.service.importLocalFile(actor, "students", file);
      await bulk.service.idle();
      bulk.phases.length = 0;
      await bulk.service.commit(actor, job.id);
      await bulk.service.idle();
      expect((await bulk.service.get(actor, job.id)).status).toBe("failed");
      expect(bulk.phases).toContain("indexes");
    } finally {
      await bulk.database.exec("drop trigger refuse_import on audit_log; drop function refuse_import();");
    }
    expect(await count()).toBe(students);
    expect(await schema(bulk.database)).toEqual(before);
  });

  it("goes row by row when the tables are in use and their lock does not come in time", async () => {
    const file = tmpFile("s.csv", csvText([header, ...range(40, 52).map((n) => row(n))]));
    const job = await bulk.service.importLocalFile(actor, "students", file);
    await bulk.service.idle();
    bulk.phases.length = 0;
    if (testEngine === "postgres") {
      // A long read holds the student table while the commit runs: the commit waits BULK_LOCK_WAIT
      // for its exclusive lock, then writes row by row beside the reader.
      let release = () => {};
      const held = new Promise<void>((r) => {
        release = r;
      });
      let reading = () => {};
      const started = new Promise<void>((r) => {
        reading = r;
      });
      const reader = bulk.database.db.transaction().execute(async (trx) => {
        await sql`select count(*) from student`.execute(trx);
        reading();
        await held;
      });
      await started;
      await bulk.service.commit(actor, job.id);
      await bulk.service.idle();
      release();
      await reader;
      expect(bulk.phases).not.toContain("indexes");
    } else {
      // The embedded database has one connection, and every request waits its turn: the lock is
      // always free, and the commit rebuilds.
      await bulk.service.commit(actor, job.id);
      await bulk.service.idle();
      expect(bulk.phases).toContain("indexes");
    }
    expect(await bulk.service.get(actor, job.id)).toMatchObject({ status: "committed", inserted: 12 });
  });
});
