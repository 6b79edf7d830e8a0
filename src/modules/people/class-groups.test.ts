import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { smallCity, user } from "../../../test/factories.js";
import { classGroup, staff, student } from "../../../test/people-factories.js";

let t: TestContext;
let lishi: Client;
let school1: Client;
let teacher: Client;
let xiaoyiClass: number;
let headTeacher: string;

beforeAll(async () => {
  t = await createTestApp();
  const db = t.database.db;
  await smallCity(db);
  await user(db, "lishi", ["county_admin"], ["141102"]);
  await user(db, "school1", ["school_admin"], ["1411020001"]);
  await user(db, "teacher1", ["teacher"], ["1411020001"]);
  [lishi, school1, teacher] = await Promise.all(
    ["lishi", "school1", "teacher1"].map((u) => signIn(t.app, u)),
  );
  xiaoyiClass = (await classGroup(db, { schoolCode: "1411810001", grade: 1, name: "一年级1班" })).id;
  headTeacher = (await staff(db, { schoolCode: "1411020001" })).staff_number;
});
afterAll(() => t.close());

describe("class groups", () => {
  let id: number;

  it("needs a session and people.write to create", async () => {
    expect((await t.app.inject({ method: "GET", url: "/api/class-groups" })).statusCode).toBe(401);
    const res = await teacher.post("/api/class-groups", {
      schoolCode: "1411020001",
      schoolYear: 2024,
      grade: 1,
      name: "一年级1班",
    });
    expect(res.statusCode).toBe(403);
  });

  it("creates a class with its 班主任, audited", async () => {
    const res = await school1.post("/api/class-groups", {
      schoolCode: "1411020001",
      schoolYear: 2024,
      grade: 1,
      name: "一年级1班",
      homeroomStaffNumber: headTeacher,
    });
    expect(res.statusCode).toBe(201);
    id = res.json().id;
    expect(res.json()).toMatchObject({
      schoolCode: "1411020001",
      stage: "primary",
      gradeLabel: "一年级",
      homeroomStaffNumber: headTeacher,
      studentCount: 0,
    });
    const audit = await t.database.db
      .selectFrom("audit_log")
      .selectAll()
      .where("entity", "=", "class_group")
      .where("entity_key", "=", String(id))
      .execute();
    expect(audit.map((a) => a.action)).toEqual(["create"]);
  });

  it("validates grade, 班主任, name and year in Chinese", async () => {
    const dup = await school1.post("/api/class-groups", {
      schoolCode: "1411020001",
      schoolYear: 2024,
      grade: 1,
      name: "一年级1班",
    });
    expect(dup.statusCode).toBe(409);
    const bad = await school1.post("/api/class-groups", {
      schoolCode: "1411020001",
      schoolYear: 2024,
      grade: 10,
      name: "高一1班",
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain("高一不在小学的年级范围内");
    const head = await school1.post("/api/class-groups", {
      schoolCode: "1411020001",
      schoolYear: 2024,
      grade: 2,
      name: "二年级1班",
      homeroomStaffNumber: "NOBODY",
    });
    expect(head.json().details.issues[0]).toMatchObject({ field: "homeroomStaffNumber" });
    const shape = await school1.post("/api/class-groups", {
      schoolCode: "1411020001",
      schoolYear: 1990,
      grade: 1,
    });
    expect(shape.statusCode).toBe(400);
    expect(shape.json().message).toContain("学年应在 2000 到 2100 之间");
    expect(shape.json().message).toContain("班级名称");
  });

  it("lists with class sizes, filtered by year and grade", async () => {
    await student(t.database.db, { schoolCode: "1411020001", grade: 1, class_group_id: id });
    const res = (await lishi.get("/api/class-groups?schoolYear=2024&grade=1")).json();
    expect(res.items).toHaveLength(1);
    expect(res.items[0]).toMatchObject({ id, studentCount: 1, homeroomName: expect.any(String) });
    expect((await lishi.get("/api/class-groups?schoolYear=2023")).json().total).toBe(0);
  });

  it("keeps another county's classes out of reach (404)", async () => {
    expect(
      (await lishi.get("/api/class-groups")).json().items.map((c: { id: number }) => c.id),
    ).not.toContain(xiaoyiClass);
    expect((await lishi.get(`/api/class-groups/${xiaoyiClass}`)).statusCode).toBe(404);
    expect((await lishi.patch(`/api/class-groups/${xiaoyiClass}`, { name: "x" })).statusCode).toBe(404);
    expect((await lishi.delete(`/api/class-groups/${xiaoyiClass}`)).statusCode).toBe(404);
    const create = await lishi.post("/api/class-groups", {
      schoolCode: "1411810001",
      schoolYear: 2024,
      grade: 1,
      name: "x",
    });
    expect(create.statusCode).toBe(404);
    expect(
      (
        await school1.post("/api/class-groups", {
          schoolCode: "1411020002",
          schoolYear: 2024,
          grade: 1,
          name: "x",
        })
      ).statusCode,
    ).toBe(404);
  });

  it("renames and changes the 班主任", async () => {
    const res = await school1.patch(`/api/class-groups/${id}`, {
      name: "一年级（1）班",
      homeroomStaffNumber: null,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: "一年级（1）班", homeroomStaffNumber: null });
  });

  it("refuses to delete a class with students, then deletes it once empty", async () => {
    const res = await school1.delete(`/api/class-groups/${id}`);
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toContain("还有1名学生");
    await t.database.db.updateTable("student").set({ class_group_id: null }).execute();
    expect((await school1.delete(`/api/class-groups/${id}`)).statusCode).toBe(200);
    expect((await school1.get(`/api/class-groups/${id}`)).statusCode).toBe(404);
    // the name is free again
    const again = await school1.post("/api/class-groups", {
      schoolCode: "1411020001",
      schoolYear: 2024,
      grade: 1,
      name: "一年级（1）班",
    });
    expect(again.statusCode).toBe(201);
  });

  it("exports with Chinese headers", async () => {
    const res = await lishi.request({ method: "GET", url: "/api/class-groups/export.xlsx" });
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws.getRow(1).getCell(7).value).toBe("班级名称");
    expect(ws.getRow(2).getCell(4).value).toBe("2024-2025");
    expect(ws.rowCount).toBe(2);
  });
});
