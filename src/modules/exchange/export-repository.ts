import { type Kysely, sql } from "kysely";
import { underPaths } from "../../db/scope.js";
import type { DB } from "../../db/types.js";
import type { ImportKind } from "./kind.js";

/** One exported record: the columns of the kind's template, raw (codes, not labels). */
export type ExportRecord = Record<string, unknown> & { key: string };

/**
 * SQL of the exports in the import templates' shape (so an export, edited, imports back): current
 * records under the given paths, read in keyset batches by natural key (never OFFSET, never whole).
 */
export class ExportRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async countyPath(code: string): Promise<string | undefined> {
    const r = await this.db
      .selectFrom("org_unit")
      .select("path")
      .where("code", "=", code)
      .where("kind", "=", "county")
      .executeTakeFirst();
    return r?.path;
  }

  async batch(
    kind: ImportKind,
    scope: string[],
    within: string[],
    after: string,
    limit: number,
  ): Promise<ExportRecord[]> {
    const q = queries[kind](scope, within, after, limit);
    return (await q.execute(this.db)).rows as ExportRecord[];
  }
}

type Query = (scope: string[], within: string[], after: string, limit: number) => ReturnType<typeof sql>;

const queries: Record<ImportKind, Query> = {
  schools: (scope, within, after, limit) => sql`
    select o.code as key, o.code, o.name, o.short_name as "shortName", p.kind as "parentKind",
      p.name as parent, c.name as county, o.school_type as "schoolType", o.ownership, o.inclusive,
      o.urban_rural as "urbanRural", o.boarding, o.address, o.lng, o.lat, o.valid_from::text as "validFrom"
    from org_unit o left join org_unit p on p.id = o.parent_id left join org_unit c on c.code = o.county_code
    where o.kind = 'school' and o.valid_to is null and ${underPaths("o.path", scope)}
      and ${underPaths("o.path", within)} and o.code > ${after}
    order by o.code limit ${limit}`,
  students: (scope, within, after, limit) => sql`
    select s.student_number as key, s.student_number as "studentNumber", s.name, s.gender,
      s.resident_id as "residentId", s.birth_date::text as "birthDate", o.code as "schoolCode", s.grade,
      c.name as "className", s.status, s.enrolled_on::text as "enrolledOn"
    from student s join org_unit o on o.id = s.school_id left join class_group c on c.id = s.class_group_id
    where s.deleted_at is null and ${underPaths("s.org_path", scope)} and ${underPaths("s.org_path", within)}
      and s.student_number > ${after}
    order by s.student_number limit ${limit}`,
  staff: (scope, within, after, limit) => sql`
    select s.staff_number as key, s.staff_number as "staffNumber", s.name, s.gender, s.resident_id as "residentId",
      s.birth_date::text as "birthDate", o.code as "schoolCode", s.posts, s.subjects, s.education, s.title,
      s.key_level as "keyLevel", s.teaching_certificate as "teachingCertificate",
      s.school_start_date::text as "schoolStartDate", s.status
    from staff s join org_unit o on o.id = s.school_id
    where s.deleted_at is null and ${underPaths("s.org_path", scope)} and ${underPaths("s.org_path", within)}
      and s.staff_number > ${after}
    order by s.staff_number limit ${limit}`,
  "class-groups": (scope, within, after, limit) => sql`
    select lpad(c.id::text, 19, '0') as key, o.code as "schoolCode", c.school_year as "schoolYear", c.name,
      c.grade, c.homeroom_staff_number as homeroom
    from class_group c join org_unit o on o.id = c.school_id
    where c.deleted_at is null and ${underPaths("c.org_path", scope)} and ${underPaths("c.org_path", within)}
      and lpad(c.id::text, 19, '0') > ${after}
    order by c.id limit ${limit}`,
  "vision-screenings": (scope, within, after, limit) => sql`
    select lpad(v.id::text, 19, '0') as key, s.student_number as "studentNumber", s.name,
      v.screened_on::text as "screenedOn", v.va_left::text as "vaLeft", v.va_right::text as "vaRight",
      v.se_left::text as "seLeft", v.se_right::text as "seRight", v.institution
    from vision_screening v join student s on s.id = v.student_id
    where ${underPaths("v.org_path", scope)} and ${underPaths("v.org_path", within)}
      and lpad(v.id::text, 19, '0') > ${after}
    order by v.id limit ${limit}`,
};
