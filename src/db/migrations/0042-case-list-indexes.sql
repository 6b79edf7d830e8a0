-- The case list (GET /api/cases, src/modules/cases/repository.ts) reads a page per readable kind,
-- newest first, within the actor's scope. Each index below gives one of those reads in list order,
-- so a page reads about pageSize rows instead of sorting a county's ~10,000 cases (issue 5's bench).
--
-- A county's scope (/141100/141102/) as one equality: the org path's first two levels. The same
-- expression, byte for byte, is `unitOfPath` in the repository; a path at the city's own level
-- ('/141100/') has none (null), so it never equals a county's path.
create index case_record_unit_kind on case_record ((substring(org_path from '^/[^/]+/[^/]+/')), kind, id);
-- The city's scope (every path under /141100/), and the kind's pages of a city user.
create index case_record_kind_id on case_record (kind, id);
-- One school's cases (the list's orgUnitCode filter).
create index case_record_org_unit on case_record (org_unit_id, kind, id);
