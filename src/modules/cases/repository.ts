import { CompiledQuery, type Kysely, type RawBuilder, type SqlBool, sql } from "kysely";
import { underPaths } from "../../db/scope.js";
import type { DB } from "../../db/types.js";
import type { CountCache } from "../people/count-cache.js";
import { countStatement, listColumns, pageStatement, type Statement } from "./list-sql.js";
import type { CaseFilter } from "./schemas.js";

/** What an actor may see: kinds readable in scope, plus the cases they take part in. */
export interface Visibility {
  /** Kinds whose read permission the actor holds: visible within `scopePaths`. */
  kinds: string[];
  scopePaths: string[];
  /** The signed-in user: cases they take part in (case_participant: assigned, reporter) are visible wherever they are. */
  userId: number | null;
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

const participating = (userId: number) =>
  sql<SqlBool>`c.id in (select case_id from case_participant where user_id = ${userId})`;

/** Cases of a readable kind within scope (the rule without participation). */
function inScopeSql(v: Visibility): RawBuilder<SqlBool> {
  if (!v.kinds.length) return sql<SqlBool>`false`;
  return sql<SqlBool>`(c.kind in (${sql.join(v.kinds)}) and ${underPaths("c.org_path", v.scopePaths)})`;
}

/** The visibility rule as SQL over `c` (case_record). */
export function visibleSql(v: Visibility): RawBuilder<SqlBool> {
  if (v.userId === null) return inScopeSql(v);
  return sql<SqlBool>`(${inScopeSql(v)} or ${participating(v.userId)})`;
}

const columns = sql`c.id, c.kind, c.title, c.org_unit_id, c.org_path, c.county_code, c.state, c.severity,
  c.category, c.source, c.reporter_id, c.reporter_name, c.assignee_id, c.assignee_name, c.due_at,
  c.overdue_since, c.escalation_level, c.escalated_at, c.closed_at, c.data, c.created_at, c.updated_at`;

/**
 * A list row: what presentCase shows. Read by the list, its times arrive as ISO 8601 text
 * (list-sql.ts listColumns); read by `find`, as Dates.
 */
export interface CaseListRow {
  id: number;
  kind: string;
  title: string;
  org_unit_id: number | null;
  county_code: string | null;
  state: string;
  severity: string | null;
  category: string | null;
  source: string | null;
  reporter_name: string | null;
  assignee_name: string | null;
  due_at: Date | string | null;
  overdue_since: Date | string | null;
  escalation_level: number;
  closed_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

/** SQL of cases. Every read takes the actor's Visibility. */
export class CaseRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /**
   * One page and its capped total (list-sql.ts). The total is remembered in `cache` (cleared by
   * this process's writes, see people/count-cache.ts); a first page shorter than `limit` is its own
   * total; otherwise a count follows the page. A county user's page of a kind reads about `limit`
   * rows from case_record_unit_kind (migration 0042).
   */
  async list(f: CaseFilter, v: Visibility, limit: number, offset: number, cache: CountCache) {
    const page = pageStatement(listColumns, f, v, limit, offset);
    if (!page) return { rows: [] as CaseListRow[], total: 0 };
    const rows = (await this.run<CaseListRow>(page)).rows;
    const key = JSON.stringify(["cases", v, f]);
    let total = cache.get(key);
    if (total === undefined) {
      if (offset === 0 && rows.length < limit) total = rows.length;
      else total = await this.count(key, f, v);
      cache.set(key, total);
    }
    return { rows, total };
  }

  /** Counts in flight by cache key: when a total expires, concurrent requests wait for one count. */
  private readonly counting = new Map<string, Promise<number>>();

  private count(key: string, f: CaseFilter, v: Visibility): Promise<number> {
    let n = this.counting.get(key);
    if (!n) {
      n = this.run<{ n: number }>(countStatement(f, v)!)
        .then((r) => r.rows[0]?.n ?? 0)
        .finally(() => this.counting.delete(key));
      this.counting.set(key, n);
    }
    return n;
  }

  /** The next `limit` cases older than `beforeId` (exports read in these batches). */
  async batchBefore(f: CaseFilter, v: Visibility, beforeId: number, limit: number) {
    const page = pageStatement(listColumns, f, v, limit, 0, beforeId);
    return page ? (await this.run<CaseListRow>(page)).rows : [];
  }

  private run<R>(s: Statement) {
    return this.db.executeQuery<R>(CompiledQuery.raw(s.text, s.values));
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
