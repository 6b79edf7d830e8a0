import { type Kysely, sql } from "kysely";
import { underPaths } from "../../db/scope.js";
import type { DB } from "../../db/types.js";
import type { Actor } from "../../shared/actor.js";
import type { MemberCounts, SchoolMembers, SchoolPlace } from "../registry/school-members.js";
import type { CountCache } from "./count-cache.js";

/** Students still on a school's roll: enrolled or suspended (休学 keeps the 学籍 at the school). */
const onRoll = sql`status in ('enrolled', 'suspended')`;

/**
 * The people side of the registry's questions (SchoolMembers): how many members a unit has, and
 * moving them when a school is merged (撤并).
 */
export class PeopleOfSchools implements SchoolMembers {
  constructor(private readonly counts: CountCache) {}

  async count(db: Kysely<DB>, path: string, schoolYear: number): Promise<MemberCounts> {
    const r = await sql<MemberCounts>`select
        (select count(*) from student where ${underPaths("org_path", [path])} and deleted_at is null and ${onRoll})::int as students,
        (select count(*) from staff where ${underPaths("org_path", [path])} and deleted_at is null and status = 'active')::int as staff,
        (select count(*) from class_group where ${underPaths("org_path", [path])} and deleted_at is null
           and school_year >= ${schoolYear})::int as "classGroups"`.execute(db);
    return r.rows[0];
  }

  async gradesInUse(db: Kysely<DB>, path: string): Promise<number[]> {
    const r = await sql<{ grade: number }>`select distinct grade from student
      where ${underPaths("org_path", [path])} and deleted_at is null and ${onRoll} order by grade`.execute(
      db,
    );
    return r.rows.map((x) => x.grade);
  }

  /**
   * Moves this school year's class groups, the students on the roll and the active staff of `from`
   * to `to`. A moved class whose name the successor already uses that year is renamed
   * "<name>（原<old school>）". Students keep their class only if it moved; each gets a history row
   * (status unchanged, at the new school, on the merge date). Staff keep their start date at the
   * old school: a merger is not a rotation (交流轮岗 counts years at a school).
   */
  async moveAll(
    tx: Kysely<DB>,
    actor: Actor,
    m: { from: SchoolPlace; to: SchoolPlace; date: string; schoolYear: number; note: string },
  ): Promise<MemberCounts> {
    const { from, to } = m;
    const classes = await sql<{ id: number }>`update class_group cg set
        school_id = ${to.id}, org_path = ${to.path}, county_code = ${to.countyCode},
        name = case when exists (select 1 from class_group x where x.school_id = ${to.id}
                 and x.school_year = cg.school_year and x.name = cg.name)
               then cg.name || '（原' || ${from.name}::text || '）' else cg.name end
      where cg.school_id = ${from.id} and cg.deleted_at is null and cg.school_year >= ${m.schoolYear}
      returning cg.id`.execute(tx);
    const movedClassIds = classes.rows.map((c) => c.id);
    const students = await sql<{ student_id: number }>`with moved as (
        update student set school_id = ${to.id}, org_path = ${to.path}, county_code = ${to.countyCode},
          class_group_id = case when class_group_id = any(${movedClassIds}::bigint[]) then class_group_id end
        where school_id = ${from.id} and deleted_at is null and ${onRoll}
        returning id, status)
      insert into student_status_history (student_id, status, school_id, effective_on, note, recorded_by)
      select id, status, ${to.id}, ${m.date}::date, ${m.note}, ${actor.name} from moved
      returning student_id`.execute(tx);
    const staff = await sql<{ id: number }>`update staff set
        school_id = ${to.id}, org_path = ${to.path}, county_code = ${to.countyCode}
      where school_id = ${from.id} and deleted_at is null and status = 'active'
      returning id`.execute(tx);
    this.counts.clear();
    return { students: students.rows.length, staff: staff.rows.length, classGroups: movedClassIds.length };
  }
}
