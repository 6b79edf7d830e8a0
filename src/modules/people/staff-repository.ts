import { type Insertable, type Kysely, type RawBuilder, type SqlBool, sql, type Updateable } from "kysely";
import { underPaths } from "../../db/scope.js";
import type { DB, StaffTable } from "../../db/types.js";
import { type FeedPosition, feedCondition, feedTimestamp } from "../registry/feed-sql.js";
import type { OrgDirectory } from "../registry/org-directory.js";
import type { CountCache } from "./count-cache.js";
import { pageWithTotal, prefixRange } from "./paged-sql.js";
import type { StaffView } from "./presenters.js";
import type { StaffFilter } from "./staff-schemas.js";
import { searchKind } from "./student-filter-sql.js";

/** The filter as SQL over `staff t`: scope by org_path range, live rows only. */
function conditions(f: StaffFilter, scopePaths: string[]): RawBuilder<SqlBool> {
  const c: RawBuilder<SqlBool>[] = [sql`t.deleted_at is null`, sql`${underPaths("t.org_path", scopePaths)}`];
  if (f.schoolCode) c.push(sql`t.org_path = (select path from org_unit where code = ${f.schoolCode})`);
  if (f.countyCode) c.push(sql`t.county_code = ${f.countyCode}`);
  if (f.post) c.push(sql`${f.post} = any(t.posts)`);
  if (f.subject) c.push(sql`${f.subject} = any(t.subjects)`);
  if (f.keyLevel) c.push(sql`t.key_level = ${f.keyLevel}`);
  if (f.status) c.push(sql`t.status = ${f.status}`);
  if (f.gender) c.push(sql`t.gender = ${f.gender}`);
  if (f.q) {
    const kind = searchKind(f.q);
    const q = f.q.toUpperCase();
    if (kind === "residentId") c.push(sql`(t.resident_id = ${q} or t.staff_number = ${q})`);
    else if (kind === "number") c.push(sql`t.staff_number = ${q}`);
    else {
      const [lo, hi] = prefixRange(f.q);
      c.push(sql`t.name collate "C" >= ${lo} and t.name collate "C" < ${hi}`);
    }
  }
  return sql.join(c, sql` and `) as RawBuilder<SqlBool>;
}

const orderOf = (f: StaffFilter) =>
  f.q && searchKind(f.q) === "name"
    ? sql`t.name collate "C", t.org_path, t.staff_number`
    : sql`t.org_path, t.staff_number`;

const viewColumns = sql`t.id, t.staff_number, t.name, t.gender, t.resident_id, t.birth_date::text as birth_date,
  t.school_id, o.code as school_code, o.name as school_name, t.org_path, t.county_code, t.posts, t.subjects,
  t.education, t.title, t.key_level, t.teaching_certificate, t.school_start_date::text as school_start_date,
  t.status, t.created_at, t.updated_at, t.deleted_at`;

const listColumns = sql`t.id, t.staff_number, t.name, t.gender, t.resident_id, t.birth_date::text as birth_date,
  t.school_id, t.org_path, t.county_code, t.posts, t.subjects, t.education, t.title, t.key_level,
  t.teaching_certificate, t.school_start_date::text as school_start_date, t.status, t.created_at, t.updated_at,
  t.deleted_at`;

/** SQL of staff (教职工). Every read applies the actor's scope paths. */
export class StaffRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** A page and its capped total; school names from the in-memory directory (see StudentRepository). */
  async list(
    f: StaffFilter,
    scopePaths: string[],
    limit: number,
    offset: number,
    cache: CountCache,
    directory: OrgDirectory,
  ): Promise<{ rows: StaffView[]; total: number }> {
    const where = conditions(f, scopePaths);
    const { rows, total } = await pageWithTotal<Omit<StaffView, "school_code" | "school_name">>(this.db, {
      countFrom: sql`from staff t where ${where}`,
      page: sql`select ${listColumns} from staff t where ${where}
        order by ${orderOf(f)} limit ${limit} offset ${offset}`,
      cache,
      cacheKey: JSON.stringify(["staff", scopePaths, f]),
      window: { limit, offset },
    });
    const names = await directory.names(rows.map((r) => r.school_id));
    return {
      rows: rows.map((r) => ({
        ...r,
        school_code: names.get(r.school_id)?.code ?? "",
        school_name: names.get(r.school_id)?.name ?? "",
      })),
      total,
    };
  }

  async batchAfter(f: StaffFilter, scopePaths: string[], after: [string, string], limit: number) {
    const r = await sql<StaffView>`select ${viewColumns} from staff t join org_unit o on o.id = t.school_id
      where ${conditions(f, scopePaths)} and (t.org_path, t.staff_number) > (${after[0]}, ${after[1]})
      order by t.org_path, t.staff_number limit ${limit}`.execute(this.db);
    return r.rows;
  }

  /** Rows changed after `after`, deleted ones included, in (updated_at, id) order (change feed). */
  async changedSince(scopePaths: string[], after: FeedPosition, limit: number) {
    const r = await sql<
      StaffView & { feed_ts: string }
    >`select ${viewColumns}, ${feedTimestamp("t")} as feed_ts
      from staff t join org_unit o on o.id = t.school_id
      where ${underPaths("t.org_path", scopePaths)} and ${feedCondition("t", after)}
      order by t.updated_at, t.id limit ${limit}`.execute(this.db);
    return r.rows;
  }

  async find(staffNumber: string, scopePaths: string[], forUpdate = false) {
    const r = await sql<StaffView>`select ${viewColumns} from staff t join org_unit o on o.id = t.school_id
      where t.staff_number = ${staffNumber} and t.deleted_at is null
        and ${underPaths("t.org_path", scopePaths)} ${forUpdate ? sql`for update of t` : sql``}`.execute(
      this.db,
    );
    return r.rows[0];
  }

  async numberTaken(staffNumber: string) {
    const r = await this.db
      .selectFrom("staff")
      .select("deleted_at")
      .where("staff_number", "=", staffNumber)
      .executeTakeFirst();
    return r ? { deleted: r.deleted_at !== null } : undefined;
  }

  async insert(row: Insertable<StaffTable>) {
    const r = await this.db.insertInto("staff").values(row).returning("id").executeTakeFirstOrThrow();
    return r.id;
  }

  update(id: number, set: Updateable<StaffTable>) {
    return this.db
      .updateTable("staff")
      .set({ ...set, updated_at: sql`now()` })
      .where("id", "=", id)
      .execute();
  }

  /** The person stops being 班主任 of the school's classes (moving away, leaving, deleted). */
  async clearHomeroom(staffNumber: string, schoolId: number) {
    await this.db
      .updateTable("class_group")
      .set({ homeroom_staff_number: null })
      .where("homeroom_staff_number", "=", staffNumber)
      .where("school_id", "=", schoolId)
      .execute();
  }
}
