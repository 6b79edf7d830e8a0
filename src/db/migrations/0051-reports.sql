-- 监督举报 (whistle-blowing, src/modules/reports). A report is a case of kind "report" on the case
-- engine (case_record, 0040); these tables hold what only a report has. Nothing here, nor in the
-- case, records where an anonymous report came from: no IP address, no browser fingerprint, no
-- session, no user id (the public routes never read them; see docs/architecture.md).

-- The reporter's receipt: the code names the case; only SHA-256(code, secret) is kept. Failed
-- attempts are counted per code, and the code is locked for a while after too many.
create table report_receipt (
  case_id          bigint primary key references case_record(id),
  code             text not null unique,
  secret_hash      text not null,
  failed_attempts  int not null default 0,
  locked_until     timestamptz,
  created_at       timestamptz not null default now()
);

-- A named reporter's contact (an anonymous report has no row). Kept apart from the case so that
-- nothing copied from a case (a negative-list entry, a training case) can carry it.
create table report_contact (
  case_id   bigint primary key references case_record(id),
  name      text not null,
  phone     text,
  email     text
);

-- Questions the discipline officer asks the reporter, answered through the receipt. One answer per
-- question: a replayed answer finds it answered and changes nothing.
create table report_question (
  id            bigint generated always as identity primary key,
  case_id       bigint not null references case_record(id),
  asked_at      timestamptz not null default now(),
  asked_by      bigint references app_user(id),
  question      text not null,
  answered_at   timestamptz,
  answer        text,
  answer_attachments jsonb not null default '[]'
);
create index report_question_case on report_question (case_id, id);

-- 师德负面清单: upheld findings about a member of staff. Scoped like the staff row it names.
create table ethics_negative_entry (
  id              bigint generated always as identity primary key,
  staff_id        bigint not null references staff(id),
  org_path        text collate "C" not null,
  county_code     text not null,
  category        text not null,
  finding         text not null,
  measure         text not null,
  decided_on      date not null,
  source_case_id  bigint references case_record(id),
  recorded_by     text not null,
  created_at      timestamptz not null default now()
);
create index ethics_negative_entry_staff on ethics_negative_entry (staff_id, decided_on);
create index ethics_negative_entry_path on ethics_negative_entry (org_path, id);
