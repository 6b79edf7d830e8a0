-- student_path (org_path, grade) and student_name (name) from 0001 are superseded by the partial
-- indexes of 0004 (student_live_scope, student_live_grade, student_live_name), which serve the same
-- scoped lists in list order. Each index costs every import and the demo load; these two served
-- nothing the others do not.
drop index if exists student_path;
drop index if exists student_name;
