import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { smallCity, user } from "../../../test/factories.js";
import { systemActor } from "../../shared/actor.js";
import { dataEvents } from "../../shared/data-events.js";
import { CENSUS_PACK, installFormPack, readFormPack } from "./pack.js";
import { FormsService } from "./service.js";

let t: TestContext;
let city: Client;
let lishi: Client;
let xiaoyi: Client;
let school1: Client;
let school2: Client;

const url = (org: string, tail = "", period = "2022") =>
  `/api/forms/school_census/periods/${period}/entries/${org}${tail}`;

/** A complete, valid school return. */
const good = [
  { element: "teaching_area_m2", value: 5200 },
  { element: "sports_area_m2", value: 8100.5 },
  { element: "equipment_value_wan", value: 180 },
  { element: "multimedia_classrooms", value: 24 },
  { element: "uplink_mbps", value: 1000 },
  { element: "class_bandwidth_mbps", value: 100 },
  { element: "rule_of_law_vp", value: true },
  { element: "parent_school", value: "是" },
  { element: "parent_committee", value: true },
  { element: "safe_campus", value: "达标" },
  { element: "after_school_students", disaggregation: "m", value: 410 },
  { element: "after_school_students", disaggregation: "f", value: 395 },
  { element: "homework_min_primary_low", value: 0 },
  { element: "homework_min_primary_high", value: 55 },
];

beforeAll(async () => {
  t = await createTestApp();
  const db = t.database.db;
  await smallCity(db);
  await db.transaction().execute((tx) => installFormPack(tx, readFormPack(CENSUS_PACK), systemActor()));
  await user(db, "cityStaff", ["city_staff"], ["141100"]);
  await user(db, "lishi", ["county_admin"], ["141102"]);
  await user(db, "xiaoyi", ["county_admin"], ["141181"]);
  await user(db, "school1", ["school_admin"], ["1411020001"]);
  await user(db, "school2", ["school_admin"], ["1411020002"]);
  [city, lishi, xiaoyi, school1, school2] = await Promise.all(
    ["cityStaff", "lishi", "xiaoyi", "school1", "school2"].map((u) => signIn(t.app, u)),
  );
});
afterAll(() => t.close());

describe("which forms the caller's units report", () => {
  type Summary = { code: string; reporting: { units: number; own: { code: string; name: string }[] } };
  const reporting = async (c: Client) =>
    Object.fromEntries(
      ((await c.get("/api/forms")).json() as Summary[]).map((f) => [f.code, f.reporting]),
    ) as Record<string, Summary["reporting"]>;

  it("a school reports the school form as its own unit and no county form", async () => {
    expect(await reporting(school1)).toEqual({
      school_census: { units: 1, own: [{ code: "1411020001", name: "离石区第一小学" }] },
      county_census: { units: 0, own: [] },
    });
  });

  it("a county reports the county form itself; its schools report the school form", async () => {
    expect(await reporting(lishi)).toEqual({
      school_census: { units: 2, own: [] },
      county_census: { units: 1, own: [{ code: "141102", name: "离石区" }] },
    });
  });

  it("the city sees every reporter of the city, none of them its own", async () => {
    expect(await reporting(city)).toEqual({
      school_census: { units: 3, own: [] },
      county_census: { units: 2, own: [] },
    });
  });
});

describe("school census entry and approval", () => {
  it("a school saves a draft; broken rules come back as issues, bad values are refused with the element", async () => {
    const bad = await school1.request({
      method: "PUT",
      url: url("1411020001"),
      payload: {
        values: [
          { element: "uplink_mbps", value: "很快" },
          { element: "safe_campus", value: "优秀" },
        ],
      },
    });
    expect(bad.statusCode).toBe(400);
    const fields = bad.json().details.issues.map((i: { field: string }) => i.field);
    expect(fields).toEqual(["uplink_mbps", "safe_campus"]);
    // a value of a combo is named with its combo, as the entry screen names it while typing
    const combo = await school1.request({
      method: "PUT",
      url: url("1411020001"),
      payload: { values: [{ element: "after_school_students", disaggregation: "m", value: 1.5 }] },
    });
    expect(combo.statusCode).toBe(400);
    expect(combo.json().details.issues).toEqual([
      { field: "after_school_students:m", message: "参加课后服务学生数（男）：应为整数，不能有小数" },
    ]);

    const res = await school1.request({
      method: "PUT",
      url: url("1411020001"),
      payload: {
        values: [
          { element: "uplink_mbps", value: 100 },
          { element: "class_bandwidth_mbps", value: 200 },
        ],
      },
    });
    expect(res.statusCode).toBe(200);
    const e = res.json();
    expect(e.status).toBe("draft");
    expect(e.issues.map((i: { message: string }) => i.message)).toContain("班级接入带宽不能超过学校出口带宽");
    expect(e.issues.some((i: { element: string }) => i.element === "teaching_area_m2")).toBe(true);
  });

  it("refuses to submit while rules are broken, then submits a valid return; totals of combos are computed", async () => {
    const refused = await school1.post(url("1411020001", "/submit"));
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toContain("班级接入带宽不能超过学校出口带宽");
    const res = await school1.request({
      method: "PUT",
      url: url("1411020001"),
      payload: { values: good, submit: true },
    });
    expect(res.statusCode).toBe(200);
    const e = res.json();
    expect(e.status).toBe("submitted");
    const total = e.values.find(
      (v: { element: string; disaggregation: string }) =>
        v.element === "after_school_students" && v.disaggregation === "",
    );
    expect(total.value).toBe(805);
    expect(e.can).toMatchObject({ save: true, submit: false, approve: false });
  });

  it("scope: a county sees its own schools, not another county's; a school only its own", async () => {
    expect((await xiaoyi.get(url("1411020001"))).statusCode).toBe(404);
    expect((await school2.get(url("1411020001"))).statusCode).toBe(404);
    expect((await school1.get(url("1411020002"))).statusCode).toBe(404);
    expect((await lishi.get(url("1411020002"))).statusCode).toBe(200);
    const mine = await school1.get(url("1411020001"));
    expect(mine.json().orgUnit.name).toBe("离石区第一小学");
    const list = await lishi.get("/api/forms/school_census/periods/2022/submissions?pageSize=50");
    expect(list.json().items.map((r: { orgCode: string }) => r.orgCode)).toEqual([
      "1411020001",
      "1411020002",
    ]);
    const own = await school1.get("/api/forms/school_census/periods/2022/submissions");
    expect(own.json().items.map((r: { orgCode: string }) => r.orgCode)).toEqual(["1411020001"]);
    expect((await xiaoyi.post(url("1411020001", "/approve"))).statusCode).toBe(404);
  });

  it("only the level above approves; a return needs a comment; the school fixes and resubmits", async () => {
    expect((await school1.post(url("1411020001", "/approve"))).statusCode).toBe(409);
    const noComment = await lishi.post(url("1411020001", "/return"), { comment: "" });
    expect(noComment.statusCode).toBe(409);
    expect(noComment.json().message).toContain("退回意见");
    const ret = await lishi.post(url("1411020001", "/return"), { comment: "体育场馆面积偏大，请核实" });
    expect(ret.json()).toMatchObject({ status: "returned", comment: "体育场馆面积偏大，请核实" });
    const fix = await school1.request({
      method: "PUT",
      url: url("1411020001"),
      payload: { values: [{ element: "sports_area_m2", value: 6100 }], submit: true },
    });
    expect(fix.json().status).toBe("submitted");
    const ok = await lishi.post(url("1411020001", "/approve"));
    expect(ok.json().status).toBe("approved");
    // approved: the school can no longer change it
    const late = await school1.request({
      method: "PUT",
      url: url("1411020001"),
      payload: { values: [{ element: "sports_area_m2", value: 6000 }] },
    });
    expect(late.statusCode).toBe(409);
  });

  it("the county cannot accept; the city accepts and the data is locked; reopening needs a reason", async () => {
    expect((await lishi.post(url("1411020001", "/accept"))).statusCode).toBe(409);
    const acc = await city.post(url("1411020001", "/accept"));
    expect(acc.json().status).toBe("accepted");
    const locked = await city.request({
      method: "PUT",
      url: url("1411020001"),
      payload: { values: [{ element: "uplink_mbps", value: 2000 }] },
    });
    expect(locked.statusCode).toBe(409);
    expect(locked.json().message).toContain("已锁定");
    expect((await city.post(url("1411020001", "/reopen"), {})).statusCode).toBe(409);
    const events = acc.json().events.map((e: { action: string }) => e.action);
    expect(events).toEqual(["submit", "return", "submit", "approve", "accept"]);
  });

  it("keeps every value's history (who, old → new) and audits each step", async () => {
    const h = (await lishi.get(url("1411020001", "/history"))).json();
    const sports = h.filter((r: { element: string }) => r.element === "sports_area_m2");
    expect(
      sports.map((r: { oldValue: string | null; newValue: string }) => [r.oldValue, r.newValue]),
    ).toEqual([
      ["8100.5", "6100"],
      [null, "8100.5"],
    ]);
    expect(sports[0].changedBy).toBe("school1");
    const audit = await t.database.db
      .selectFrom("audit_log")
      .select(["action", "actor_name"])
      .where("entity", "=", "form_submission")
      .orderBy("id")
      .execute();
    expect(audit.map((a) => a.action)).toEqual(["update", "submit", "return", "submit", "approve", "accept"]);
  });

  it("gives the indicators engine reported values only (not drafts), unscoped, and signals the change", async () => {
    const forms = new FormsService(t.database.db);
    const v0 = dataEvents.version("forms");
    await school2.request({
      method: "PUT",
      url: url("1411020002"),
      payload: { values: [{ element: "uplink_mbps", value: 300 }] },
    });
    expect(dataEvents.version("forms")).toBeGreaterThan(v0);
    const rows = await forms.valuesForIndicators("2022", [
      "uplink_mbps",
      "after_school_students",
      "safe_campus",
    ]);
    const mine = rows.filter((r) => r.orgPath === "/141100/141102/1411020001/");
    expect(mine.find((r) => r.elementCode === "uplink_mbps")).toMatchObject({
      value: 1000,
      status: "accepted",
      countyCode: "141102",
      disaggregation: "",
    });
    expect(mine.find((r) => r.elementCode === "safe_campus")?.value).toBe("met");
    expect(
      mine
        .filter((r) => r.elementCode === "after_school_students")
        .map((r) => r.value)
        .sort(),
    ).toEqual([395, 410, 805]);
    expect(rows.some((r) => r.orgPath.includes("1411020002"))).toBe(false);
    const els = await forms.listElements();
    expect(els.find((e) => e.code === "class_bandwidth_mbps")).toEqual({
      code: "class_bandwidth_mbps",
      name: "班级接入带宽",
      valueType: "number",
      unit: "Mbps",
    });
  });

  it("completeness counts each county's reporters by status", async () => {
    const c = (await city.get("/api/forms/school_census/periods/2022/completeness")).json();
    expect(c.total).toMatchObject({ expected: 3, accepted: 1, draft: 1, none: 1, reported: 1 });
    const ls = c.counties.find((x: { countyCode: string }) => x.countyCode === "141102");
    expect(ls).toMatchObject({ expected: 2, accepted: 1, draft: 1, countyName: "离石区" });
    expect(ls.rate).toBeCloseTo(0.5);
    const mineOnly = (await xiaoyi.get("/api/forms/school_census/periods/2022/completeness")).json();
    expect(mineOnly.counties.map((x: { countyCode: string }) => x.countyCode)).toEqual(["141181"]);
  });

  it("a locked round refuses entry after its due date", async () => {
    const res = await school2.request({
      method: "PUT",
      url: url("1411020002", "", "2021"),
      payload: { values: [{ element: "uplink_mbps", value: 300 }] },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toContain("截止日期");
  });

  it("the county form is reported by counties and approved by the city", async () => {
    const u = "/api/forms/county_census/periods/2022/entries/141102";
    const res = await lishi.request({
      method: "PUT",
      url: u,
      payload: {
        values: [
          { element: "county_uplink_mbps", value: 10000 },
          { element: "ideology_studio", value: true },
        ],
        submit: true,
      },
    });
    expect(res.json().status).toBe("submitted");
    expect((await lishi.post(`${u}/approve`)).statusCode).toBe(409);
    expect((await city.post(`${u}/approve`)).json().status).toBe("approved");
    expect((await school1.get(u)).statusCode).toBe(404);
  });
});
