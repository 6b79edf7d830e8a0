import { type Insertable, type Kysely, sql, type Updateable } from "kysely";
import { underPaths } from "../../db/scope.js";
import type { DB, StudentStatusHistoryTable, StudentTable } from "../../db/types.js";
import { type FeedPosition, feedCondition, feedTimestamp } from "../registry/feed-sql.js";
import type { OrgDirectory } from "../registry/org-directory.js";
import type { CountCache } from "./count-cache.js";
import { pageWithTotal } from "./paged-sql.js";
import type { StudentView } from "./presenters.js";
import { studentConditions as conditions, studentOrder } from "./student-filter-sql.js";
import type { StudentFilter } from "./student-schemas.js";

const viewColumns = sql`s.id, s.student_number, s.name, s.gender, s.resident_id, s.birth_date::text as birth_date,
  s.school_id, o.code as school_code, o.name as school_name, s.org_path, s.county_code, s.stage, s.grade,
  s.class_group_id, cg.name as class_group_name, s.status, s.enrolled_on::text as enrolled_on,
  s.created_at, s.updated_at, s.deleted_at`;
const viewJoins = sql`join org_unit o on o.id = s.school_id left join class_group cg on cg.id = s.class_group_id`;
/** The list's columns: no joins; the class name by primary key only where there is a class. */
const listColumns = sql`s.id, s.student_number, s.name, s.gender, s.resident_id, s.birth_date::text as birth_date,
  s.school_id, s.org_path, s.county_code, s.stage, s.grade, s.class_group_id,
  (select cg.name from class_group cg where cg.id = s.class_group_id) as class_group_name,
  s.status, s.enrolled_on::text as enrolled_on, s.created_at, s.updated_at, s.deleted_at`;

/** SQL of students and their status history. Every read applies the actor's scope paths. */
export class StudentRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /**
   * A page and its capped total in one statement (the total may come from `cache`). School codes
   * and names come from the in-memory directory rather than a join: this is the API's hottest query.
   */
  async list(
    f: StudentFilter,
    scopePaths: string[],
    limit: number,
    offset: number,
    cache: CountCache,
    directory: OrgDirectory,
  ): Promise<{ rows: StudentView[]; total: number }> {
    const { rows, total } = await pageWithTotal<Omit<StudentView, "school_code" | "school_name">>(this.db, {
      countFrom: sql`from student s where ${conditions(f, scopePaths)}`,
      page: sql`select ${listColumns} from student s where ${conditions(f, scopePaths, true)}
        order by ${studentOrder(f)} limit ${limit} offset ${offset}`,
      cache,
      cacheKey: JSON.stringify(["student", scopePaths, f]),
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

  /** The next `limit` students after (path, number), in (org_path, student_number) order. */
  async batchAfter(f: StudentFilter, scopePaths: string[], after: [string, string], limit: number) {
    const r = await sql<StudentView>`select ${viewColumns} from student s ${viewJoins}
      where ${conditions(f, scopePaths)} and (s.org_path, s.student_number) > (${after[0]}, ${after[1]})
      order by s.org_path, s.student_number limit ${limit}`.execute(this.db);
    return r.rows;
  }

  /** Rows changed after `after`, deleted ones included, in (updated_at, id) order (change feed). */
  async changedSince(scopePaths: string[], after: FeedPosition, limit: number) {
    const r = await sql<
      StudentView & { feed_ts: string }
    >`select ${viewColumns}, ${feedTimestamp("s")} as feed_ts
      from student s ${viewJoins}
      where ${underPaths("s.org_path", scopePaths)} and ${feedCondition("s", after)}
      order by s.updated_at, s.id limit ${limit}`.execute(this.db);
    return r.rows;
  }

  /** A live student in scope; `forUpdate` locks the row for a change. */
  async find(studentNumber: string, scopePaths: string[], forUpdate = false) {
    const r = await sql<StudentView>`select ${viewColumns} from student s ${viewJoins}
      where s.student_number = ${studentNumber} and s.deleted_at is null
        and ${underPaths("s.org_path", scopePaths)} ${forUpdate ? sql`for update of s` : sql``}`.execute(
      this.db,
    );
    return r.rows[0];
  }

  /** Whether a 学籍号 is taken anywhere (the number is unique city-wide, deleted rows included). */
  async numberTaken(studentNumber: string) {
    const r = await this.db
      .selectFrom("student")
      .select("deleted_at")
      .where("student_number", "=", studentNumber)
      .executeTakeFirst();
    return r ? { deleted: r.deleted_at !== null } : undefined;
  }

  async insert(row: Insertable<StudentTable>) {
    const r = await this.db.insertInto("student").values(row).returning("id").executeTakeFirstOrThrow();
    return r.id;
  }

  update(id: number, set: Updateable<StudentTable>) {
    return this.db
      .updateTable("student")
      .set({ ...set, updated_at: sql`now()` })
      .where("id", "=", id)
      .execute();
  }

  insertHistory(rows: Insertable<StudentStatusHistoryTable>[]) {
    return this.db.insertInto("student_status_history").values(rows).execute();
  }

  async history(studentId: number) {
    const r = await sql<{
      status: StudentView["status"];
      school_code: string;
      school_name: string;
      effective_on: string;
      note: string | null;
      recorded_at: Date;
      recorded_by: string | null;
    }>`select h.status, o.code as school_code, o.name as school_name, h.effective_on::text as effective_on,
         h.note, h.recorded_at, h.recorded_by
       from student_status_history h join org_unit o on o.id = h.school_id
       where h.student_id = ${studentId} order by h.effective_on, h.id`.execute(this.db);
    return r.rows;
  }

  async lastStatusDate(studentId: number) {
    const r = await sql<{ d: string | null }>`select max(effective_on)::text as d
      from student_status_history where student_id = ${studentId}`.execute(this.db);
    return r.rows[0]?.d ?? null;
  }

  /** Whether a live class group belongs to the school. */
  async classGroupInSchool(classGroupId: number, schoolId: number) {
    const r = await this.db
      .selectFrom("class_group")
      .select("id")
      .where("id", "=", classGroupId)
      .where("school_id", "=", schoolId)
      .where("deleted_at", "is", null)
      .executeTakeFirst();
    return r !== undefined;
  }
}
