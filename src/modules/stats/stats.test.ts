import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { orgUnit, smallCity, user } from "../../../test/factories.js";
import { DataEvents } from "../../shared/data-events.js";
import { makeResidentId } from "../../shared/resident-id.js";
import { PeopleSummary } from "./people-summary.js";
import { studentsPerTeacher } from "./service.js";

let t: TestContext;

/** Inserts `n` students of a school with a given status. */
async function students(
  schoolCode: string,
  n: number,
  status: "enrolled" | "graduated" = "enrolled",
  tag = "",
) {
  const db = t.database.db;
  const school = await db
    .selectFrom("org_unit")
    .selectAll()
    .where("code", "=", schoolCode)
    .executeTakeFirstOrThrow();
  const rows = Array.from({ length: n }, (_, i) => ({
    student_number: `G${schoolCode}${status[0]}${tag}${i}`,
    name: `学生${i}`,
    gender: "M" as const,
    birth_date: "2015-03-01",
    school_id: school.id,
    org_path: school.path,
    county_code: school.county_code!,
    stage: "primary",
    grade: 3,
    status,
  }));
  await db.insertInto("student").values(rows).execute();
}

async function staff(
  schoolCode: string,
  n: number,
  posts: string[],
  status: "active" | "retired" = "active",
) {
  const db = t.database.db;
  const school = await db
    .selectFrom("org_unit")
    .selectAll()
    .where("code", "=", schoolCode)
    .executeTakeFirstOrThrow();
  const rows = Array.from({ length: n }, (_, i) => ({
    staff_number: `T${schoolCode}${posts.join("")}${status}${i}`,
    name: `教工${i}`,
    gender: "F" as const,
    school_id: school.id,
    org_path: school.path,
    county_code: school.county_code!,
    posts,
    status,
  }));
  await db.insertInto("staff").values(rows).execute();
}

beforeAll(async () => {
  t = await createTestApp();
  const db = t.database.db;
  await smallCity(db);
  await orgUnit(db, { code: "1411020003", name: "离石区幼儿园", parentCode: "141102", school_type: "111" });
  // A school merged in 2020: no longer counted.
  await orgUnit(db, {
    code: "1411020009",
    name: "已撤并小学",
    parentCode: "141102",
    valid_to: "2020-08-31",
    end_reason: "merged",
  });
  await students("1411020001", 30);
  await students("1411020002", 12);
  await students("1411020002", 5, "graduated");
  await students("1411810001", 7);
  await staff("1411020001", 3, ["教师", "班主任"]);
  await staff("1411020001", 1, ["校长"]);
  await staff("1411020002", 2, ["教师"]);
  await staff("1411020002", 4, ["教师"], "retired");
  await staff("1411810001", 1, ["教师"]);
  await user(db, "admin", ["city_admin"], ["141100"]);
  await user(db, "lishi", ["county_admin"], ["141102"]);
  await user(db, "school1", ["school_admin"], ["1411020001"]);
});
afterAll(() => t.close());

describe("GET /api/stats/counties", () => {
  it("refuses an anonymous caller", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/stats/counties" });
    expect(res.statusCode).toBe(401);
  });

  it("gives the city admin every county with current schools, enrolled students and active staff", async () => {
    const c = await signIn(t.app, "admin");
    const res = await c.get("/api/stats/counties");
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.counties.map((x: { code: string }) => x.code)).toEqual(["141102", "141181"]);
    const lishi = body.counties[0];
    expect(lishi).toMatchObject({
      name: "离石区",
      access: "full",
      schools: 3, // two primary schools and the kindergarten; the merged school is not current
      kindergartens: 1,
      students: 42, // graduated students are not enrolled
      staff: 6, // retired staff are not active
      teachers: 5,
      studentsPerTeacher: 8.4,
    });
    expect(body.counties[1]).toMatchObject({ schools: 1, students: 7, staff: 1, teachers: 1 });
    // The total sums numerators and denominators: 49 / 6, not the mean of 8.4 and 7.
    expect(body.total).toMatchObject({
      schools: 4,
      students: 49,
      staff: 7,
      teachers: 6,
      studentsPerTeacher: 8.2,
    });
  });

  it("gives a county admin only their own county", async () => {
    const c = await signIn(t.app, "lishi");
    const body = (await c.get("/api/stats/counties")).json();
    expect(body.counties.map((x: { code: string }) => x.code)).toEqual(["141102"]);
    expect(body.total.students).toBe(42);
  });

  it("gives a school admin their county, marked partial, with only their school's figures", async () => {
    const c = await signIn(t.app, "school1");
    const body = (await c.get("/api/stats/counties")).json();
    expect(body.counties).toHaveLength(1);
    expect(body.counties[0]).toMatchObject({
      code: "141102",
      access: "partial",
      schools: 1,
      students: 30,
      staff: 4,
      teachers: 3,
    });
  });
});

describe("GET /api/stats/counties/:code", () => {
  it("breaks a county down by school type and ownership, and students by stage", async () => {
    const c = await signIn(t.app, "admin");
    const res = await c.get("/api/stats/counties/141102");
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ code: "141102", name: "离石区", access: "full" });
    // JY/T 1001 order: 幼儿园 (111) before 小学 (211); the merged school is not counted.
    expect(body.schoolsByType).toEqual([
      { schoolType: "111", label: "幼儿园", public: 1, private: 0, total: 1 },
      { schoolType: "211", label: "小学", public: 2, private: 0, total: 2 },
    ]);
    expect(body.studentsByStage).toEqual([{ stage: "primary", label: "小学", students: 42 }]);
  });

  it("answers 'not found' for a county outside the scope", async () => {
    const c = await signIn(t.app, "lishi");
    const res = await c.get("/api/stats/counties/141181");
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe("NOT_FOUND");
    expect((await c.get("/api/stats/counties/141102")).statusCode).toBe(200);
  });

  it("counts only the school admin's own school", async () => {
    const c = await signIn(t.app, "school1");
    const body = (await c.get("/api/stats/counties/141102")).json();
    expect(body.access).toBe("partial");
    expect(body.schoolsByType).toEqual([
      { schoolType: "211", label: "小学", public: 1, private: 0, total: 1 },
    ]);
    expect(body.studentsByStage).toEqual([{ stage: "primary", label: "小学", students: 30 }]);
  });

  it("refuses a malformed code", async () => {
    const c = await signIn(t.app, "admin");
    expect((await c.get("/api/stats/counties/abc")).statusCode).toBe(400);
  });
});

describe("the per-school summary behind the figures", () => {
  it("shows a student added through the API on the next map load", async () => {
    const c = await signIn(t.app, "admin");
    const before = (await c.get("/api/stats/counties")).json().counties[1].students;
    const school = await signIn(t.app, "school1");
    const id = makeResidentId("141102", "2016-05-20", 321);
    const res = await school.post("/api/students", {
      studentNumber: `S${id}`,
      name: "赵六",
      residentId: id,
      schoolCode: "1411020001",
      grade: 3,
    });
    expect(res.statusCode).toBe(201);
    const after = (await c.get("/api/stats/counties")).json();
    expect(after.counties[0].students).toBe(43);
    expect(after.counties[1].students).toBe(before);
    expect((await c.get("/api/stats/counties/141102")).json().studentsByStage).toEqual([
      { stage: "primary", label: "小学", students: 43 },
    ]);
  });

  it("sees writes of other processes within its time to live, serving the older figures meanwhile", async () => {
    let now = 0;
    const summary = new PeopleSummary(t.database.db, 1000, new DataEvents(), () => now);
    const total = async () => (await summary.rows()).reduce((a, r) => a + r.students, 0);
    const first = await total();
    await students("1411810001", 2, "enrolled", "x"); // straight into the table, as another process would
    expect(await total()).toBe(first);
    now = 2000;
    expect(await total()).toBe(first); // stale: served while the refresh runs
    await vi.waitFor(async () => expect(await total()).toBe(first + 2));
  });
});

describe("studentsPerTeacher", () => {
  it("rounds to one decimal and is null without teachers", () => {
    expect(studentsPerTeacher(49, 6)).toBe(8.2);
    expect(studentsPerTeacher(10, 0)).toBeNull();
  });
});
