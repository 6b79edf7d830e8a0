import { type Kysely, type RawBuilder, type SqlBool, sql } from "kysely";
import { underPaths } from "../../db/scope.js";
import type { DB } from "../../db/types.js";
import type { CountCache } from "../people/count-cache.js";
import { pageWithTotal } from "../people/paged-sql.js";
import type { CaseFilter } from "./schemas.js";

/** What an actor may see: kinds readable in scope, plus the cases they take part in. */
export interface Visibility {
  /** Kinds whose read permission the actor holds: visible within `scopePaths`. */
  kinds: string[];
  scopePaths: string[];
  /** Cases the actor takes part in (assigned, reporter), visible wherever they are. */
  participantCaseIds: number[];
}

export interface CaseRow {
  id: number;
  kind: string;
  title: string;
  org_unit_id: number | null;
  org_path: string;
  county_code: string | null;
  state: string;
  severity: string | null;
  category: string | null;
  source: string | null;
  reporter_id: number | null;
  reporter_name: string | null;
  assignee_id: number | null;
  assignee_name: string | null;
  due_at: Date | null;
  overdue_since: Date | null;
  escalation_level: number;
  escalated_at: Date | null;
  closed_at: Date | null;
  data: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

export interface EventRow {
  id: number;
  case_id: number;
  at: Date;
  step: string;
  from_state: string | null;
  to_state: string | null;
  actor_type: string;
  actor_id: number | null;
  actor_name: string;
  comment: string | null;
  data: Record<string, unknown> | null;
  attachments: { sha256: string; size: number; mime: string; name: string }[];
}

export interface OrgUnitRef {
  id: number;
  code: string;
  name: string;
  kind: string;
  path: string;
  county_code: string | null;
  current: boolean;
}

/** The visibility rule as SQL over `c` (case_record). */
export function visibleSql(v: Visibility): RawBuilder<SqlBool> {
  const parts: RawBuilder<SqlBool>[] = [];
  if (v.kinds.length)
    parts.push(
      sql<SqlBool>`(c.kind in (${sql.join(v.kinds)}) and ${underPaths("c.org_path", v.scopePaths)})`,
    );
  if (v.participantCaseIds.length) parts.push(sql<SqlBool>`c.id = any(${v.participantCaseIds}::bigint[])`);
  if (!parts.length) return sql<SqlBool>`false`;
  return sql<SqlBool>`(${sql.join(parts, sql` or `)})`;
}

function conditions(f: CaseFilter, v: Visibility): RawBuilder<SqlBool> {
  const c: RawBuilder<SqlBool>[] = [visibleSql(v)];
  if (f.kind) c.push(sql`c.kind = ${f.kind}`);
  if (f.state) c.push(sql`c.state = ${f.state}`);
  if (f.severity) c.push(sql`c.severity = ${f.severity}`);
  if (f.category) c.push(sql`c.category = ${f.category}`);
  if (f.source) c.push(sql`c.source = ${f.source}`);
  if (f.countyCode) c.push(sql`c.county_code = ${f.countyCode}`);
  if (f.orgUnitCode) c.push(sql`c.org_unit_id = (select id from org_unit where code = ${f.orgUnitCode})`);
  if (f.status === "open") c.push(sql`c.closed_at is null`);
  if (f.status === "closed") c.push(sql`c.closed_at is not null`);
  if (f.status === "overdue") c.push(sql`c.overdue_since is not null and c.closed_at is null`);
  if (f.planId) c.push(sql`c.kind = 'supervision' and (c.data->>'planId')::bigint = ${f.planId}`);
  if (f.targetId) c.push(sql`c.kind = 'supervision' and (c.data->>'targetId')::bigint = ${f.targetId}`);
  if (f.q) {
    const ref = /^[A-Z]{2}-?0*(\d+)$/i.exec(f.q.trim());
    if (ref) c.push(sql`c.id = ${Number(ref[1])}`);
    else c.push(sql`strpos(c.title, ${f.q.trim()}) > 0`);
  }
  return sql.join(c, sql` and `) as RawBuilder<SqlBool>;
}

const columns = sql`c.id, c.kind, c.title, c.org_unit_id, c.org_path, c.county_code, c.state, c.severity,
  c.category, c.source, c.reporter_id, c.reporter_name, c.assignee_id, c.assignee_name, c.due_at,
  c.overdue_since, c.escalation_level, c.escalated_at, c.closed_at, c.data, c.created_at, c.updated_at`;

/** SQL of cases. Every read takes the actor's Visibility. */
export class CaseRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async participantCaseIds(userId: number | null): Promise<number[]> {
    if (userId === null) return [];
    const r = await this.db
      .selectFrom("case_participant")
      .select("case_id")
      .where("user_id", "=", userId)
      .execute();
    return [...new Set(r.map((x) => x.case_id))];
  }

  async list(f: CaseFilter, v: Visibility, limit: number, offset: number, cache: CountCache) {
    const where = conditions(f, v);
    return pageWithTotal<CaseRow>(this.db, {
      countFrom: sql`from case_record c where ${where}`,
      page: sql<CaseRow>`select ${columns} from case_record c where ${where}
        order by c.id desc limit ${limit} offset ${offset}`,
      cache,
      cacheKey: JSON.stringify(["cases", v, f]),
    });
  }

  async batchBefore(f: CaseFilter, v: Visibility, beforeId: number, limit: number) {
    const r = await sql<CaseRow>`select ${columns} from case_record c
      where ${conditions(f, v)} and c.id < ${beforeId} order by c.id desc limit ${limit}`.execute(this.db);
    return r.rows;
  }

  async find(id: number, v: Visibility, forUpdate = false, db: Kysely<DB> = this.db) {
    const r = await sql<CaseRow>`select ${columns} from case_record c where c.id = ${id} and ${visibleSql(v)}
      ${forUpdate ? sql`for update` : sql``}`.execute(db);
    return r.rows[0];
  }

  async events(caseId: number) {
    return (await this.db
      .selectFrom("case_event")
      .selectAll()
      .where("case_id", "=", caseId)
      .orderBy("id")
      .execute()) as unknown as EventRow[];
  }

  async links(caseId: number, v: Visibility) {
    const r = await sql<{ id: number; kind: string; title: string; state: string; relation: string }>`
      select c.id, c.kind, c.title, c.state, l.relation from case_link l
      join case_record c on c.id = case when l.case_id = ${caseId} then l.linked_id else l.case_id end
      where (l.case_id = ${caseId} or l.linked_id = ${caseId}) and ${visibleSql(v)} order by c.id`.execute(
      this.db,
    );
    return r.rows;
  }

  async actorRoles(db: Kysely<DB>, caseId: number, userId: number | null): Promise<string[]> {
    if (userId === null) return [];
    const r = await db
      .selectFrom("case_participant")
      .select("role")
      .where("case_id", "=", caseId)
      .where("user_id", "=", userId)
      .execute();
    return r.map((x) => x.role);
  }

  async orgUnitByCode(code: string, db: Kysely<DB> = this.db): Promise<OrgUnitRef | undefined> {
    const r =
      await sql<OrgUnitRef>`select id, code, name, kind, path, county_code, valid_to is null as current
      from org_unit where code = ${code}`.execute(db);
    return r.rows[0];
  }

  /** Open cases whose deadline has passed or that carry an overdue marker (the sweep's work). */
  async sweepCandidates(now: Date, afterId: number, limit: number) {
    const r = await sql<CaseRow>`select ${columns} from case_record c
      where c.closed_at is null and ((c.due_at is not null and c.due_at < ${now}) or c.overdue_since is not null)
        and c.id > ${afterId}
      order by c.id limit ${limit}`.execute(this.db);
    return r.rows;
  }

  /** Cases matching `waiting` (built by the service from the kinds), overdue first, then by deadline. */
  async inbox(
    v: Visibility,
    waiting: RawBuilder<SqlBool>,
    f: { kind?: string },
    limit: number,
    offset: number,
    dueSoonBefore: Date,
  ) {
    const kind = f.kind ? sql`and c.kind = ${f.kind}` : sql``;
    const r = await sql<CaseRow & { __total: number; __overdue: number; __soon: number }>`
      select ${columns}, count(*) over ()::int as __total,
        (count(*) filter (where c.overdue_since is not null) over ())::int as __overdue,
        (count(*) filter (where c.overdue_since is null and c.due_at < ${dueSoonBefore}) over ())::int as __soon
      from case_record c where c.closed_at is null and ${visibleSql(v)} and ${waiting} ${kind}
      order by c.overdue_since is null, c.due_at nulls last, c.id desc limit ${limit} offset ${offset}`.execute(
      this.db,
    );
    const first = r.rows[0];
    return {
      rows: r.rows.map(({ __total, __overdue, __soon, ...row }) => row as CaseRow),
      total: first?.__total ?? 0,
      overdue: first?.__overdue ?? 0,
      dueSoon: first?.__soon ?? 0,
    };
  }

  async participantIdsByRole(userId: number | null, role: string): Promise<number[]> {
    if (userId === null) return [];
    const r = await this.db
      .selectFrom("case_participant")
      .select("case_id")
      .where("user_id", "=", userId)
      .where("role", "=", role)
      .execute();
    return r.map((x) => x.case_id);
  }
}
