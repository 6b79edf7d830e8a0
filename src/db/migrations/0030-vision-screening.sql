-- Student vision screenings (学生视力筛查): one row per student and screening date, imported per
-- student by 学籍号 or 身份证号. The student's school, path and county are copied in at import (the
-- school at the time of the screening, which a later transfer does not change), and so is the age in
-- full years on the screening date (周岁), which the WS/T 663-2020 rule needs. The myopia
-- classification is not stored: it is computed from the rule (src/modules/health/myopia-rule.ts),
-- whose thresholds are data, whenever a figure is asked for.
create table vision_screening (
  id             bigint generated always as identity primary key,
  student_id     bigint not null references student(id),
  school_id      bigint not null,
  org_path       text collate "C" not null,
  county_code    text not null,
  screened_on    date not null,
  age_years      smallint not null,
  -- the student's grade (年级) on the screening date, as the roll then said
  grade          smallint not null,
  -- 裸眼远视力, 5-point record (五分记录, GB 11533): 4.0 … 5.3
  va_left        numeric(2,1) not null check (va_left between 4.0 and 5.3),
  va_right       numeric(2,1) not null check (va_right between 4.0 and 5.3),
  -- 等效球镜 SE (dioptres), non-cycloplegic autorefraction
  se_left        numeric(5,2) not null check (se_left between -30 and 30),
  se_right       numeric(5,2) not null check (se_right between -30 and 30),
  institution    text,
  import_job_id  uuid,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  unique (student_id, screened_on)
);
-- Scope ranges and a period's screenings of a school or county.
create index vision_screening_path on vision_screening(org_path, screened_on);
