import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { smallCity, user } from "../../../test/factories.js";
import { student } from "../../../test/people-factories.js";
import { dataEvents } from "../../shared/data-events.js";
import { makeResidentId } from "../../shared/resident-id.js";
import { commitJob, csvText, dryRunOf, xlsxBuffer } from "../exchange/test-helpers.js";
import { HealthRepository } from "./repository.js";
import { HealthService } from "./service.js";

let t: TestContext;
let admin: Client;
let lishi: Client;
let school1: Client;
let leader: Client;
let health: HealthService;

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

/** Students of 离石区第一小学 (and one of 孝义市) with birth dates that put the rule's age boundary on known days. */
const people: Record<string, { number: string; residentId: string; name: string }> = {};
async function addStudent(key: string, schoolCode: string, birth: string, seq: number, grade = 1) {
  const residentId = makeResidentId(schoolCode.slice(0, 6), birth, seq);
  const s = await student(t.database.db, {
    schoolCode,
    grade,
    resident_id: residentId,
    birth_date: birth,
    student_number: `G${residentId}`,
    name: `学生${key}`,
  });
  people[key] = { number: s.student_number, residentId, name: s.name };
}

const count = async () =>
  (await sql<{ n: number }>`select count(*)::int as n from vision_screening`.execute(t.database.db)).rows[0]
    .n;

beforeAll(async () => {
  t = await createTestApp();
  await smallCity(t.database.db);
  await user(t.database.db, "admin", ["city_admin"], ["141100"]);
  await user(t.database.db, "lishi", ["county_admin"], ["141102"]);
  await user(t.database.db, "school1", ["school_admin"], ["1411020001"]);
  await user(t.database.db, "leader", ["leader"], ["141100"]);
  // A: 6 on 2022-05-20 (the birthday). B: 5 on the screening date. C, D, E: older.
  await addStudent("A", "1411020001", "2016-05-20", 101);
  await addStudent("B", "1411020001", "2016-10-01", 103);
  await addStudent("C", "1411020001", "2012-03-15", 105, 4);
  await addStudent("D", "1411020001", "2012-04-15", 107, 4);
  await addStudent("E", "1411020002", "2010-06-01", 109, 6);
  await addStudent("X", "1411810001", "2012-06-01", 111, 4);
  admin = await signIn(t.app, "admin");
  lishi = await signIn(t.app, "lishi");
  school1 = await signIn(t.app, "school1");
  leader = await signIn(t.app, "leader");
  health = new HealthService(new HealthRepository(t.database.db));
});
afterAll(() => t.close());

const row = (
  who: string,
  on: string,
  va: [number | string, number | string],
  se: [number | string, number | string],
  by: "number" | "id" = "number",
) => [
  by === "number" ? people[who].number : "",
  by === "id" ? people[who].residentId : "",
  people[who].name,
  on,
  va[0],
  va[1],
  se[0],
  se[1],
  "离石区妇幼保健院",
];

describe("import of vision screenings", () => {
  it("lists every bad row with row, column, value and a Chinese reason, and writes nothing", async () => {
    const csv = csvText([
      header,
      row("A", "2022-05-20", [4.8, 5.0], [-1, 0]),
      row("C", "2022-05-21", ["1.0", 5.0], [-1, 0]),
      row("C", "2022-05-22", [4.8, 5.4], [-1, 0]),
      row("C", "2022-05-23", [4.8, 5.0], ["abc", 0]),
      row("C", "2022-05-24", [4.8, 5.0], [-1, -31]),
      ["", "", "某某", "2022-05-25", 5, 5, 0, 0, ""],
      row("C", "2099-01-01", [4.8, 5.0], [-1, 0]),
      row("X", "2022-05-26", [4.8, 5.0], [-1, 0]),
      ["G999999999999999999", "", "", "2022-05-27", 5, 5, 0, 0, ""],
      [people.C.number, "", "王五", "2022-05-28", 5, 5, 0, 0, ""],
      row("A", "2022-05-20", [4.8, 5.0], [-1, 0], "id"),
      row("B", "2015-01-01", [4.8, 5.0], [-1, 0]),
      [people.A.number, people.C.residentId, "", "2022-05-29", 5, 5, 0, 0, ""],
    ]);
    const { job, errors } = await dryRunOf(school1, "vision-screenings", "screenings.csv", csv);
    expect(job?.status).toBe("invalid");
    const at = (r: number) => errors.filter((e) => e.row === r);
    expect(at(2)).toEqual([]);
    expect(at(3)[0]).toMatchObject({ column: "左眼裸眼视力", value: "1.0" });
    expect(at(3)[0].reason).toContain("小数记录");
    expect(at(4)[0]).toMatchObject({ column: "右眼裸眼视力", value: "5.4" });
    expect(at(4)[0].reason).toContain("4.0～5.3");
    expect(at(5)[0]).toMatchObject({ column: "左眼等效球镜", value: "abc" });
    expect(at(6)[0]).toMatchObject({ column: "右眼等效球镜", value: "-31" });
    expect(at(7)[0]).toMatchObject({ column: "学籍号", reason: "学籍号和身份证号至少填写一项" });
    expect(at(8)[0]).toMatchObject({ column: "筛查日期", reason: "筛查日期不能晚于今天" });
    // another county's student, an unknown number: the same answer (out of scope looks like not found)
    expect(at(9)[0]).toMatchObject({ column: "学籍号", value: people.X.number });
    expect(at(9)[0].reason).toContain("不存在或不在您的管理范围内");
    expect(at(10)[0].reason).toBe(at(9)[0].reason);
    expect(at(11)[0]).toMatchObject({ column: "姓名", value: "王五" });
    expect(at(11)[0].reason).toContain(people.C.name);
    // the same student and date through the ID number
    expect(at(12)[0]).toMatchObject({ column: "筛查日期" });
    expect(at(12)[0].reason).toContain("第2行和第12行");
    expect(at(13)[0]).toMatchObject({ column: "筛查日期" });
    expect(at(13)[0].reason).toContain("出生日期");
    // a 学籍号 and a 身份证号 of two different students
    expect(at(14)).toEqual([
      {
        row: 14,
        column: "身份证号",
        value: people.C.residentId,
        reason: `身份证号与学籍号 ${people.A.number} 的学生不一致，请核对`,
      },
    ]);
    expect(await count()).toBe(0);
    const refused = await school1.post(`/api/imports/${job?.id}/commit`);
    expect(refused.statusCode).toBe(409);
    expect(await count()).toBe(0);
  });

  it("is refused without health.write", async () => {
    await user(t.database.db, "teacher1", ["teacher"], ["1411020001"]);
    const teacher = await signIn(t.app, "teacher1");
    const res = await teacher.request({ method: "POST", url: "/api/imports?kind=vision-screenings" });
    expect(res.statusCode).toBe(403);
  });

  it("commits a clean xlsx file whole, tells the indicators, and a second import changes nothing", async () => {
    const rows = [
      row("A", "2022-05-20", [4.8, 5.0], [-0.5, 0]), // 6 on the day, left eye myopic → myopic
      row("B", "2022-05-20", [4.5, 4.5], [-2, -2]), // 5 → not counted as myopic
      row("C", "2022-05-20", [4.6, 5.1], [0, -3]), // low acuity one eye, low SE the other → not
      row("D", "2022-03-01", [4.9, 4.9], [-0.75, -0.75]), // myopic in March …
      row("D", "2022-10-10", [5.0, 5.0], [-0.25, -0.25], "id"), // … not by the latest screening
      row("E", "2022-04-01", [4.9, 5.0], [-0.5, 0]), // school 2, myopic
      row("C", "2021-04-01", [4.8, 4.8], [-1, -1]), // 2021
    ];
    const before = dataEvents.version("health");
    const file = await xlsxBuffer([{ name: "筛查", rows: [header, ...rows] }]);
    const { job } = await dryRunOf(lishi, "vision-screenings", "screenings.xlsx", file);
    expect(job?.status).toBe("validated");
    const done = await commitJob(lishi, job?.id as string);
    expect(done).toMatchObject({ status: "committed", inserted: 7, updated: 0 });
    expect(await count()).toBe(7);
    expect(dataEvents.version("health")).toBeGreaterThan(before);
    const ages = await sql<{ n: string; age_years: number; grade: number }>`
      select s.name as n, v.age_years, v.grade from vision_screening v join student s on s.id = v.student_id
      where v.screened_on = '2022-05-20' order by s.name`.execute(t.database.db);
    expect(ages.rows.map((r) => [r.n, r.age_years])).toEqual([
      ["学生A", 6],
      ["学生B", 5],
      ["学生C", 10],
    ]);
    const again = await dryRunOf(lishi, "vision-screenings", "screenings.xlsx", file);
    const second = await commitJob(lishi, again.job?.id as string);
    expect(second).toMatchObject({ status: "committed", inserted: 0, updated: 0, unchanged: 7 });
  });

  it("audits a corrected screening with before and after", async () => {
    const csv = csvText([header, row("E", "2022-04-01", [4.9, 5.0], [-0.75, 0])]);
    const { job } = await dryRunOf(lishi, "vision-screenings", "fix.csv", csv);
    const done = await commitJob(lishi, job?.id as string);
    expect(done).toMatchObject({ inserted: 0, updated: 1 });
    const audit = await t.database.db
      .selectFrom("audit_log")
      .selectAll()
      .where("entity", "=", "vision_screening")
      .where("action", "=", "update")
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0].before).toMatchObject({ seLeft: -0.5 });
    expect(audit[0].after).toMatchObject({ seLeft: -0.75 });
    expect(audit[0].actor_name).toBe("lishi");
  });

  it("is all or nothing: a student moved out of scope after the dry run refuses the whole commit", async () => {
    await addStudent("F", "1411020001", "2013-01-01", 113, 3);
    await addStudent("G", "1411020001", "2013-02-01", 115, 3);
    const csv = csvText([
      header,
      row("F", "2022-06-01", [5, 5], [0, 0]),
      row("G", "2022-06-01", [5, 5], [0, 0]),
    ]);
    const { job } = await dryRunOf(school1, "vision-screenings", "two.csv", csv);
    expect(job?.status).toBe("validated");
    const xiaoyiSchool = await t.database.db
      .selectFrom("org_unit")
      .select(["id", "path"])
      .where("code", "=", "1411810001")
      .executeTakeFirstOrThrow();
    await t.database.db
      .updateTable("student")
      .set({ school_id: xiaoyiSchool.id, org_path: xiaoyiSchool.path, county_code: "141181" })
      .where("student_number", "=", people.G.number)
      .execute();
    const n = await count();
    const done = await commitJob(school1, job?.id as string);
    expect(done.status).toBe("invalid");
    expect(await count()).toBe(n);
    const errors = (await school1.get(`/api/imports/${job?.id}/errors`)).json().items;
    expect(errors).toEqual([expect.objectContaining({ row: 3, column: "学籍号" })]);
  });
});

describe("myopiaBySchool (for the indicators)", () => {
  it("counts each student once per period, by the latest screening, per WS/T 663-2020", async () => {
    const rows = await health.myopiaBySchool("2022");
    const bySchool = Object.fromEntries(rows.map((r) => [r.orgPath, r]));
    // A, C, D: B was 5 on the screening date, which the rule does not classify: not in the denominator
    expect(bySchool["/141100/141102/1411020001/"]).toMatchObject({
      screened: 3,
      myopic: 1,
      countyCode: "141102",
    });
    expect(bySchool["/141100/141102/1411020002/"]).toMatchObject({ screened: 1, myopic: 1 });
    const school = await t.database.db
      .selectFrom("org_unit")
      .select("id")
      .where("code", "=", "1411020001")
      .executeTakeFirstOrThrow();
    expect(bySchool["/141100/141102/1411020001/"].orgUnitId).toBe(Number(school.id));
    expect(await health.myopiaBySchool("2021")).toEqual([
      expect.objectContaining({ orgPath: "/141100/141102/1411020001/", screened: 1, myopic: 1 }),
    ]);
    // a school-year period: 2021-09-01 … 2022-08-31 holds D's March screening, which is myopic
    const sy = await health.myopiaBySchool("2021-2022");
    expect(sy.find((r) => r.orgPath === "/141100/141102/1411020001/")).toMatchObject({
      screened: 3,
      myopic: 2,
    });
  });
});

describe("figures and lists by scope", () => {
  it("gives the county its rate, its schools and the change from the previous period, with the rule", async () => {
    const res = await lishi.get("/api/health/myopia?period=2022");
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.rule.code).toBe("WS/T 663-2020");
    expect(body.rule.text).toContain("SE ≤ −0.50 D");
    // A, C, D and E (B, 5 years old, is not classified): 2 of 4
    expect(body.area).toMatchObject({ code: "141102", screened: 4, myopic: 2, rate: 50 });
    expect(body.area.previous).toMatchObject({ screened: 1, myopic: 1, rate: 100 });
    expect(body.area.changePp).toBe(-50);
    expect(body.rule.text).toContain("6岁及以上的筛查人数");
    expect(body.children.map((c: { code: string }) => c.code)).toEqual(["1411020001", "1411020002"]);
  });

  it("answers 404 for another county's school, and the leader sees the city", async () => {
    expect((await lishi.get("/api/health/myopia?period=2022&org=1411810001")).statusCode).toBe(404);
    expect((await school1.get("/api/health/myopia?period=2022&org=1411020002")).statusCode).toBe(404);
    const city = (await leader.get("/api/health/myopia?period=2022")).json();
    expect(city.area).toMatchObject({ code: "141100", screened: 4, myopic: 2 });
    expect(city.children.map((c: { code: string }) => c.code)).toEqual(["141102"]);
  });

  it("lists a school's screenings with the classification, and only its own", async () => {
    const res = await school1.get("/api/health/screenings?period=2022&pageSize=50");
    expect(res.statusCode).toBe(200);
    const items = res.json().items as {
      studentName: string;
      myopic: boolean;
      classified: boolean;
      schoolCode: string;
    }[];
    expect(new Set(items.map((i) => i.schoolCode))).toEqual(new Set(["1411020001"]));
    expect(items.filter((i) => i.myopic).map((i) => i.studentName)).toEqual(["学生A", "学生D"]);
    const myopic = await admin.get("/api/health/screenings?period=2022&myopic=true&pageSize=50");
    expect(myopic.json().items.every((i: { myopic: boolean }) => i.myopic)).toBe(true);
    // B, 5 on the screening date: shown as not classified, and not among the 非近视
    const b = items.find((i) => i.studentName === "学生B");
    expect(b?.classified).toBe(false);
    const notMyopic = await school1.get("/api/health/screenings?period=2022&myopic=false&pageSize=50");
    const rows = notMyopic.json().items as { studentName: string; myopic: boolean; classified: boolean }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((i) => i.classified && !i.myopic && i.studentName !== "学生B")).toBe(true);
  });
});
