import { type Expression, type Kysely, type RawBuilder, sql } from "kysely";
import { underPaths } from "../../db/scope.js";
import type { DB } from "../../db/types.js";
import type { MyopiaRule } from "./myopia-rule.js";

/** Screened and myopic students of one school in a period. */
export interface SchoolMyopiaRow {
  orgUnitId: number;
  orgPath: string;
  countyCode: string;
  screened: number;
  myopic: number;
}

/** The summary table's rule (numbers as the database prints them) and freshness. */
export interface SummaryState {
  code: string;
  minAgeYears: number;
  acuityBelow: string;
  seAtMost: string;
  stale: boolean;
}

/** Whether the summary counts by `rule`. */
export const summaryCounts = (state: SummaryState, rule: MyopiaRule) =>
  state.code === rule.code &&
  state.minAgeYears === rule.minAgeYears &&
  state.acuityBelow === rule.acuityBelow.toFixed(1) &&
  state.seAtMost === rule.seAtMost.toFixed(2);

export interface GradeMyopiaRow {
  grade: number;
  screened: number;
  myopic: number;
}

export interface ScreeningListRow {
  id: number;
  student_number: string;
  student_name: string;
  school_code: string;
  school_name: string;
  screened_on: string;
  age_years: number;
  grade: number;
  va_left: string;
  va_right: string;
  se_left: string;
  se_right: string;
  institution: string | null;
  myopic: boolean;
  classified: boolean;
}

export interface ScreeningFilter {
  /** Subtree the list is narrowed to (inside the scope). */
  orgPath?: string;
  start: string;
  end: string;
  studentNumber?: string;
  myopic?: boolean;
}

/**
 * The rule as SQL over a vision_screening row aliased `v`: the same thresholds as the pure
 * function in myopia-rule.ts (numeric comparisons, so 4.9 < 5.0 and −0.50 ≤ −0.50 are exact).
 */
export function myopicSql(rule: MyopiaRule, alias = "v"): RawBuilder<boolean> {
  return sql<boolean>`(${classifiedSql(rule, alias)} and ${lowEyeSql(rule, alias)})`;
}

/**
 * Whether the rule classifies the screening of row `alias` at all: the student was old enough on
 * the screening date (WS/T 663-2020: 6 周岁 and over). Only these count in 近视率's denominator.
 */
export function classifiedSql(rule: MyopiaRule, alias = "v"): RawBuilder<boolean> {
  return sql<boolean>`${sql.raw(alias)}.age_years >= ${sql.lit(rule.minAgeYears)}`;
}

function lowEyeSql(rule: MyopiaRule, alias: string): RawBuilder<boolean> {
  const a = sql.raw(alias);
  const acuity = sql.lit(rule.acuityBelow.toFixed(1));
  const se = sql.lit(rule.seAtMost.toFixed(2));
  return sql<boolean>`((${a}.va_left < ${acuity}::numeric and ${a}.se_left <= ${se}::numeric)
      or (${a}.va_right < ${acuity}::numeric and ${a}.se_right <= ${se}::numeric))`;
}

/**
 * A period's screenings, one per student: the latest in the period (a student screened twice
 * counts once). `where` narrows the rows before the choice (scope, subtree).
 */
function latestInPeriod(start: string, end: string, where: Expression<unknown> = sql`true`) {
  return sql`select distinct on (v.student_id) v.*
    from vision_screening v
    where v.screened_on between ${start}::date and ${end}::date and ${where}
    order by v.student_id desc, v.screened_on desc`;
}

/** SQL of vision screenings: counts for indicators and the health pages, the record list. */
export class HealthRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /**
   * Every school's screened and myopic students in the period, from the summary table
   * (vision_screening_summary, migration 0032): a student's latest screening in the period is the one
   * whose next screening is after the period's end. The same figures as myopiaBySchool; usable only
   * when summaryState() says the summary is fresh and counts by the same rule. Unscoped: the health
   * pages filter its schools by scope, so a student screened in two counties counts in the county
   * of the latest screening only, as in the cockpit.
   */
  async myopiaBySchoolSummary(start: string, end: string) {
    const r = await sql<{
      school_id: number;
      path: string;
      county_code: string;
      screened: number;
      myopic: number;
    }>`select s.school_id, o.path, coalesce(o.county_code, s.county_code) as county_code,
        sum(s.screened)::int as screened, sum(s.myopic)::int as myopic
      from vision_screening_summary s join org_unit o on o.id = s.school_id
      where s.screened_on between ${start}::date and ${end}::date and s.next_on > ${end}::date
      group by s.school_id, o.path, o.county_code, s.county_code
      order by o.path`.execute(this.db);
    return r.rows.map(
      (x): SchoolMyopiaRow => ({
        orgUnitId: Number(x.school_id),
        orgPath: x.path,
        countyCode: x.county_code,
        screened: x.screened,
        myopic: x.myopic,
      }),
    );
  }

  /** The summary's rule and whether it must be rebuilt before it is read. */
  async summaryState(): Promise<SummaryState | undefined> {
    const r = await sql<SummaryState>`select rule_code as code, min_age_years::int as "minAgeYears",
        acuity_below::text as "acuityBelow", se_at_most::text as "seAtMost", stale
      from vision_screening_summary_state`.execute(this.db);
    return r.rows[0];
  }

  /**
   * Rebuilds the summary whole, counting by `rule` (after a large import marked it stale, or when the
   * rule in force changed). One statement: a full pass over vision_screening.
   */
  async rebuildSummary(rule: MyopiaRule) {
    await this.db.transaction().execute(async (tx) => {
      await sql`update vision_screening_summary_state set rule_code = ${rule.code},
          min_age_years = ${rule.minAgeYears}, acuity_below = ${rule.acuityBelow.toFixed(1)}::numeric,
          se_at_most = ${rule.seAtMost.toFixed(2)}::numeric`.execute(tx);
      await sql`select vision_screening_summary_rebuild()`.execute(tx);
    });
  }

  /** Every school's screened and myopic students in the period, counted from every screening. */
  async myopiaBySchool(rule: MyopiaRule, start: string, end: string) {
    const r = await sql<{
      school_id: number;
      path: string;
      county_code: string;
      screened: number;
      myopic: number;
    }>`with l as (${latestInPeriod(start, end)})
      select v.school_id, o.path, coalesce(o.county_code, v.county_code) as county_code,
        (count(*) filter (where ${classifiedSql(rule)}))::int as screened,
        (count(*) filter (where ${myopicSql(rule)}))::int as myopic
      from l v join org_unit o on o.id = v.school_id
      group by v.school_id, o.path, o.county_code, v.county_code
      order by o.path`.execute(this.db);
    return r.rows.map(
      (x): SchoolMyopiaRow => ({
        orgUnitId: Number(x.school_id),
        orgPath: x.path,
        countyCode: x.county_code,
        screened: x.screened,
        myopic: x.myopic,
      }),
    );
  }

  /**
   * Screened and myopic students by grade, inside the scope and under `orgPath`: each student by
   * their latest screening of the period city-wide (as the indicators count), counted here only when
   * that screening was made inside the scope and under `orgPath`.
   */
  async myopiaByGrade(rule: MyopiaRule, start: string, end: string, scopePaths: string[], orgPath: string) {
    const here = (col: string) => sql`${underPaths(col, scopePaths)} and ${underPaths(col, [orgPath])}`;
    const r = await sql<GradeMyopiaRow>`with l as (
        ${latestInPeriod(
          start,
          end,
          sql`v.student_id in (select w.student_id from vision_screening w
            where w.screened_on between ${start}::date and ${end}::date and ${here("w.org_path")})`,
        )})
      select v.grade::int as grade, (count(*) filter (where ${classifiedSql(rule)}))::int as screened,
        (count(*) filter (where ${myopicSql(rule)}))::int as myopic
      from l v where ${here("v.org_path")} and ${classifiedSql(rule)}
      group by v.grade order by v.grade`.execute(this.db);
    return r.rows;
  }

  /** One page of screening records, newest first, with the classification. */
  async list(rule: MyopiaRule, scopePaths: string[], f: ScreeningFilter, limit: number, offset: number) {
    const conditions = [
      underPaths("v.org_path", scopePaths),
      sql`v.screened_on between ${f.start}::date and ${f.end}::date`,
    ];
    if (f.orgPath) conditions.push(underPaths("v.org_path", [f.orgPath]));
    if (f.studentNumber) conditions.push(sql`s.student_number = ${f.studentNumber}`);
    // 非近视: classified and not myopic (a child under 6 is neither)
    if (f.myopic === true) conditions.push(myopicSql(rule));
    if (f.myopic === false) conditions.push(sql`${classifiedSql(rule)} and not ${myopicSql(rule)}`);
    const where = sql.join(conditions, sql` and `);
    const rows = await sql<ScreeningListRow>`select v.id, s.student_number, s.name as student_name,
        o.code as school_code, o.name as school_name, v.screened_on, v.age_years, v.grade,
        v.va_left::text as va_left, v.va_right::text as va_right, v.se_left::text as se_left,
        v.se_right::text as se_right, v.institution, ${myopicSql(rule)} as myopic,
        ${classifiedSql(rule)} as classified
      from vision_screening v join student s on s.id = v.student_id join org_unit o on o.id = v.school_id
      where ${where}
      order by v.screened_on desc, v.id desc limit ${limit} offset ${offset}`.execute(this.db);
    const count = await sql<{ n: number }>`select count(*)::int as n from (select 1
      from vision_screening v join student s on s.id = v.student_id
      where ${where} limit 10000) x`.execute(this.db);
    return { rows: rows.rows, total: count.rows[0].n };
  }

  /** An org unit by code, inside the scope (or containing a scope path: the area a user belongs to). */
  async orgUnit(code: string) {
    return this.db
      .selectFrom("org_unit")
      .select(["id", "code", "name", "kind", "path", "county_code"])
      .where("code", "=", code)
      .executeTakeFirst();
  }

  /** Current and past org units directly under `path` (their figures roll up by path). */
  async children(path: string) {
    const depth = path.split("/").length;
    return this.db
      .selectFrom("org_unit")
      .select(["id", "code", "name", "kind", "path"])
      .where(underPaths("path", [path]))
      .where(sql<boolean>`array_length(string_to_array(path, '/'), 1) = ${depth + 1}`)
      .where("kind", "in", ["county", "school"])
      .orderBy("code")
      .execute();
  }

  /** The org unit whose path is exactly `path`. */
  async orgAtPath(path: string) {
    return this.db
      .selectFrom("org_unit")
      .select(["id", "code", "name", "kind", "path", "county_code"])
      .where("path", "=", path)
      .executeTakeFirst();
  }

  /** The root of the tree (the city). */
  async rootUnit() {
    return this.db
      .selectFrom("org_unit")
      .select(["id", "code", "name", "kind", "path", "county_code"])
      .where("parent_id", "is", null)
      .orderBy("id")
      .executeTakeFirst();
  }
}
