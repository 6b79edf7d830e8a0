-- The case engine (issue 5): cases that move between people until they are closed. One table for
-- every kind (隐患, 督导, 举报, 校外培训 …): the kind's definition (src/modules/cases/kinds/) says which
-- states and transitions exist; kind-specific fields live in `data`. Every case is scoped by the
-- org unit it concerns (org_path, county_code), like student.
-- "case" is an SQL keyword, hence case_record.
create table case_record (
  id               bigint generated always as identity primary key,
  kind             text not null,
  title            text not null,
  org_unit_id      bigint references org_unit(id),
  org_path         text collate "C" not null,
  county_code      text,
  state            text not null,
  severity         text,
  category         text,
  source           text,
  reporter_id      bigint references app_user(id),
  reporter_name    text,
  assignee_id      bigint references app_user(id),
  assignee_name    text,
  -- the deadline of the current step (set by the kind's deadline rules on entering a state)
  due_at           timestamptz,
  -- set by the sweep when due_at has passed in a state whose clock runs
  overdue_since    timestamptz,
  -- 0 none, 1 escalated to the county, 2 escalated to the city
  escalation_level int not null default 0,
  escalated_at     timestamptz,
  closed_at        timestamptz,
  data             jsonb not null default '{}',
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now()
);
-- Lists: scope range then newest first; a kind's list within scope; open cases by deadline (sweep).
create index case_record_scope on case_record (org_path, id);
create index case_record_kind_scope on case_record (kind, org_path, id);
create index case_record_county on case_record (county_code, kind, id);
create index case_record_due on case_record (due_at) where closed_at is null and due_at is not null;
create index case_record_updated on case_record (updated_at, id);

-- The timeline: every step of a case, with the comment, the transition's fields and attachments
-- (file references: {id, name, type, size}). Rows are only ever added.
create table case_event (
  id           bigint generated always as identity primary key,
  case_id      bigint not null references case_record(id),
  at           timestamptz not null default now(),
  step         text not null,
  from_state   text,
  to_state     text,
  actor_type   text not null,
  actor_id     bigint,
  actor_name   text not null,
  comment      text,
  data         jsonb,
  attachments  jsonb not null default '[]'
);
create index case_event_case on case_event (case_id, id);

-- People who take part in a case beyond the scope rules (assigned inspectors, …): they see the case
-- and may take the transitions that name the relation "assigned".
create table case_participant (
  case_id  bigint not null references case_record(id),
  user_id  bigint not null references app_user(id),
  role     text not null,
  primary key (case_id, user_id, role)
);
create index case_participant_user on case_participant (user_id, case_id);

-- Links between cases (a hazard found by an inspection, a complaint that became an enforcement case).
create table case_link (
  case_id     bigint not null references case_record(id),
  linked_id   bigint not null references case_record(id),
  relation    text not null,
  created_at  timestamptz not null default now(),
  primary key (case_id, linked_id, relation),
  check (case_id <> linked_id)
);
create index case_link_linked on case_link (linked_id);
