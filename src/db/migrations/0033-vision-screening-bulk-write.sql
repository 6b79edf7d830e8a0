-- A large write to vision_screening (a city's screening import) without the summary's statement
-- triggers (migration 0032). Such a statement only marks the summary stale (it changes more rows
-- than vision_screening_summary_state.incremental_limit), but PostgreSQL still keeps every row it
-- writes in the triggers' transition tables first (80 MB for 550,000 new screenings, spilled to a
-- temporary file and read back to be counted): 0.2–0.5 s of backend CPU of a 3.3–4.5 s insert,
-- measured three times each way. So the import, before a write of more rows than the limit,
-- marks the summary stale itself and sets the insert and update triggers aside until its write is
-- done, in its own transaction: other sessions never see them disabled (ALTER TABLE is
-- transactional; its lock, SHARE ROW EXCLUSIVE, holds off other writers, not readers, until the
-- commit), and if anything fails the rollback restores them. The next read rebuilds the summary
-- (HealthRepository.ensureSummary), as after any statement over the limit.

-- Before a write of n rows: true when the triggers were set aside (n over the limit).
create function vision_screening_summary_bulk_begin(n bigint) returns boolean language plpgsql as $$
declare
  r vision_screening_summary_state;
begin
  perform pg_advisory_xact_lock(7411030);
  select * into r from vision_screening_summary_state;
  if found and not r.stale and n <= r.incremental_limit then
    return false;
  end if;
  update vision_screening_summary_state set stale = true;
  alter table vision_screening disable trigger vision_screening_summary_insert;
  alter table vision_screening disable trigger vision_screening_summary_update;
  return true;
end $$;

-- After that write: the triggers back in place (nothing to do when they were not set aside).
create function vision_screening_summary_bulk_end() returns void language plpgsql as $$
begin
  if exists (select 1 from pg_trigger where tgrelid = 'vision_screening'::regclass and tgenabled = 'D'
      and tgname in ('vision_screening_summary_insert', 'vision_screening_summary_update')) then
    alter table vision_screening enable trigger vision_screening_summary_insert;
    alter table vision_screening enable trigger vision_screening_summary_update;
  end if;
end $$;
