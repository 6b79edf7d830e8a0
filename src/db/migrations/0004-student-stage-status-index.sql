-- Registry and people API, third step (the registry's number). Like the grade index before it: a
-- filter by 学段 or by an off-roll status must not walk a county's students in list order until it
-- meets matches (学前 in 离石区: 53,000 rows read). The status index holds only students off the
-- roll (休学, 转学, 毕业): 在读 is most rows and needs no index of its own.
create index student_live_stage on student (stage, org_path, student_number) where deleted_at is null;
create index student_live_off_roll on student (status, org_path, student_number)
  where deleted_at is null and status <> 'enrolled';
