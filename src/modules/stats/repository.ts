import { type Kysely, sql } from "kysely";
import { underPaths } from "../../db/scope.js";
import type { DB } from "../../db/types.js";
import { PeopleSummary, withinScope } from "./people-summary.js";

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
 * Per-county counts for the city map. Every count is filtered by the caller's scope paths (people
 * counts come from the in-memory per-school summary, filtered by the same path rule), so a
 * county admin gets figures of their own county only, and a school admin those of their school.
 */
export class StatsRepository {
  constructor(
    private readonly db: Kysely<DB>,
    /** People counts per school, kept current by data change notices (people-summary.ts). */
    readonly summary: PeopleSummary = new PeopleSummary(db),
  ) {}

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
    const schools = await this.db
      .selectFrom("org_unit")
      .select(["school_type", "ownership", sql<string>`count(*)`.as("n")])
      .where("kind", "=", "school")
      .where("county_code", "=", countyCode)
      .where("valid_from", "<=", asOf)
      .where((eb) => eb.or([eb("valid_to", "is", null), eb("valid_to", ">", asOf)]))
      .where(underPaths("path", scopePaths))
      .groupBy(["school_type", "ownership"])
      .execute();
    const byStage = new Map<string, number>();
    for (const r of withinScope(await this.summary.rows(), scopePaths)) {
      if (r.countyCode !== countyCode) continue;
      for (const [stage, n] of r.studentsByStage) byStage.set(stage, (byStage.get(stage) ?? 0) + n);
    }
    return {
      schools: schools.map((r) => ({
        schoolType: r.school_type,
        ownership: r.ownership,
        count: Number(r.n),
      })),
      students: [...byStage].map(([stage, count]) => ({ stage, count })),
    };
  }

  async countyCounts(scopePaths: string[], asOf: string): Promise<CountyCountRow[]> {
    const counties = await this.visibleCounties(scopePaths, asOf);
    if (counties.length === 0) return [];

    const schools = await this.db
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
      .execute();
    const people = new Map<string | null, { students: number; staff: number; teachers: number }>();
    for (const r of withinScope(await this.summary.rows(), scopePaths)) {
      const e = people.get(r.countyCode) ?? { students: 0, staff: 0, teachers: 0 };
      e.students += r.students;
      e.staff += r.staff;
      e.teachers += r.teachers;
      people.set(r.countyCode, e);
    }
    const s = new Map(schools.map((r) => [r.county_code, r]));
    return counties.map((c) => ({
      code: c.code,
      name: c.name,
      path: c.path,
      schools: Number(s.get(c.county_code)?.n ?? 0),
      kindergartens: Number(s.get(c.county_code)?.k ?? 0),
      students: people.get(c.county_code)?.students ?? 0,
      staff: people.get(c.county_code)?.staff ?? 0,
      teachers: people.get(c.county_code)?.teachers ?? 0,
    }));
  }
}
