import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { orgUnitByCode, smallCity, user } from "../../../test/factories.js";
import { student } from "../../../test/people-factories.js";
import { makeResidentId } from "../../shared/resident-id.js";
import { commitJob, csvText, dryRunOf } from "../exchange/test-helpers.js";
import { HealthRepository } from "./repository.js";
import { HealthService } from "./service.js";

/**
 * A student screened in two counties in one period counts once, where the latest screening was:
 * on the county's health page as in the indicators (the cockpit), never once in each county.
 */
let t: TestContext;
let admin: Client;
let lishi: Client;
let xiaoyi: Client;
let leader: Client;

const header = [
  "学籍号",
  "身份证号",
  "姓名",
  "筛查日期",
  "左眼裸眼视力",
  "右眼裸眼视力",
  "左眼等效球镜",
  "右眼等效球镜",
  "筛查机构",
];
const people: Record<string, { number: string; name: string }> = {};

async function screen(rows: (string | number)[][]) {
  const { job, errors } = await dryRunOf(admin, "vision-screenings", "s.csv", csvText([header, ...rows]));
  expect(errors).toEqual([]);
  expect((await commitJob(admin, job?.id as string)).status).toBe("committed");
}

beforeAll(async () => {
  t = await createTestApp();
  await smallCity(t.database.db);
  await user(t.database.db, "admin", ["city_admin"], ["141100"]);
  await user(t.database.db, "lishi", ["county_admin"], ["141102"]);
  await user(t.database.db, "xiaoyi", ["county_admin"], ["141181"]);
  await user(t.database.db, "leader", ["leader"], ["141100"]);
  for (const [key, seq] of [
    ["mover", 201],
    ["stayer", 203],
  ] as const) {
    const residentId = makeResidentId("141102", "2012-03-15", seq);
    const s = await student(t.database.db, {
      schoolCode: "1411020001",
      grade: 4,
      resident_id: residentId,
      birth_date: "2012-03-15",
      student_number: `G${residentId}`,
      name: `学生${key}`,
    });
    people[key] = { number: s.student_number, name: s.name };
  }
  [admin, lishi, xiaoyi, leader] = await Promise.all(
    ["admin", "lishi", "xiaoyi", "leader"].map((u) => signIn(t.app, u)),
  );
  // March, both at 离石区第一小学: the mover is myopic then (4.8 and −1.00 D in the left eye).
  await screen([
    [people.mover.number, "", people.mover.name, "2022-03-10", 4.8, 5.0, -1, 0, "离石区妇幼保健院"],
    [people.stayer.number, "", people.stayer.name, "2022-03-10", 5.0, 5.0, 0, 0, "离石区妇幼保健院"],
  ]);
  // The mover goes to 孝义市 and is screened there in October, not myopic.
  const to = await orgUnitByCode(t.database.db, "1411810001");
  await sql`update student set school_id = ${to.id}, org_path = ${to.path}, county_code = ${to.county_code}
    where student_number = ${people.mover.number}`.execute(t.database.db);
  await screen([
    [people.mover.number, "", people.mover.name, "2022-10-10", 5.0, 5.0, 0, 0, "孝义市疾控中心"],
  ]);
});
afterAll(() => t.close());

describe("myopia figures of a student screened in two counties", () => {
  it("count in the county of the latest screening only, as the indicators count", async () => {
    const l = (await lishi.get("/api/health/myopia?period=2022")).json();
    expect(l.area).toMatchObject({ code: "141102", screened: 1, myopic: 0 });
    expect(l.byGrade).toEqual([expect.objectContaining({ screened: 1, myopic: 0 })]);
    const x = (await xiaoyi.get("/api/health/myopia?period=2022")).json();
    expect(x.area).toMatchObject({ code: "141181", screened: 1, myopic: 0 });
    expect(x.byGrade).toEqual([expect.objectContaining({ screened: 1, myopic: 0 })]);
    const city = (await leader.get("/api/health/myopia?period=2022")).json();
    expect(city.area).toMatchObject({ code: "141100", screened: 2, myopic: 0 });
    expect(city.area.screened).toBe(l.area.screened + x.area.screened);

    // the indicators' per-school figures (what the cockpit sums) say the same
    const rows = await new HealthService(new HealthRepository(t.database.db)).myopiaBySchool("2022");
    const inCounty = (c: string) =>
      rows.filter((r) => r.countyCode === c).reduce((n, r) => n + r.screened, 0);
    expect(inCounty("141102")).toBe(l.area.screened);
    expect(inCounty("141181")).toBe(x.area.screened);
  });
});
