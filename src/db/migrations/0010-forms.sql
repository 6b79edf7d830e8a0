-- Data collection (数据项, 报表, 上报): definitions that city staff keep as data, the reporting
-- rounds of a form (one per period, with its due date), submissions of reporting org units with
-- their approval state, the values, and every value's history (who, when, old → new).
-- Scoped tables carry org_path (collate "C") and county_code like student.

-- 数据项: one reportable figure. code reads well in indicator expressions (ASCII snake_case).
create table data_element (
  id              bigint generated always as identity primary key,
  code            text not null unique check (code ~ '^[a-z][a-z0-9_]{0,62}$'),
  name            text not null,
  value_type      text not null
                  check (value_type in ('integer','number','percentage','boolean','text','choice')),
  unit            text,
  -- choice list: [{"code":"met","name":"达标"}, …]
  options         jsonb not null default '[]',
  -- category option combos, e.g. [{"code":"m","name":"男"},{"code":"f","name":"女"}]; a value is
  -- stored per combo and, for numbers, as their total under '' too
  disaggregation  jsonb not null default '[]',
  description     text,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now()
);

-- 报表: a set of data elements that one kind of org unit reports once per period.
create table form (
  id              bigint generated always as identity primary key,
  code            text not null unique check (code ~ '^[a-z][a-z0-9_]{0,62}$'),
  name            text not null,
  description     text,
  period_type     text not null check (period_type in ('year','school_year','term','quarter','month')),
  -- who reports: school type codes (JY/T 1001, src/modules/registry/codes.ts) and/or 'county'
  reporter_types  text[] not null,
  -- validation rules (ranges, cross-field comparisons) as data: see src/modules/forms/validation.ts
  rules           jsonb not null default '[]',
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now()
);

create table form_element (
  form_id         bigint not null references form(id),
  element_id      bigint not null references data_element(id),
  position        int not null,
  section         text,
  required        boolean not null default false,
  primary key (form_id, element_id)
);
create index form_element_element on form_element(element_id);

-- A reporting round: the form opened for one period, with its due date. When lock_after_due is
-- set, nothing can be entered or submitted after the due date.
create table form_period (
  form_id         bigint not null references form(id),
  period_code     text not null,
  due_date        date not null,
  lock_after_due  boolean not null default true,
  opened_at       timestamptz not null default now(),
  opened_by       text,
  primary key (form_id, period_code)
);

-- 上报: one reporting org unit's return of one form for one period.
create table form_submission (
  id              bigint generated always as identity primary key,
  form_id         bigint not null references form(id),
  period_code     text not null,
  org_unit_id     bigint not null references org_unit(id),
  org_path        text collate "C" not null,
  county_code     text not null,
  status          text not null default 'draft'
                  check (status in ('draft','submitted','approved','returned','accepted')),
  -- the comment of the last return (or reopening)
  comment         text,
  submitted_at    timestamptz,
  submitted_by    text,
  approved_at     timestamptz,
  approved_by     text,
  accepted_at     timestamptz,
  accepted_by     text,
  returned_at     timestamptz,
  returned_by     text,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  unique (form_id, period_code, org_unit_id)
);
create index form_submission_path on form_submission(form_id, period_code, org_path);
create index form_submission_status on form_submission(form_id, period_code, status);

-- Every status change of a submission, with its comment (the approval trail).
create table form_submission_event (
  id              bigint generated always as identity primary key,
  submission_id   bigint not null references form_submission(id),
  action          text not null,
  from_status     text,
  to_status       text not null,
  comment         text,
  actor_name      text not null,
  at              timestamptz not null default now(),
  org_path        text collate "C" not null,
  county_code     text not null
);
create index form_submission_event_submission on form_submission_event(submission_id, at);

-- The values. One row per element × disaggregation ('' = total); exactly one value column is used,
-- by the element's type (numbers, yes/no, text or choice code).
create table form_value (
  submission_id   bigint not null references form_submission(id),
  element_id      bigint not null references data_element(id),
  disaggregation  text not null default '',
  num_value       double precision,
  bool_value      boolean,
  text_value      text,
  period_code     text not null,
  org_unit_id     bigint not null,
  org_path        text collate "C" not null,
  county_code     text not null,
  updated_at      timestamptz not null default now(),
  updated_by      text,
  primary key (submission_id, element_id, disaggregation)
);
-- the indicators engine reads one period's values of a few elements
create index form_value_element on form_value(element_id, period_code, org_path);

-- Every change of a value: who, when, old → new (text as shown), and how (entry, import).
create table form_value_history (
  id              bigint generated always as identity primary key,
  submission_id   bigint not null references form_submission(id),
  element_id      bigint not null references data_element(id),
  disaggregation  text not null default '',
  old_value       text,
  new_value       text,
  changed_at      timestamptz not null default now(),
  changed_by      text not null,
  via             text not null default 'entry',
  org_path        text collate "C" not null,
  county_code     text not null
);
create index form_value_history_submission on form_value_history(submission_id, element_id, changed_at);
