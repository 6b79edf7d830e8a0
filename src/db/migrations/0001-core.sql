-- The core schema: org registry with validity dates, people, access, audit, import jobs.
-- Every scoped table carries org_path (the owning org unit's path, e.g. /141100/141102/1411020001/,
-- collated "C" so that a prefix LIKE uses the btree index) and county_code (the distribution column
-- for a later sharded deployment). Forward-only: never edit a migration that has shipped.
create table org_unit (
  id            bigint generated always as identity primary key,
  code          text not null unique,
  kind          text not null check (kind in ('city','county','school','department')),
  name          text not null,
  short_name    text,
  parent_id     bigint references org_unit(id),
  path          text collate "C" not null unique,
  county_code   text,
  school_type   text,
  ownership     text check (ownership in ('public','private')),
  inclusive     boolean,
  urban_rural   text check (urban_rural in ('urban','town','rural')),
  boarding      boolean,
  address       text,
  lng           double precision,
  lat           double precision,
  valid_from    date not null default date '1949-10-01',
  valid_to      date,
  successor_id  bigint references org_unit(id),
  end_reason    text check (end_reason in ('merged','closed')),
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  check (valid_to is null or valid_to > valid_from)
);
create index org_unit_parent on org_unit(parent_id);
create index org_unit_county on org_unit(county_code, kind);
create index org_unit_updated on org_unit(updated_at, id);

-- Every version of an org unit's attributes, for the tree "as of" any date. The current version
-- has valid_to null. Past versions are never rewritten: a change closes one and opens another.
create table org_unit_version (
  id            bigint generated always as identity primary key,
  org_unit_id   bigint not null references org_unit(id),
  valid_from    date not null,
  valid_to      date,
  name          text not null,
  parent_id     bigint references org_unit(id),
  path          text collate "C" not null,
  school_type   text,
  ownership     text,
  inclusive     boolean,
  urban_rural   text,
  boarding      boolean,
  successor_id  bigint references org_unit(id),
  end_reason    text,
  recorded_at   timestamptz not null default now(),
  check (valid_to is null or valid_to > valid_from)
);
create index org_unit_version_unit on org_unit_version(org_unit_id, valid_from);
create index org_unit_version_path on org_unit_version(path);

create table class_group (
  id            bigint generated always as identity primary key,
  school_id     bigint not null references org_unit(id),
  org_path      text collate "C" not null,
  county_code   text not null,
  school_year   int not null,
  stage         text not null,
  grade         int not null,
  name          text not null,
  homeroom_staff_number text,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  deleted_at    timestamptz,
  unique (school_id, school_year, name)
);
create index class_group_path on class_group(org_path);
create index class_group_updated on class_group(updated_at, id);

create table student (
  id              bigint generated always as identity primary key,
  student_number  text not null unique,
  name            text not null,
  gender          text not null check (gender in ('M','F')),
  resident_id     text,
  birth_date      date not null,
  school_id       bigint not null references org_unit(id),
  org_path        text collate "C" not null,
  county_code     text not null,
  stage           text not null,
  grade           int not null,
  class_group_id  bigint references class_group(id),
  status          text not null default 'enrolled'
                  check (status in ('enrolled','transferred','suspended','graduated')),
  enrolled_on     date,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  deleted_at      timestamptz
);
create index student_path on student(org_path, grade);
create index student_name on student(name);
create index student_school on student(school_id, grade);
create index student_resident on student(resident_id);
create index student_updated on student(updated_at, id);

create table student_status_history (
  id            bigint generated always as identity primary key,
  student_id    bigint not null references student(id),
  status        text not null,
  school_id     bigint not null references org_unit(id),
  effective_on  date not null,
  note          text,
  recorded_at   timestamptz not null default now(),
  recorded_by   text
);
create index student_status_history_student on student_status_history(student_id, effective_on);

create table staff (
  id                  bigint generated always as identity primary key,
  staff_number        text not null unique,
  name                text not null,
  gender              text not null check (gender in ('M','F')),
  resident_id         text,
  birth_date          date,
  school_id           bigint not null references org_unit(id),
  org_path            text collate "C" not null,
  county_code         text not null,
  posts               text[] not null default '{}',
  subjects            text[] not null default '{}',
  education           text,
  title               text,
  key_level           text check (key_level in ('county','city','province')),
  teaching_certificate text,
  school_start_date   date,
  status              text not null default 'active' check (status in ('active','left','retired')),
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now(),
  deleted_at          timestamptz
);
create index staff_path on staff(org_path);
create index staff_name on staff(name);
create index staff_updated on staff(updated_at, id);

create table role (
  code          text primary key,
  name          text not null,
  description   text,
  permissions   text[] not null,
  builtin       boolean not null default false
);

create table app_user (
  id                bigint generated always as identity primary key,
  username          text not null unique,
  display_name      text not null,
  password_hash     text not null,
  roles             text[] not null,
  disabled          boolean not null default false,
  failed_attempts   int not null default 0,
  locked_until      timestamptz,
  password_changed_at timestamptz not null default now(),
  must_change_password boolean not null default false,
  last_login_at     timestamptz,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now()
);

-- A user's scope: one or more org subtrees, stored by the org unit's id (its path may be read
-- from org_unit at sign-in).
create table user_scope (
  user_id       bigint not null references app_user(id),
  org_unit_id   bigint not null references org_unit(id),
  primary key (user_id, org_unit_id)
);

create table session (
  id_hash       text primary key,
  user_id       bigint not null references app_user(id),
  csrf_token    text not null,
  created_at    timestamptz not null default now(),
  last_seen_at  timestamptz not null default now(),
  expires_at    timestamptz not null
);
create index session_by_user on session(user_id);

create table api_token (
  id            bigint generated always as identity primary key,
  name          text not null,
  prefix        text not null unique,
  token_hash    text not null,
  permissions   text[] not null,
  scope_org_ids bigint[] not null,
  created_by    bigint references app_user(id),
  created_at    timestamptz not null default now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz
);

create table audit_log (
  id            bigint generated always as identity primary key,
  at            timestamptz not null default now(),
  actor_type    text not null check (actor_type in ('user','token','system','public')),
  actor_id      bigint,
  actor_name    text not null,
  action        text not null,
  entity        text not null,
  entity_key    text,
  org_path      text collate "C",
  before        jsonb,
  after         jsonb,
  context       jsonb
);
create index audit_log_at on audit_log(at desc);
create index audit_log_entity on audit_log(entity, entity_key);
create index audit_log_actor on audit_log(actor_name, at desc);

-- The app never changes an audit row: the database refuses it.
create function audit_log_immutable() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log rows are append-only';
end $$;
create trigger audit_log_no_update before update or delete on audit_log
  for each row execute function audit_log_immutable();

create table import_job (
  id            uuid primary key,
  kind          text not null,
  file_name     text not null,
  file_size     bigint not null,
  file_path     text,
  status        text not null check (status in
                ('validating','validated','invalid','committing','committed','failed')),
  phase_detail  text,
  rows_total    int not null default 0,
  rows_done     int not null default 0,
  rows_valid    int not null default 0,
  error_count   int not null default 0,
  inserted      int not null default 0,
  updated       int not null default 0,
  unchanged     int not null default 0,
  message       text,
  created_by    bigint references app_user(id),
  created_by_name text not null,
  scope_paths   text[] not null,
  created_at    timestamptz not null default now(),
  finished_at   timestamptz,
  committed_at  timestamptz
);
create index import_job_created on import_job(created_at desc);

create table import_error (
  job_id        uuid not null references import_job(id),
  row_number    int not null,
  column_name   text not null,
  value         text,
  reason        text not null
);
create index import_error_job on import_error(job_id, row_number);
