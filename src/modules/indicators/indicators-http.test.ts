import fs from "node:fs";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { user } from "../../../test/factories.js";
import { indicatorCity } from "../../../test/indicator-city.js";
import { systemActor } from "../../shared/actor.js";
import { CENSUS_PACK, installFormPack, readFormPack } from "../forms/pack.js";

/**
 * The indicators API over HTTP: definitions with checked formulas and audit, the package, the
 * cockpit and drill-down within scope, exports. Mostly registry-based indicators here (the forms,
 * health and 平安校园 sources are exercised in plan-2022.test.ts); a census return and an inspection
 * show that the composition root wires the forms and the inspections in.
 */
let t: TestContext;

beforeAll(async () => {
  t = await createTestApp();
  const db = t.database.db;
  await indicatorCity(db);
  // The census elements the plan's formulas name (uplink_mbps, safe_campus …); the 2021 round is
  // left open so that a school can have reported last year and not this year.
  const census = readFormPack(CENSUS_PACK);
  for (const f of census.forms) for (const r of f.rounds) r.lockAfterDue = false;
  await installFormPack(db, census, systemActor("test"));
  await user(db, "admin", ["city_admin"], ["141100"]);
  await user(db, "staff1", ["city_staff"], ["141100"]);
  await user(db, "leader", ["leader"], ["141100"]);
  await user(db, "lishi", ["county_admin"], ["141102"]);
  await user(db, "school1", ["school_admin"], ["1411020003"]);
  await user(db, "lsxx", ["school_admin"], ["1411020001"]);
  const admin = await signIn(t.app, "admin");
  const pkg = JSON.parse(fs.readFileSync("packs/lvliang/plan-2022.json", "utf8"));
  const res = await admin.post("/api/indicator-packages", pkg);
  if (res.statusCode !== 200) throw new Error(res.body);
});
afterAll(() => t.close());

describe("definitions", () => {
  it("lists the plan's groups and indicators to a reader", async () => {
    const leader = await signIn(t.app, "leader");
    const res = await leader.get("/api/indicators");
    expect(res.statusCode).toBe(200);
    expect(res.json().groups).toHaveLength(10);
    expect(res.json().indicators.map((i: { code: string }) => i.code)).toContain("public_share");
  });

  it("checks a formula and gives each error's position", async () => {
    const staff = await signIn(t.app, "staff1");
    const res = await staff.post("/api/indicators/check", {
      numerator: 'students(stag = "junior")',
      denominator: "students(",
    });
    expect(res.json()).toMatchObject({
      ok: false,
      issues: [
        { side: "numerator", start: 9, end: 13 },
        { side: "denominator", start: 9, message: expect.stringContaining("不完整") },
      ],
    });
  });

  it("refuses to save a bad formula, and saves and audits a good one that the cockpit shows at once", async () => {
    const staff = await signIn(t.app, "staff1");
    const bad = await staff.post("/api/indicators", { code: "x1", name: "坏", numerator: "studnts()" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.issues[0]).toMatchObject({ field: "numerator", start: 0, end: 7 });

    const ok = await staff.post("/api/indicators", {
      code: "boarding_share",
      name: "寄宿制学校占比",
      groupCode: "T03",
      numerator: "schools(boarding)",
      denominator: "schools()",
      factor: 100,
      unit: "%",
    });
    expect(ok.statusCode).toBe(201);
    const cockpit = (await staff.get("/api/cockpit?period=2022")).json();
    const row = cockpit.indicators.find((i: { code: string }) => i.code === "boarding_share");
    // 1 boarding school (1411810003) of 8 current schools.
    expect(row.city).toMatchObject({ numerator: 1, denominator: 8, value: 12.5 });

    const patched = await staff.patch("/api/indicators/boarding_share", { name: "寄宿制学校比例" });
    expect(patched.json().version).toBe(2);
    const audit = await t.database.db
      .selectFrom("audit_log")
      .select(["action", "actor_name"])
      .where("entity", "=", "indicator")
      .where("entity_key", "=", "boarding_share")
      .orderBy("id")
      .execute();
    expect(audit).toEqual([
      { action: "create", actor_name: "staff1" },
      { action: "update", actor_name: "staff1" },
    ]);
  });

  it("lets only holders of indicators.manage change definitions", async () => {
    const leader = await signIn(t.app, "leader");
    expect(
      (await leader.post("/api/indicators", { code: "y", name: "y", numerator: "schools()" })).statusCode,
    ).toBe(403);
    const lishi = await signIn(t.app, "lishi");
    const res = await lishi.request({
      method: "PUT",
      url: "/api/indicator-targets",
      payload: {
        indicatorCode: "public_share",
        orgUnitCode: "141102",
        periodCode: "2022",
        kind: "absolute",
        direction: ">=",
        value: 1,
      },
    });
    expect(res.statusCode).toBe(403);
  });

  it("sets a target, audited, and the status follows", async () => {
    const admin = await signIn(t.app, "admin");
    const res = await admin.request({
      method: "PUT",
      url: "/api/indicator-targets",
      payload: {
        indicatorCode: "public_share",
        orgUnitCode: "141102",
        periodCode: "2022",
        kind: "absolute",
        direction: ">=",
        value: 50,
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ label: "≥ 50%", orgUnitName: "离石区" });
    const c = (await admin.get("/api/cockpit?period=2022")).json();
    const row = c.indicators.find((i: { code: string }) => i.code === "public_share");
    expect(row.counties[0]).toMatchObject({ value: 50, status: "met", statusLabel: "达标" });
  });
});

const CENSUS_RETURN = [
  { element: "teaching_area_m2", value: 5200 },
  { element: "sports_area_m2", value: 8100 },
  { element: "equipment_value_wan", value: 180 },
  { element: "multimedia_classrooms", value: 24 },
  { element: "uplink_mbps", value: 1000 },
  { element: "class_bandwidth_mbps", value: 100 },
  { element: "rule_of_law_vp", value: true },
  { element: "parent_school", value: true },
  { element: "parent_committee", value: true },
  { element: "safe_campus", value: "达标" },
];

describe("live from the census forms", () => {
  it("says 未上报 for a school that has not reported this year: no value, no 0 ÷ 1, last year's value", async () => {
    const school = await signIn(t.app, "lsxx");
    const url = "/api/forms/school_census/periods/2021/entries/1411020001";
    const last = await school.request({
      method: "PUT",
      url,
      payload: { submit: true, values: CENSUS_RETURN },
    });
    expect(last.statusCode, last.body).toBe(200);

    const leader = await signIn(t.app, "leader");
    const page = (await leader.get("/api/indicator-pages/1411020001?period=2022")).json();
    const gigabit = page.indicators.find((i: { code: string }) => i.code === "school_1g_coverage");
    expect(gigabit.applies).toBe(true);
    expect(gigabit.self).toMatchObject({
      value: null,
      numerator: null,
      denominator: null,
      reported: 0,
      notReported: true,
      previous: 100,
      change: null,
    });
    // Nor did its county or the city: the same; a registry count is never "not reported".
    expect(gigabit.parents.map((c: { notReported: boolean }) => c.notReported)).toEqual([true, true]);
    const pub = page.indicators.find((i: { code: string }) => i.code === "private_compulsory_share");
    expect(pub.self).toMatchObject({ notReported: false, numerator: 0, denominator: 100 });
    // The drill-down lists the school the same way.
    const drill = (
      await leader.get("/api/indicator-results?indicator=school_1g_coverage&period=2022&orgUnit=141102")
    ).json();
    expect(drill.children.find((c: { code: string }) => c.code === "1411020001").cell).toMatchObject({
      notReported: true,
      numerator: null,
      denominator: null,
      previous: 100,
    });
    // … and so does the page's xlsx: 未上报, with empty 分子 and 分母 and last year's value.
    const res = await leader.get("/api/indicator-pages/1411020001/export.xlsx?period=2022");
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const rows = wb.worksheets[0].getSheetValues().slice(2) as unknown[][];
    const row = rows.find((r) => r[2] === "千兆到校" && r[5] === "1411020001")!;
    // 指标值, 分子, 分母 … 上期值
    expect([row[7], row[8] ?? null, row[9] ?? null, row[13]]).toEqual(["未上报", null, null, 100]);
  });

  it("shows a school's census return in the cockpit as soon as it is submitted", async () => {
    const leader = await signIn(t.app, "leader");
    const cockpit = async (code: string) =>
      (await leader.get("/api/cockpit?period=2022"))
        .json()
        .indicators.find((i: { code: string }) => i.code === code);
    expect((await cockpit("school_1g_coverage")).city).toMatchObject({
      value: null,
      status: "noData",
      reported: 0,
    });

    const school = await signIn(t.app, "lsxx");
    const res = await school.request({
      method: "PUT",
      url: "/api/forms/school_census/periods/2022/entries/1411020001",
      payload: { submit: true, values: CENSUS_RETURN },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().status).toBe("submitted");
    // 1 of the city's 4 current primary and secondary schools has reported 千兆 (1000 Mbps).
    expect((await cockpit("school_1g_coverage")).city).toMatchObject({
      numerator: 1,
      denominator: 4,
      value: 25,
      reported: 1,
      notReported: false,
      status: "unmet",
    });
    // The school's own 平安校园 达标 is a self-report: the coverage reads inspections only.
    expect((await cockpit("safe_campus_coverage")).city).toMatchObject({ value: null, status: "noData" });
    const lvp = (
      await leader.get(
        "/api/indicator-results?indicator=legal_vice_principal_coverage&period=2022&orgUnit=141102",
      )
    ).json();
    expect(lvp.children.find((c: { code: string }) => c.code === "1411020001").cell).toMatchObject({
      value: 100,
      numerator: 1,
    });
  });
});

describe("live from 平安校园 inspections", () => {
  it("shows a county inspection in the cockpit as soon as it is recorded; a self-check does not count", async () => {
    const leader = await signIn(t.app, "leader");
    const safe = async () =>
      (await leader.get("/api/cockpit?period=2022"))
        .json()
        .indicators.find((i: { code: string }) => i.code === "safe_campus_coverage").city;
    const school = await signIn(t.app, "lsxx");
    const items = (await school.get("/api/safety/checklist")).json() as { code: string }[];
    const body = {
      schoolCode: "1411020001",
      periodCode: "2022",
      inspectedOn: "2022-06-01",
      results: items.map((i) => ({ itemCode: i.code, passed: true })),
    };
    const self = await school.post("/api/safety/inspections", body);
    expect(self.statusCode, self.body).toBe(201);
    expect(self.json().source).toBe("self_check");
    expect(await safe()).toMatchObject({ value: null, status: "noData", reported: 0 });

    const county = await signIn(t.app, "lishi");
    const res = await county.post("/api/safety/inspections", body);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ source: "county_inspection", passed: true });
    // 1 of the city's 8 current schools (kindergartens included) passed.
    expect(await safe()).toMatchObject({ numerator: 1, denominator: 8, value: 12.5, reported: 1 });
  });
});

describe("scope", () => {
  it("gives a county user the city aggregate and its own county, not another county", async () => {
    const lishi = await signIn(t.app, "lishi");
    const c = (await lishi.get("/api/cockpit?period=2022")).json();
    expect(c.counties.map((x: { code: string }) => x.code)).toEqual(["141102"]);
    const row = c.indicators.find((i: { code: string }) => i.code === "private_compulsory_share");
    // The city aggregate counts every county: 20 / 250.
    expect(row.city).toMatchObject({ numerator: 20, denominator: 250, value: 8 });
    expect(row.counties).toHaveLength(1);
    expect(JSON.stringify(c)).not.toContain("141181");
  });

  it("leaves an indicator counted for the city only (市级专兼职教研员) out of a county's views", async () => {
    const leader = await signIn(t.app, "leader");
    const defs = (await leader.get("/api/indicators")).json().indicators as {
      code: string;
      cityOnly: boolean;
    }[];
    // the package says so (packs/lvliang/plan-2022.json); nothing in the code names the indicator
    expect(defs.filter((i) => i.cityOnly).map((i) => i.code)).toEqual(["city_researchers"]);
    const codes = (c: { indicators: { code: string }[] }) => c.indicators.map((i) => i.code);
    const city = (await leader.get("/api/cockpit?period=2022")).json();
    expect(city.indicators.find((i: { code: string }) => i.code === "city_researchers")).toMatchObject({
      cityOnly: true,
      city: { value: 2 }, // the city's 教研室 (141100D06)
    });
    const lishi = await signIn(t.app, "lishi");
    const county = (await lishi.get("/api/cockpit?period=2022")).json();
    expect(codes(county)).not.toContain("city_researchers");
    expect(codes(county)).toContain("county_researchers");
    expect(codes(county)).toHaveLength(codes(city).length - 1);
    const sheet = await lishi.get("/api/cockpit/export.xlsx?period=2022");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(sheet.rawPayload as unknown as ArrayBuffer);
    const names = (wb.worksheets[0].getSheetValues().slice(2) as unknown[][]).map((r) => r[2]);
    expect(names).toContain("县级专兼职教研员");
    expect(names).not.toContain("市级专兼职教研员");
    // Drilled into from the city: the city's own units, no county (each would show 0).
    const drill = (await leader.get("/api/indicator-results?indicator=city_researchers&period=2022")).json();
    expect(drill.children.map((c: { code: string }) => c.code)).toEqual(["141100D06"]);
    const other = (
      await leader.get("/api/indicator-results?indicator=county_researchers&period=2022")
    ).json();
    expect(other.children.map((c: { code: string }) => c.code)).toEqual(["141102", "141181"]);
  });

  it("lets a county user drill into its own schools and not into another county's", async () => {
    const lishi = await signIn(t.app, "lishi");
    const own = await lishi.get("/api/indicator-results?indicator=public_share&period=2022&children=schools");
    expect(own.statusCode).toBe(200);
    expect(own.json().orgUnit.code).toBe("141102");
    expect(own.json().children.map((x: { code: string }) => x.code)).toEqual([
      "1411020003",
      "1411020004",
      "1411020005",
    ]);
    const city = await lishi.get("/api/indicator-results?indicator=public_share&period=2022&orgUnit=141100");
    expect(city.statusCode).toBe(200);
    expect(city.json().children.map((x: { code: string }) => x.code)).toEqual(["141102"]);
    for (const url of [
      "/api/indicator-results?indicator=public_share&period=2022&orgUnit=141181",
      "/api/indicator-results?indicator=public_share&period=2022&orgUnit=1411810002",
      "/api/indicator-pages/1411810002?period=2022",
    ])
      expect((await lishi.get(url)).statusCode, url).toBe(404);
  });

  it("gives a school its own page against its county and the city", async () => {
    const school = await signIn(t.app, "school1");
    const res = await school.get("/api/indicator-pages/1411020003?period=2022");
    expect(res.statusCode).toBe(200);
    const p = res.json();
    expect(p.parents.map((x: { code: string }) => x.code)).toEqual(["141102", "141100"]);
    const pub = p.indicators.find((i: { code: string }) => i.code === "public_share");
    expect([pub.self.value, pub.parents[0].numerator, pub.parents[1].denominator]).toEqual([100, 30, 100]);
    expect((await school.get("/api/indicator-pages/1411020004?period=2022")).statusCode).toBe(404);
    // Its own county's aggregate, marked partial; no other county.
    const c = (await school.get("/api/cockpit?period=2022")).json();
    expect(c.counties.map((x: { code: string; access: string }) => [x.code, x.access])).toEqual([
      ["141102", "partial"],
    ]);
  });
});

describe("exports", () => {
  it("exports the cockpit and a drill-down to xlsx, audited", async () => {
    const leader = await signIn(t.app, "leader");
    const res = await leader.get("/api/cockpit/export.xlsx?period=2022");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/spreadsheetml/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect((ws.getRow(1).values as unknown[]).slice(1, 8)).toEqual([
      "重点工作",
      "指标",
      "单位",
      "统计期",
      "机构代码",
      "机构",
      "指标值",
    ]);
    const rows = ws.getSheetValues().slice(2) as unknown[][];
    const pub = rows.find((r) => r[2] === "学前教育公办率" && r[5] === "141100")!;
    expect(pub.slice(7, 12)).toEqual([30, 30, 100, "≥ 55%", "未达标"]);

    const lishi = await signIn(t.app, "lishi");
    const drill = await lishi.get(
      "/api/indicator-results/export.xlsx?indicator=public_share&period=2022&orgUnit=141102",
    );
    expect(drill.statusCode).toBe(200);
    const audit = await t.database.db
      .selectFrom("audit_log")
      .select(["entity", "actor_name"])
      .where("action", "=", "export")
      .where("entity", "in", ["cockpit", "indicator_results"])
      .execute();
    expect(audit).toEqual(
      expect.arrayContaining([
        { entity: "cockpit", actor_name: "leader" },
        { entity: "indicator_results", actor_name: "lishi" },
      ]),
    );
  });
});
