-- The writes of a students commit (src/modules/exchange/commit-sql.ts) for a stage of new students,
-- one statement each, with the secondary indexes and foreign keys set aside as deferred-indexes.ts
-- does. Run with bench/sql-steps.ts; everything is rolled back.
-- step: settings
set local jit = off; set local work_mem = '64MB';
-- step: set indexes and keys aside
lock table student, student_status_history in access exclusive mode;
alter table student drop constraint student_class_group_id_fkey, drop constraint student_school_id_fkey;
alter table student_status_history drop constraint student_status_history_school_id_fkey,
  drop constraint student_status_history_student_id_fkey;
drop index student_school, student_resident, student_updated, student_live_scope, student_live_county,
  student_live_name, student_live_class, student_live_grade, student_live_stage, student_live_off_roll,
  student_status_history_student;
-- step: student rows
insert into student (student_number, name, gender, resident_id, birth_date, school_id, org_path, county_code,
  stage, grade, class_group_id, status, enrolled_on)
select student_number, name, gender, resident_id, birth_date, school_id, org_path, county_code, stage, grade,
  class_group_id, status, enrolled_on from $STAGE order by student_number;
-- step: audit rows without their JSON
savepoint a;
insert into audit_log (actor_type, actor_id, actor_name, action, entity, entity_key, org_path, before, after, context)
select 'system', null, 'bench', 'create', 'student', s.student_number, s.org_path, null, null, '{"importJob":"x"}'::jsonb
from student s order by s.student_number;
rollback to savepoint a;
-- step: audit rows with their JSON
insert into audit_log (actor_type, actor_id, actor_name, action, entity, entity_key, org_path, before, after, context)
select 'system', null, 'bench', 'create', 'student', s.student_number, s.org_path, null,
  jsonb_build_object('studentNumber', s.student_number, 'name', s.name, 'gender', s.gender,
    'residentId', s.resident_id, 'birthDate', s.birth_date::text, 'schoolCode', o.code, 'grade', s.grade,
    'classGroupId', s.class_group_id, 'status', s.status, 'enrolledOn', s.enrolled_on::text),
  '{"importJob":"x"}'::jsonb
from student s join org_unit o on o.id = s.school_id order by s.student_number;
-- step: history rows
insert into student_status_history (student_id, status, school_id, effective_on, note, recorded_by)
select id, status, school_id, coalesce(enrolled_on, current_date), '导入建档', 'bench' from student;
-- step: index student_school
create index student_school on student (school_id, grade);
-- step: index student_resident
create index student_resident on student (resident_id);
-- step: index student_updated
create index student_updated on student (updated_at, id);
-- step: index student_live_scope
create index student_live_scope on student (org_path, student_number) where deleted_at is null;
-- step: index student_live_county
create index student_live_county on student (county_code, org_path, student_number) where deleted_at is null;
-- step: index student_live_name
create index student_live_name on student ((name collate "C"), org_path, student_number) where deleted_at is null;
-- step: index student_live_class
create index student_live_class on student (class_group_id) where deleted_at is null;
-- step: index student_live_grade
create index student_live_grade on student (grade, org_path, student_number) where deleted_at is null;
-- step: index student_live_stage
create index student_live_stage on student (stage, org_path, student_number) where deleted_at is null;
-- step: index student_live_off_roll
create index student_live_off_roll on student (status, org_path, student_number)
  where deleted_at is null and status <> 'enrolled';
-- step: index student_status_history_student
create index student_status_history_student on student_status_history (student_id, effective_on);
-- step: foreign keys
alter table student add constraint student_class_group_id_fkey foreign key (class_group_id) references class_group(id),
  add constraint student_school_id_fkey foreign key (school_id) references org_unit(id);
alter table student_status_history
  add constraint student_status_history_school_id_fkey foreign key (school_id) references org_unit(id),
  add constraint student_status_history_student_id_fkey foreign key (student_id) references student(id);
