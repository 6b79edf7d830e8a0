import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { user } from "../../../test/factories.js";
import { loadDemoCity } from "../../demo/load.js";
import { countyStrength, E2E_SCHOOL } from "./census-generator.js";
import { loadCensusDemo } from "./demo.js";
import { FormsService, type FormValueRow } from "./service.js";

let t: TestContext;
let forms: FormsService;
let summary: Record<string, number>;

beforeAll(async () => {
  t = await createTestApp();
  await loadDemoCity(t.database, { scale: 0.15 });
  summary = await loadCensusDemo(t.database);
  forms = new FormsService(t.database.db);
}, 300_000);
afterAll(() => t.close());

/** Share of reported schools per county where `pass` holds for the element's total. */
function shareByCounty(rows: FormValueRow[], element: string, pass: (v: FormValueRow["value"]) => boolean) {
  const by = new Map<string, { n: number; yes: number }>();
  for (const r of rows) {
    if (r.elementCode !== element || r.disaggregation !== "") continue;
    const c = by.get(r.countyCode) ?? { n: 0, yes: 0 };
    c.n++;
    if (pass(r.value)) c.yes++;
    by.set(r.countyCode, c);
  }
  return new Map([...by].map(([k, c]) => [k, c.yes / c.n]));
}

describe("demo census (办学条件年报 2021, 2022)", () => {
  it("fills both years for the city's schools and counties, with gaps", async () => {
    expect(summary.counties).toBe(13);
    expect(summary.submissions).toBeGreaterThan(summary.schools * 2 * 0.9);
    const statuses = await t.database.db
      .selectFrom("form_submission")
      .select(["period_code", "status", (eb) => eb.fn.countAll<number>().as("n")])
      .groupBy(["period_code", "status"])
      .execute();
    const of = (p: string, s: string) =>
      Number(statuses.find((x) => x.period_code === p && x.status === s)?.n ?? 0);
    for (const s of ["draft", "returned", "submitted", "approved", "accepted"])
      expect(of("2022", s)).toBeGreaterThan(0);
    const e2e = await t.database.db
      .selectFrom("form_submission as s")
      .innerJoin("org_unit as o", "o.id", "s.org_unit_id")
      .select("s.status")
      .where("o.code", "=", E2E_SCHOOL)
      .where("s.period_code", "=", "2022")
      .execute();
    expect(e2e).toEqual([]);
  });

  it("against the 2022 targets some counties meet them and some do not, and 2022 is better than 2021", async () => {
    const y22 = await forms.valuesForIndicators("2022", ["safe_campus", "rule_of_law_vp", "uplink_mbps"]);
    const y21 = await forms.valuesForIndicators("2021", ["safe_campus", "rule_of_law_vp", "uplink_mbps"]);
    const safe22 = shareByCounty(y22, "safe_campus", (v) => v === "met");
    const safe21 = shareByCounty(y21, "safe_campus", (v) => v === "met");
    const meets = [...safe22.values()].filter((x) => x >= 0.9).length;
    expect(meets).toBeGreaterThan(0);
    expect(meets).toBeLessThan(13);
    const law22 = shareByCounty(y22, "rule_of_law_vp", (v) => v === true);
    const full = [...law22.values()].filter((x) => x === 1).length;
    expect(full).toBeGreaterThan(0);
    expect(full).toBeLessThan(13);
    const giga22 = shareByCounty(y22, "uplink_mbps", (v) => typeof v === "number" && v >= 1000);
    const giga21 = shareByCounty(y21, "uplink_mbps", (v) => typeof v === "number" && v >= 1000);
    const mean = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0) / m.size;
    expect(mean(safe22)).toBeGreaterThan(mean(safe21));
    expect(mean(giga22)).toBeGreaterThan(mean(giga21));
    // the strongest county meets 法治副校长 100 %, the weakest does not
    const strongest = Object.entries(countyStrength).sort((a, b) => b[1] - a[1])[0][0];
    expect(law22.get(strongest)).toBe(1);

    const counties22 = await forms.valuesForIndicators("2022", ["ideology_studio", "county_uplink_mbps"]);
    const studios = counties22.filter((r) => r.elementCode === "ideology_studio" && r.value === true).length;
    expect(studios).toBeGreaterThan(0);
    expect(studios).toBeLessThan(13);
    const tenGig = counties22.filter(
      (r) => r.elementCode === "county_uplink_mbps" && Number(r.value) >= 10000,
    );
    expect(tenGig.length).toBeGreaterThan(0);
    expect(tenGig.length).toBeLessThan(13);
  });

  it("every demo return obeys the form's rules (class bandwidth ≤ uplink) and shows in completeness", async () => {
    const rows = await forms.valuesForIndicators("2022", ["uplink_mbps", "class_bandwidth_mbps"]);
    const uplink = new Map(
      rows.filter((r) => r.elementCode === "uplink_mbps").map((r) => [r.orgUnitId, r.value]),
    );
    for (const r of rows.filter((x) => x.elementCode === "class_bandwidth_mbps"))
      expect(Number(r.value)).toBeLessThanOrEqual(Number(uplink.get(r.orgUnitId)));
    await user(t.database.db, "cityStaff", ["city_staff"], ["141100"]);
    const c = (
      await (await signIn(t.app, "cityStaff")).get("/api/forms/school_census/periods/2022/completeness")
    ).json();
    expect(c.counties).toHaveLength(13);
    expect(c.total.none).toBeGreaterThan(0);
    expect(c.total.expected).toBe(c.total.none + c.total.draft + c.total.returned + c.total.reported);
  });
});
