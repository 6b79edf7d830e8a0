-- The summary's screened column counts only the students the rule can classify: aged
-- vision_screening_summary_state.min_age_years (6) or over on the screening date. WS/T 663-2020
-- (《中小学生屈光不正筛查规范》) applies to children of 6 and over ("6岁以上"); a 3–5-year-old in a
-- kindergarten can never be 筛查性近视 by it, so counting them in the denominator lowered every
-- county's 近视率 (离石区 44.3 % with them, 49.7 % without: 3,347 小班 and 3,641 中班 children).
-- 近视率 = 筛查性近视人数 ÷ 6 岁及以上筛查人数. Otherwise the same functions as migration 0032
-- (numbered after the last shipped migration, so that a database migrated before gets it on its
-- next start); the summary is rebuilt.

-- Recomputes the summary rows of the given groups (school, path, county, date) from vision_screening.
create or replace function vision_screening_summary_refresh(
  g_school bigint[], g_path text[], g_county text[], g_on date[]
) returns void language plpgsql as $$
declare
  r vision_screening_summary_state;
begin
  select * into r from vision_screening_summary_state;
  if not found or r.stale then
    return;
  end if;
  delete from vision_screening_summary s
   using (select distinct * from unnest(g_school, g_path, g_county, g_on)) g(school_id, org_path, county_code, screened_on)
   where s.school_id = g.school_id and s.org_path = g.org_path and s.county_code = g.county_code
     and s.screened_on = g.screened_on;
  -- the groups' rows with each student's next screening date (from all of that student's rows)
  insert into vision_screening_summary (school_id, org_path, county_code, screened_on, next_on, screened, myopic)
  select v.school_id, v.org_path, v.county_code, v.screened_on, coalesce(v.next_on, 'infinity'::date),
    count(*) filter (where v.age_years >= r.min_age_years),
    count(*) filter (where v.age_years >= r.min_age_years and
      ((v.va_left < r.acuity_below and v.se_left <= r.se_at_most)
        or (v.va_right < r.acuity_below and v.se_right <= r.se_at_most)))
  from (
    select s.*, lead(s.screened_on) over (partition by s.student_id order by s.screened_on) as next_on
    from vision_screening s
    where s.student_id in (
      select w.student_id
      from (select distinct * from unnest(g_school, g_path, g_county, g_on)) g(school_id, org_path, county_code, screened_on)
        join vision_screening w on w.org_path = g.org_path and w.screened_on = g.screened_on
          and w.school_id = g.school_id and w.county_code = g.county_code)
  ) v
  join (select distinct * from unnest(g_school, g_path, g_county, g_on)) g(school_id, org_path, county_code, screened_on)
    on v.org_path = g.org_path and v.screened_on = g.screened_on and v.school_id = g.school_id
      and v.county_code = g.county_code
  group by 1, 2, 3, 4, 5;
end $$;

-- Rebuilds the whole summary by the rule in the state row, and marks it fresh.
create or replace function vision_screening_summary_rebuild() returns void language plpgsql as $$
declare
  r vision_screening_summary_state;
begin
  perform pg_advisory_xact_lock(7411030);
  select * into r from vision_screening_summary_state;
  delete from vision_screening_summary;
  insert into vision_screening_summary (school_id, org_path, county_code, screened_on, next_on, screened, myopic)
  select v.school_id, v.org_path, v.county_code, v.screened_on, coalesce(v.next_on, 'infinity'::date),
    count(*) filter (where v.age_years >= r.min_age_years),
    count(*) filter (where v.age_years >= r.min_age_years and
      ((v.va_left < r.acuity_below and v.se_left <= r.se_at_most)
        or (v.va_right < r.acuity_below and v.se_right <= r.se_at_most)))
  from (select s.*, lead(s.screened_on) over (partition by s.student_id order by s.screened_on) as next_on
        from vision_screening s) v
  group by 1, 2, 3, 4, 5;
  update vision_screening_summary_state set stale = false;
end $$;

select vision_screening_summary_rebuild();
