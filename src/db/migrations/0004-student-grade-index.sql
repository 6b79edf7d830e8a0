-- Registry and people API, second step (same owner as 0004-registry-people-search; the number is
-- the registry's). A grade filter ("七年级") over a county must not walk the county's students in
-- (org_path, student_number) order until it meets that grade: schools come in path order and the
-- first hundreds may have no such grade (23,000 rows read for grade 7 in 离石区). With the grade
-- first, the matches come straight out in the list's order.
create index student_live_grade on student (grade, org_path, student_number) where deleted_at is null;
