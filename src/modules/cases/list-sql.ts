import { COUNT_CAP } from "../../shared/paging.js";
import type { CaseFilter } from "./schemas.js";

/**
 * The SQL of the case list (GET /api/cases and its export), as text with numbered parameters.
 *
 * Why text: the list is the hottest query of the case module, and composing it from ~40 Kysely
 * fragments and compiling them cost about as much CPU per request as PostgreSQL spent running it.
 * Every value from the request or the actor goes through `Params.add`; the only literals written
 * into the text are kind codes (registry codes, checked against /^[a-z_]+$/) and fixed SQL.
 *
 * Why this shape (issue 5's bench, 100,000 cases, a county user): statements are prepared
 * (src/db/connect.ts), and PostgreSQL settles on a generic plan that cannot see the values.
 * - The scope `org_path` in a prepared range is estimated at 0.5 % of the table whatever it covers,
 *   so the planner took (kind, org_path, id) and sorted a whole county (8,800 rows, 16 ms) for a
 *   page of 20. A county's (or city department's) path /a/b/ is therefore written as the equality
 *   `unitOfPath = '/a/b/'`, which case_record_unit_kind (migration 0042) serves in id order; the
 *   city's path /a/ as starts_with, which no prepared plan turns into an index range, so a kind's
 *   page comes from case_record_kind_id in id order; a school's path keeps the range (few rows).
 *   Each form selects exactly the rows of db/scope.ts underPaths.
 * - One branch per readable kind, the kind written as a literal: a kind-less list ("all my
 *   cases") merges the kinds' pages (each read in id order, at most offset + limit rows) instead
 *   of filtering one scan by `kind in (…)`, and each plan knows how common its kind is (83 % of
 *   cases are hazards, 0.1 % training findings).
 * - The cases the user takes part in outside that are one more branch: an OR of participation in
 *   the same WHERE would leave no index that gives the order.
 */
export interface ListVisibility {
  kinds: string[];
  scopePaths: string[];
  userId: number | null;
}

export interface Statement {
  text: string;
  values: unknown[];
}

/** The org path's first two levels, null for a path at the city's own level: migration 0042. */
export const unitOfPath = "substring(c.org_path from '^/[^/]+/[^/]+/')";

/**
 * A timestamp as JavaScript's toISOString() writes it (UTC, milliseconds truncated, "Z"). Made by
 * PostgreSQL instead of parsing a Date per value and formatting it again: those two steps were
 * ~16 µs of Node CPU per list row (four timestamps a row), a third of a page's CPU.
 */
const isoText = (column: string) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as ${column.slice(2)}`;

/** The columns presentCase shows (repository.ts CaseListRow). */
export const listColumns = [
  "c.id, c.kind, c.title, c.org_unit_id, c.county_code, c.state, c.severity, c.category, c.source",
  "c.reporter_name, c.assignee_name, c.escalation_level",
  ...["c.due_at", "c.overdue_since", "c.closed_at", "c.created_at", "c.updated_at"].map(isoText),
].join(", ");

class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/** ['/a/b/', '/a/b0'): the subtree as a range in the "C" collation, as db/scope.ts writes it. */
function range(p: Params, path: string): string {
  return `(c.org_path >= ${p.add(path)} and c.org_path < ${p.add(`${path.slice(0, -1)}0`)})`;
}

/** The scope rule exactly as visibleSql writes it (the participants' branch excludes these rows). */
function inScope(p: Params, v: ListVisibility): string {
  if (!v.kinds.length || !v.scopePaths.length) return "false";
  const paths = v.scopePaths.map((path) => (path === "/" ? "true" : range(p, path)));
  return `(c.kind in (${v.kinds.map((k) => p.add(k)).join(", ")}) and (${paths.join(" or ")}))`;
}

/** The same rows as `inScope`'s paths, in the forms the list's plans serve (see above). */
function scopeForList(p: Params, paths: string[]): string {
  if (!paths.length) return "false";
  const parts = paths.map((path) => {
    const depth = path.split("/").length - 2;
    if (depth <= 0) return "true";
    if (depth === 1) return `starts_with(c.org_path, ${p.add(path)})`;
    if (depth === 2) return `${unitOfPath} = ${p.add(path)}`;
    return range(p, path);
  });
  return `(${parts.join(" or ")})`;
}

/** The filters other than the kind (the branches carry it). */
function filters(p: Params, f: CaseFilter): string {
  const c: string[] = [];
  if (f.state) c.push(`c.state = ${p.add(f.state)}`);
  if (f.severity) c.push(`c.severity = ${p.add(f.severity)}`);
  if (f.category) c.push(`c.category = ${p.add(f.category)}`);
  if (f.source) c.push(`c.source = ${p.add(f.source)}`);
  if (f.countyCode) c.push(`c.county_code = ${p.add(f.countyCode)}`);
  if (f.orgUnitCode) c.push(`c.org_unit_id = (select id from org_unit where code = ${p.add(f.orgUnitCode)})`);
  if (f.status === "open") c.push("c.closed_at is null");
  if (f.status === "closed") c.push("c.closed_at is not null");
  if (f.status === "overdue") c.push("c.overdue_since is not null and c.closed_at is null");
  if (f.planId) c.push(`(c.data->>'planId')::bigint = ${p.add(f.planId)}`);
  if (f.targetId) c.push(`(c.data->>'targetId')::bigint = ${p.add(f.targetId)}`);
  if (f.q) {
    const ref = /^[A-Z]{2}-?0*(\d+)$/i.exec(f.q.trim());
    if (ref) c.push(`c.id = ${p.add(Number(ref[1]))}`);
    else c.push(`strpos(c.title, ${p.add(f.q.trim())}) > 0`);
  }
  return c.map((x) => ` and ${x}`).join("");
}

/** The kind the filter asks for: undefined for any, null for none (a 督导 plan or target means 督导 findings). */
function wantedKind(f: CaseFilter): string | undefined | null {
  if (f.planId || f.targetId) return f.kind && f.kind !== "supervision" ? null : "supervision";
  return f.kind;
}

/** The branches' WHERE clauses (after `from case_record c where `), sharing one parameter list. */
function branches(p: Params, f: CaseFilter, v: ListVisibility, beforeId?: number): string[] {
  const want = wantedKind(f);
  if (want === null) return [];
  const kinds = v.kinds.filter((k) => want === undefined || k === want);
  const rest = filters(p, f) + (beforeId === undefined ? "" : ` and c.id < ${p.add(beforeId)}`);
  const out: string[] = [];
  if (kinds.length) {
    const scope = scopeForList(p, v.scopePaths);
    for (const k of kinds) {
      if (!/^[a-z_]+$/.test(k)) throw new Error(`case kind code ${k}`);
      out.push(`c.kind = '${k}' and ${scope}${rest}`);
    }
  }
  if (v.userId !== null) {
    const kind = want === undefined ? "" : ` and c.kind = ${p.add(want)}`;
    out.push(
      `c.id in (select case_id from case_participant where user_id = ${p.add(v.userId)})` +
        ` and ${inScope(p, v)} is not true${kind}${rest}`,
    );
  }
  return out;
}

/**
 * One page newest first (`columns` over `c`), or null when the actor can see none of it. With
 * several branches each is read in id order up to offset + limit rows, then merged.
 */
export function pageStatement(
  columns: string,
  f: CaseFilter,
  v: ListVisibility,
  limit: number,
  offset: number,
  beforeId?: number,
): Statement | null {
  const p = new Params();
  const where = branches(p, f, v, beforeId);
  if (!where.length) return null;
  if (where.length === 1) {
    const text = `select ${columns} from case_record c where ${where[0]}
      order by c.id desc limit ${p.add(limit)} offset ${p.add(offset)}`;
    return { text, values: p.values };
  }
  const each = p.add(limit + offset);
  const parts = where.map(
    (w) => `(select ${columns} from case_record c where ${w} order by c.id desc limit ${each})`,
  );
  const text = `select * from (${parts.join(" union all ")}) c
    order by c.id desc limit ${p.add(limit)} offset ${p.add(offset)}`;
  return { text, values: p.values };
}

/** The list's total, counted up to COUNT_CAP + 1 (shared/paging.ts). */
export function countStatement(f: CaseFilter, v: ListVisibility): Statement | null {
  const p = new Params();
  const where = branches(p, f, v);
  if (!where.length) return null;
  const ids = where.map((w) => `select c.id from case_record c where ${w}`).join(" union all ");
  const text = `select count(*)::int as n from (select 1 from (${ids}) c limit ${p.add(COUNT_CAP + 1)}) x`;
  return { text, values: p.values };
}
