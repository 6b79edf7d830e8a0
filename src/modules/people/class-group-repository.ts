import { type Insertable, type Kysely, type RawBuilder, type SqlBool, sql, type Updateable } from "kysely";
import { underPaths } from "../../db/scope.js";
import type { ClassGroupTable, DB } from "../../db/types.js";
import { type FeedPosition, feedCondition, feedTimestamp } from "../registry/feed-sql.js";
import type { ClassGroupFilter } from "./class-group-schemas.js";
import type { CountCache } from "./count-cache.js";
import { pageWithTotal } from "./paged-sql.js";
import type { ClassGroupView } from "./presenters.js";

function conditions(f: ClassGroupFilter, scopePaths: string[]): RawBuilder<SqlBool> {
  const c: RawBuilder<SqlBool>[] = [sql`c.deleted_at is null`, sql`${underPaths("c.org_path", scopePaths)}`];
  if (f.schoolCode) c.push(sql`c.org_path = (select path from org_unit where code = ${f.schoolCode})`);
  if (f.countyCode) c.push(sql`c.county_code = ${f.countyCode}`);
  if (f.schoolYear !== undefined) c.push(sql`c.school_year = ${f.schoolYear}`);
  if (f.stage) c.push(sql`c.stage = ${f.stage}`);
  if (f.grade !== undefined) c.push(sql`c.grade = ${f.grade}`);
  if (f.q) c.push(sql`strpos(c.name, ${f.q}) > 0`);
  return sql.join(c, sql` and `) as RawBuilder<SqlBool>;
}

/** Class size: live students on the roll (enrolled or suspended). */
const viewColumns = sql`c.id, c.school_id, o.code as school_code, o.name as school_name, o.school_type,
  c.org_path, c.county_code, c.school_year, c.stage, c.grade, c.name, c.homeroom_staff_number,
  h.name as homeroom_name,
  (select count(*) from student s where s.class_group_id = c.id and s.deleted_at is null
     and s.status in ('enrolled', 'suspended'))::int as student_count,
  c.created_at, c.updated_at, c.deleted_at`;
const viewJoins = sql`join org_unit o on o.id = c.school_id
  left join staff h on h.staff_number = c.homeroom_staff_number and h.deleted_at is null`;
const order = sql`c.org_path, c.school_year, c.grade, c.name`;

/** SQL of class groups (班级). Every read applies the actor's scope paths. */
export class ClassGroupRepository {
  constructor(private readonly db: Kysely<DB>) {}

  list(f: ClassGroupFilter, scopePaths: string[], limit: number, offset: number, cache: CountCache) {
    const where = conditions(f, scopePaths);
    return pageWithTotal<ClassGroupView>(this.db, {
      countFrom: sql`from class_group c where ${where}`,
      page: sql<ClassGroupView>`select ${viewColumns}
        from (select * from class_group c where ${where} order by ${order}, c.id limit ${limit} offset ${offset}) c
        ${viewJoins} order by ${order}, c.id`,
      cache,
      cacheKey: JSON.stringify(["class_group", scopePaths, f]),
      window: { limit, offset },
    });
  }

  async batchAfter(f: ClassGroupFilter, scopePaths: string[], afterId: number, limit: number) {
    const r = await sql<ClassGroupView>`select ${viewColumns} from class_group c ${viewJoins}
      where ${conditions(f, scopePaths)} and c.id > ${afterId} order by c.id limit ${limit}`.execute(this.db);
    return r.rows;
  }

  /** Rows changed after `after`, deleted ones included, in (updated_at, id) order (change feed). */
  async changedSince(scopePaths: string[], after: FeedPosition, limit: number) {
    const r = await sql<
      ClassGroupView & { feed_ts: string }
    >`select ${viewColumns}, ${feedTimestamp("c")} as feed_ts
      from class_group c ${viewJoins}
      where ${underPaths("c.org_path", scopePaths)} and ${feedCondition("c", after)}
      order by c.updated_at, c.id limit ${limit}`.execute(this.db);
    return r.rows;
  }

  async find(id: number, scopePaths: string[], forUpdate = false) {
    const r = await sql<ClassGroupView>`select ${viewColumns} from class_group c ${viewJoins}
      where c.id = ${id} and c.deleted_at is null and ${underPaths("c.org_path", scopePaths)}
      ${forUpdate ? sql`for update of c` : sql``}`.execute(this.db);
    return r.rows[0];
  }

  /** The class of this school and year with this name, live or deleted. */
  findByName(schoolId: number, schoolYear: number, name: string) {
    return this.db
      .selectFrom("class_group")
      .select(["id", "deleted_at"])
      .where("school_id", "=", schoolId)
      .where("school_year", "=", schoolYear)
      .where("name", "=", name)
      .executeTakeFirst();
  }

  async insert(row: Insertable<ClassGroupTable>) {
    const r = await this.db.insertInto("class_group").values(row).returning("id").executeTakeFirstOrThrow();
    return r.id;
  }

  update(id: number, set: Updateable<ClassGroupTable>) {
    return this.db
      .updateTable("class_group")
      .set({ ...set, updated_at: sql`now()` })
      .where("id", "=", id)
      .execute();
  }

  /** Whether the staff member works at the school now (a 班主任 must). */
  async activeStaffOfSchool(staffNumber: string, schoolId: number) {
    const r = await this.db
      .selectFrom("staff")
      .select("id")
      .where("staff_number", "=", staffNumber)
      .where("school_id", "=", schoolId)
      .where("deleted_at", "is", null)
      .where("status", "=", "active")
      .executeTakeFirst();
    return r !== undefined;
  }

  /** Live students assigned to the class, whatever their status. */
  async studentsIn(id: number) {
    const r = await sql<{ n: number }>`select count(*)::int as n from student
      where class_group_id = ${id} and deleted_at is null`.execute(this.db);
    return r.rows[0].n;
  }
}
