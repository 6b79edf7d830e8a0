import { type RawBuilder, sql } from "kysely";
import { underPaths } from "../../db/scope.js";
import type { CommitContext, KindSql } from "../exchange/commit-sql.js";

/**
 * The SQL of the "vision-screenings" import against a job's staging table (see the exchange
 * module's commit-sql.ts for the contract). Each staged row names its student by 学籍号 or, without
 * one, by 身份证号: `resolved` finds the student by 学籍号 with one hash join, and by 身份证号 with an
 * index look-up made only for rows without a 学籍号 (a hash of every student by 身份证号, built for
 * a file that never needs it, cost 1.3 s of a 550,000-row check).
 */
const resolved = (stage: RawBuilder<unknown>) => sql`
  select st.*, coalesce(a.id, b.id) as student_id, coalesce(a.name, b.name) as roll_name,
    coalesce(a.resident_id, b.resident_id) as roll_resident_id, coalesce(a.birth_date, b.birth_date) as birth_date,
    coalesce(a.school_id, b.school_id) as school_id, coalesce(a.org_path, b.org_path) as org_path,
    coalesce(a.county_code, b.county_code) as county_code, coalesce(a.grade, b.grade) as grade,
    coalesce(a.class_group_id, b.class_group_id) as class_group_id
  from ${stage} st
    left join student a on a.student_number = st.student_number and a.deleted_at is null
    left join lateral (select b.id, b.name, b.resident_id, b.birth_date, b.school_id, b.org_path, b.county_code,
        b.grade, b.class_group_id
      from student b where st.student_number is null and b.resident_id = st.resident_id and b.deleted_at is null
      offset 0 -- kept a subquery: flattened into the join, it became the hash of every student again
    ) b on true`;

/** The school year (starting 1 September) of a date, as its first calendar year. */
const schoolYear = (d: RawBuilder<unknown>) => sql`extract(year from (${d} - interval '8 months'))::int`;

export const screeningsSql: KindSql = {
  // One pass resolves the rows into a narrow table (problems as their messages, null when none:
  // nulls take no room), kept in memory; the problem rows are then listed and the in-file
  // duplicates found with one sort. (A wide materialised CTE read five times wrote and re-read
  // 110 MB of temporary files for a 550,000-row file.)
  checks: (stage, scope) => [
    sql`with r as materialized (
        select x.row_no, x.student_id, x.screened_on,
          case when x.student_id is null or not x.in_scope then x.named_by end as missing,
          case when x.in_scope and x.student_number is not null and x.resident_id is not null
            and x.roll_resident_id is distinct from x.resident_id
            then '身份证号与学籍号 ' || x.student_number || ' 的学生不一致，请核对' end as bad_id,
          case when x.in_scope and x.name is not null and x.name <> x.roll_name
            then '与学籍中的姓名“' || x.roll_name || '”不一致，请核对学籍号' end as bad_name,
          case when x.in_scope and x.screened_on < x.birth_date
            then '筛查日期早于学生的出生日期 ' || x.birth_date::text end as too_early,
          case when x.student_number is null then '身份证号' else '学籍号' end as named_in,
          case when x.resident_id is not null and x.in_scope then x.resident_id end as resident_id,
          case when x.name is not null and x.in_scope then x.name end as name
        from (select r.*, coalesce(r.student_number, r.resident_id) as named_by,
            ${underPaths("r.org_path", scope)} as in_scope
          from (${resolved(stage)}) r) x
      )
      select r.row_no, e.column_name, e.value, e.reason
      from r cross join lateral (values
        (r.named_in, r.missing, case when r.missing is not null
          then '学生不存在或不在您的管理范围内（请先导入学生名册）' end),
        ('身份证号', r.resident_id, r.bad_id),
        ('姓名', r.name, r.bad_name),
        ('筛查日期', r.screened_on::text, r.too_early)
      ) as e(column_name, value, reason)
      where coalesce(r.missing, r.bad_id, r.bad_name, r.too_early) is not null and e.reason is not null
      union all
      select x.row_no, '筛查日期', x.screened_on::text,
        '同一学生同一筛查日期在文件中重复（学籍号和身份证号指向同一学生）：第' || x.first_row || '行和第' || x.row_no || '行'
      from (select r.row_no, r.screened_on,
          min(r.row_no) over (partition by r.student_id, r.screened_on) as first_row
        from r where r.student_id is not null) x
      where x.row_no <> x.first_row`,
  ],
  unchanged: (stage) => sql`delete from ${stage} st using (${resolved(stage)}) r, vision_screening v
    where r.row_no = st.row_no and v.student_id = r.student_id and v.screened_on = st.screened_on
      and (v.va_left, v.va_right, v.se_left, v.se_right, v.institution)
        is not distinct from (st.va_left, st.va_right, st.se_left, st.se_right, st.institution)`,
  upsert: (stage, c: CommitContext) => sql<{ inserted: number; updated: number }>`
    with r as materialized (
      select r.student_number, r.resident_id, r.screened_on, r.va_left, r.va_right, r.se_left, r.se_right,
        r.institution, r.student_id, r.birth_date, r.school_id, r.org_path, r.county_code, r.grade, r.class_group_id
      from (${resolved(stage)}) r
    ),
    prev as materialized (
      select v.id, v.student_id, v.screened_on, v.va_left, v.va_right, v.se_left, v.se_right, v.institution,
        coalesce(r.student_number, r.resident_id) as named_by, r.org_path
      from r join vision_screening v on v.student_id = r.student_id and v.screened_on = r.screened_on
    ), updated as (
      update vision_screening t set va_left = r.va_left, va_right = r.va_right, se_left = r.se_left,
        se_right = r.se_right, institution = r.institution,
        import_job_id = (${c.context}::jsonb ->> 'importJob')::uuid, updated_at = now()
      from prev p join r on r.student_id = p.student_id and r.screened_on = p.screened_on
      where t.id = p.id and (t.va_left, t.va_right, t.se_left, t.se_right, t.institution)
        is distinct from (r.va_left, r.va_right, r.se_left, r.se_right, r.institution)
      returning t.id, t.screened_on, t.va_left, t.va_right, t.se_left, t.se_right, t.institution
    ), inserted as (
      -- a plain insert of the new screenings (see commit-sql.ts: no speculative insert per row)
      insert into vision_screening (student_id, school_id, org_path, county_code, screened_on, age_years, grade,
        va_left, va_right, se_left, se_right, institution, import_job_id)
      select r.student_id, r.school_id, r.org_path, r.county_code, r.screened_on,
        extract(year from age(r.screened_on, r.birth_date))::int,
        -- the grade on the screening date: the roll's grade less the school years between the roll's
        -- year (its class's school year, else this one) and the screening
        r.grade - greatest(0, coalesce(cg.school_year, ${schoolYear(sql`${c.today}::date`)}) - ${schoolYear(sql`r.screened_on`)}),
        r.va_left, r.va_right, r.se_left, r.se_right, r.institution, (${c.context}::jsonb ->> 'importJob')::uuid
      from r left join class_group cg on cg.id = r.class_group_id
      where not exists (select 1 from prev p where p.student_id = r.student_id and p.screened_on = r.screened_on)
      order by r.student_id, r.screened_on
      returning 1
    ), audit as (
      -- A corrected screening is audited with before and after ("after" from the written row); new
      -- screenings are recorded by the job's own audit row and carry its id (import_job_id), not
      -- 550,000 audit rows.
      insert into audit_log (actor_type, actor_id, actor_name, action, entity, entity_key, org_path, before, after, context)
      select ${c.actorType}, ${c.actorId}::bigint, ${c.actorName}, 'update', 'vision_screening', up.id::text, p.org_path,
        jsonb_build_object('vaLeft', p.va_left, 'vaRight', p.va_right, 'seLeft', p.se_left, 'seRight', p.se_right,
          'institution', p.institution),
        jsonb_build_object('studentNumber', p.named_by, 'screenedOn', up.screened_on::text,
          'vaLeft', up.va_left, 'vaRight', up.va_right, 'seLeft', up.se_left, 'seRight', up.se_right,
          'institution', up.institution),
        ${c.context}::jsonb
      from updated up join prev p on p.id = up.id
    )
    select (select count(*) from inserted)::int as inserted, (select count(*) from updated)::int as updated`,
};
