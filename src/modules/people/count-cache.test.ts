import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../test/db.js";
import { orgUnit, smallCity } from "../../../test/factories.js";
import { student } from "../../../test/people-factories.js";
import type { Database } from "../../db/connect.js";
import { OrgDirectory } from "../registry/org-directory.js";
import { CountCache } from "./count-cache.js";
import { StudentRepository } from "./student-repository.js";

describe("CountCache", () => {
  it("forgets a total after its time, and everything on clear", () => {
    let now = 0;
    const cache = new CountCache(5000, 100, () => now);
    cache.set("a", 12000);
    now = 4999;
    expect(cache.get("a")).toBe(12000);
    now = 5001;
    expect(cache.get("a")).toBeUndefined();
    cache.set("b", 2000);
    cache.clear();
    expect(cache.get("b")).toBeUndefined();
  });

  it("drops the oldest entry when full, and keeps nothing with a zero lifetime", () => {
    const cache = new CountCache(5000, 2, () => 0);
    cache.set("a", 1);
    cache.set("b", 2);
    cache.set("c", 3);
    expect([cache.get("a"), cache.get("b"), cache.get("c")]).toEqual([undefined, 2, 3]);
    const off = new CountCache(0);
    off.set("a", 1);
    expect(off.get("a")).toBeUndefined();
  });
});

describe("list totals on the database", () => {
  let database: Database;
  const scope = ["/141100/141102/"];

  beforeAll(async () => {
    database = await createTestDatabase();
    await smallCity(database.db);
    await orgUnit(database.db, { code: "1411020099", name: "离石区大学校", parentCode: "141102" });
    await sql`insert into student (student_number, name, gender, birth_date, school_id, org_path, county_code, stage, grade)
      select 'BIG' || g, '赵' || g, 'M', date '2016-01-01', o.id, o.path, '141102', 'primary', 3
      from generate_series(1, 1500) g, org_unit o where o.code = '1411020099'`.execute(database.db);
    for (let i = 0; i < 3; i++) await student(database.db, { schoolCode: "1411020001", grade: 2 });
  });
  afterAll(() => database.close());

  it("remembers a large total but counts a small one every time", async () => {
    const repo = new StudentRepository(database.db);
    const cache = new CountCache(60_000);
    const directory = new OrgDirectory(database.db);
    const big = { schoolCode: "1411020099" };
    const small = { schoolCode: "1411020001" };
    expect((await repo.list(big, scope, 20, 0, cache, directory)).total).toBe(1500);
    expect((await repo.list(small, scope, 20, 0, cache, directory)).total).toBe(3);
    await sql`delete from student where student_number in ('BIG1', 'BIG2')`.execute(database.db);
    await sql`update student set deleted_at = now() where org_path = '/141100/141102/1411020001/'`.execute(
      database.db,
    );
    const again = await repo.list(big, scope, 20, 0, cache, directory);
    expect(again.total).toBe(1500); // remembered
    expect(again.rows[0].student_number).not.toBe("BIG1"); // the rows themselves are always read
    expect((await repo.list(small, scope, 20, 0, cache, directory)).total).toBe(0);
    cache.clear();
    expect((await repo.list(big, scope, 20, 0, cache, directory)).total).toBe(1498);
  });

  it("fills in school codes and names from the directory", async () => {
    const repo = new StudentRepository(database.db);
    const { rows } = await repo.list(
      { schoolCode: "1411020099" },
      scope,
      1,
      0,
      new CountCache(0),
      new OrgDirectory(database.db),
    );
    expect(rows[0]).toMatchObject({ school_code: "1411020099", school_name: "离石区大学校" });
  });
});
