-- Registry and people API: indexes for scoped lists and searches, and a guarantee that every
-- write moves updated_at forward (the change feed /api/changes reads rows by (updated_at, id)).

-- Why a version began or ended ("更名", "撤并：并入…"), shown in the unit's history.
alter table org_unit_version add column note text;

-- Scoped lists: the scope filter is a range on org_path ("C" collation); the list is ordered by
-- (org_path, natural key) and soft-deleted rows are left out. A partial index on live rows serves
-- both the page (index scan, no sort) and the capped count (index-only scan).
create index student_live_scope on student (org_path, student_number) where deleted_at is null;
-- countyCode filter of a city-wide user, in the same order as the list.
create index student_live_county on student (county_code, org_path, student_number) where deleted_at is null;
create index staff_live_scope on staff (org_path, staff_number) where deleted_at is null;
create index class_group_live_scope on class_group (org_path, school_year, grade, name)
  where deleted_at is null;

-- Name-prefix search (q=王): a byte-order range on name, whatever the database's collation; the
-- org_path column lets the scope be checked inside the index without visiting the table.
create index student_live_name on student ((name collate "C"), org_path, student_number)
  where deleted_at is null;
create index staff_live_name on staff ((name collate "C"), org_path, staff_number) where deleted_at is null;

-- Class sizes and the check before a class group is deleted.
create index student_live_class on student (class_group_id) where deleted_at is null;
create index staff_resident on staff (resident_id);
create index org_unit_successor on org_unit (successor_id);

-- Every update that changes a row stamps updated_at, whoever writes it (API, import, merge), so
-- the change feed cannot miss it. Rows written without a change keep their stamp.
create function touch_updated_at() returns trigger language plpgsql as $$
begin
  new.updated_at := now();
  return new;
end $$;
create trigger org_unit_touch before update on org_unit
  for each row when (old.* is distinct from new.*) execute function touch_updated_at();
create trigger student_touch before update on student
  for each row when (old.* is distinct from new.*) execute function touch_updated_at();
create trigger staff_touch before update on staff
  for each row when (old.* is distinct from new.*) execute function touch_updated_at();
create trigger class_group_touch before update on class_group
  for each row when (old.* is distinct from new.*) execute function touch_updated_at();
