import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { orgUnit, smallCity, user } from "../../../test/factories.js";
import { classGroup, staff, student } from "../../../test/people-factories.js";

let t: TestContext;
let admin: Client;
let lishi: Client;
let teacher: Client;

beforeAll(async () => {
  t = await createTestApp();
  const db = t.database.db;
  await smallCity(db);
  await orgUnit(db, { code: "1411020003", name: "离石区第三小学", parentCode: "141102" });
  await user(db, "admin", ["city_admin"], ["141100"]);
  await user(db, "lishi", ["county_admin"], ["141102"]);
  await user(db, "teacher1", ["teacher"], ["1411020001"]);
  [admin, lishi, teacher] = await Promise.all(["admin", "lishi", "teacher1"].map((u) => signIn(t.app, u)));
});
afterAll(() => t.close());

const auditOf = (entityKey: string, action: string) =>
  t.database.db
    .selectFrom("audit_log")
    .selectAll()
    .where("entity", "=", "org_unit")
    .where("entity_key", "=", entityKey)
    .where("action", "=", action)
    .execute();

describe("changing an org unit from a date", () => {
  it("ends the current version and opens a new one; the past stays as it was", async () => {
    const res = await lishi.patch("/api/org-units/1411020001", {
      effectiveFrom: "2020-09-01",
      name: "离石区实验小学",
      boarding: true,
      note: "更名",
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: "离石区实验小学", boarding: true });
    const history = (await lishi.get("/api/org-units/1411020001/history")).json();
    expect(history.versions).toMatchObject([
      { validFrom: "2000-01-01", validTo: "2020-09-01", name: "离石区第一小学", boarding: false },
      { validFrom: "2020-09-01", validTo: null, name: "离石区实验小学", boarding: true, note: "更名" },
    ]);
    const before = (await lishi.get("/api/org-units?asOf=2019-01-01&kind=school")).json();
    expect(before.items.find((u: { code: string }) => u.code === "1411020001").name).toBe("离石区第一小学");
    const after = (await lishi.get("/api/org-units?asOf=2021-01-01&kind=school&boarding=true")).json();
    expect(after.items.map((u: { name: string }) => u.name)).toEqual(["离石区实验小学"]);
    const [audit] = await auditOf("1411020001", "update");
    expect(audit.before).toMatchObject({ name: "离石区第一小学" });
    expect(audit.after).toMatchObject({ name: "离石区实验小学" });
  });

  it("refuses a date before the current version and a date in the future", async () => {
    const early = await lishi.patch("/api/org-units/1411020001", { effectiveFrom: "2019-01-01", name: "x" });
    expect(early.statusCode).toBe(400);
    expect(early.json().message).toContain("2020-09-01");
    const late = await lishi.patch("/api/org-units/1411020001", { effectiveFrom: "2999-01-01", name: "x" });
    expect(late.statusCode).toBe(400);
    expect(late.json().details.issues[0].field).toBe("effectiveFrom");
  });

  it("changes address and coordinates without a new version", async () => {
    const res = await lishi.patch("/api/org-units/1411020001", {
      address: "离石区滨河路1号",
      lng: 111.14,
      lat: 37.51,
    });
    expect(res.json()).toMatchObject({ address: "离石区滨河路1号", lng: 111.14 });
    expect((await lishi.get("/api/org-units/1411020001/history")).json().versions).toHaveLength(2);
  });

  it("leaves the county unit itself to the city", async () => {
    const res = await lishi.patch("/api/org-units/141102", { address: "离石区教育局" });
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toContain("市级管理员");
    expect((await admin.patch("/api/org-units/141102", { address: "离石区教育局" })).statusCode).toBe(200);
  });

  it("cannot change another county's unit (404) or without registry.write (403)", async () => {
    expect((await lishi.patch("/api/org-units/1411810001", { name: "x" })).statusCode).toBe(404);
    expect((await teacher.patch("/api/org-units/1411020001", { name: "x" })).statusCode).toBe(403);
  });
});

describe("撤并: merging a school into another", () => {
  let movedNumber: string;
  let oldClassId: number;
  let currentClassId: number;

  beforeAll(async () => {
    const db = t.database.db;
    const current = await classGroup(db, {
      schoolCode: "1411020002",
      grade: 3,
      name: "三年级1班",
      school_year: 2024,
    });
    const clash = await classGroup(db, {
      schoolCode: "1411020001",
      grade: 3,
      name: "三年级1班",
      school_year: 2024,
    });
    const old = await classGroup(db, {
      schoolCode: "1411020002",
      grade: 2,
      name: "二年级1班",
      school_year: 2022,
    });
    currentClassId = current.id;
    oldClassId = old.id;
    expect(clash.id).toBeGreaterThan(0);
    const s1 = await student(db, { schoolCode: "1411020002", grade: 3, class_group_id: current.id });
    await student(db, { schoolCode: "1411020002", grade: 4, class_group_id: old.id, status: "suspended" });
    await student(db, { schoolCode: "1411020002", grade: 6, status: "graduated" });
    await staff(db, { schoolCode: "1411020002" });
    await staff(db, { schoolCode: "1411020002", status: "retired" });
    movedNumber = s1.student_number;
  });

  it("refuses a successor outside the scope as not found, and a merge of another county's school", async () => {
    const res = await lishi.post("/api/org-units/1411020002/merge", {
      successorCode: "1411810001",
      date: "2024-08-31",
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toContain("并入学校");
    const other = await lishi.post("/api/org-units/1411810001/merge", {
      successorCode: "1411020001",
      date: "2024-08-31",
    });
    expect(other.statusCode).toBe(404);
  });

  it("validates the merge in Chinese", async () => {
    const self = await lishi.post("/api/org-units/1411020002/merge", {
      successorCode: "1411020002",
      date: "2024-08-31",
    });
    expect(self.statusCode).toBe(400);
    expect(self.json().message).toContain("不能并入自身");
    const noDate = await lishi.post("/api/org-units/1411020002/merge", { successorCode: "1411020001" });
    expect(noDate.statusCode).toBe(400);
    expect(noDate.json().message).toContain("撤并日期");
    const county = await admin.post("/api/org-units/141102/merge", {
      successorCode: "1411020001",
      date: "2024-08-31",
    });
    expect(county.statusCode).toBe(400);
    expect(county.json().message).toContain("只有学校可以撤并");
  });

  it("moves enrolled and suspended students, active staff and this year's classes, with history", async () => {
    const res = await lishi.post("/api/org-units/1411020002/merge", {
      successorCode: "1411020001",
      date: "2024-08-31",
      note: "布局调整",
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().moved).toEqual({ students: 2, staff: 1, classGroups: 1 });
    expect(res.json().unit).toMatchObject({
      validTo: "2024-08-31",
      endReason: "merged",
      successorCode: "1411020001",
      current: false,
    });

    const moved = (await lishi.get(`/api/students/${movedNumber}`)).json();
    expect(moved).toMatchObject({
      schoolCode: "1411020001",
      classGroupId: currentClassId,
      status: "enrolled",
    });
    const history = (await lishi.get(`/api/students/${movedNumber}/history`)).json().items;
    expect(history.at(-1)).toMatchObject({
      status: "enrolled",
      schoolCode: "1411020001",
      effectiveOn: "2024-08-31",
      note: "布局调整",
    });

    const db = t.database.db;
    const classes = await db.selectFrom("class_group").selectAll().orderBy("id").execute();
    const movedClass = classes.find((c) => c.id === currentClassId)!;
    expect(movedClass.name).toBe("三年级1班（原离石区第二小学）");
    expect(classes.find((c) => c.id === oldClassId)!.org_path).toBe("/141100/141102/1411020002/");
    const suspended = await db
      .selectFrom("student")
      .selectAll()
      .where("status", "=", "suspended")
      .executeTakeFirstOrThrow();
    expect(suspended.org_path).toBe("/141100/141102/1411020001/");
    expect(suspended.class_group_id).toBeNull(); // its class (last year) stayed behind
    const graduated = await db
      .selectFrom("student")
      .selectAll()
      .where("status", "=", "graduated")
      .executeTakeFirstOrThrow();
    expect(graduated.org_path).toBe("/141100/141102/1411020002/");
    const retired = await db
      .selectFrom("staff")
      .selectAll()
      .where("status", "=", "retired")
      .executeTakeFirstOrThrow();
    expect(retired.org_path).toBe("/141100/141102/1411020002/");

    const [audit] = await auditOf("1411020002", "merge");
    expect(audit.context).toMatchObject({ successorCode: "1411020001", moved: { students: 2 } });
  });

  it("keeps the tree as of a date before the merge, and drops the school after it", async () => {
    const children = async (asOf: string) =>
      (await lishi.get(`/api/org-units/tree?asOf=${asOf}`))
        .json()
        .roots[0].children.map((c: { code: string; name: string }) => `${c.code} ${c.name}`);
    expect(await children("2024-08-30")).toEqual([
      "1411020001 离石区实验小学",
      "1411020002 离石区第二小学",
      "1411020003 离石区第三小学",
    ]);
    expect(await children("2024-08-31")).toEqual(["1411020001 离石区实验小学", "1411020003 离石区第三小学"]);
    expect(await children("2019-06-01")).toContain("1411020001 离石区第一小学");
  });

  it("lists the merged school as ended, with its successor and history", async () => {
    const ended = (await lishi.get("/api/org-units?status=ended")).json();
    expect(ended.items.map((u: { code: string }) => u.code)).toEqual(["1411020002"]);
    expect((await lishi.get("/api/org-units?kind=school")).json().total).toBe(2);
    const profile = (await lishi.get("/api/org-units/1411020002")).json();
    expect(profile.successor).toEqual({ code: "1411020001", name: "离石区实验小学" });
    const history = (await lishi.get("/api/org-units/1411020002/history")).json();
    expect(history.end).toMatchObject({
      date: "2024-08-31",
      reason: "merged",
      successor: { code: "1411020001" },
    });
    expect(history.versions.at(-1)).toMatchObject({
      validTo: "2024-08-31",
      endReason: "merged",
      note: "布局调整",
    });
    const successor = (await lishi.get("/api/org-units/1411020001/history")).json();
    expect(successor.predecessors).toEqual([
      { code: "1411020002", name: "离石区第二小学", date: "2024-08-31" },
    ]);
  });

  it("refuses to change a merged school", async () => {
    const res = await lishi.patch("/api/org-units/1411020002", { name: "x" });
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toContain("已撤并");
  });
});

describe("closing a unit", () => {
  it("refuses while students are on the roll", async () => {
    const res = await lishi.post("/api/org-units/1411020001/close", { date: "2024-12-31" });
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toContain("在读学生2人");
  });

  it("closes an empty school, audited", async () => {
    const res = await lishi.post("/api/org-units/1411020003/close", { date: "2024-12-31", note: "生源不足" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ endReason: "closed", validTo: "2024-12-31", successorCode: null });
    expect(await auditOf("1411020003", "close")).toHaveLength(1);
  });

  it("cannot close another county's school", async () => {
    expect((await lishi.post("/api/org-units/1411810001/close", { date: "2024-12-31" })).statusCode).toBe(
      404,
    );
  });
});

describe("export", () => {
  it("streams the scoped list as xlsx with Chinese headers", async () => {
    const res = await lishi.request({ method: "GET", url: "/api/org-units/export.xlsx?status=all" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("spreadsheetml");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws.getRow(1).getCell(1).value).toBe("机构代码");
    expect(ws.getRow(1).getCell(9).value).toBe("办学类型");
    const exported = [];
    for (let r = 2; r <= ws.rowCount; r++) exported.push(ws.getRow(r).getCell(1).value);
    expect(exported).toEqual(["141102", "1411020001", "1411020002", "1411020003"]);
    const audit = await t.database.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "export")
      .where("entity", "=", "org_unit")
      .execute();
    expect(audit).toHaveLength(1);
  });

  it("needs exchange.export", async () => {
    const res = await teacher.request({ method: "GET", url: "/api/org-units/export.xlsx" });
    expect(res.statusCode).toBe(403);
  });

  it("exports the whole city for the city admin", async () => {
    const res = await admin.request({ method: "GET", url: "/api/org-units/export.xlsx?kind=county" });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets[0].rowCount).toBe(3);
  });
});
