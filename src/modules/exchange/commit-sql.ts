import { type RawBuilder, sql } from "kysely";
import { underPaths } from "../../db/scope.js";
import { screeningsSql } from "../health/screening-import-sql.js";
import { schoolTypes } from "../registry/codes.js";
import { gradesOfSchoolType } from "../registry/rules.js";
import { SCHOOL_NOT_FOUND } from "./fields.js";
import type { ImportKind } from "./kind.js";

/**
 * The SQL of each import kind, run against a job's staging table:
 * - checks: rows the database refuses (natural key held outside the actor's scope, ID number used
 *   by another person, school closed since the dry run …) as (row_no, column_name, value, reason);
 *   run at the end of the dry run and again inside the commit transaction;
 * - unchanged: deletes staged rows identical to the stored ones (returns how many), so the upsert
 *   touches only new and changed rows and a second import of the same file changes nothing;
 * - upsert: one statement with data-modifying CTEs: the insert … on conflict do update … where
 *   (row) is distinct from (excluded), one audit row per inserted or updated entity with before and
 *   after, and the kind's history rows. The large kinds (students, screenings) update the rows that
 *   exist and insert the others with a plain insert instead: a speculative insert (on conflict)
 *   cost 75% more per new row (measured: 3.7 s against 2.1 s for 550,000 screenings). A row another
 *   transaction inserts in between then fails the commit on the unique key, writing nothing.
 * Used only by the import repository.
 */

export interface CommitContext {
  actorType: string;
  actorId: number | null;
  actorName: string;
  /** JSON text of the audit context ({ importJob, file }). */
  context: string;
  today: string;
}

export interface KindSql {
  checks(stage: RawBuilder<unknown>, scope: string[], today: string): RawBuilder<unknown>[];
  unchanged(stage: RawBuilder<unknown>): RawBuilder<unknown>;
  upsert(stage: RawBuilder<unknown>, c: CommitContext): RawBuilder<{ inserted: number; updated: number }>;
  /**
   * Tables the upsert writes a row to per staged row, whose secondary indexes and foreign keys a
   * large commit sets aside and rebuilds (deferred-indexes.ts). Not audit_log: it only grows. Not
   * vision_screening: with one secondary index, rebuilding it saved nothing measurable, and its
   * readers would wait for the commit.
   */
  bulkTables?: readonly string[];
}

const schoolStillOpen = (stage: RawBuilder<unknown>, scope: string[], today: string) =>
  sql`select st.row_no, '学校标识码' as column_name, st.school_code as value,
      ${`${SCHOOL_NOT_FOUND}，或已撤并、关闭`}::text as reason
    from ${stage} st join org_unit o on o.id = st.school_id
    where not ${underPaths("o.path", scope)} or (o.valid_to is not null and o.valid_to <= ${today}::date)
      or o.path <> st.org_path`;

const audit = (c: CommitContext) => sql`${c.actorType}, ${c.actorId}::bigint, ${c.actorName}`;

const students: KindSql = {
  bulkTables: ["student", "student_status_history"],
  checks: (stage, scope, today) => [
    schoolStillOpen(stage, scope, today),
    sql`select st.row_no, '学籍号', st.student_number,
        '学籍号已在您管理范围之外的学校登记：请由原学校办理转出，或联系上级教育局'
      from ${stage} st join student s on s.student_number = st.student_number
      where not ${underPaths("s.org_path", scope)}`,
    sql`select distinct on (st.row_no) st.row_no, '身份证号', st.resident_id,
        case when ${underPaths("s.org_path", scope)} then '身份证号已被学籍号 ' || s.student_number || ' 的学生使用'
          else '身份证号已登记在您管理范围之外的其他学籍中' end
      from ${stage} st join student s on s.resident_id = st.resident_id
        and s.student_number <> st.student_number and s.deleted_at is null
      where st.resident_id is not null order by st.row_no`,
    sql`select st.row_no, '班级', c.name, '班级已被删除，请重新建立班级或留空'
      from ${stage} st join class_group c on c.id = st.class_group_id
      where c.deleted_at is not null or c.school_id <> st.school_id`,
  ],
  unchanged: (stage) => sql`delete from ${stage} st using student s
    where s.student_number = st.student_number
      and (s.name, s.gender, s.resident_id, s.birth_date, s.school_id, s.org_path, s.county_code, s.stage,
           s.grade, s.class_group_id, s.status, s.enrolled_on, s.deleted_at)
      is not distinct from (st.name, st.gender, st.resident_id, st.birth_date, st.school_id, st.org_path,
           st.county_code, st.stage, st.grade, st.class_group_id, st.status, st.enrolled_on, null::timestamptz)`,
  upsert: (stage, c) => sql<{ inserted: number; updated: number }>`
    with prev as materialized (
      select s.id, s.student_number, s.name, s.gender, s.resident_id, s.birth_date::text as birth_date,
        o.code as school_code, s.school_id, s.grade, s.class_group_id, s.status, s.enrolled_on::text as enrolled_on
      from ${stage} st join student s on s.student_number = st.student_number join org_unit o on o.id = s.school_id
    ), updated as (
      update student t set name = st.name, gender = st.gender, resident_id = st.resident_id,
        birth_date = st.birth_date, school_id = st.school_id, org_path = st.org_path, county_code = st.county_code,
        stage = st.stage, grade = st.grade, class_group_id = st.class_group_id, status = st.status,
        enrolled_on = st.enrolled_on, deleted_at = null, updated_at = now()
      from ${stage} st
      where t.student_number = st.student_number
        and (t.name, t.gender, t.resident_id, t.birth_date, t.school_id, t.org_path, t.county_code, t.stage,
          t.grade, t.class_group_id, t.status, t.enrolled_on, t.deleted_at)
        is distinct from (st.name, st.gender, st.resident_id, st.birth_date, st.school_id, st.org_path,
          st.county_code, st.stage, st.grade, st.class_group_id, st.status, st.enrolled_on, null::timestamptz)
      returning t.id, t.student_number, t.name, t.gender, t.resident_id, t.birth_date, t.school_id, t.org_path,
        t.grade, t.class_group_id, t.status, t.enrolled_on
    ), inserted as (
      insert into student (student_number, name, gender, resident_id, birth_date, school_id, org_path,
        county_code, stage, grade, class_group_id, status, enrolled_on)
      select student_number, name, gender, resident_id, birth_date, school_id, org_path, county_code, stage,
        grade, class_group_id, status, enrolled_on
      from ${stage} st where not exists (select 1 from prev p where p.student_number = st.student_number)
      order by student_number
      returning id, student_number, name, gender, resident_id, birth_date, school_id, org_path, grade,
        class_group_id, status, enrolled_on
    ), up as (
      select *, false as created from updated union all select *, true as created from inserted
    ), audit as (
      -- "after" from the written row itself (and its school's code): no second pass over the stage.
      insert into audit_log (actor_type, actor_id, actor_name, action, entity, entity_key, org_path, before, after, context)
      select ${audit(c)}, case when up.created then 'create' else 'update' end, 'student', up.student_number, up.org_path,
        case when p.id is not null then jsonb_build_object('studentNumber', p.student_number, 'name', p.name,
          'gender', p.gender, 'residentId', p.resident_id, 'birthDate', p.birth_date, 'schoolCode', p.school_code,
          'grade', p.grade, 'classGroupId', p.class_group_id, 'status', p.status, 'enrolledOn', p.enrolled_on) end,
        jsonb_build_object('studentNumber', up.student_number, 'name', up.name, 'gender', up.gender,
          'residentId', up.resident_id, 'birthDate', up.birth_date::text, 'schoolCode', o.code,
          'grade', up.grade, 'classGroupId', up.class_group_id, 'status', up.status,
          'enrolledOn', up.enrolled_on::text),
        ${c.context}::jsonb
      from up join org_unit o on o.id = up.school_id
        left join prev p on not up.created and p.student_number = up.student_number
      order by up.student_number
    ), history as (
      insert into student_status_history (student_id, status, school_id, effective_on, note, recorded_by)
      select up.id, up.status, up.school_id,
        case when up.created then coalesce(up.enrolled_on, ${c.today}::date) else ${c.today}::date end,
        case when up.created then '导入建档' else '导入变更' end, ${c.actorName}
      from up left join prev p on not up.created and p.student_number = up.student_number
      where up.created or p.status <> up.status or p.school_id <> up.school_id
    )
    select (select count(*) from inserted)::int as inserted, (select count(*) from updated)::int as updated`,
};

const staff: KindSql = {
  checks: (stage, scope, today) => [
    schoolStillOpen(stage, scope, today),
    sql`select st.row_no, '工号', st.staff_number,
        '工号已被您管理范围之外的教职工使用：调动请由原单位办理，或联系上级教育局'
      from ${stage} st join staff s on s.staff_number = st.staff_number
      where not ${underPaths("s.org_path", scope)}`,
    sql`select distinct on (st.row_no) st.row_no, '身份证号', st.resident_id,
        case when ${underPaths("s.org_path", scope)} then '身份证号已被工号 ' || s.staff_number || ' 的教职工使用'
          else '身份证号已登记在您管理范围之外的其他教职工中' end
      from ${stage} st join staff s on s.resident_id = st.resident_id
        and s.staff_number <> st.staff_number and s.deleted_at is null
      where st.resident_id is not null order by st.row_no`,
  ],
  unchanged: (stage) => sql`delete from ${stage} st using staff s
    where s.staff_number = st.staff_number
      and (s.name, s.gender, s.resident_id, s.birth_date, s.school_id, s.org_path, s.county_code, s.posts,
           s.subjects, s.education, s.title, s.key_level, s.teaching_certificate, s.school_start_date, s.status,
           s.deleted_at)
      is not distinct from (st.name, st.gender, st.resident_id, st.birth_date, st.school_id, st.org_path,
           st.county_code, st.posts, st.subjects, st.education, st.title, st.key_level, st.teaching_certificate,
           st.school_start_date, st.status, null::timestamptz)`,
  upsert: (stage, c) => sql<{ inserted: number; updated: number }>`
    with prev as materialized (
      select s.id, s.staff_number, s.name, s.gender, s.resident_id, s.birth_date::text as birth_date,
        o.code as school_code, s.posts, s.subjects, s.education, s.title, s.key_level, s.teaching_certificate,
        s.school_start_date::text as school_start_date, s.status
      from ${stage} st join staff s on s.staff_number = st.staff_number join org_unit o on o.id = s.school_id
    ), up as (
      insert into staff as t (staff_number, name, gender, resident_id, birth_date, school_id, org_path, county_code,
        posts, subjects, education, title, key_level, teaching_certificate, school_start_date, status)
      select staff_number, name, gender, resident_id, birth_date, school_id, org_path, county_code, posts,
        subjects, education, title, key_level, teaching_certificate, school_start_date, status
      from ${stage} order by staff_number
      on conflict (staff_number) do update set name = excluded.name, gender = excluded.gender,
        resident_id = excluded.resident_id, birth_date = excluded.birth_date, school_id = excluded.school_id,
        org_path = excluded.org_path, county_code = excluded.county_code, posts = excluded.posts,
        subjects = excluded.subjects, education = excluded.education, title = excluded.title,
        key_level = excluded.key_level, teaching_certificate = excluded.teaching_certificate,
        school_start_date = excluded.school_start_date, status = excluded.status, deleted_at = null,
        updated_at = now()
      where (t.name, t.gender, t.resident_id, t.birth_date, t.school_id, t.org_path, t.county_code, t.posts,
          t.subjects, t.education, t.title, t.key_level, t.teaching_certificate, t.school_start_date, t.status,
          t.deleted_at)
        is distinct from (excluded.name, excluded.gender, excluded.resident_id, excluded.birth_date,
          excluded.school_id, excluded.org_path, excluded.county_code, excluded.posts, excluded.subjects,
          excluded.education, excluded.title, excluded.key_level, excluded.teaching_certificate,
          excluded.school_start_date, excluded.status, null::timestamptz)
      returning t.id, t.staff_number
    ), audit as (
      insert into audit_log (actor_type, actor_id, actor_name, action, entity, entity_key, org_path, before, after, context)
      select ${audit(c)}, case when p.id is null then 'create' else 'update' end, 'staff', st.staff_number, st.org_path,
        case when p.id is not null then jsonb_build_object('staffNumber', p.staff_number, 'name', p.name,
          'gender', p.gender, 'residentId', p.resident_id, 'birthDate', p.birth_date, 'schoolCode', p.school_code,
          'posts', p.posts, 'subjects', p.subjects, 'education', p.education, 'title', p.title,
          'keyLevel', p.key_level, 'teachingCertificate', p.teaching_certificate,
          'schoolStartDate', p.school_start_date, 'status', p.status) end,
        jsonb_build_object('staffNumber', st.staff_number, 'name', st.name, 'gender', st.gender,
          'residentId', st.resident_id, 'birthDate', st.birth_date::text, 'schoolCode', st.school_code,
          'posts', st.posts, 'subjects', st.subjects, 'education', st.education, 'title', st.title,
          'keyLevel', st.key_level, 'teachingCertificate', st.teaching_certificate,
          'schoolStartDate', st.school_start_date::text, 'status', st.status),
        ${c.context}::jsonb
      from up join ${stage} st on st.staff_number = up.staff_number
        left join prev p on p.staff_number = up.staff_number
      order by st.staff_number
    )
    select count(*) filter (where p.id is null)::int as inserted, count(p.id)::int as updated
    from up left join prev p on p.staff_number = up.staff_number`,
};

const classGroups: KindSql = {
  checks: (stage, scope, today) => [
    schoolStillOpen(stage, scope, today),
    sql`select st.row_no, '班主任工号', st.homeroom_staff_number,
        '本校没有工号为 ' || st.homeroom_staff_number || ' 的教职工（先导入教职工，或留空）'
      from ${stage} st
      where st.homeroom_staff_number is not null and not exists (select 1 from staff f
        where f.staff_number = st.homeroom_staff_number and f.school_id = st.school_id and f.deleted_at is null)`,
  ],
  unchanged: (stage) => sql`delete from ${stage} st using class_group c
    where c.school_id = st.school_id and c.school_year = st.school_year and c.name = st.name
      and (c.stage, c.grade, c.homeroom_staff_number, c.deleted_at)
      is not distinct from (st.stage, st.grade, st.homeroom_staff_number, null::timestamptz)`,
  upsert: (stage, c) => sql<{ inserted: number; updated: number }>`
    with prev as materialized (
      select c.id, c.school_id, c.school_year, c.name, c.grade, c.homeroom_staff_number
      from ${stage} st join class_group c
        on c.school_id = st.school_id and c.school_year = st.school_year and c.name = st.name
    ), up as (
      insert into class_group as t (school_id, org_path, county_code, school_year, stage, grade, name, homeroom_staff_number)
      select school_id, org_path, county_code, school_year, stage, grade, name, homeroom_staff_number
      from ${stage} order by school_id, school_year, name
      on conflict (school_id, school_year, name) do update set stage = excluded.stage, grade = excluded.grade,
        homeroom_staff_number = excluded.homeroom_staff_number, deleted_at = null, updated_at = now()
      where (t.stage, t.grade, t.homeroom_staff_number, t.deleted_at)
        is distinct from (excluded.stage, excluded.grade, excluded.homeroom_staff_number, null::timestamptz)
      returning t.id, t.school_id, t.school_year, t.name
    ), audit as (
      insert into audit_log (actor_type, actor_id, actor_name, action, entity, entity_key, org_path, before, after, context)
      select ${audit(c)}, case when p.id is null then 'create' else 'update' end, 'class_group', up.id::text, st.org_path,
        case when p.id is not null then jsonb_build_object('id', p.id, 'schoolCode', st.school_code,
          'schoolYear', p.school_year, 'grade', p.grade, 'name', p.name, 'homeroomStaffNumber', p.homeroom_staff_number) end,
        jsonb_build_object('id', up.id, 'schoolCode', st.school_code, 'schoolYear', st.school_year,
          'grade', st.grade, 'name', st.name, 'homeroomStaffNumber', st.homeroom_staff_number),
        ${c.context}::jsonb
      from up join ${stage} st on st.school_id = up.school_id and st.school_year = up.school_year and st.name = up.name
        left join prev p on p.id = up.id
    )
    select count(*) filter (where p.id is null)::int as inserted, count(p.id)::int as updated
    from up left join prev p on p.id = up.id`,
};

/** (school type, grade) pairs a school may enrol, for the check when an import changes a type. */
const gradeFit = sql.join(
  schoolTypes.flatMap((t) => gradesOfSchoolType(t).map((g) => sql`(${sql.lit(t.code)}, ${sql.lit(g)})`)),
);

const schools: KindSql = {
  checks: (stage, scope, today) => [
    sql`select st.row_no, '主管单位', p.name, '主管单位不在您的管理范围内，或已撤并、关闭'
      from ${stage} st join org_unit p on p.id = st.parent_id
      where not ${underPaths("p.path", scope)} or (p.valid_to is not null and p.valid_to <= ${today}::date)`,
    sql`select st.row_no, '学校标识码', st.code,
        case when not ${underPaths("o.path", scope)} then '学校标识码已被您管理范围之外的机构使用'
          when o.kind <> 'school' then '该代码已是' || o.name || '的代码，不是学校'
          when o.valid_to is not null then o.name || '已撤并或关闭，不能通过导入修改'
          else o.name || '隶属于' || coalesce(op.name, '其他单位') || '，导入不能变更主管单位（请使用机构调整或撤并功能）' end
      from ${stage} st join org_unit o on o.code = st.code left join org_unit op on op.id = o.parent_id
      where not ${underPaths("o.path", scope)} or o.kind <> 'school' or o.valid_to is not null
        or o.parent_id <> st.parent_id`,
    sql`select st.row_no, '办学类型', st.school_type,
        o.name || '仍有' || string_agg(distinct s.grade::text, '、') || '年级的在读学生，与新的办学类型不符；请先调整学生年级'
      from ${stage} st join org_unit o on o.code = st.code and o.school_type is distinct from st.school_type
        join student s on s.school_id = o.id and s.deleted_at is null and s.status in ('enrolled', 'suspended')
      where not exists (select 1 from (values ${gradeFit}) fit(t, g) where fit.t = st.school_type and fit.g = s.grade)
      group by st.row_no, st.school_type, o.name`,
  ],
  unchanged: (stage) => sql`delete from ${stage} st using org_unit o
    where o.code = st.code
      and (o.name, o.short_name, o.school_type, o.ownership, o.inclusive, o.urban_rural, o.boarding, o.address,
           o.lng, o.lat)
      is not distinct from (st.name, st.short_name, st.school_type, st.ownership, st.inclusive, st.urban_rural,
           st.boarding, st.address, st.lng, st.lat)`,
  upsert: (stage, c) => sql<{ inserted: number; updated: number }>`
    with prev as materialized (
      select o.id, o.code, o.name, o.short_name, o.county_code, o.school_type, o.ownership, o.inclusive,
        o.urban_rural, o.boarding, o.address, o.lng, o.lat, o.valid_from::text as valid_from, op.code as parent_code,
        v.id as version_id, v.valid_from::text as version_from
      from ${stage} st join org_unit o on o.code = st.code left join org_unit op on op.id = o.parent_id
        left join org_unit_version v on v.org_unit_id = o.id and v.valid_to is null
    ), up as (
      insert into org_unit as t (code, kind, name, short_name, parent_id, path, county_code, school_type, ownership,
        inclusive, urban_rural, boarding, address, lng, lat, valid_from)
      select code, 'school', name, short_name, parent_id, path, county_code, school_type, ownership, inclusive,
        urban_rural, boarding, address, lng, lat, valid_from
      from ${stage} order by code
      on conflict (code) do update set name = excluded.name, short_name = excluded.short_name,
        school_type = excluded.school_type, ownership = excluded.ownership, inclusive = excluded.inclusive,
        urban_rural = excluded.urban_rural, boarding = excluded.boarding, address = excluded.address,
        lng = excluded.lng, lat = excluded.lat, updated_at = now()
      where (t.name, t.short_name, t.school_type, t.ownership, t.inclusive, t.urban_rural, t.boarding, t.address,
          t.lng, t.lat)
        is distinct from (excluded.name, excluded.short_name, excluded.school_type, excluded.ownership,
          excluded.inclusive, excluded.urban_rural, excluded.boarding, excluded.address, excluded.lng, excluded.lat)
      returning t.id, t.code, t.parent_id, t.path, t.valid_from
    ), versioned as (
      -- New schools, and schools whose versioned attributes change (the rest — address, coordinates,
      -- short name — are not part of a version).
      select up.id, up.parent_id, up.path, up.valid_from, st.name, st.school_type, st.ownership, st.inclusive,
        st.urban_rural, st.boarding, p.version_id, p.version_from, p.id is null as created
      from up join ${stage} st on st.code = up.code left join prev p on p.code = up.code
      where p.id is null or (p.name, p.school_type, p.ownership, p.inclusive, p.urban_rural, p.boarding)
        is distinct from (st.name, st.school_type, st.ownership, st.inclusive, st.urban_rural, st.boarding)
    ), ended as (
      -- A change ends the open version today and opens a new one; a change on the day the version
      -- began corrects that version instead (it has no past yet to keep).
      update org_unit_version v set valid_to = ${c.today}::date
      from versioned x where v.id = x.version_id and x.version_from < ${c.today}
    ), corrected as (
      update org_unit_version v set name = x.name, school_type = x.school_type, ownership = x.ownership,
        inclusive = x.inclusive, urban_rural = x.urban_rural, boarding = x.boarding, note = '导入更正'
      from versioned x where v.id = x.version_id and x.version_from >= ${c.today}
    ), opened as (
      insert into org_unit_version (org_unit_id, valid_from, name, parent_id, path, school_type, ownership,
        inclusive, urban_rural, boarding, note)
      select id, case when created then valid_from else ${c.today}::date end, name, parent_id, path, school_type,
        ownership, inclusive, urban_rural, boarding, case when created then '导入新建' else '导入变更' end
      from versioned where created or version_id is null or version_from < ${c.today}
    ), audit as (
      insert into audit_log (actor_type, actor_id, actor_name, action, entity, entity_key, org_path, before, after, context)
      select ${audit(c)}, case when p.id is null then 'create' else 'update' end, 'org_unit', st.code, st.path,
        case when p.id is not null then jsonb_build_object('code', p.code, 'kind', 'school', 'name', p.name,
          'shortName', p.short_name, 'parentCode', p.parent_code, 'countyCode', p.county_code,
          'schoolType', p.school_type, 'ownership', p.ownership, 'inclusive', p.inclusive,
          'urbanRural', p.urban_rural, 'boarding', p.boarding, 'address', p.address, 'lng', p.lng, 'lat', p.lat,
          'validFrom', p.valid_from) end,
        jsonb_build_object('code', st.code, 'kind', 'school', 'name', st.name, 'shortName', st.short_name,
          'parentCode', pa.code, 'countyCode', st.county_code, 'schoolType', st.school_type,
          'ownership', st.ownership, 'inclusive', st.inclusive, 'urbanRural', st.urban_rural,
          'boarding', st.boarding, 'address', st.address, 'lng', st.lng, 'lat', st.lat,
          'validFrom', coalesce(p.valid_from, st.valid_from::text)),
        ${c.context}::jsonb
      from up join ${stage} st on st.code = up.code join org_unit pa on pa.id = st.parent_id
        left join prev p on p.code = up.code
    )
    select count(*) filter (where p.id is null)::int as inserted, count(p.id)::int as updated
    from up left join prev p on p.code = up.code`,
};

export const kindSql: Record<ImportKind, KindSql> = {
  schools,
  students,
  staff,
  "class-groups": classGroups,
  "vision-screenings": screeningsSql,
};
