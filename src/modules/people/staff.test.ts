import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { smallCity, user } from "../../../test/factories.js";
import { classGroup, staff } from "../../../test/people-factories.js";
import { makeResidentId } from "../../shared/resident-id.js";
import { todayInChina } from "../registry/calendar.js";
import { staffOut, staffPage } from "./staff-schemas.js";

let t: TestContext;
let admin: Client;
let lishi: Client;
let school1: Client;
let teacher: Client;
const n: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  const db = t.database.db;
  await smallCity(db);
  await user(db, "admin", ["city_admin"], ["141100"]);
  await user(db, "lishi", ["county_admin"], ["141102"]);
  await user(db, "school1", ["school_admin"], ["1411020001"]);
  await user(db, "teacher1", ["teacher"], ["1411020001"]);
  [admin, lishi, school1, teacher] = await Promise.all(
    ["admin", "lishi", "school1", "teacher1"].map((u) => signIn(t.app, u)),
  );
  n.math = (
    await staff(db, {
      schoolCode: "1411020001",
      name: "刘数学",
      subjects: ["数学"],
      posts: ["教师", "班主任"],
      key_level: "city",
    })
  ).staff_number;
  n.head = (await staff(db, { schoolCode: "1411020001", name: "陈校长", posts: ["校长"] })).staff_number;
  n.other = (await staff(db, { schoolCode: "1411020002", name: "周老师", status: "retired" })).staff_number;
  n.xiaoyi = (await staff(db, { schoolCode: "1411810001", name: "孝义老师" })).staff_number;
  await classGroup(db, {
    schoolCode: "1411020001",
    grade: 2,
    name: "二年级1班",
    homeroom_staff_number: n.math,
  });
});
afterAll(() => t.close());

const numbers = (res: { json(): { items: { staffNumber: string }[] } }) =>
  res.json().items.map((i) => i.staffNumber);

describe("staff: lists", () => {
  it("needs a session", async () => {
    expect((await t.app.inject({ method: "GET", url: "/api/staff" })).statusCode).toBe(401);
    expect((await t.app.inject({ method: "POST", url: "/api/staff", payload: {} })).statusCode).toBe(401);
  });

  it("shows the scope only, with masked ID numbers", async () => {
    const res = await lishi.get("/api/staff");
    // the list is stringified without a response check: its body must still be exactly the schema's
    expect(staffPage.strict().parse(res.json())).toEqual(res.json());
    for (const it of res.json().items) expect(staffOut.strict().parse(it)).toEqual(it);
    expect(numbers(res).sort()).toEqual([n.math, n.head, n.other].sort());
    expect(res.json().items[0].residentId).toMatch(/^141102\*{8}/);
    expect(numbers(await school1.get("/api/staff")).sort()).toEqual([n.math, n.head].sort());
    expect((await admin.get(`/api/staff?q=${n.xiaoyi}`)).json().items[0].residentIdMasked).toBe(false);
  });

  it("filters by post, subject, key level, status and name", async () => {
    expect(numbers(await lishi.get(`/api/staff?post=${encodeURIComponent("校长")}`))).toEqual([n.head]);
    expect(numbers(await lishi.get(`/api/staff?subject=${encodeURIComponent("数学")}`))).toEqual([n.math]);
    expect(numbers(await lishi.get("/api/staff?keyLevel=city"))).toEqual([n.math]);
    expect(numbers(await lishi.get("/api/staff?status=retired"))).toEqual([n.other]);
    expect(numbers(await lishi.get(`/api/staff?q=${encodeURIComponent("陈")}`))).toEqual([n.head]);
    const bad = await lishi.get("/api/staff?keyLevel=national");
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain("骨干级别");
  });
});

describe("staff: records", () => {
  it("reads the full record, audited", async () => {
    const res = await lishi.get(`/api/staff/${n.math}`);
    expect(res.json()).toMatchObject({
      name: "刘数学",
      posts: ["教师", "班主任"],
      keyLevel: "city",
      keyLevelLabel: "市级",
      statusLabel: "在职",
    });
    const audit = await t.database.db
      .selectFrom("audit_log")
      .selectAll()
      .where("entity", "=", "staff")
      .where("action", "=", "read")
      .execute();
    expect(audit).toHaveLength(1);
  });

  it("answers 404 for staff out of scope on every endpoint", async () => {
    for (const [c, other] of [
      [lishi, n.xiaoyi],
      [school1, n.other],
    ] as const) {
      expect((await c.get(`/api/staff/${other}`)).statusCode).toBe(404);
      expect((await c.patch(`/api/staff/${other}`, { name: "x" })).statusCode).toBe(404);
      expect((await c.delete(`/api/staff/${other}`)).statusCode).toBe(404);
    }
  });

  const id = makeResidentId("141102", "1990-02-03", 124); // 2 is even: a woman
  const body = {
    staffNumber: "t2024001",
    name: "孙老师",
    residentId: id,
    schoolCode: "1411020001",
    posts: ["教师"],
    subjects: ["英语"],
    education: "本科",
    title: "二级教师",
    teachingCertificate: "小学英语",
    schoolStartDate: "2015-09-01",
  };

  it("creates a staff member, audited", async () => {
    const res = await school1.post("/api/staff", body);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ staffNumber: "T2024001", gender: "F", birthDate: "1990-02-03" });
    expect((await school1.post("/api/staff", body)).statusCode).toBe(409);
    const audit = await t.database.db
      .selectFrom("audit_log")
      .selectAll()
      .where("entity", "=", "staff")
      .where("action", "=", "create")
      .execute();
    expect(audit).toHaveLength(1);
  });

  it("validates posts, subjects, 学历, 职称 and the ID number in Chinese", async () => {
    const res = await school1.post("/api/staff", {
      ...body,
      staffNumber: "T2",
      posts: ["门卫长"],
      subjects: ["天文"],
      education: "博士后",
      title: "教授",
      gender: "M",
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().details.issues.map((i: { field: string }) => i.field)).toEqual([
      "gender",
      "posts",
      "subjects",
      "education",
      "title",
    ]);
    expect(res.json().message).toContain("未知的岗位：门卫长");
  });

  it("refuses a school out of scope", async () => {
    expect(
      (await school1.post("/api/staff", { ...body, staffNumber: "T3", schoolCode: "1411020002" })).statusCode,
    ).toBe(404);
    expect((await teacher.post("/api/staff", { ...body, staffNumber: "T3" })).statusCode).toBe(403);
  });

  it("moves a person to another school in scope: new start date, no longer 班主任 there", async () => {
    const res = await lishi.patch(`/api/staff/${n.math}`, { schoolCode: "1411020002", title: "高级教师" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      schoolCode: "1411020002",
      title: "高级教师",
      schoolStartDate: todayInChina(),
    });
    const cls = await t.database.db
      .selectFrom("class_group")
      .select("homeroom_staff_number")
      .executeTakeFirstOrThrow();
    expect(cls.homeroom_staff_number).toBeNull();
    expect((await lishi.patch(`/api/staff/${n.math}`, { schoolCode: "1411810001" })).statusCode).toBe(404);
  });

  it("soft-deletes", async () => {
    expect((await lishi.delete(`/api/staff/${n.head}`)).statusCode).toBe(200);
    expect((await lishi.get(`/api/staff/${n.head}`)).statusCode).toBe(404);
    expect(numbers(await lishi.get("/api/staff"))).not.toContain(n.head);
  });

  it("exports with Chinese headers", async () => {
    const res = await lishi.request({ method: "GET", url: "/api/staff/export.xlsx" });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws.getRow(1).getCell(1).value).toBe("工号");
    expect(ws.getRow(1).getCell(8).value).toBe("岗位");
    expect(ws.rowCount - 1).toBe((await lishi.get("/api/staff")).json().total);
  });
});
