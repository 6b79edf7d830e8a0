import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { smallCity, user } from "../../../test/factories.js";

/** 校外培训 over HTTP on both engines: registry scope, rules as data, inspections, enforcement cases. */
let ctx: TestContext;
let lishi: Client; // 离石区 county admin
let xiaoyi: Client; // 孝义市 county admin
let city: Client; // city staff
let school: Client;

const institution = (over: Record<string, unknown> = {}) => ({
  name: "离石区启航学科培训学校",
  creditCode: "52141102MJY1234567",
  category: "academic",
  subjects: ["数学", "英语"],
  licenceNo: "教民141102370001号",
  licenceValidTo: "2028-12-31",
  online: true,
  address: "离石区龙凤大街 1 号",
  countyCode: "141102",
  prepayBank: "中国银行离石支行",
  prepayAccount: "6217000000000001",
  ...over,
});

beforeAll(async () => {
  ctx = await createTestApp();
  const db = ctx.database.db;
  await smallCity(db);
  await user(db, "ls", ["county_admin"], ["141102"]);
  await user(db, "xy", ["county_admin"], ["141181"]);
  await user(db, "city", ["city_staff"], ["141100"]);
  await user(db, "sch", ["school_admin"], ["1411020001"]);
  lishi = await signIn(ctx.app, "ls");
  xiaoyi = await signIn(ctx.app, "xy");
  city = await signIn(ctx.app, "city");
  school = await signIn(ctx.app, "sch");
});
afterAll(() => ctx.close());

describe("registry", () => {
  let id: number;
  it("a county registers its institutions; another county's is refused", async () => {
    const res = await lishi.post("/api/training/institutions", institution());
    expect(res.statusCode, res.body).toBe(201);
    id = res.json().id;
    expect(res.json()).toMatchObject({ countyName: "离石区", category: "academic", openCases: 0 });
    const other = await lishi.post(
      "/api/training/institutions",
      institution({ countyCode: "141181", creditCode: null }),
    );
    expect(other.statusCode).toBe(400);
    expect(other.json().message).toContain("数据范围");
    const dup = await lishi.post("/api/training/institutions", institution({ name: "另一家" }));
    expect(dup.statusCode).toBe(409);
    const badCode = await lishi.post("/api/training/institutions", institution({ creditCode: "123" }));
    expect(badCode.statusCode).toBe(400);
    expect(badCode.json().message).toContain("统一社会信用代码");
  });

  it("lists are scoped: 孝义 does not see 离石's institution, the city sees both, a school sees none", async () => {
    await xiaoyi.post(
      "/api/training/institutions",
      institution({
        name: "孝义市美术培训中心",
        category: "non_academic",
        countyCode: "141181",
        creditCode: null,
      }),
    );
    expect((await lishi.get("/api/training/institutions")).json().total).toBe(1);
    expect((await xiaoyi.get("/api/training/institutions")).json().items[0].name).toBe("孝义市美术培训中心");
    expect((await xiaoyi.get(`/api/training/institutions/${id}`)).statusCode).toBe(404);
    expect((await city.get("/api/training/institutions")).json().total).toBe(2);
    expect((await school.get("/api/training/institutions")).statusCode).toBe(403);
    expect((await city.get("/api/training/institutions?category=academic")).json().total).toBe(1);
    expect((await city.get(`/api/training/institutions?q=${encodeURIComponent("美术")}`)).json().total).toBe(
      1,
    );
  });

  it("exports the registry as xlsx", async () => {
    const res = await city.get("/api/training/institutions/export.xlsx");
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws.getRow(1).getCell(1).value).toBe("机构名称");
    expect(ws.rowCount).toBe(3);
  });

  it("an inspection's findings come from the rules; with openCase an enforcement case is filed", async () => {
    console.log("before inspect");
    const clean = await lishi.post(`/api/training/institutions/${id}/inspections`, {
      inspectedOn: "2026-11-01",
      inspectors: "张三、李四",
      observations: { prepaidMonths: 3, prepaidHours: 60, onlineSessionMinutes: 30 },
    });
    console.log("after inspect", clean.statusCode, clean.body.slice(0, 300));
    expect(clean.statusCode, clean.body).toBe(201);
    expect(clean.json().findings).toEqual([]);
    const bad = await lishi.post(`/api/training/institutions/${id}/inspections`, {
      inspectedOn: "2026-11-02",
      inspectors: "张三",
      note: "<b>现场</b>检查",
      observations: { prepaidMonths: 6, restDayClassOn: "2026-11-01", onlineEndTime: "21:30" },
      openCase: true,
    });
    expect(bad.statusCode, bad.body).toBe(201);
    const findings = bad.json().findings;
    expect(findings.map((f: { ruleCode: string }) => f.ruleCode).sort()).toEqual([
      "academic_rest_day",
      "online_end_hour",
      "prepay_months",
    ]);
    const caseId = findings[0].caseId;
    expect(caseId).toBeGreaterThan(0);
    const c = (await lishi.get(`/api/cases/${caseId}`)).json();
    expect(c).toMatchObject({ kind: "training", state: "filed" });
    expect((await lishi.get(`/api/training/institutions/${id}`)).json()).toMatchObject({ openCases: 1 });
    expect((await xiaoyi.get(`/api/cases/${caseId}`)).statusCode).toBe(404);
    // the enforcement case runs on the engine: investigate, then order rectification with a deadline
    expect((await lishi.post(`/api/cases/${caseId}/steps`, { step: "investigate" })).statusCode).toBe(200);
    const skip = await lishi.post(`/api/cases/${caseId}/steps`, { step: "verify" });
    expect(skip.statusCode).toBe(409);
    const order = await lishi.post(`/api/cases/${caseId}/steps`, {
      step: "order",
      fields: { measures: "退还超期预收费", rectifyBy: "2026-12-31" },
    });
    expect(order.statusCode, order.body).toBe(200);
  });

  it("no case without findings; a future date is refused; nothing is written then", async () => {
    const before = (await lishi.get(`/api/training/inspections?institutionId=${id}`)).json().total;
    const none = await lishi.post(`/api/training/institutions/${id}/inspections`, {
      inspectedOn: "2026-11-03",
      inspectors: "张三",
      observations: {},
      openCase: true,
    });
    expect(none.statusCode).toBe(400);
    const future = await lishi.post(`/api/training/institutions/${id}/inspections`, {
      inspectedOn: "2999-01-01",
      inspectors: "张三",
    });
    expect(future.statusCode).toBe(400);
    expect((await lishi.get(`/api/training/inspections?institutionId=${id}`)).json().total).toBe(before);
  });

  it("thresholds are data the city sets; a county may not", async () => {
    expect((await lishi.patch("/api/training/rules/prepay_months", { value: 2 })).statusCode).toBe(403);
    const set = await city.patch("/api/training/rules/prepay_months", { value: 2 });
    expect(set.statusCode, set.body).toBe(200);
    const r = await lishi.post(`/api/training/institutions/${id}/inspections`, {
      inspectedOn: "2026-11-04",
      inspectors: "王五",
      observations: { prepaidMonths: 3 },
    });
    expect(r.json().findings[0]).toMatchObject({ ruleCode: "prepay_months", measured: 3 });
    expect((await city.patch("/api/training/rules/unlicensed", { value: 1 })).statusCode).toBe(400);
    const rules = (await lishi.get("/api/training/rules")).json().items;
    expect(rules.every((x: { basis: string }) => x.basis.length > 10)).toBe(true);
  });

  it("a complaint from the public page about an institution becomes an enforcement case of its county", async () => {
    const res = await ctx.app.inject({
      method: "POST",
      url: "/api/public/reports",
      payload: {
        about: "institution",
        institutionId: id,
        category: "prepay",
        title: "一次性收取一年学费",
        description: "要求一次交 12 个月的费用",
        anonymous: true,
        attachments: [],
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const list = (await lishi.get("/api/cases?kind=training&source=public_complaint")).json();
    expect(list.items).toHaveLength(1);
    expect((await xiaoyi.get("/api/cases?kind=training&source=public_complaint")).json().items).toHaveLength(
      0,
    );
  });
});
