-- Attachments (src/modules/files). The bytes live on disk under DATA_DIR/files, named by their
-- SHA-256 (content-addressed: the same photo sent twice is stored once). A file_upload row is the
-- receipt of one upload: the uploader (null for the public page, where nothing identifies the
-- sender) and the name it will be shown under. The module that owns the record an attachment
-- belongs to (a case step, a report) claims the upload in its own transaction and keeps sha256,
-- name, mime and size itself; a claimed upload cannot be claimed again.
create table file_upload (
  id            uuid primary key,
  sha256        text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  size          bigint not null check (size > 0),
  mime          text not null check (mime in ('image/jpeg','image/png','application/pdf')),
  name          text not null,
  uploaded_by   bigint references app_user(id),
  created_at    timestamptz not null default now(),
  claimed_at    timestamptz,
  claimed_for   text
);
create index file_upload_unclaimed on file_upload(created_at) where claimed_at is null;
