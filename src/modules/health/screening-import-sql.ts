import { type RawBuilder, sql } from "kysely";
import { underPaths } from "../../db/scope.js";
import type { CommitContext, KindSql } from "../exchange/commit-sql.js";

/**
 * The SQL of the "vision-screenings" import against a job's staging table (see the exchange
 * module's commit-sql.ts for the contract). Each staged row names its student by 学籍号 or, without
 * one, by 身份证号. `prepare` resolves every staged row to its student once per transaction (the
 * dry run's checks, and the commit's) into a temporary table, screening_resolved, that the checks,
 * the unchanged rows and the upsert then read: resolving 550,000 rows (a hash of every student) cost
 * ~1 s of backend CPU each time, and the commit used to do it three times.
 */
const RESOLVED = sql.raw("pg_temp.screening_resolved");

/**
 * `resolved` finds the student by 学籍号 with one hash join, and by 身份证号 with an index look-up
 * made only for rows without a 学籍号 (a hash of every student by 身份证号, built for a file that
 * never needs it, cost 1.3 s of a 550,000-row check). `in_scope` is null when no student was found.
 */
const resolved = (stage: RawBuilder<unknown>, scope: string[]) => sql`
  select r.*, ${underPaths("r.org_path", scope)} as in_scope
  from (
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
      ) b on true
  ) r`;

/**
 * The rows the database refuses, from the resolved rows `r`: each problem as its message (null when
 * none), listed one per (row, column). In-file duplicates that the row checks could not see (one row
 * naming the student by 学籍号, the other by 身份证号) need a row without 学籍号, so only students
 * with such a row are sorted.
 */
const problems = (r: RawBuilder<unknown>) => sql`
  select x.row_no, e.column_name, e.value, e.reason
  from (select r.row_no, r.screened_on,
      case when r.student_id is null or not r.in_scope then coalesce(r.student_number, r.resident_id) end as missing,
      case when r.in_scope and r.student_number is not null and r.resident_id is not null
        and r.roll_resident_id is distinct from r.resident_id
        then '身份证号与学籍号 ' || r.student_number || ' 的学生不一致，请核对' end as bad_id,
      case when r.in_scope and r.name is not null and r.name <> r.roll_name
        then '与学籍中的姓名“' || r.roll_name || '”不一致，请核对学籍号' end as bad_name,
      case when r.in_scope and r.screened_on < r.birth_date
        then '筛查日期早于学生的出生日期 ' || r.birth_date::text end as too_early,
      case when r.student_number is null then '身份证号' else '学籍号' end as named_in,
      case when r.resident_id is not null and r.in_scope then r.resident_id end as resident_id,
      case when r.name is not null and r.in_scope then r.name end as name
    from ${r} r) x
  cross join lateral (values
    (x.named_in, x.missing, case when x.missing is not null
      then '学生不存在或不在您的管理范围内（请先导入学生名册）' end),
    ('身份证号', x.resident_id, x.bad_id),
    ('姓名', x.name, x.bad_name),
    ('筛查日期', x.screened_on::text, x.too_early)
  ) as e(column_name, value, reason)
  where coalesce(x.missing, x.bad_id, x.bad_name, x.too_early) is not null and e.reason is not null
  union all
  select x.row_no, '筛查日期', x.screened_on::text,
    '同一学生同一筛查日期在文件中重复（学籍号和身份证号指向同一学生）：第' || x.first_row || '行和第' || x.row_no || '行'
  from (select d.row_no, d.screened_on, min(d.row_no) over (partition by d.student_id, d.screened_on) as first_row
    from ${r} d where d.student_id in (select n.student_id from ${r} n where n.student_number is null)) x
  where x.row_no <> x.first_row`;

/** The school year (starting 1 September) of a date, as its first calendar year. */
const schoolYear = (d: RawBuilder<unknown>) => sql`extract(year from (${d} - interval '8 months'))::int`;

export const screeningsSql: KindSql = {
  // The temporary table is dropped with the transaction; analysed, so that the upsert's joins are
  // planned from its real size.
  prepare: (stage, scope) => [
    sql`drop table if exists pg_temp.screening_resolved`,
    sql`create temporary table screening_resolved on commit drop as ${resolved(stage, scope)}`,
    sql`analyze pg_temp.screening_resolved`,
  ],
  checks: (stage, scope, _today, prepared) => [
    prepared
      ? problems(RESOLVED)
      : sql`with r as materialized (${resolved(stage, scope)}) ${problems(sql.raw("r"))}`,
  ],
  unchanged: () => sql`delete from ${RESOLVED} r using vision_screening v
    where v.student_id = r.student_id and v.screened_on = r.screened_on
      and (v.va_left, v.va_right, v.se_left, v.se_right, v.institution)
        is not distinct from (r.va_left, r.va_right, r.se_left, r.se_right, r.institution)`,
  // A write over the summary's incremental limit marks it stale and sets its triggers aside (migration
  // 0033: they would keep every written row in their transition tables only to mark it stale).
  aroundUpsert: (rows) => ({
    before: sql`select vision_screening_summary_bulk_begin(${rows})`,
    after: sql`select vision_screening_summary_bulk_end()`,
  }),
  upsert: (_stage, c: CommitContext) => sql<{ inserted: number; updated: number }>`
    with prev as materialized (
      select v.id, v.student_id, v.screened_on, v.va_left, v.va_right, v.se_left, v.se_right, v.institution,
        coalesce(r.student_number, r.resident_id) as named_by, r.org_path
      from ${RESOLVED} r join vision_screening v on v.student_id = r.student_id and v.screened_on = r.screened_on
    ), updated as (
      update vision_screening t set va_left = r.va_left, va_right = r.va_right, se_left = r.se_left,
        se_right = r.se_right, institution = r.institution,
        import_job_id = (${c.context}::jsonb ->> 'importJob')::uuid, updated_at = now()
      from prev p join ${RESOLVED} r on r.student_id = p.student_id and r.screened_on = p.screened_on
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
      from ${RESOLVED} r left join class_group cg on cg.id = r.class_group_id
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
