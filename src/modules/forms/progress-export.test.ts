import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { orgUnit, smallCity, user } from "../../../test/factories.js";
import { systemActor } from "../../shared/actor.js";
import { parsePeriod } from "../../shared/period.js";
import { CENSUS_PACK, installFormPack, readFormPack } from "./pack.js";
import { SubmissionRepository } from "./submission-repository.js";

let t: TestContext;
let city: Client;
let lishi: Client;
let xiaoyi: Client;
let teacher: Client;
let formsOnly: Client;

const round = "/api/forms/school_census/periods/2022";
const entry = (org: string, tail = "") => `${round}/entries/${org}${tail}`;
const headers = ["县（市、区）", "单位代码", "单位名称", "办学类型", "状态", "上报时间", "审核意见"];

/** A complete, valid school return. */
const good = [
  { element: "teaching_area_m2", value: 5200 },
  { element: "sports_area_m2", value: 8100 },
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

async function sheet(c: Client, url: string) {
  const res = await c.get(url);
  expect(res.statusCode).toBe(200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  const rows: (string | null)[][] = [];
  wb.worksheets[0].eachRow((r) =>
    rows.push(headers.map((_, i) => (r.getCell(i + 1).value as string | null) ?? null)),
  );
  return { res, header: rows[0], rows: rows.slice(1) };
}

/** The JSON list's rows for the same filter, as the export writes them (without the time). */
async function listed(c: Client, query: string) {
  const res = await c.get(`${round}/submissions?pageSize=200${query ? `&${query}` : ""}`);
  expect(res.statusCode).toBe(200);
  const items: {
    orgCode: string;
    orgName: string;
    countyName: string;
    statusLabel: string;
    comment: string | null;
  }[] = res.json().items;
  return items
    .map((r) => [r.countyName, r.orgCode, r.orgName, r.statusLabel, r.comment])
    .sort((a, b) => String(a[1]).localeCompare(String(b[1])));
}
const asListed = (rows: (string | null)[][]) =>
  rows.map((r) => [r[0], r[1], r[2], r[4], r[6]]).sort((a, b) => String(a[1]).localeCompare(String(b[1])));

beforeAll(async () => {
  t = await createTestApp();
  const db = t.database.db;
  await smallCity(db);
  await orgUnit(db, {
    code: "1411020003",
    name: "离石区城北幼儿园",
    parentCode: "141102",
    school_type: "111",
  });
  await orgUnit(db, { code: "1411810002", name: "孝义市第二中学", parentCode: "141181", school_type: "311" });
  await db.transaction().execute((tx) => installFormPack(tx, readFormPack(CENSUS_PACK), systemActor()));
  await db
    .insertInto("role")
    .values({
      code: "forms_reader",
      name: "只看填报",
      description: "forms.read without exchange.export",
      permissions: ["forms.read"],
      builtin: false,
    })
    .execute();
  await user(db, "cityStaff", ["city_staff"], ["141100"]);
  await user(db, "lishi", ["county_admin"], ["141102"]);
  await user(db, "xiaoyi", ["county_admin"], ["141181"]);
  await user(db, "teacher1", ["teacher"], ["1411020001"]);
  await user(db, "formsOnly", ["forms_reader"], ["141100"]);
  [city, lishi, xiaoyi, teacher, formsOnly] = await Promise.all(
    ["cityStaff", "lishi", "xiaoyi", "teacher1", "formsOnly"].map((u) => signIn(t.app, u)),
  );
  // 离石一小: submitted, then returned with a comment; 离石二小: submitted; 孝义一小: a draft;
  // 离石幼儿园 and 孝义二中: not started (未填报).
  const put = (org: string, values: unknown[], submit: boolean) =>
    city.request({ method: "PUT", url: entry(org), payload: { values, submit } });
  expect((await put("1411020001", good, true)).statusCode).toBe(200);
  expect(
    (await lishi.post(entry("1411020001", "/return"), { comment: "体育场馆面积偏大，请核实" })).statusCode,
  ).toBe(200);
  expect((await put("1411020002", good, true)).statusCode).toBe(200);
  expect((await put("1411810001", [{ element: "uplink_mbps", value: 300 }], false)).statusCode).toBe(200);
});
afterAll(() => t.close());

describe("the round's reporters as xlsx (填报情况)", () => {
  it("opens with the Chinese headers, by county then unit code, and a file name of form, period and 填报情况", async () => {
    const { res, header, rows } = await sheet(city, `${round}/submissions.xlsx`);
    expect(header).toEqual(headers);
    expect(rows.map((r) => r[1])).toEqual([
      "1411020001",
      "1411020002",
      "1411020003",
      "1411810001",
      "1411810002",
    ]);
    expect(rows[0]).toMatchObject([
      "离石区",
      "1411020001",
      "离石区第一小学",
      "小学",
      "已退回",
      expect.stringMatching(/^2\d{3}\/\d{1,2}\/\d{1,2} \d{2}:\d{2}:\d{2}$/),
      "体育场馆面积偏大，请核实",
    ]);
    expect(rows[2].slice(3, 6)).toEqual(["幼儿园", "未填报", null]);
    expect(rows[4].slice(3, 5)).toEqual(["初级中学", "未填报"]);
    expect(rows[3][4]).toBe("草稿");
    expect(decodeURIComponent(String(res.headers["content-disposition"]))).toContain(
      "办学条件年报（学校）-2022年-填报情况.xlsx",
    );
  });

  it("holds exactly the reporters the list returns for the same filter, 未填报 ones included", async () => {
    for (const q of [
      "",
      "status=none",
      "status=submitted",
      "status=returned",
      "countyCode=141181",
      "q=离石",
    ]) {
      const { rows } = await sheet(city, `${round}/submissions.xlsx${q ? `?${q}` : ""}`);
      expect(asListed(rows), q).toEqual(await listed(city, q));
    }
    const none = await sheet(city, `${round}/submissions.xlsx?status=none`);
    expect(none.rows.map((r) => r[1])).toEqual(["1411020003", "1411810002"]);
  });

  it("gives a county admin only the county's schools", async () => {
    const { rows } = await sheet(xiaoyi, `${round}/submissions.xlsx`);
    expect(rows.map((r) => r[1])).toEqual(["1411810001", "1411810002"]);
    expect(asListed(rows)).toEqual(await listed(xiaoyi, ""));
    const other = await sheet(lishi, `${round}/submissions.xlsx?countyCode=141181`);
    expect(other.rows).toEqual([]);
  });

  it("needs forms.read and exchange.export", async () => {
    expect((await t.app.inject({ method: "GET", url: `${round}/submissions.xlsx` })).statusCode).toBe(401);
    expect((await teacher.get(`${round}/submissions.xlsx`)).statusCode).toBe(403);
    expect((await formsOnly.get(`${round}/submissions`)).statusCode).toBe(200);
    const refused = await formsOnly.get(`${round}/submissions.xlsx`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe("FORBIDDEN");
  });

  it("is audited as an export with its filters", async () => {
    const before = await t.database.db
      .selectFrom("audit_log")
      .select("id")
      .where("action", "=", "export")
      .execute();
    await sheet(lishi, `${round}/submissions.xlsx?status=none`);
    const rows = await t.database.db
      .selectFrom("audit_log")
      .select(["action", "entity", "entity_key", "actor_name", "context"])
      .where("action", "=", "export")
      .orderBy("id", "desc")
      .execute();
    expect(rows).toHaveLength(before.length + 1);
    expect(rows[0]).toMatchObject({
      entity: "form_submission",
      entity_key: "school_census/2022",
      actor_name: "lishi",
    });
    const context = typeof rows[0].context === "string" ? JSON.parse(rows[0].context) : rows[0].context;
    expect(context).toEqual({ filters: { status: "none" } });
  });

  it("reads in keyset batches across counties without losing or repeating a reporter", async () => {
    const repo = new SubmissionRepository(t.database.db);
    const form = await t.database.db
      .selectFrom("form")
      .select(["id", "reporter_types"])
      .where("code", "=", "school_census")
      .executeTakeFirstOrThrow();
    const codes: string[] = [];
    let after: [string, string] = ["", ""];
    for (;;) {
      const batch = await repo.batchAfter(
        form.id,
        parsePeriod("2022"),
        form.reporter_types,
        ["/141100/"],
        {},
        after,
        2,
      );
      codes.push(...batch.map((r) => r.code));
      if (batch.length < 2) break;
      after = [batch[1].county_code, batch[1].code];
    }
    expect(codes).toEqual(["1411020001", "1411020002", "1411020003", "1411810001", "1411810002"]);
  });
});

describe("上报率 by county as xlsx", () => {
  const url = `${round}/completeness.xlsx`;

  async function table(c: Client) {
    const res = await c.get(url);
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const rows: unknown[][] = [];
    wb.worksheets[0].eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
    return { res, rows };
  }

  /** The JSON completeness as the sheet's rows: each county, then 合计. */
  async function fromJson(c: Client) {
    const json = (await c.get(`${round}/completeness`)).json();
    const keys = ["expected", "none", "draft", "returned", "submitted", "approved", "accepted", "reported"];
    const line = (name: string, x: Record<string, number | null>) => [
      name,
      ...keys.map((k) => x[k]),
      x.rate === null ? undefined : Math.round((x.rate as number) * 1000) / 10,
    ];
    return [
      ...json.counties.map((x: Record<string, number | null> & { countyName: string }) =>
        line(x.countyName, x),
      ),
      line("合计", json.total),
    ];
  }

  it("holds the page's table: each county's counts by status, reported and the rate, then 合计", async () => {
    const { res, rows } = await table(city);
    expect(rows[0]).toEqual([
      "县（市、区）",
      "应报",
      "未填报",
      "草稿",
      "已退回",
      "已上报",
      "已审核",
      "已确认",
      "上报数（已上报、已审核、已确认）",
      "上报率（%）",
    ]);
    // 离石区: 3 schools, one returned, one submitted, one not started; 孝义市: a draft and one not started
    expect(rows.slice(1)).toEqual([
      ["离石区", 3, 1, 0, 1, 1, 0, 0, 1, 33.3],
      ["孝义市", 2, 1, 1, 0, 0, 0, 0, 0, 0],
      ["合计", 5, 2, 1, 1, 1, 0, 0, 1, 20],
    ]);
    expect(rows.slice(1)).toEqual(await fromJson(city));
    expect(decodeURIComponent(String(res.headers["content-disposition"]))).toContain(
      "办学条件年报（学校）-2022年-上报率.xlsx",
    );
  });

  it("gives a county admin the county's own row and its 合计; needs exchange.export; is audited", async () => {
    const { rows } = await table(xiaoyi);
    expect(rows.slice(1)).toEqual([
      ["孝义市", 2, 1, 1, 0, 0, 0, 0, 0, 0],
      ["合计", 2, 1, 1, 0, 0, 0, 0, 0, 0],
    ]);
    expect(rows.slice(1)).toEqual(await fromJson(xiaoyi));
    expect((await teacher.get(url)).statusCode).toBe(403);
    expect((await formsOnly.get(`${round}/completeness`)).statusCode).toBe(200);
    expect((await formsOnly.get(url)).statusCode).toBe(403);
    const last = await t.database.db
      .selectFrom("audit_log")
      .select(["action", "entity_key", "actor_name", "context"])
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    const context = typeof last.context === "string" ? JSON.parse(last.context) : last.context;
    expect({ ...last, context }).toMatchObject({
      action: "export",
      entity_key: "school_census/2022",
      actor_name: "xiaoyi",
      context: { sheet: "completeness" },
    });
  });
});
