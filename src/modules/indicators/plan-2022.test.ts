import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../test/db.js";
import { FakeForms, FakeHealth, indicatorCity, students } from "../../../test/indicator-city.js";
import type { Database } from "../../db/connect.js";
import { type Actor, systemActor } from "../../shared/actor.js";
import { DataEvents } from "../../shared/data-events.js";
import { casesModule } from "../cases/compose.js";
import { indicators } from "./compose.js";
import { loadIndicatorPackage } from "./package.js";
import type { CockpitResponse } from "./schemas.js";

/**
 * Every indicator of the 2022 plan package on a small hand-made city (test/indicator-city.ts), with
 * the answers worked out by hand in the comments. Runs on PGlite, and on PostgreSQL when
 * TEST_DATABASE_URL is set.
 */
let database: Database;
let forms: FakeForms;
let health: FakeHealth;
let events: DataEvents;
let mod: ReturnType<typeof indicators>;
let cases: ReturnType<typeof casesModule>;
const actor = systemActor("test");
// Who inspects decides the source (cases/safety.ts): the city's system actor makes a city spot
// check, a county's actor a county inspection, a school's own actor a self-check.
const within = (name: string, path: string): Actor => ({ ...systemActor(name), scopePaths: [path] });
const lishiBureau = within("lishi", "/141100/141102/");
const xiaoyiBureau = within("xiaoyi", "/141100/141181/");

/** Records an inspection of a school through the cases module's SafetyService; `failing`: required items failed. */
async function inspect(by: Actor, schoolCode: string, inspectedOn: string, failing: string[] = []) {
  const items = await cases.safety.checklist();
  const required = items.filter((i) => i.required).map((i) => i.code);
  for (const f of failing) if (!required.includes(f)) throw new Error(`${f} is not a required item`);
  return cases.safety.record(by, {
    schoolCode,
    periodCode: inspectedOn.slice(0, 4),
    inspectedOn,
    results: items.map((i) => ({ itemCode: i.code, passed: !failing.includes(i.code) })),
    fileHazards: false,
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  await indicatorCity(db);
  forms = new FakeForms(db);
  health = new FakeHealth(db);
  events = new DataEvents();
  cases = casesModule(db, { sweepEveryMs: 0, events });
  mod = indicators(db, {
    forms,
    health,
    safety: cases.safety,
    events,
    facts: { fingerprintEveryMs: 0 },
  });
  const pkg = JSON.parse(fs.readFileSync("packs/lvliang/plan-2022.json", "utf8"));
  await loadIndicatorPackage(db, actor, mod.definitions, pkg);

  for (const [county, studio, uplink] of [
    ["141102", 1, 10000],
    ["141181", 0, 1000],
  ] as const) {
    await forms.set("2022", county, "ideology_studio", studio === 1);
    await forms.set("2022", county, "county_uplink_mbps", uplink);
  }
  const school = async (code: string, v: Record<string, number | string | boolean | null>) => {
    for (const [k, x] of Object.entries(v)) if (x !== null) await forms.set("2022", code, k, x);
  };
  await school("1411020001", {
    uplink_mbps: 1000,
    class_bandwidth_mbps: 100,
    rule_of_law_vp: true,
    safe_campus: "met",
  });
  await school("1411020002", {
    uplink_mbps: 500,
    class_bandwidth_mbps: 100,
    rule_of_law_vp: false,
    safe_campus: "met",
  });
  await school("1411020003", { safe_campus: "met" });
  await school("1411020004", { safe_campus: "met" });
  await school("1411020005", { safe_campus: "unmet" });
  await school("1411810001", {
    uplink_mbps: 1000,
    class_bandwidth_mbps: 50,
    rule_of_law_vp: true,
    safe_campus: "met",
  });
  await school("1411810002", { safe_campus: "met" });
  await school("1411810003", { class_bandwidth_mbps: 100, rule_of_law_vp: true });
  // A draft does not count; a merged school's value does not either (it is no longer a school).
  await forms.set("2022", "1411810003", "uplink_mbps", 5000, "draft");
  await forms.set("2022", "1411810009", "uplink_mbps", 1000);

  await health.set("2021", "1411020001", 100, 40);
  await health.set("2021", "1411810001", 80, 30);
  await health.set("2022", "1411020001", 100, 38);
  await health.set("2022", "1411020002", 50, 20);
  await health.set("2022", "1411810001", 80, 32);

  // 平安校园 inspections (the census's safe_campus above is each school's self-report, not read).
  const guard = "guard_post"; // 护学岗, required for 平安校园
  await inspect(lishiBureau, "1411020001", "2022-05-10"); // passed
  await inspect(lishiBureau, "1411020002", "2022-04-01", [guard]); // failed, then …
  await inspect(actor, "1411020002", "2022-11-20"); // … a city spot check passed: the latest counts
  await inspect(lishiBureau, "1411020003", "2022-10-01"); // passed, then …
  await inspect(actor, "1411020003", "2022-12-01", [guard]); // … the city's spot check failed
  await inspect(within("school", "/141100/141102/1411020004/"), "1411020004", "2022-06-01"); // self-check
  await inspect(lishiBureau, "1411020005", "2021-12-20"); // passed, but in 2021 …
  await inspect(lishiBureau, "1411020005", "2023-03-01"); // … and in 2023: outside the period
  await inspect(xiaoyiBureau, "1411810001", "2022-09-15");
  await inspect(xiaoyiBureau, "1411810002", "2022-03-03");
  // 1411810003: not inspected.
});
afterAll(() => database.close());

type Row = CockpitResponse["indicators"][number];
const at = (c: CockpitResponse, code: string) => c.indicators.find((i) => i.code === code) as Row;
const fig = (r: Row) => ({
  city: [r.city.value, r.city.status, r.city.gap],
  lishi: [r.counties[0].value, r.counties[0].status, r.counties[0].gap],
  xiaoyi: [r.counties[1].value, r.counties[1].status, r.counties[1].gap],
});

describe("the 2022 plan on a hand-made city", () => {
  let c: CockpitResponse;
  beforeAll(async () => {
    c = await mod.results.cockpit(actor, { period: "2022", trend: 2 });
  });

  it("shows the ten key tasks and the counties", () => {
    expect(c.groups.map((g) => g.code)).toEqual([
      "T01",
      "T02",
      "T03",
      "T04",
      "T05",
      "T06",
      "T07",
      "T08",
      "T09",
      "T10",
    ]);
    expect(c.counties.map((x) => x.code)).toEqual(["141102", "141181"]);
    expect(c.periods).toEqual(["2021", "2022"]);
  });

  it("公办率: public kindergartens' children over all, summed (30/60, 0/40, 30/100)", () => {
    const r = at(c, "public_share");
    expect(fig(r)).toEqual({ city: [30, "unmet", 25], lishi: [50, "unmet", 5], xiaoyi: [0, "unmet", 55] });
    // The city is 30 %, not the mean of the counties' 50 % and 0 %.
    expect(r.city).toMatchObject({ numerator: 30, denominator: 100, target: "≥ 55%" });
  });

  it("普惠率: public + inclusive private (50/60, 0/40, 50/100)", () => {
    expect(fig(at(c, "inclusive_share"))).toEqual({
      city: [50, "unmet", 30],
      lishi: [83.3, "met", 0],
      xiaoyi: [0, "unmet", 80],
    });
  });

  it("民办义务教育在校生占比: private primary and junior pupils (0/150, 20/100, 20/250)", () => {
    expect(fig(at(c, "private_compulsory_share"))).toEqual({
      city: [8, "unmet", 3],
      lishi: [0, "met", 0],
      xiaoyi: [20, "unmet", 15],
    });
  });

  it("counted targets: new inclusive kindergartens, mergers, new schools, researchers, 名师", () => {
    const v = (code: string) => [at(c, code).city.value, at(c, code).city.gap, at(c, code).city.status];
    expect(v("new_inclusive_kindergartens")).toEqual([2, 46, "unmet"]);
    expect(v("rural_school_mergers")).toEqual([1, 109, "unmet"]);
    expect(v("new_compulsory_schools")).toEqual([0, 19, "unmet"]);
    expect(v("new_boarding_schools")).toEqual([0, 60, "unmet"]);
    expect(v("city_researchers")).toEqual([2, 98, "unmet"]);
    expect(v("famous_teacher_leaders")).toEqual([1, 194, "unmet"]);
    // 县级教研员: 3 in 离石区's 教研室 and 1 teacher (the retired one does not count); no target.
    expect(fig(at(c, "county_researchers"))).toEqual({
      city: [4, "noTarget", null],
      lishi: [4, "noTarget", null],
      xiaoyi: [0, "noTarget", null],
    });
    expect(at(c, "rural_school_mergers").counties.map((x) => x.value)).toEqual([0, 1]);
  });

  it("county coverage: 思政工作室 and 万兆到县 (1 of 2 counties)", () => {
    for (const code of ["ideology_studio_coverage", "county_10g_coverage"])
      expect(fig(at(c, code))).toEqual({
        city: [50, "unmet", 50],
        lishi: [100, "met", 0],
        xiaoyi: [0, "unmet", 100],
      });
    expect(at(c, "ideology_studio_coverage").city).toMatchObject({ numerator: 1, denominator: 2 });
  });

  it("school coverage: 千兆到校, 百兆到班, 法治副校长 over current primary and secondary schools", () => {
    // 千兆: 0001 yes, 0002 500, 1411810001 yes, 1411810003 only a draft.
    expect(fig(at(c, "school_1g_coverage"))).toEqual({
      city: [50, "unmet", 50],
      lishi: [50, "unmet", 50],
      xiaoyi: [50, "unmet", 50],
    });
    expect(at(c, "school_1g_coverage").city).toMatchObject({ numerator: 2, denominator: 4 });
    expect(fig(at(c, "class_100m_coverage"))).toEqual({
      city: [75, "unmet", 25],
      lishi: [100, "met", 0],
      xiaoyi: [50, "unmet", 50],
    });
    expect(fig(at(c, "legal_vice_principal_coverage"))).toEqual({
      city: [75, "unmet", 25],
      lishi: [50, "unmet", 50],
      xiaoyi: [100, "met", 0],
    });
  });

  it("平安校园覆盖率: schools whose latest county or city inspection in 2022 passed, over every current school (4/8, 2/5, 2/3)", () => {
    // 离石区: 0001 passed; 0002 failed in April, passed the city's spot check in November; 0003
    // passed in October, failed the spot check in December; 0004 only checked itself (and reported
    // 达标 in the census: not counted); 0005 was inspected in 2021 and 2023 only. 孝义市: 0001 and
    // 0002 passed, 0003 was not inspected (and reported nothing).
    const r = at(c, "safe_campus_coverage");
    expect(fig(r)).toEqual({
      city: [50, "unmet", 40],
      lishi: [40, "unmet", 50],
      xiaoyi: [66.7, "unmet", 23.3],
    });
    // Reported: the schools inspected in the period, passed or not (离石 0001–0003, 孝义 0001–0002).
    expect(r.city).toMatchObject({ numerator: 4, denominator: 8, reported: 5 });
  });

  it("gives the inspections to the drill-down school by school", async () => {
    const r = await mod.results.results(actor, {
      indicator: "safe_campus_coverage",
      period: "2022",
      orgUnit: "141102",
      children: "direct",
      trend: 1,
    });
    // 0004 only checked itself and 0005 was not inspected in 2022: not reported, no 0 ÷ 1.
    expect(r.children.map((x) => [x.code, x.cell.numerator, x.cell.denominator, x.cell.notReported])).toEqual(
      [
        ["1411020001", 1, 1, false],
        ["1411020002", 1, 1, false],
        ["1411020003", 0, 1, false],
        ["1411020004", null, null, true],
        ["1411020005", null, null, true],
      ],
    );
  });

  it("近视率 against the previous year minus 1 pp", () => {
    const r = at(c, "myopia_rate");
    // 2021: 离石 40/100 = 40.0, 孝义 30/80 = 37.5, city 70/180 = 38.9.
    // 2022: 离石 58/150 = 38.7 ≤ 39.0 met; 孝义 32/80 = 40.0 > 36.5; city 90/230 = 39.1 > 37.9.
    expect(fig(r)).toEqual({
      city: [39.1, "unmet", 1.2],
      lishi: [38.7, "met", 0],
      xiaoyi: [40, "unmet", 3.5],
    });
    expect(r.city).toMatchObject({ previous: 38.9, change: 0.2, threshold: 37.9 });
    expect(r.counties[0]).toMatchObject({ previous: 40, change: -1.3, rank: 1 });
    expect(r.counties[1]).toMatchObject({ previous: 37.5, change: 2.5, rank: 2 });
    expect(r.city.trend.map((p) => p.value)).toEqual([38.9, 39.1]);
    expect(r.rankedCounties).toBe(2);
  });

  it("drills down from a county to its schools with numerators and denominators", async () => {
    const r = await mod.results.results(actor, {
      indicator: "public_share",
      period: "2022",
      orgUnit: "141102",
      children: "direct",
      trend: 1,
    });
    expect(r.node).toMatchObject({ value: 50, numerator: 30, denominator: 60 });
    expect(r.parents.map((p) => p.code)).toEqual(["141100"]);
    expect(r.children.map((x) => [x.code, x.cell.value, x.cell.numerator, x.cell.denominator])).toEqual([
      ["1411020003", 100, 30, 30],
      ["1411020004", 0, 0, 20],
      ["1411020005", 0, 0, 10],
    ]);
  });

  it("gives a school its own page beside its county and the city", async () => {
    const p = await mod.results.unitPage(actor, "1411020001", { period: "2022", trend: 1 });
    expect(p.parents.map((x) => x.code)).toEqual(["141102", "141100"]);
    const safe = p.indicators.find((i) => i.code === "safe_campus_coverage")!;
    expect([safe.applies, safe.self.value, safe.parents.map((x) => x.value)]).toEqual([true, 100, [40, 50]]);
    expect(p.indicators.find((i) => i.code === "public_share")!.applies).toBe(false);
  });
});

describe("live figures", () => {
  const value = async (code: string, county = 0) => {
    const c = await mod.results.cockpit(actor, { period: "2022", trend: 1 });
    return county < 0 ? at(c, code).city.value : at(c, code).counties[county].value;
  };

  it("shows a changed form value as soon as the forms module says so", async () => {
    expect(await value("school_1g_coverage", 0)).toBe(50);
    await forms.set("2022", "1411020002", "uplink_mbps", 1000);
    // Cached until the change is announced …
    expect(await value("school_1g_coverage", 0)).toBe(50);
    events.changed("forms");
    expect(await value("school_1g_coverage", 0)).toBe(100);
  });

  it("reads the registry again when students change, without any notice", async () => {
    expect(await value("public_share", 0)).toBe(50);
    await students(database.db, "1411020003", 30, "preschool", 0);
    // 离石区: (30 + 30) / (60 + 30) = 66.7 %.
    expect(await value("public_share", 0)).toBe(66.7);
  });

  it("counts a school's children again when only its registry attributes change", async () => {
    // 1411020005 (10 children) becomes public: 离石区 (60 + 10) / 90 = 77.8 %; its people are unchanged.
    await database.db
      .updateTable("org_unit")
      .set({ ownership: "public", updated_at: new Date() })
      .where("code", "=", "1411020005")
      .execute();
    expect(await value("public_share", 0)).toBe(77.8);
    await database.db
      .updateTable("org_unit")
      .set({ ownership: "private", updated_at: new Date() })
      .where("code", "=", "1411020005")
      .execute();
    expect(await value("public_share", 0)).toBe(66.7);
  });

  it("shows a new indicator at once, and drops a retired one", async () => {
    await mod.definitions.create(actor, {
      code: "kindergarten_children",
      name: "在园幼儿数",
      groupCode: "T03",
      numerator: 'students(stage = "preschool")',
      factor: 1,
      unit: "人",
      decimals: 0,
      better: "higher",
      periodType: "year",
      cityOnly: false,
      ordinal: 9,
    });
    expect(await value("kindergarten_children", -1)).toBe(130);
    await mod.definitions.retire(actor, "kindergarten_children");
    const c = await mod.results.cockpit(actor, { period: "2022", trend: 1 });
    expect(c.indicators.some((i) => i.code === "kindergarten_children")).toBe(false);
  });

  it("shows a recorded 平安校园 inspection at once, by the data event the safety service announces", async () => {
    const v = async () => {
      const r = at(await mod.results.cockpit(actor, { period: "2022", trend: 1 }), "safe_campus_coverage");
      return [r.city.value, r.counties[0].value, r.counties[1].value];
    };
    expect(await v()).toEqual([50, 40, 66.7]);
    // 孝义 1411810003 passes a county inspection in 2022: 孝义 3/3, the city 5/8.
    const before = events.version("safety");
    await inspect(xiaoyiBureau, "1411810003", "2022-12-10");
    expect(events.version("safety")).toBe(before + 1);
    expect(await v()).toEqual([62.5, 40, 100]);
    // 离石 1411020001 fails a later spot check: 离石 1/5, the city 4/8.
    await inspect(actor, "1411020001", "2022-12-15", ["guard_post"]);
    expect(await v()).toEqual([50, 20, 100]);
    // A self-check that passes changes nothing; an inspection in 2023 neither.
    await inspect(within("school", "/141100/141102/1411020001/"), "1411020001", "2022-12-20");
    await inspect(lishiBureau, "1411020004", "2023-01-05");
    expect(await v()).toEqual([50, 20, 100]);
  });

  it("applies a changed target at once", async () => {
    await mod.definitions.putTarget(actor, {
      indicatorCode: "safe_campus_coverage",
      orgUnitCode: "141102",
      periodCode: "2022",
      kind: "absolute",
      direction: ">=",
      value: 20,
    });
    const c = await mod.results.cockpit(actor, { period: "2022", trend: 1 });
    expect(at(c, "safe_campus_coverage").counties[0]).toMatchObject({ status: "met", target: "≥ 20%" });
  });
});

describe("the package", () => {
  it("loads twice without changing anything the second time", async () => {
    const pkg = JSON.parse(fs.readFileSync("packs/lvliang/plan-2022.json", "utf8"));
    const r = await loadIndicatorPackage(database.db, actor, mod.definitions, pkg);
    expect(r.groups).toEqual({ inserted: 0, updated: 0, unchanged: 10 });
    expect(r.indicators.inserted + r.indicators.updated).toBe(0);
    // The target changed in the test above is set back to the plan's.
    expect(r.targets.updated).toBe(1);
  });

  it("refuses a package with a bad formula whole, naming indicator, side and position", async () => {
    const pkg = JSON.parse(fs.readFileSync("packs/lvliang/plan-2022.json", "utf8"));
    pkg.indicators[0].name = "改了名字";
    pkg.indicators[3].numerator = 'students(stage = "preschool" and ownr = "public")';
    await expect(loadIndicatorPackage(database.db, actor, mod.definitions, pkg)).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      message: expect.stringContaining("indicators[3]（inclusive_share）.numerator: 第 34 个字符起"),
    });
    const still = await mod.definitions.repo.indicator(pkg.indicators[0].code);
    expect(still?.name).not.toBe("改了名字");
  });
});
