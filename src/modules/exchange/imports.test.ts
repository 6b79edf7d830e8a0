import ExcelJS from "exceljs";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { smallCity, user } from "../../../test/factories.js";
import { makeResidentId } from "../../shared/resident-id.js";
import { commitJob, csvText, dryRunOf, upload, waitForJob } from "./test-helpers.js";

let t: TestContext;
let admin: Client;
let lishi: Client;
let school1: Client;

const header = [
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
const id = (seq: number, birth = "2014-03-05", region = "141102") => makeResidentId(region, birth, seq);
const student = (seq: number, school = "1411020001", name = `学生${seq}`) => [
  `G${id(seq)}`,
  name,
  seq % 2 ? "男" : "女",
  id(seq),
  "2014-03-05",
  school,
  "三年级",
  "",
  "在读",
  "2020-09-01",
];

beforeAll(async () => {
  t = await createTestApp();
  await smallCity(t.database.db);
  await user(t.database.db, "admin", ["city_admin"], ["141100"]);
  await user(t.database.db, "lishi", ["county_admin"], ["141102"]);
  await user(t.database.db, "school1", ["school_admin"], ["1411020001"]);
  await user(t.database.db, "teacher1", ["teacher"], ["1411020001"]);
  admin = await signIn(t.app, "admin");
  lishi = await signIn(t.app, "lishi");
  school1 = await signIn(t.app, "school1");
});
afterAll(() => t.close());

const countStudents = async () =>
  (await sql<{ n: number }>`select count(*)::int as n from student`.execute(t.database.db)).rows[0].n;

describe("templates", () => {
  it("gives an xlsx template with Chinese headers, a sample row, text ID columns and 填写说明", async () => {
    const res = await school1.get("/api/imports/templates/students");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("spreadsheetml");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const [data, help] = wb.worksheets;
    expect(data.name).toBe("学生");
    expect((data.getRow(1).values as string[]).slice(1)).toEqual(header);
    expect(data.getRow(2).getCell(1).value).toBe("G141102201003051234");
    expect(data.getCell("D5").numFmt).toBe("@");
    expect(help.name).toBe("填写说明");
    const helpText = help.getSheetValues().flat().join("|");
    expect(helpText).toContain("学籍状态");
    expect(helpText).toContain("在读、转学、休学、毕业");
    expect(helpText).toContain("必填");
  });

  it("gives a CSV template with a BOM", async () => {
    const res = await school1.get("/api/imports/templates/staff?format=csv");
    expect(res.statusCode).toBe(200);
    expect(res.body.startsWith("\ufeff工号,姓名,性别,身份证号")).toBe(true);
  });

  it("needs a session and knows its kinds", async () => {
    expect((await t.app.inject({ method: "GET", url: "/api/imports/templates/students" })).statusCode).toBe(
      401,
    );
    expect((await school1.get("/api/imports/templates/teachers")).statusCode).toBe(400);
  });
});

describe("students: template round trip, dry run, commit, idempotency, audit", () => {
  it("imports a filled-in template and then changes nothing on a second import", async () => {
    const tpl = await school1.get("/api/imports/templates/students");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(tpl.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    ws.spliceRows(2, 1);
    for (let i = 1; i <= 30; i++) {
      const row = ws.addRow(student(i));
      row.getCell(1).numFmt = "@";
      row.getCell(4).numFmt = "@";
    }
    const file = Buffer.from(await wb.xlsx.writeBuffer());

    const first = await dryRunOf(school1, "students", "学生名单.xlsx", file);
    expect(first.res.statusCode).toBe(202);
    expect(first.errors).toEqual([]);
    expect(first.job).toMatchObject({ status: "validated", rowsTotal: 30, rowsValid: 30, sheetName: "学生" });
    expect(await countStudents()).toBe(0);
    const done = await commitJob(school1, first.job!.id);
    expect(done).toMatchObject({ status: "committed", inserted: 30, updated: 0, unchanged: 0 });
    expect(await countStudents()).toBe(30);

    const s = await t.database.db
      .selectFrom("student")
      .selectAll()
      .where("student_number", "=", `G${id(1)}`)
      .executeTakeFirstOrThrow();
    expect(s).toMatchObject({
      name: "学生1",
      gender: "M",
      grade: 3,
      stage: "primary",
      status: "enrolled",
      enrolled_on: "2020-09-01",
    });
    const history = await t.database.db
      .selectFrom("student_status_history")
      .selectAll()
      .where("student_id", "=", s.id)
      .execute();
    expect(history).toMatchObject([
      { status: "enrolled", effective_on: "2020-09-01", recorded_by: "school1" },
    ]);

    const audits = await t.database.db
      .selectFrom("audit_log")
      .select(["action", "entity", "entity_key", "actor_name", "before", "after", "context"])
      .where("entity", "in", ["student", "import_job"])
      .where("action", "in", ["create", "import"])
      .execute();
    expect(audits.filter((a) => a.entity === "student")).toHaveLength(30);
    const one = audits.find((a) => a.entity_key === `G${id(1)}`)!;
    expect(one).toMatchObject({ action: "create", actor_name: "school1", before: null });
    expect(one.after).toMatchObject({ name: "学生1", schoolCode: "1411020001", residentId: id(1), grade: 3 });
    expect(one.context).toMatchObject({ importJob: first.job!.id });
    expect(audits.find((a) => a.entity === "import_job")).toMatchObject({
      action: "import",
      entity_key: first.job!.id,
      context: { kind: "students", inserted: 30, updated: 0, unchanged: 0 },
    });

    const again = await dryRunOf(school1, "students", "学生名单.xlsx", file);
    expect(again.job?.status).toBe("validated");
    const second = await commitJob(school1, again.job!.id);
    expect(second).toMatchObject({ status: "committed", inserted: 0, updated: 0, unchanged: 30 });
    const studentAudits = await sql<{
      n: number;
    }>`select count(*)::int as n from audit_log where entity = 'student'`.execute(t.database.db);
    expect(studentAudits.rows[0].n).toBe(30);
  });

  it("updates changed rows only, with before and after in the audit", async () => {
    const rows = [header, student(1, "1411020001", "学生一"), student(2), student(3)];
    const { job } = await dryRunOf(school1, "students", "改名.csv", csvText(rows));
    expect(job?.status).toBe("validated");
    expect(await commitJob(school1, job!.id)).toMatchObject({ inserted: 0, updated: 1, unchanged: 2 });
    const a = await t.database.db
      .selectFrom("audit_log")
      .select(["before", "after"])
      .where("entity", "=", "student")
      .where("action", "=", "update")
      .where("entity_key", "=", `G${id(1)}`)
      .executeTakeFirstOrThrow();
    expect(a.before).toMatchObject({ name: "学生1" });
    expect(a.after).toMatchObject({ name: "学生一" });
  });

  it("refuses to commit a job with errors, twice, or someone else's", async () => {
    const bad = await dryRunOf(
      school1,
      "students",
      "bad.csv",
      csvText([header, student(40, "1411020001", "")]),
    );
    expect(bad.job?.status).toBe("invalid");
    const res = await school1.post(`/api/imports/${bad.job!.id}/commit`);
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toContain("只有校验通过");

    const ok = await dryRunOf(school1, "students", "ok.csv", csvText([header, student(41)]));
    // a teacher may not import; a county admin of another county does not even see the job
    expect(
      (await (await signIn(t.app, "teacher1")).post(`/api/imports/${ok.job!.id}/commit`)).statusCode,
    ).toBe(403);
    await user(t.database.db, "xiaoyi", ["county_admin"], ["141181"]);
    const xiaoyi = await signIn(t.app, "xiaoyi");
    expect((await xiaoyi.get(`/api/imports/${ok.job!.id}`)).statusCode).toBe(404);
    expect((await xiaoyi.post(`/api/imports/${ok.job!.id}/commit`)).statusCode).toBe(404);
    await commitJob(school1, ok.job!.id);
    const twice = await school1.post(`/api/imports/${ok.job!.id}/commit`);
    expect(twice.statusCode).toBe(409);
    expect(twice.json().message).toContain("已提交");
  });
});

describe("scope", () => {
  it("a school admin cannot import rows for another school", async () => {
    const rows = [
      header,
      student(50),
      student(51, "1411020002"),
      student(52, "1411810001"),
      student(53, "9999999999"),
    ];
    const { job, errors } = await dryRunOf(school1, "students", "scope.csv", csvText(rows));
    expect(job).toMatchObject({ status: "invalid", rowsTotal: 4, rowsValid: 1 });
    expect(errors.map((e) => [e.row, e.column, e.value, e.reason])).toEqual([
      [3, "学校标识码", "1411020002", "学校标识码不存在或不在您的管理范围内"],
      [4, "学校标识码", "1411810001", "学校标识码不存在或不在您的管理范围内"],
      [5, "学校标识码", "9999999999", "学校标识码不存在或不在您的管理范围内"],
    ]);
  });

  it("a 学籍号 held at a school outside the scope is refused, without saying where", async () => {
    const xiaoyiStudent = [
      `G${id(60, "2014-03-05", "141181")}`,
      "孝义学生",
      "",
      id(60, "2014-03-05", "141181"),
      "",
      "1411810001",
      "三年级",
      "",
      "",
      "",
    ];
    const put = await dryRunOf(admin, "students", "xiaoyi.csv", csvText([header, xiaoyiStudent]));
    await commitJob(admin, put.job!.id);
    const moved = [...xiaoyiStudent];
    moved[5] = "1411020001";
    const { job, errors } = await dryRunOf(school1, "students", "steal.csv", csvText([header, moved]));
    expect(job?.status).toBe("invalid");
    expect(errors).toEqual([
      {
        row: 2,
        column: "学籍号",
        value: moved[0],
        reason: "学籍号已在您管理范围之外的学校登记：请由原学校办理转出，或联系上级教育局",
      },
    ]);
  });

  it("lists import history in the caller's area only", async () => {
    const mine = (await school1.get("/api/imports?pageSize=100")).json();
    expect(mine.items.length).toBeGreaterThan(0);
    expect(mine.items.every((j: { createdBy: string }) => j.createdBy === "school1")).toBe(true);
    const county = (await lishi.get("/api/imports?pageSize=100")).json();
    expect(county.items.map((j: { createdBy: string }) => j.createdBy)).toContain("school1");
    expect(county.items.map((j: { createdBy: string }) => j.createdBy)).not.toContain("admin");
    const city = (await admin.get("/api/imports?kind=students&pageSize=100")).json();
    expect(city.total).toBe(county.total + 1);
  });
});

describe("errors", () => {
  it("lists every bad cell and gives them back as a workbook ready to fix", async () => {
    const rows = [
      header,
      student(70),
      [
        `G${id(71)}`,
        "",
        "男",
        "141102201403050710",
        "2014-03-05",
        "1411020001",
        "十三年级",
        "",
        "在校",
        "2020/9/1",
      ],
      student(70),
    ];
    const { job, errors } = await dryRunOf(school1, "students", "errors.csv", csvText(rows));
    expect(job).toMatchObject({ status: "invalid", rowsTotal: 3, rowsValid: 1 });
    expect(errors).toEqual(
      expect.arrayContaining([
        { row: 3, column: "姓名", value: null, reason: "必填项为空" },
        { row: 3, column: "身份证号", value: "141102201403050710", reason: "身份证号校验位错误，请核对" },
        expect.objectContaining({ row: 3, column: "年级", value: "十三年级" }),
        expect.objectContaining({ row: 3, column: "学籍状态", value: "在校" }),
        { row: 4, column: "学籍号", value: `G${id(70)}`, reason: "学籍号在文件中重复：第2行和第4行" },
        { row: 4, column: "身份证号", value: id(70), reason: "身份证号在文件中重复：第2行和第4行" },
      ]),
    );
    const paged = (await school1.get(`/api/imports/${job!.id}/errors?page=2&pageSize=2`)).json();
    expect(paged).toMatchObject({ page: 2, pageSize: 2, total: errors.length });

    const res = await school1.get(`/api/imports/${job!.id}/errors.xlsx`);
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet("错误数据")!;
    expect((sheet.getRow(1).values as string[]).slice(1)).toEqual([...header, "错误原因"]);
    expect(sheet.rowCount).toBe(3);
    expect(sheet.getRow(2).getCell(1).value).toBe(`G${id(71)}`);
    expect(String(sheet.getRow(2).getCell(11).value)).toContain("姓名：必填项为空");
    expect(wb.getWorksheet("错误清单")!.rowCount).toBe(errors.length + 1);

    // fixed and uploaded again as it is, 错误原因 column included
    sheet.spliceRows(3, 1);
    sheet.getRow(2).getCell(2).value = "学生71";
    sheet.getRow(2).getCell(4).value = id(71);
    sheet.getRow(2).getCell(7).value = "三年级";
    sheet.getRow(2).getCell(9).value = "在读";
    wb.removeWorksheet(wb.getWorksheet("错误清单")!.id);
    const fixed = await dryRunOf(school1, "students", "fixed.xlsx", Buffer.from(await wb.xlsx.writeBuffer()));
    expect(fixed.errors).toEqual([]);
    expect(fixed.job).toMatchObject({ status: "validated", rowsTotal: 1 });
  });
});

describe("upload", () => {
  it("refuses a non-multipart request and a file without a kind", async () => {
    const res = await school1.post("/api/imports?kind=students", { a: 1 });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain("multipart");
    expect((await upload(school1, "pupils", "a.csv", "x")).statusCode).toBe(400);
  });

  it("answers while a big file is validated", async () => {
    const rows = [header];
    for (let i = 0; i < 20_000; i++) rows.push(student(1000 + (i % 900), "1411020001", `学生${i}`));
    const res = await upload(school1, "students", "big.csv", csvText(rows));
    expect(res.statusCode).toBe(202);
    const health = await t.app.inject({ method: "GET", url: "/api/health" });
    expect(health.statusCode).toBe(200);
    const job = await waitForJob(school1, res.json().id);
    expect(job).toMatchObject({ status: "invalid", rowsTotal: 20_000 });
  });
});

describe("other platforms and the API document", () => {
  it("an API token with a county's scope imports through the same endpoints, without CSRF", async () => {
    const res = await admin.post("/api/tokens", {
      name: "离石区学籍系统",
      permissions: ["exchange.import", "people.write", "people.read"],
      scopeCodes: ["141102"],
    });
    expect(res.statusCode).toBe(201);
    const auth = { authorization: `Bearer ${res.json().token}` };
    const api: Client = {
      request: (opts) => t.app.inject({ ...opts, headers: { ...auth, ...(opts.headers ?? {}) } }),
      get: (url) => t.app.inject({ method: "GET", url, headers: auth }),
      post: (url) => t.app.inject({ method: "POST", url, headers: auth }),
      patch: (url) => t.app.inject({ method: "PATCH", url, headers: auth }),
      delete: (url) => t.app.inject({ method: "DELETE", url, headers: auth }),
    };
    const { job } = await dryRunOf(api, "students", "api.csv", csvText([header, student(90, "1411020002")]));
    expect(job).toMatchObject({ status: "validated", createdBy: "token:离石区学籍系统" });
    expect(await commitJob(api, job!.id)).toMatchObject({ status: "committed", inserted: 1 });
    const outside = await dryRunOf(api, "students", "api2.csv", csvText([header, student(91, "1411810001")]));
    expect(outside.job?.status).toBe("invalid");
  });

  it("documents the import endpoints in the OpenAPI document", async () => {
    const doc = (await t.app.inject({ method: "GET", url: "/api/openapi.json" })).json();
    for (const p of [
      "/api/imports",
      "/api/imports/{id}",
      "/api/imports/{id}/commit",
      "/api/imports/{id}/errors",
      "/api/imports/templates/{kind}",
    ])
      expect(Object.keys(doc.paths)).toContain(p);
    expect(doc.paths["/api/imports"].post.responses["202"]).toBeDefined();
  });
});
