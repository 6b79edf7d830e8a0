-- A per-school summary of vision screenings (read model of the health module), so that a period's
-- screened and myopic students per school are read from a few thousand rows instead of aggregating
-- every screening (1.07 million on the demo city) on each cold start of the indicators.
--
-- One row per (school, path, county, screening date, date of each student's next screening): the
-- students screened there that day, and how many of them were myopic by the rule in force. A
-- period's figure of a school is the sum over the rows screened in the period whose next screening
-- is after the period's end (or none): exactly each student's latest screening in the period
-- (health/repository.ts latestInPeriod), since a next screening no later than the end falls inside.
--
-- Kept right by the statement triggers below, in the writing transaction, on every write path
-- (import, demo generation, any other statement): a statement that changes up to
-- vision_screening_summary_state.incremental_limit rows recomputes the groups it touched; a larger
-- one (a whole city's import) marks the summary stale, and the next read rebuilds it whole
-- (HealthRepository.ensureSummary). Readers use it only when it is not stale and its rule is the
-- rule asked for; otherwise they count from vision_screening as before.
create table vision_screening_summary_state (
  id                boolean primary key default true check (id),
  -- the rule the myopic column counts by (health/myopia-rule.ts; thresholds are data): WS/T
  -- 663-2020 3.4 筛查性近视, 6 周岁 and over, 裸眼视力 < 5.0 and SE ≤ −0.50 D in the same eye
  rule_code         text not null,
  min_age_years     smallint not null,
  acuity_below      numeric(2,1) not null,
  se_at_most        numeric(5,2) not null,
  stale             boolean not null default true,
  -- larger statements mark the summary stale instead of recomputing their groups in place
  incremental_limit int not null default 20000
);
insert into vision_screening_summary_state (rule_code, min_age_years, acuity_below, se_at_most)
values ('WS/T 663-2020', 6, 5.0, -0.50);

create table vision_screening_summary (
  school_id   bigint not null,
  org_path    text collate "C" not null,
  county_code text not null,
  screened_on date not null,
  -- the same student's next screening date; 'infinity' when there is none
  next_on     date not null,
  screened    int not null,
  myopic      int not null,
  primary key (school_id, org_path, county_code, screened_on, next_on)
);

-- Recomputes the summary rows of the given groups (school, path, county, date) from vision_screening.
create function vision_screening_summary_refresh(
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
    count(*),
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
create function vision_screening_summary_rebuild() returns void language plpgsql as $$
declare
  r vision_screening_summary_state;
begin
  perform pg_advisory_xact_lock(7411030);
  select * into r from vision_screening_summary_state;
  delete from vision_screening_summary;
  insert into vision_screening_summary (school_id, org_path, county_code, screened_on, next_on, screened, myopic)
  select v.school_id, v.org_path, v.county_code, v.screened_on, coalesce(v.next_on, 'infinity'::date),
    count(*),
    count(*) filter (where v.age_years >= r.min_age_years and
      ((v.va_left < r.acuity_below and v.se_left <= r.se_at_most)
        or (v.va_right < r.acuity_below and v.se_right <= r.se_at_most)))
  from (select s.*, lead(s.screened_on) over (partition by s.student_id order by s.screened_on) as next_on
        from vision_screening s) v
  group by 1, 2, 3, 4, 5;
  update vision_screening_summary_state set stale = false;
end $$;

-- After a statement on vision_screening that changed n rows: false when the summary is not kept
-- incrementally (stale, or n over the limit: then it is marked stale for the next read to rebuild).
-- The lock serialises writers from here to their commit, so that each recomputes from committed data.
create function vision_screening_summary_begin(n bigint) returns boolean language plpgsql as $$
declare
  r vision_screening_summary_state;
begin
  if n = 0 then
    return false;
  end if;
  perform pg_advisory_xact_lock(7411030);
  select * into r from vision_screening_summary_state;
  if not found or r.stale then
    return false;
  end if;
  if n > r.incremental_limit then
    update vision_screening_summary_state set stale = true;
    return false;
  end if;
  return true;
end $$;

-- Recomputes the groups of every screening of the students a statement touched (their next dates may
-- have moved) and the groups of the rows it removed or moved away (o_*).
create function vision_screening_summary_apply(
  students bigint[], o_school bigint[], o_path text[], o_county text[], o_on date[]
) returns void language plpgsql as $$
declare
  g_school bigint[];
  g_path text[];
  g_county text[];
  g_on date[];
begin
  select array_agg(x.school_id), array_agg(x.org_path), array_agg(x.county_code), array_agg(x.screened_on)
    into g_school, g_path, g_county, g_on
  from (
    select v.school_id, v.org_path, v.county_code, v.screened_on
      from vision_screening v where v.student_id = any(students)
    union
    select * from unnest(o_school, o_path, o_county, o_on)
  ) x;
  perform vision_screening_summary_refresh(g_school, g_path, g_county, g_on);
end $$;

create function vision_screening_summary_after_insert() returns trigger language plpgsql as $$
begin
  if vision_screening_summary_begin((select count(*) from new_rows)) then
    perform vision_screening_summary_apply(array(select distinct student_id from new_rows),
      null, null, null, null);
  end if;
  return null;
end $$;

create function vision_screening_summary_after_update() returns trigger language plpgsql as $$
begin
  if vision_screening_summary_begin((select count(*) from new_rows)) then
    perform vision_screening_summary_apply(
      array(select student_id from new_rows union select student_id from old_rows),
      array(select school_id from old_rows), array(select org_path from old_rows),
      array(select county_code from old_rows), array(select screened_on from old_rows));
  end if;
  return null;
end $$;

create function vision_screening_summary_after_delete() returns trigger language plpgsql as $$
begin
  if vision_screening_summary_begin((select count(*) from old_rows)) then
    perform vision_screening_summary_apply(array(select distinct student_id from old_rows),
      array(select school_id from old_rows), array(select org_path from old_rows),
      array(select county_code from old_rows), array(select screened_on from old_rows));
  end if;
  return null;
end $$;

create function vision_screening_summary_after_truncate() returns trigger language plpgsql as $$
begin
  perform pg_advisory_xact_lock(7411030);
  delete from vision_screening_summary;
  return null;
end $$;

create trigger vision_screening_summary_insert after insert on vision_screening
  referencing new table as new_rows for each statement execute function vision_screening_summary_after_insert();
create trigger vision_screening_summary_update after update on vision_screening
  referencing old table as old_rows new table as new_rows
  for each statement execute function vision_screening_summary_after_update();
create trigger vision_screening_summary_delete after delete on vision_screening
  referencing old table as old_rows for each statement execute function vision_screening_summary_after_delete();
create trigger vision_screening_summary_truncate after truncate on vision_screening
  for each statement execute function vision_screening_summary_after_truncate();

-- The screenings already stored.
select vision_screening_summary_rebuild();
