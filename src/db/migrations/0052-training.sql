-- 校外培训 (off-campus training, src/modules/training): the registry of institutions, inspections
-- with findings, and the rules the findings are judged by (thresholds are data). Enforcement cases
-- are cases of kind "training" on the case engine; data.institutionId names the institution.
-- Institutions are supervised by the county bureau: org_path is the county's path.
create table training_institution (
  id               bigint generated always as identity primary key,
  name             text not null,
  credit_code      text unique,
  category         text not null check (category in ('academic','non_academic')),
  subjects         text[] not null default '{}',
  licence_no       text,
  licence_valid_to date,
  online           boolean not null default false,
  address          text,
  county_code      text not null,
  org_path         text collate "C" not null,
  prepay_bank      text,
  prepay_account   text,
  status           text not null default 'operating' check (status in ('operating','suspended','closed')),
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now()
);
create index training_institution_path on training_institution (org_path, id);
create index training_institution_name on training_institution (name);

-- The rules inspections judge by. Each threshold cites its source; a bureau changes the value here.
create table training_rule (
  code        text primary key,
  label       text not null,
  value       numeric,
  unit        text,
  applies_to  text not null check (applies_to in ('academic','non_academic','all')),
  basis       text not null
);
insert into training_rule (code, label, value, unit, applies_to, basis) values
  ('academic_rest_day', '学科类培训占用法定节假日、休息日或寒暑假', null, null, 'academic',
   '中共中央办公厅、国务院办公厅《关于进一步减轻义务教育阶段学生作业负担和校外培训负担的意见》（2021年7月）第（十二）条'),
  ('online_session_minutes', '线上培训每课时时长上限', 30, '分钟', 'all',
   '《关于进一步减轻义务教育阶段学生作业负担和校外培训负担的意见》第（十二）条：每课时不超过30分钟'),
  ('online_break_minutes', '线上培训课程间隔下限', 10, '分钟', 'all',
   '《关于进一步减轻义务教育阶段学生作业负担和校外培训负担的意见》第（十二）条：课程间隔不少于10分钟'),
  ('online_end_hour', '线上培训结束时间不晚于', 21, '时', 'all',
   '《关于进一步减轻义务教育阶段学生作业负担和校外培训负担的意见》第（十二）条：培训结束时间不晚于21点'),
  ('prepay_months', '预收费时间跨度上限', 3, '个月', 'all',
   '《国务院办公厅关于规范校外培训机构发展的意见》（国办发〔2018〕80号）；教育部办公厅等六部门《关于加强校外培训机构预收费监管工作的通知》（2021年）'),
  ('prepay_hours', '预收费课时上限', 60, '课时', 'all',
   '教育部办公厅等六部门《关于加强校外培训机构预收费监管工作的通知》（2021年）：不得收取时间跨度超过3个月或60课时的费用'),
  ('prepay_account', '预收费未进入监管账户', null, null, 'all',
   '教育部办公厅等六部门《关于加强校外培训机构预收费监管工作的通知》（2021年）：预收费须全部进入本机构收费专用账户'),
  ('unlicensed', '无证无照办学', null, null, 'all',
   '《中华人民共和国民办教育促进法》：举办民办学校须经审批取得办学许可证');

create table training_inspection (
  id              bigint generated always as identity primary key,
  institution_id  bigint not null references training_institution(id),
  org_path        text collate "C" not null,
  county_code     text not null,
  inspected_on    date not null,
  inspectors      text not null,
  note            text,
  created_by      text not null,
  created_at      timestamptz not null default now()
);
create index training_inspection_institution on training_inspection (institution_id, inspected_on);
create index training_inspection_path on training_inspection (org_path, id);

-- One finding per broken rule; `measured` is the observed figure where the rule has a threshold
-- (e.g. 6 months prepaid). A finding may lead to an enforcement case.
create table training_finding (
  id              bigint generated always as identity primary key,
  inspection_id   bigint not null references training_inspection(id),
  rule_code       text not null references training_rule(code),
  measured        numeric,
  detail          text not null,
  case_id         bigint references case_record(id)
);
create index training_finding_inspection on training_finding (inspection_id);

-- An institution's enforcement cases, found through the case's data.
create index case_record_training_institution on case_record (((data->>'institutionId')::bigint))
  where kind = 'training';
