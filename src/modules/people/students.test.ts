import ExcelJS from "exceljs";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, type TestContext } from "../../../test/app.js";
import { orgUnit } from "../../../test/factories.js";
import { studentWorld } from "../../../test/people-factories.js";
import { studentOut, studentPage } from "./student-schemas.js";

let t: TestContext;
let admin: Client;
let lishi: Client;
let school1: Client;
let teacher: Client;
let exam: Client;
let s: Record<string, string>; // student numbers by role in the tests
let class1: number;

beforeAll(async () => {
  t = await createTestApp();
  const w = await studentWorld(t);
  ({ admin, lishi, school1, teacher, exam } = w.clients);
  ({ s, class1 } = w);
});
afterAll(() => t.close());

const numbers = (res: { json(): { items: { studentNumber: string }[] } }) =>
  res.json().items.map((i) => i.studentNumber);

describe("students: authentication and permissions", () => {
  it.each([
    ["GET", "/api/students"],
    ["GET", "/api/students/export.xlsx"],
    ["GET", "/api/students/G1"],
    ["GET", "/api/students/G1/history"],
    ["POST", "/api/students"],
    ["PATCH", "/api/students/G1"],
    ["POST", "/api/students/G1/status"],
    ["DELETE", "/api/students/G1"],
  ] as const)("%s %s needs a session", async (method, url) => {
    const res = await t.app.inject({
      method,
      url,
      payload: method === "GET" || method === "DELETE" ? undefined : {},
    });
    expect(res.statusCode).toBe(401);
  });

  it("lets a teacher read but not write", async () => {
    expect((await teacher.get("/api/students")).statusCode).toBe(200);
    const res = await teacher.patch(`/api/students/${s.wang}`, { name: "x" });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe("FORBIDDEN");
  });
});

describe("students: list and search", () => {
  it("shows a county admin the county's students with masked ID numbers", async () => {
    const res = await lishi.get("/api/students");
    expect(res.statusCode).toBe(200);
    expect(numbers(res).sort()).toEqual([s.wang, s.wang2, s.li].sort());
    const item = res.json().items[0];
    expect(item.residentId).toMatch(/^141102\*{8}[\dX]{4}$/);
    expect(item.residentIdMasked).toBe(true);
    expect(res.json()).toMatchObject({ total: 3, totalExact: true });
    // the list is stringified without a response check: its body must still be exactly the schema's
    expect(studentPage.strict().parse(res.json())).toEqual(res.json());
    for (const it of res.json().items) expect(studentOut.strict().parse(it)).toEqual(it);
  });

  it("shows full ID numbers with people.pii", async () => {
    const item = (await exam.get(`/api/students?q=${s.wang}`)).json().items[0];
    expect(item.residentId).toMatch(/^141102\d{11}[\dX]$/);
    expect(item.residentIdMasked).toBe(false);
  });

  it("shows a school admin only the school", async () => {
    expect(numbers(await school1.get("/api/students")).sort()).toEqual([s.wang, s.wang2].sort());
  });

  it("filters by school, grade, class, status, gender, stage and county", async () => {
    expect(numbers(await lishi.get("/api/students?schoolCode=1411020002"))).toEqual([s.li]);
    expect(numbers(await lishi.get("/api/students?grade=5"))).toEqual([s.wang2]);
    expect(numbers(await lishi.get(`/api/students?classGroupId=${class1}`))).toEqual([s.wang]);
    expect(numbers(await lishi.get("/api/students?status=suspended"))).toEqual([s.li]);
    expect((await lishi.get("/api/students?stage=junior")).json().total).toBe(0);
    expect((await admin.get("/api/students?countyCode=141181")).json().items[0].studentNumber).toBe(s.xiaoyi);
    expect((await lishi.get("/api/students?countyCode=141181")).json().total).toBe(0);
    const wang = (await lishi.get(`/api/students?q=${s.wang}`)).json().items[0];
    expect((await lishi.get(`/api/students?gender=${wang.gender}&q=王小`)).json().total).toBe(1);
  });

  it("searches by name prefix, 学籍号 and ID number, within scope", async () => {
    expect(numbers(await lishi.get(`/api/students?q=${encodeURIComponent("王")}`))).toEqual([
      s.wang,
      s.wang2,
    ]);
    expect(numbers(await admin.get(`/api/students?q=${encodeURIComponent("王")}`))).toHaveLength(3);
    expect(numbers(await lishi.get(`/api/students?q=${s.wang.toLowerCase()}`))).toEqual([s.wang]);
    const full = (await admin.get(`/api/students/${s.wang}`)).json().residentId;
    expect(numbers(await lishi.get(`/api/students?q=${full}`))).toEqual([s.wang]);
    expect((await lishi.get(`/api/students?q=${s.xiaoyi}`)).json().total).toBe(0);
  });

  it("answers bad filters in Chinese, naming the field", async () => {
    const res = await lishi.get("/api/students?grade=20&status=left&pageSize=500");
    expect(res.statusCode).toBe(400);
    const msg = res.json().message as string;
    expect(msg).toContain("年级");
    expect(msg).toContain("学籍状态");
    expect(msg).toContain("每页条数");
  });

  it("caps the total at 10,000 and says it is not exact", async () => {
    const db = t.database.db;
    await orgUnit(db, { code: "1411020099", name: "离石区大学校", parentCode: "141102" });
    await sql`insert into student (student_number, name, gender, birth_date, school_id, org_path, county_code, stage, grade)
      select 'BULK' || g, '赵' || g, 'M', date '2016-01-01', o.id, o.path, '141102', 'primary', 3
      from generate_series(1, 10050) g, org_unit o where o.code = '1411020099'`.execute(db);
    const res = (await lishi.get("/api/students?schoolCode=1411020099&pageSize=5")).json();
    expect(res).toMatchObject({ total: 10000, totalExact: false });
    expect(res.items).toHaveLength(5);
    const last = (await lishi.get("/api/students?schoolCode=1411020099&grade=3&pageSize=200&page=51")).json();
    expect(last.items).toHaveLength(50);
    await sql`delete from student where student_number like 'BULK%'`.execute(db);
  });
});

describe("students: the full record", () => {
  it("returns it masked without people.pii, and audits the read", async () => {
    const res = await lishi.get(`/api/students/${s.wang}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      studentNumber: s.wang,
      name: "王小明",
      schoolCode: "1411020001",
      schoolName: "离石区第一小学",
      grade: 3,
      gradeLabel: "三年级",
      stageLabel: "小学",
      classGroupId: class1,
      classGroupName: "三年级1班",
      statusLabel: "在读",
      residentIdMasked: true,
    });
    const audit = await t.database.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "read")
      .where("entity_key", "=", s.wang)
      .where("actor_name", "=", "lishi")
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor_name: "lishi",
      entity: "student",
      context: { residentIdShown: false },
    });
  });

  it("returns it unmasked with people.pii", async () => {
    expect((await admin.get(`/api/students/${s.wang}`)).json().residentIdMasked).toBe(false);
  });

  it("answers 404 for a student out of scope, on every endpoint", async () => {
    for (const c of [lishi, school1]) {
      const other = c === lishi ? s.xiaoyi : s.li;
      for (const res of [
        await c.get(`/api/students/${other}`),
        await c.get(`/api/students/${other}/history`),
        await c.patch(`/api/students/${other}`, { name: "改名" }),
        await c.post(`/api/students/${other}/status`, { status: "graduated", effectiveOn: "2025-07-01" }),
        await c.delete(`/api/students/${other}`),
      ]) {
        expect(res.statusCode).toBe(404);
        expect(res.json().code).toBe("NOT_FOUND");
      }
    }
    const untouched = await t.database.db
      .selectFrom("student")
      .selectAll()
      .where("student_number", "in", [s.xiaoyi, s.li])
      .execute();
    expect(untouched.map((x) => [x.name, x.status, x.deleted_at])).toEqual(
      expect.arrayContaining([
        ["王孝义", "enrolled", null],
        ["李雷", "suspended", null],
      ]),
    );
  });
});

describe("students: delete and export", () => {
  it("soft-deletes: gone from lists and reads, kept in the table, audited", async () => {
    const res = await lishi.delete(`/api/students/${s.li}`);
    expect(res.statusCode).toBe(200);
    expect((await lishi.get(`/api/students/${s.li}`)).statusCode).toBe(404);
    expect(numbers(await lishi.get("/api/students?schoolCode=1411020002"))).not.toContain(s.li);
    const row = await t.database.db
      .selectFrom("student")
      .select("deleted_at")
      .where("student_number", "=", s.li)
      .executeTakeFirstOrThrow();
    expect(row.deleted_at).not.toBeNull();
    expect((await lishi.delete(`/api/students/${s.li}`)).statusCode).toBe(404);
  });

  async function sheet(c: Client, url: string) {
    const res = await c.request({ method: "GET", url });
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    const rows: unknown[][] = [];
    ws.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
    return rows;
  }

  it("exports the scoped list with Chinese headers and masked IDs", async () => {
    const rows = await sheet(lishi, "/api/students/export.xlsx");
    expect(rows[0].slice(0, 4)).toEqual(["学籍号", "姓名", "性别", "身份证号"]);
    expect(rows.length - 1).toBe((await lishi.get("/api/students")).json().total);
    expect(rows.slice(1).every((r) => String(r[3] ?? "").includes("*") || r[3] === undefined)).toBe(true);
    expect(rows.flat()).not.toContain(s.xiaoyi);
  });

  it("exports full IDs with people.pii, as text", async () => {
    const rows = await sheet(exam, `/api/students/export.xlsx?q=${s.wang2}`);
    expect(rows).toHaveLength(2);
    expect(rows[1][3]).toMatch(/^\d{17}[\dX]$/);
  });

  it("needs exchange.export", async () => {
    expect((await teacher.request({ method: "GET", url: "/api/students/export.xlsx" })).statusCode).toBe(403);
  });
});
