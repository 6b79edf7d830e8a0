-- Indicators (指标), their key-task groups (重点工作) and targets (目标值). Definitions are data that
-- city staff change through the API; results are computed from source data on request (no nightly
-- run) and cached in memory per (indicator, period). Every change is audited.
create table indicator_group (
  code          text primary key,
  name          text not null,
  ordinal       int not null default 0,
  description   text,
  -- where the group comes from, e.g. the plan and its section
  source        text,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now()
);

create table indicator (
  code              text primary key,
  name              text not null,
  group_code        text references indicator_group(code),
  description       text,
  -- expressions in the indicator expression language (src/modules/indicators/expression)
  numerator         text not null,
  denominator       text,
  factor            double precision not null default 1,
  unit              text not null default '',
  decimals          int not null default 1 check (decimals between 0 and 6),
  better            text not null default 'higher' check (better in ('higher','lower')),
  period_type       text not null default 'year'
                    check (period_type in ('year','school_year','term','quarter','month')),
  numerator_label   text,
  denominator_label text,
  source            text,
  ordinal           int not null default 0,
  active            boolean not null default true,
  version           int not null default 1,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now()
);
create index indicator_group_code on indicator(group_code, ordinal);

create table indicator_target (
  id              bigint generated always as identity primary key,
  indicator_code  text not null references indicator(code),
  org_unit_id     bigint not null references org_unit(id),
  org_path        text collate "C" not null,
  county_code     text,
  period_code     text not null,
  kind            text not null default 'absolute' check (kind in ('absolute','relative')),
  direction       text not null check (direction in ('>=','<=')),
  value           double precision not null,
  note            text,
  source          text,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  unique (indicator_code, org_unit_id, period_code)
);
create index indicator_target_path on indicator_target(org_path);
create index indicator_target_period on indicator_target(period_code, indicator_code);
