import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, type TestContext } from "../../../test/app.js";
import { studentWorld } from "../../../test/people-factories.js";
import { makeResidentId } from "../../shared/resident-id.js";

let t: TestContext;
let lishi: Client;
let school1: Client;
let s: Record<string, string>; // student numbers by role in the tests
let class1: number;
let classOther: number;

beforeAll(async () => {
  t = await createTestApp();
  const w = await studentWorld(t);
  ({ lishi, school1 } = w.clients);
  ({ s, class1, classOther } = w);
});
afterAll(() => t.close());

describe("students: create and correct", () => {
  const id = makeResidentId("141102", "2016-05-20", 123); // 3 is odd: a boy
  const body = { studentNumber: `g${id}`, name: "张三", residentId: id, schoolCode: "1411020001", grade: 3 };

  it("creates a student, taking birth date and gender from the ID number, audited", async () => {
    const res = await school1.post("/api/students", {
      ...body,
      classGroupId: class1,
      enrolledOn: "2022-09-01",
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      studentNumber: `G${id}`,
      birthDate: "2016-05-20",
      gender: "M",
      genderLabel: "男",
      stage: "primary",
      classGroupName: "三年级1班",
      status: "enrolled",
    });
    const history = (await school1.get(`/api/students/G${id}/history`)).json().items;
    expect(history).toMatchObject([
      { status: "enrolled", schoolCode: "1411020001", effectiveOn: "2022-09-01" },
    ]);
    const audit = await t.database.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "create")
      .where("entity_key", "=", `G${id}`)
      .executeTakeFirstOrThrow();
    expect(audit.after).toMatchObject({ residentId: id, schoolCode: "1411020001" });
  });

  it("refuses a taken 学籍号", async () => {
    const res = await school1.post("/api/students", body);
    expect(res.statusCode).toBe(409);
  });

  it("validates the ID number, naming Excel's damage", async () => {
    const bad = await school1.post("/api/students", {
      ...body,
      studentNumber: "X1",
      residentId: `${id.slice(0, 17)}0`,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.issues).toEqual([
      { field: "residentId", message: expect.stringContaining("校验位") },
    ]);
    const excel = await school1.post("/api/students", {
      ...body,
      studentNumber: "X1",
      residentId: "1.41102E+17",
    });
    expect(excel.json().message).toContain("Excel");
  });

  it("checks birth date and gender against the ID number", async () => {
    const res = await school1.post("/api/students", {
      ...body,
      studentNumber: "X2",
      birthDate: "2016-05-21",
      gender: "F",
    });
    expect(res.statusCode).toBe(400);
    const issues = res.json().details.issues.map((i: { field: string }) => i.field);
    expect(issues).toEqual(["birthDate", "gender"]);
    expect(res.json().message).toContain("出生日期与身份证号不一致");
  });

  it("needs birth date and gender without an ID number", async () => {
    const res = await school1.post("/api/students", {
      studentNumber: "X3",
      name: "无证",
      schoolCode: "1411020001",
      grade: 1,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain("请填写性别");
    const ok = await school1.post("/api/students", {
      studentNumber: "X3",
      name: "无证",
      schoolCode: "1411020001",
      grade: 1,
      gender: "F",
      birthDate: "2018-02-01",
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().residentId).toBeNull();
  });

  it("checks the grade against the school type and the class against the school", async () => {
    const res = await school1.post("/api/students", {
      ...body,
      studentNumber: "X4",
      grade: 8,
      classGroupId: classOther,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain("八年级不在小学的年级范围内");
    const cls = await school1.post("/api/students", {
      ...body,
      studentNumber: "X4",
      classGroupId: classOther,
    });
    expect(cls.statusCode).toBe(400);
    expect(cls.json().details.issues[0].field).toBe("classGroupId");
    const junior = await lishi.post("/api/students", {
      ...body,
      studentNumber: "X5",
      schoolCode: "1411020010",
      grade: 8,
    });
    expect(junior.json()).toMatchObject({ stage: "junior", stageLabel: "初中" });
  });

  it("validates the request shape in Chinese", async () => {
    const res = await school1.post("/api/students", {
      studentNumber: "学籍",
      name: "",
      schoolCode: "1411020001",
      grade: "x",
    });
    expect(res.statusCode).toBe(400);
    const msg = res.json().message as string;
    expect(msg).toContain("姓名");
    expect(msg).toContain("年级");
    const number = await school1.post("/api/students", { ...body, studentNumber: "学籍" });
    expect(number.json().message).toContain("学籍号应为1-30位大写字母或数字");
  });

  it("refuses a school out of scope as not found", async () => {
    expect(
      (await school1.post("/api/students", { ...body, studentNumber: "X6", schoolCode: "1411020002" }))
        .statusCode,
    ).toBe(404);
    expect(
      (await lishi.post("/api/students", { ...body, studentNumber: "X6", schoolCode: "1411810001" }))
        .statusCode,
    ).toBe(404);
  });

  it("corrects a record, audited with before and after", async () => {
    const res = await school1.patch(`/api/students/${s.wang2}`, { name: "王芳芳", grade: 6 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: "王芳芳", grade: 6, gradeLabel: "六年级" });
    const audit = await t.database.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "update")
      .where("entity_key", "=", s.wang2)
      .executeTakeFirstOrThrow();
    expect(audit.before).toMatchObject({ name: "王芳", grade: 5 });
    expect(audit.after).toMatchObject({ name: "王芳芳", grade: 6 });
    const bad = await school1.patch(`/api/students/${s.wang2}`, { birthDate: "2000-01-01" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.issues[0].field).toBe("birthDate");
  });
});

describe("students: status changes", () => {
  it("suspends and resumes with history", async () => {
    const res = await school1.post(`/api/students/${s.wang2}/status`, {
      status: "suspended",
      effectiveOn: "2024-10-08",
      note: "病休",
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().statusLabel).toBe("休学");
    const same = await school1.post(`/api/students/${s.wang2}/status`, {
      status: "suspended",
      effectiveOn: "2024-10-09",
    });
    expect(same.statusCode).toBe(400);
    const early = await school1.post(`/api/students/${s.wang2}/status`, {
      status: "enrolled",
      effectiveOn: "2024-10-01",
    });
    expect(early.json().message).toContain("2024-10-08");
    await school1.post(`/api/students/${s.wang2}/status`, { status: "enrolled", effectiveOn: "2025-03-01" });
    const history = (await school1.get(`/api/students/${s.wang2}/history`)).json().items;
    expect(history.map((h: { status: string }) => h.status)).toEqual(["enrolled", "suspended", "enrolled"]);
  });

  it("lets a graduate only come back on the roll", async () => {
    const grad = await school1.post(`/api/students/${s.wang2}/status`, {
      status: "graduated",
      effectiveOn: "2025-07-01",
    });
    expect(grad.json().statusLabel).toBe("毕业");
    const res = await school1.post(`/api/students/${s.wang2}/status`, {
      status: "suspended",
      effectiveOn: "2025-07-02",
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain("该生已毕业，只能改为在读");
  });

  it("transfers to a school in scope, recording both sides", async () => {
    const res = await lishi.post(`/api/students/${s.wang}/status`, {
      status: "transferred",
      effectiveOn: "2025-02-20",
      toSchoolCode: "1411020002",
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ schoolCode: "1411020002", status: "enrolled", classGroupId: null });
    const history = (await lishi.get(`/api/students/${s.wang}/history`)).json().items;
    expect(history.slice(-2)).toMatchObject([
      {
        status: "transferred",
        schoolCode: "1411020001",
        effectiveOn: "2025-02-20",
        note: "转出至离石区第二小学",
      },
      { status: "enrolled", schoolCode: "1411020002", note: "由离石区第一小学转入" },
    ]);
    // the school admin of the old school no longer sees the student
    expect((await school1.get(`/api/students/${s.wang}`)).statusCode).toBe(404);
  });

  it("does not transfer to a school out of scope", async () => {
    const res = await lishi.post(`/api/students/${s.wang}/status`, {
      status: "transferred",
      effectiveOn: "2025-03-01",
      toSchoolCode: "1411810001",
    });
    expect(res.statusCode).toBe(404);
    const wrong = await lishi.post(`/api/students/${s.wang}/status`, {
      status: "graduated",
      effectiveOn: "2025-03-01",
      toSchoolCode: "1411020001",
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().details.issues[0].field).toBe("toSchoolCode");
  });
});
