import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { smallCity, user } from "../../../test/factories.js";
import { student } from "../../../test/people-factories.js";
import { parsePeriod } from "../../shared/period.js";
import { commitJob, csvText, dryRunOf } from "../exchange/test-helpers.js";
import { myopiaRule } from "./myopia-rule.js";
import { HealthRepository, type SchoolMyopiaRow } from "./repository.js";
import { HealthService } from "./service.js";

/**
 * The per-school summary of screenings (migration 0032) against the count from every screening:
 * after imports that add, correct and move screenings, after other statements, after a statement
 * too large to keep incrementally, and with the rule changed.
 */
let t: TestContext;
let admin: Client;
let repo: HealthRepository;
let health: HealthService;
const numbers: Record<string, string> = {};
const db = () => t.database.db;

const header = ["学籍号", "姓名", "筛查日期", "左眼裸眼视力", "右眼裸眼视力", "左眼等效球镜", "右眼等效球镜"];
/** A screening row: myopic (both signs in the left eye) or not. */
const row = (who: string, on: string, myopic: boolean) => [
  numbers[who],
  "",
  on,
  myopic ? 4.7 : 5.0,
  5.0,
  myopic ? -1.25 : 0.25,
  0,
];

async function importRows(rows: (string | number)[][]) {
  const { job } = await dryRunOf(admin, "vision-screenings", "s.csv", csvText([header, ...rows]));
  expect(job?.status).toBe("validated");
  return commitJob(admin, job?.id as string);
}

const PERIODS = [
  "2021",
  "2022",
  "2021-2022",
  "2022-2023",
  "2022-2023-1",
  "2022Q2",
  "2022Q4",
  "2022-05",
  "2022-10",
];

const sorted = (rows: SchoolMyopiaRow[]) =>
  [...rows].sort((a, b) => a.orgPath.localeCompare(b.orgPath) || a.countyCode.localeCompare(b.countyCode));

/** The summary table as stored, in a fixed order. */
const summaryRows = async () =>
  (
    await sql<Record<string, unknown>>`select school_id::text, org_path, county_code, screened_on::text,
        next_on::text, screened, myopic from vision_screening_summary order by 1, 2, 3, 4, 5`.execute(db())
  ).rows;

/** Every period's figures from the summary equal the count from every screening, and so does the table a rebuild makes. */
async function expectSummaryRight() {
  const state = await repo.summaryState();
  expect(state?.stale).toBe(false);
  for (const code of PERIODS) {
    const p = parsePeriod(code);
    const fromSummary = await repo.myopiaBySchoolSummary(p.start, p.end);
    const counted = await repo.myopiaBySchool(myopiaRule, p.start, p.end);
    expect(sorted(fromSummary), code).toEqual(sorted(counted));
  }
  const kept = await summaryRows();
  await sql`select vision_screening_summary_rebuild()`.execute(db());
  expect(await summaryRows()).toEqual(kept);
}

beforeAll(async () => {
  t = await createTestApp();
  await smallCity(db());
  await user(db(), "admin", ["city_admin"], ["141100"]);
  const at: Record<string, string> = {
    a: "1411020001",
    b: "1411020001",
    c: "1411020001",
    d: "1411020002",
    e: "1411020002",
    f: "1411810001",
  };
  for (const [key, schoolCode] of Object.entries(at)) {
    const s = await student(db(), { schoolCode, grade: 4 });
    numbers[key] = s.student_number;
  }
  admin = await signIn(t.app, "admin");
  repo = new HealthRepository(db());
  health = new HealthService(repo);
});
afterAll(() => t.close());

describe("the per-school screening summary", () => {
  it("starts empty and fresh, by the rule in force", async () => {
    const state = await repo.summaryState();
    expect(state).toMatchObject({
      code: myopiaRule.code,
      minAgeYears: 6,
      acuityBelow: "5.0",
      seAtMost: "-0.50",
    });
    expect(await summaryRows()).toEqual([]);
    await expectSummaryRight();
  });

  it("equals the full count after an import, students screened more than once in a period included", async () => {
    const done = await importRows([
      row("a", "2021-10-10", true),
      row("a", "2022-05-10", true),
      row("a", "2022-10-10", false), // a's latest in 2022, not myopic
      row("b", "2022-05-10", false),
      row("c", "2021-10-10", false),
      row("c", "2022-10-12", true),
      row("d", "2022-05-10", true),
      row("e", "2021-03-01", true),
      row("f", "2022-10-10", true),
    ]);
    expect(done).toMatchObject({ status: "committed", inserted: 9 });
    await expectSummaryRight();
    const y2022 = await health.myopiaBySchool("2022");
    expect(y2022.find((r) => r.orgPath === "/141100/141102/1411020001/")).toMatchObject({
      screened: 3,
      myopic: 1,
    });
  });

  it("stays equal after an import that corrects, adds earlier and later screenings, and a transfer", async () => {
    // d moves to school 1 and is screened there later in 2022: its 2022 figure moves with it
    const school1 = await db()
      .selectFrom("org_unit")
      .select(["id", "path"])
      .where("code", "=", "1411020001")
      .executeTakeFirstOrThrow();
    await db()
      .updateTable("student")
      .set({ school_id: school1.id, org_path: school1.path })
      .where("student_number", "=", numbers.d)
      .execute();
    const done = await importRows([
      row("b", "2022-05-10", true), // corrected: now myopic
      row("d", "2022-11-20", false), // later, at the new school
      row("c", "2022-09-01", false), // earlier than c's October screening: not c's latest
      row("e", "2022-04-01", false), // e's first 2022 screening
    ]);
    expect(done).toMatchObject({ status: "committed", inserted: 3, updated: 1 });
    await expectSummaryRight();
    const y2022 = await health.myopiaBySchool("2022");
    expect(y2022.find((r) => r.orgPath === "/141100/141102/1411020002/")).toMatchObject({
      screened: 1,
      myopic: 0,
    });
  });

  it("stays equal after other statements: a delete, a changed date, a moved school, a plain insert", async () => {
    await sql`delete from vision_screening where screened_on = '2022-10-10' and student_id =
      (select id from student where student_number = ${numbers.a})`.execute(db());
    await expectSummaryRight();
    await sql`update vision_screening set screened_on = '2023-01-05' where screened_on = '2022-11-20'`.execute(
      db(),
    );
    await expectSummaryRight();
    await sql`update vision_screening v set school_id = o.id, org_path = o.path, county_code = o.county_code
      from org_unit o where o.code = '1411810001' and v.screened_on = '2022-05-10'`.execute(db());
    await expectSummaryRight();
    await sql`insert into vision_screening (student_id, school_id, org_path, county_code, screened_on, age_years,
        grade, va_left, va_right, se_left, se_right)
      select v.student_id, v.school_id, v.org_path, v.county_code, v.screened_on + 30, v.age_years, v.grade,
        4.5, 4.5, -2, -2
      from vision_screening v where v.screened_on = '2022-05-10'`.execute(db());
    await expectSummaryRight();
  });

  it("is marked stale by a statement over the limit, and rebuilt by the next read", async () => {
    await sql`update vision_screening_summary_state set incremental_limit = 2`.execute(db());
    try {
      const r =
        await sql`insert into vision_screening (student_id, school_id, org_path, county_code, screened_on,
          age_years, grade, va_left, va_right, se_left, se_right)
        select v.student_id, v.school_id, v.org_path, v.county_code, v.screened_on + 2, v.age_years, v.grade,
          4.6, 4.6, -1.5, -1.5
        from vision_screening v where v.screened_on = '2022-05-10'`.execute(db());
      expect(Number(r.numAffectedRows)).toBeGreaterThan(2);
      expect((await repo.summaryState())?.stale).toBe(true);
      const rows = await new HealthService(repo).myopiaBySchool("2022");
      expect(rows.length).toBeGreaterThan(0);
      await expectSummaryRight();
      // an import over the limit: its data event has the summary rebuilt; a read waits for it
      const done = await importRows([
        row("a", "2022-12-01", true),
        row("b", "2022-12-01", false),
        row("f", "2022-12-02", false),
      ]);
      expect(done).toMatchObject({ status: "committed", inserted: 3 });
      await new HealthService(repo).myopiaBySchool("2022");
      await expectSummaryRight();
      // the import set the summary's triggers aside for its write only (migration 0033): they are
      // back, and keep the summary right through the next small statement
      const triggers = await sql<{ enabled: string }>`select tgenabled as enabled from pg_trigger
        where tgrelid = 'vision_screening'::regclass and not tgisinternal`.execute(db());
      expect(triggers.rows.map((x) => x.enabled)).toEqual(["O", "O", "O", "O"]);
      await sql`update vision_screening set va_left = 4.0, se_left = -2
        where id = (select min(id) from vision_screening where screened_on = '2022-12-02')`.execute(db());
      expect((await repo.summaryState())?.stale).toBe(false);
      await expectSummaryRight();
    } finally {
      await sql`update vision_screening_summary_state set incremental_limit = 20000`.execute(db());
    }
  });

  it("is rebuilt when the rule in force differs from the rule it counted by", async () => {
    await sql`update vision_screening_summary_state set acuity_below = 4.9`.execute(db());
    const p = parsePeriod("2022");
    const expected = sorted(await repo.myopiaBySchool(myopiaRule, p.start, p.end));
    expect(sorted(await new HealthService(repo).myopiaBySchool("2022"))).toEqual(expected);
    expect(await repo.summaryState()).toMatchObject({ acuityBelow: "5.0", stale: false });
    await expectSummaryRight();
  });

  it("counts from every screening for another rule, and leaves the summary's rule alone", async () => {
    const strict = { ...myopiaRule, code: "test", acuityBelow: 4.7 };
    const p = parsePeriod("2022");
    const expected = sorted(await repo.myopiaBySchool(strict, p.start, p.end));
    expect(sorted(await new HealthService(repo, strict).myopiaBySchool("2022"))).toEqual(expected);
    expect(expected).not.toEqual(sorted(await repo.myopiaBySchool(myopiaRule, p.start, p.end)));
    expect(await repo.summaryState()).toMatchObject({ code: myopiaRule.code, stale: false });
  });

  it("is emptied by a truncate", async () => {
    await sql`truncate vision_screening`.execute(db());
    expect(await summaryRows()).toEqual([]);
    await expectSummaryRight();
  });
});
