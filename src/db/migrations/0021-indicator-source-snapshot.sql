-- The indicator engine's source aggregates (org units; students and staff counted per school), kept
-- between restarts: the first cockpit after a start reads one row instead of aggregating every
-- student and staff row. A row is used only while the tables' fingerprint (FactsProvider: the newest
-- updated_at of org_unit, student, staff) is the one it was read under, so it is never older than the
-- in-memory cache it stands for; it is rewritten after each read from the tables.
create table indicator_source_snapshot (
  name        text primary key,
  fingerprint text not null,
  data        text not null,
  saved_at    timestamptz not null default now()
);
