import { type Kysely, sql } from "kysely";
import { underPaths } from "../../db/scope.js";
import type { DB } from "../../db/types.js";

export interface CountyCountRow {
  code: string;
  name: string;
  path: string;
  schools: number;
  kindergartens: number;
  students: number;
  staff: number;
  teachers: number;
}

/** JY/T 1001 办学类型 111 = 幼儿园. */
const KINDERGARTEN = "111";

/**
 * Per-county counts for the city map. Every count is filtered by the caller's scope paths, so a
 * county admin gets figures of their own county only, and a school admin those of their school.
 */
export class StatsRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /**
   * The counties the caller may see: those inside the scope, and those that contain a scope path
   * (a school admin sees their own county, with only their school's figures). `code` narrows to one.
   */
  async visibleCounties(scopePaths: string[], asOf: string, code?: string) {
    const containing = scopePaths
      .map((p) => `${p.split("/").slice(0, 3).join("/")}/`)
      .filter((p) => p !== "//");
    const counties = await this.db
      .selectFrom("org_unit")
      .select(["code", "name", "path", "county_code"])
      .where("kind", "=", "county")
      .where("valid_from", "<=", asOf)
      .where((eb) => eb.or([eb("valid_to", "is", null), eb("valid_to", ">", asOf)]))
      .where((eb) =>
        containing.length
          ? eb.or([underPaths("path", scopePaths), eb("path", "in", containing)])
          : underPaths("path", scopePaths),
      )
      .$if(code !== undefined, (q) => q.where("code", "=", code!))
      .orderBy("code")
      .execute();
    return counties;
  }

  /** The current schools of one county by type and ownership, and its enrolled students by stage. */
  async countyBreakdown(countyCode: string, scopePaths: string[], asOf: string) {
    const [schools, students] = await Promise.all([
      this.db
        .selectFrom("org_unit")
        .select(["school_type", "ownership", sql<string>`count(*)`.as("n")])
        .where("kind", "=", "school")
        .where("county_code", "=", countyCode)
        .where("valid_from", "<=", asOf)
        .where((eb) => eb.or([eb("valid_to", "is", null), eb("valid_to", ">", asOf)]))
        .where(underPaths("path", scopePaths))
        .groupBy(["school_type", "ownership"])
        .execute(),
      this.db
        .selectFrom("student")
        .select(["stage", sql<string>`count(*)`.as("n")])
        .where("county_code", "=", countyCode)
        .where("status", "=", "enrolled")
        .where("deleted_at", "is", null)
        .where(underPaths("org_path", scopePaths))
        .groupBy("stage")
        .execute(),
    ]);
    return {
      schools: schools.map((r) => ({
        schoolType: r.school_type,
        ownership: r.ownership,
        count: Number(r.n),
      })),
      students: students.map((r) => ({ stage: r.stage, count: Number(r.n) })),
    };
  }

  async countyCounts(scopePaths: string[], asOf: string): Promise<CountyCountRow[]> {
    const counties = await this.visibleCounties(scopePaths, asOf);
    if (counties.length === 0) return [];

    const [schools, students, staff] = await Promise.all([
      this.db
        .selectFrom("org_unit")
        .select([
          "county_code",
          sql<string>`count(*)`.as("n"),
          sql<string>`count(*) filter (where school_type = ${KINDERGARTEN})`.as("k"),
        ])
        .where("kind", "=", "school")
        .where("valid_from", "<=", asOf)
        .where((eb) => eb.or([eb("valid_to", "is", null), eb("valid_to", ">", asOf)]))
        .where(underPaths("path", scopePaths))
        .groupBy("county_code")
        .execute(),
      this.db
        .selectFrom("student")
        .select(["county_code", sql<string>`count(*)`.as("n")])
        .where("status", "=", "enrolled")
        .where("deleted_at", "is", null)
        .where(underPaths("org_path", scopePaths))
        .groupBy("county_code")
        .execute(),
      this.db
        .selectFrom("staff")
        .select([
          "county_code",
          sql<string>`count(*)`.as("n"),
          sql<string>`count(*) filter (where '教师' = any(posts))`.as("t"),
        ])
        .where("status", "=", "active")
        .where("deleted_at", "is", null)
        .where(underPaths("org_path", scopePaths))
        .groupBy("county_code")
        .execute(),
    ]);
    const byCounty = <T extends { county_code: string | null }>(rows: T[]) =>
      new Map(rows.map((r) => [r.county_code, r]));
    const s = byCounty(schools);
    const st = byCounty(students);
    const sf = byCounty(staff);
    return counties.map((c) => ({
      code: c.code,
      name: c.name,
      path: c.path,
      schools: Number(s.get(c.county_code)?.n ?? 0),
      kindergartens: Number(s.get(c.county_code)?.k ?? 0),
      students: Number(st.get(c.county_code)?.n ?? 0),
      staff: Number(sf.get(c.county_code)?.n ?? 0),
      teachers: Number(sf.get(c.county_code)?.t ?? 0),
    }));
  }
}
