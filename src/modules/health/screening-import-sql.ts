import { type RawBuilder, sql } from "kysely";
import { underPaths } from "../../db/scope.js";
import type { CommitContext, KindSql } from "../exchange/commit-sql.js";

/**
 * The SQL of the "vision-screenings" import against a job's staging table (see the exchange
 * module's commit-sql.ts for the contract). Each staged row names its student by 学籍号 or, without
 * one, by 身份证号; `resolved` finds the student once per statement with two hash joins.
 */
const resolved = (stage: RawBuilder<unknown>) => sql`
  select st.*, coalesce(a.id, b.id) as student_id, coalesce(a.name, b.name) as roll_name,
    coalesce(a.resident_id, b.resident_id) as roll_resident_id, coalesce(a.birth_date, b.birth_date) as birth_date,
    coalesce(a.school_id, b.school_id) as school_id, coalesce(a.org_path, b.org_path) as org_path,
    coalesce(a.county_code, b.county_code) as county_code, coalesce(a.grade, b.grade) as grade,
    coalesce(a.class_group_id, b.class_group_id) as class_group_id
  from ${stage} st
    left join student a on a.student_number = st.student_number and a.deleted_at is null
    left join student b on st.student_number is null and b.resident_id = st.resident_id and b.deleted_at is null`;

/** The school year (starting 1 September) of a date, as its first calendar year. */
const schoolYear = (d: RawBuilder<unknown>) => sql`extract(year from (${d} - interval '8 months'))::int`;

export const screeningsSql: KindSql = {
  checks: (stage, scope) => [
    sql`with r as materialized (${resolved(stage)})
      select r.row_no, case when r.student_number is not null then '学籍号' else '身份证号' end,
        coalesce(r.student_number, r.resident_id), '学生不存在或不在您的管理范围内（请先导入学生名册）'
      from r where r.student_id is null or not ${underPaths("r.org_path", scope)}
      union all
      select r.row_no, '身份证号', r.resident_id,
        '身份证号与学籍号 ' || r.student_number || ' 的学生不一致，请核对'
      from r where r.student_id is not null and r.student_number is not null and r.resident_id is not null
        and r.roll_resident_id is distinct from r.resident_id and ${underPaths("r.org_path", scope)}
      union all
      select r.row_no, '姓名', r.name, '与学籍中的姓名“' || r.roll_name || '”不一致，请核对学籍号'
      from r where r.student_id is not null and r.name is not null and r.name <> r.roll_name
        and ${underPaths("r.org_path", scope)}
      union all
      select r.row_no, '筛查日期', r.screened_on::text, '筛查日期早于学生的出生日期 ' || r.birth_date::text
      from r where r.student_id is not null and r.screened_on < r.birth_date and ${underPaths("r.org_path", scope)}
      union all
      select x.row_no, '筛查日期', x.screened_on::text,
        '同一学生同一筛查日期在文件中重复（学籍号和身份证号指向同一学生）：第' || x.first_row || '行和第' || x.row_no || '行'
      from (select r.row_no, r.screened_on,
          min(r.row_no) over (partition by r.student_id, r.screened_on) as first_row
        from r where r.student_id is not null) x
      where x.row_no <> x.first_row`,
  ],
  unchanged: (stage) => sql`delete from ${stage} st using (
      select st.row_no, coalesce(a.id, b.id) as student_id from ${stage} st
        left join student a on a.student_number = st.student_number and a.deleted_at is null
        left join student b on st.student_number is null and b.resident_id = st.resident_id and b.deleted_at is null
    ) r, vision_screening v
    where r.row_no = st.row_no and v.student_id = r.student_id and v.screened_on = st.screened_on
      and (v.va_left, v.va_right, v.se_left, v.se_right, v.institution)
        is not distinct from (st.va_left, st.va_right, st.se_left, st.se_right, st.institution)`,
  upsert: (stage, c: CommitContext) => sql<{ inserted: number; updated: number }>`
    with r as materialized (${resolved(stage)}),
    prev as materialized (
      select v.id, v.student_id, v.screened_on, v.va_left, v.va_right, v.se_left, v.se_right, v.institution
      from r join vision_screening v on v.student_id = r.student_id and v.screened_on = r.screened_on
    ), up as (
      insert into vision_screening as t (student_id, school_id, org_path, county_code, screened_on, age_years, grade,
        va_left, va_right, se_left, se_right, institution, import_job_id)
      select r.student_id, r.school_id, r.org_path, r.county_code, r.screened_on,
        extract(year from age(r.screened_on, r.birth_date))::int,
        -- the grade on the screening date: the roll's grade less the school years between the roll's
        -- year (its class's school year, else this one) and the screening
        r.grade - greatest(0, coalesce(cg.school_year, ${schoolYear(sql`${c.today}::date`)}) - ${schoolYear(sql`r.screened_on`)}),
        r.va_left, r.va_right, r.se_left, r.se_right, r.institution, (${c.context}::jsonb ->> 'importJob')::uuid
      from r left join class_group cg on cg.id = r.class_group_id order by r.student_id, r.screened_on
      on conflict (student_id, screened_on) do update set va_left = excluded.va_left, va_right = excluded.va_right,
        se_left = excluded.se_left, se_right = excluded.se_right, institution = excluded.institution,
        import_job_id = excluded.import_job_id, updated_at = now()
      where (t.va_left, t.va_right, t.se_left, t.se_right, t.institution)
        is distinct from (excluded.va_left, excluded.va_right, excluded.se_left, excluded.se_right, excluded.institution)
      returning t.id, t.student_id, t.screened_on
    ), audit as (
      -- A corrected screening is audited with before and after; new screenings are recorded by the
      -- job's own audit row and carry its id (import_job_id), not 550,000 audit rows.
      insert into audit_log (actor_type, actor_id, actor_name, action, entity, entity_key, org_path, before, after, context)
      select ${c.actorType}, ${c.actorId}::bigint, ${c.actorName}, 'update', 'vision_screening', up.id::text, r.org_path,
        jsonb_build_object('vaLeft', p.va_left, 'vaRight', p.va_right, 'seLeft', p.se_left, 'seRight', p.se_right,
          'institution', p.institution),
        jsonb_build_object('studentNumber', coalesce(r.student_number, r.resident_id), 'screenedOn', r.screened_on::text,
          'vaLeft', r.va_left, 'vaRight', r.va_right, 'seLeft', r.se_left, 'seRight', r.se_right,
          'institution', r.institution),
        ${c.context}::jsonb
      from up join prev p on p.student_id = up.student_id and p.screened_on = up.screened_on
        join r on r.student_id = up.student_id and r.screened_on = up.screened_on
    )
    select count(*) filter (where p.id is null)::int as inserted, count(p.id)::int as updated
    from up left join prev p on p.student_id = up.student_id and p.screened_on = up.screened_on`,
};
