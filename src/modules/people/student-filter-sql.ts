import { type RawBuilder, type SqlBool, sql } from "kysely";
import { underPaths } from "../../db/scope.js";
import { prefixRange } from "./paged-sql.js";
import type { StudentFilter } from "./student-schemas.js";

/** How a search text is read: a full ID number, a 学籍号, or the start of a name. */
export function searchKind(q: string): "residentId" | "number" | "name" {
  if (/^\d{17}[\dXx]$/.test(q)) return "residentId";
  if (/^[A-Za-z0-9]+$/.test(q)) return "number";
  return "name";
}

type Lead = { column: "grade" | "stage" | "status" | "county_code"; value: string | number };

/**
 * The equality filter that has an index (column, org_path, student_number) of its own (migrations
 * 0004-*), if any. A page filtered by it is read from that index, already in list order.
 */
function leadOf(f: StudentFilter): Lead | null {
  if (f.q && searchKind(f.q) === "name") return null;
  if (f.grade !== undefined) return { column: "grade", value: f.grade };
  if (f.stage) return { column: "stage", value: f.stage };
  // Only students off the roll are indexed by status (在读 is most rows).
  if (f.status && f.status !== "enrolled") return { column: "status", value: f.status };
  if (f.countyCode) return { column: "county_code", value: f.countyCode };
  return null;
}

/**
 * `lead = value and underPaths(org_path, paths)` written as row comparisons on (lead, org_path).
 * Equivalent, but the planner can no longer see `lead` as a constant and drop it from the order:
 * with plain `grade = 7` it orders by (org_path, student_number) alone, picks the scope index and
 * walks a county school by school until it meets 20 matches (53,000 rows for 学前 in 离石区). The
 * row form leaves it one index that gives the order: the lead's.
 */
function scopeWithLead(lead: Lead, paths: string[]): RawBuilder<SqlBool> {
  if (paths.length === 0) return sql<SqlBool>`false`;
  const col = sql.ref(`s.${lead.column}`);
  const parts = paths.map((p) => {
    const [lo, hi] = p === "/" ? ["/", "0"] : [p, `${p.slice(0, -1)}0`];
    return sql`((${col}, s.org_path) >= (${lead.value}, ${lo}) and (${col}, s.org_path) < (${lead.value}, ${hi}))`;
  });
  return sql<SqlBool>`(${sql.join(parts, sql` or `)})`;
}

/**
 * The filter as SQL over `student s`: live rows only (the partial indexes of migration 0004 apply)
 * and the scope's org_path ranges (db/scope.ts). `forPage` writes the scope in the lead's row form
 * (see scopeWithLead); counts keep the plain form, which the planner serves index-only.
 */
export function studentConditions(
  f: StudentFilter,
  scopePaths: string[],
  forPage = false,
): RawBuilder<SqlBool> {
  const lead = forPage ? leadOf(f) : null;
  const c: RawBuilder<SqlBool>[] = [
    sql`s.deleted_at is null`,
    lead ? scopeWithLead(lead, scopePaths) : sql`${underPaths("s.org_path", scopePaths)}`,
  ];
  const unless = (column: Lead["column"]) => lead?.column !== column;
  if (f.schoolCode) c.push(sql`s.org_path = (select path from org_unit where code = ${f.schoolCode})`);
  if (f.countyCode && unless("county_code")) c.push(sql`s.county_code = ${f.countyCode}`);
  if (f.stage && unless("stage")) c.push(sql`s.stage = ${f.stage}`);
  if (f.grade !== undefined && unless("grade")) c.push(sql`s.grade = ${f.grade}`);
  if (f.classGroupId !== undefined) c.push(sql`s.class_group_id = ${f.classGroupId}`);
  if (f.status && unless("status")) c.push(sql`s.status = ${f.status}`);
  if (lead?.column === "status") c.push(sql`s.status <> 'enrolled'`); // the partial index's predicate
  if (f.gender) c.push(sql`s.gender = ${f.gender}`);
  if (f.q) {
    const kind = searchKind(f.q);
    const q = f.q.toUpperCase();
    if (kind === "residentId") c.push(sql`(s.resident_id = ${q} or s.student_number = ${q})`);
    else if (kind === "number") c.push(sql`s.student_number = ${q}`);
    else {
      const [lo, hi] = prefixRange(f.q);
      c.push(sql`s.name collate "C" >= ${lo} and s.name collate "C" < ${hi}`);
    }
  }
  return sql.join(c, sql` and `) as RawBuilder<SqlBool>;
}

/** The list order: by name for a name search, else school by school (after the lead, if any). */
export function studentOrder(f: StudentFilter) {
  if (f.q && searchKind(f.q) === "name") return sql`s.name collate "C", s.org_path, s.student_number`;
  const lead = leadOf(f);
  return lead
    ? sql`${sql.ref(`s.${lead.column}`)}, s.org_path, s.student_number`
    : sql`s.org_path, s.student_number`;
}
