-- 隐患 and 督导 on the case engine (issue 5): the 平安校园 inspection checklist and its results, the
-- supervision plans with their targets and inspectors, and 问责 (accountability) with its measures.

-- The checklist of a 平安校园 inspection. Items marked `required` must all pass for a school to be a
-- 平安校园 in the period. The first four are the "4个100%" of 中小学幼儿园安全防范建设 set by 教育部 and
-- 公安部 (专职保安员配备、封闭化管理、一键式紧急报警与视频监控联网、护学岗 each at 100 %). The list is
-- data: a bureau adds, retires or relaxes items here, not in code.
create table safety_checklist_item (
  code         text primary key,
  name         text not null,
  description  text,
  -- the hazard category a failed item is filed under (see the hazard kind's categories)
  category     text not null,
  required     boolean not null default true,
  sort         int not null default 0,
  active       boolean not null default true
);
insert into safety_checklist_item (code, name, description, category, required, sort) values
  ('security_guard', '专职保安员配备', '按规定配备专职保安员，持证上岗', 'security', true, 10),
  ('closed_management', '封闭化管理', '校园封闭，出入口有门卫、登记和防冲撞设施', 'security', true, 20),
  ('alarm_video', '一键报警与视频监控联网', '一键式紧急报警和视频监控系统与公安机关联网', 'security', true, 30),
  ('guard_post', '护学岗', '上下学时段设置护学岗，警校家联动', 'traffic', true, 40),
  ('fire', '消防设施', '消防设施器材完好有效，疏散通道畅通', 'fire', true, 50),
  ('food', '食品安全', '食堂证照齐全，明厨亮灶，食材可追溯', 'food', false, 60),
  ('building', '校舍安全', '无危房在用，围墙、护栏等设施安全', 'building', false, 70),
  ('traffic', '交通安全', '校车与接送车辆合规，周边交通标志完好', 'traffic', false, 80),
  ('surroundings', '周边环境', '校园周边无违规经营场所和安全隐患', 'surroundings', false, 90),
  ('bullying', '防欺凌机制', '建立学生欺凌防控和处置机制', 'bullying', false, 100),
  ('mental', '心理健康', '开展心理健康教育，建立危机干预机制', 'mental', false, 110),
  ('drill', '应急演练', '按学期开展应急疏散演练', 'fire', false, 120);

-- One inspection of one school: a school self-check, a county inspection or a city spot check.
-- Only county inspections and city spot checks decide a school's 平安校园 status (a school cannot
-- certify itself); the latest such inspection in a period decides.
create table safety_inspection (
  id              bigint generated always as identity primary key,
  org_unit_id     bigint not null references org_unit(id),
  org_path        text collate "C" not null,
  county_code     text,
  period_code     text not null,
  inspected_on    date not null,
  source          text not null check (source in ('self_check','county_inspection','city_spot_check')),
  inspector_id    bigint references app_user(id),
  inspector_name  text not null,
  passed          boolean not null,
  notes           text,
  created_at      timestamptz not null default now()
);
create index safety_inspection_scope on safety_inspection (org_path, period_code, inspected_on);
create index safety_inspection_period on safety_inspection (period_code, org_unit_id, inspected_on);

create table safety_inspection_result (
  inspection_id   bigint not null references safety_inspection(id),
  item_code       text not null references safety_checklist_item(code),
  passed          boolean not null,
  note            text,
  -- the hazard filed for a failed item
  hazard_case_id  bigint references case_record(id),
  primary key (inspection_id, item_code)
);

-- 督导 plans: 专项督导, 综合督导 or a "小切口" topic, issued by the city or a county, with targets
-- (schools or counties) and the inspectors (督学) assigned to each target.
create table supervision_plan (
  id              bigint generated always as identity primary key,
  title           text not null,
  plan_type       text not null check (plan_type in ('special','comprehensive','focused')),
  topic           text,
  description     text,
  starts_on       date not null,
  ends_on         date not null,
  -- the issuing org unit (city or county); scope of the plan
  org_unit_id     bigint not null references org_unit(id),
  org_path        text collate "C" not null,
  county_code     text,
  status          text not null default 'active' check (status in ('active','closed')),
  created_by      bigint references app_user(id),
  created_by_name text not null,
  created_at      timestamptz not null default now(),
  check (ends_on >= starts_on)
);
create index supervision_plan_scope on supervision_plan (org_path, id);

create table supervision_target (
  id           bigint generated always as identity primary key,
  plan_id      bigint not null references supervision_plan(id),
  org_unit_id  bigint not null references org_unit(id),
  org_path     text collate "C" not null,
  county_code  text,
  unique (plan_id, org_unit_id)
);
create index supervision_target_scope on supervision_target (org_path);

create table supervision_inspector (
  target_id  bigint not null references supervision_target(id),
  user_id    bigint not null references app_user(id),
  primary key (target_id, user_id)
);
create index supervision_inspector_user on supervision_inspector (user_id, target_id);

-- 问责 measures. The list follows 《教育督导问责办法》(国务院教育督导委员会, 国教督〔2021〕2号), which
-- 《吕梁市教育督导问责实施办法》 implements; a bureau edits this table to match its own 实施办法.
create table accountability_measure (
  code         text primary key,
  name         text not null,
  subject_type text not null check (subject_type in ('unit','person')),
  sort         int not null default 0,
  active       boolean not null default true
);
insert into accountability_measure (code, name, subject_type, sort) values
  ('unit_public_criticism', '公开批评', 'unit', 10),
  ('unit_interview', '约谈', 'unit', 20),
  ('unit_circular', '通报', 'unit', 30),
  ('unit_resource_adjustment', '资源调整（调减招生计划、项目或资金）', 'unit', 40),
  ('unit_referral', '移交有关部门处理', 'unit', 50),
  ('person_criticism', '批评教育', 'person', 110),
  ('person_admonition', '诫勉', 'person', 120),
  ('person_circular', '通报批评', 'person', 130),
  ('person_organisational', '组织处理（停职检查、调整职务、责令辞职、降职、免职）', 'person', 140),
  ('person_discipline', '建议给予处分', 'person', 150);

create table accountability_record (
  id               bigint generated always as identity primary key,
  case_id          bigint not null references case_record(id),
  subject_type     text not null check (subject_type in ('unit','person')),
  subject_name     text not null,
  measure_code     text not null references accountability_measure(code),
  basis            text not null,
  decided_by       bigint references app_user(id),
  decided_by_name  text not null,
  decided_at       timestamptz not null default now(),
  org_path         text collate "C" not null,
  county_code      text
);
create index accountability_record_case on accountability_record (case_id);
create index accountability_record_scope on accountability_record (org_path);

-- A supervision finding (a case of kind 'supervision') names its plan target in data.targetId.
create index case_record_supervision_target on case_record (((data->>'targetId')::bigint))
  where kind = 'supervision';
