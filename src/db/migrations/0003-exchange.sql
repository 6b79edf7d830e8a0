-- Exchange (imports): progress and bookkeeping of import jobs, and the schema that holds each
-- job's staging table of validated rows (import_stage.j_<job id>, unlogged: rebuilt from the
-- uploaded file if lost) between the dry run and the commit. A job's staging table is dropped when
-- the job is committed, found invalid, or expires.
create schema import_stage;

alter table import_job add column progress real not null default 0;
alter table import_job add column sheet_name text;
alter table import_job add column stage_table text;
alter table import_job add column actor_type text not null default 'user';
alter table import_job add column committed_by_name text;
-- Errors past the cap are counted in error_count but not stored.
alter table import_job add column errors_stored int not null default 0;

create index import_job_status on import_job(status, created_at);
-- The row of the header in the file (title rows above it are skipped), for the errors workbook.
alter table import_job add column header_row int;
