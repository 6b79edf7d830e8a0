/**
 * Permissions and the built-in roles. A role is a named set of permissions; a user holds roles and
 * a scope (org subtrees). Permissions say what kind of thing may be done, the scope says where.
 */
export const permissions = {
  "registry.read": "查看组织机构",
  "registry.write": "维护组织机构（新建、修改、撤并、关闭）",
  "people.read": "查看学生和教职工",
  "people.write": "维护学生、教职工和班级",
  "people.pii": "查看完整身份证号",
  "exchange.import": "导入数据",
  "exchange.export": "导出数据",
  "audit.read": "查看审计记录",
  "users.manage": "管理用户和角色",
  "tokens.manage": "管理接口令牌",
  // cases: 隐患 and 督导 (src/modules/cases)
  "hazard.read": "查看隐患（数据范围内）",
  "hazard.report": "上报隐患",
  "hazard.rectify": "整改隐患（本单位）",
  "hazard.handle": "指派、验收隐患",
  "inspection.write": "录入平安校园检查",
  "supervision.read": "查看督导事项（数据范围内）",
  "supervision.plan": "制定督导计划、指派督学",
  "supervision.inspect": "督导检查：记录问题、下发整改通知（指派的对象）",
  "supervision.rectify": "提交督导整改报告（本单位）",
  "supervision.review": "复核督导整改",
  "supervision.accountability": "督导问责",
  "health.read": "查看学生视力筛查和近视率",
  "health.write": "导入学生视力筛查记录",
  "forms.read": "查看报表和填报数据",
  "forms.define": "定义数据项和报表",
  "forms.fill": "填报报表",
  "forms.approve": "审核报表（上级单位审核、退回）",
  "forms.accept": "确认报表（市级确认、锁定）",
  // 监督举报 and 校外培训 (src/modules/reports, src/modules/training)
  "reports.handle": "处理监督举报（纪检：查看、初核、调查、向举报人提问、结论）",
  "reports.intake": "登记举报（来信、来电、来访）",
  "ethics.read": "查看师德负面清单",
  "training.read": "查看校外培训机构、检查和执法案件",
  "training.write": "维护校外培训机构、录入检查",
  "training.enforce": "办理校外培训执法案件",
  "indicators.read": "查看指标、目标和驾驶舱（按数据范围）",
  "indicators.manage": "定义指标、目标和重点工作分组",
} as const;

export type Permission = keyof typeof permissions;
export const allPermissions = Object.keys(permissions) as Permission[];

export interface RoleDefinition {
  code: string;
  name: string;
  description: string;
  permissions: Permission[];
}

const read: Permission[] = ["registry.read", "people.read", "exchange.export", "indicators.read"];
// Reports are seen by 纪检 only, not even by the system administrator (separation of duties; a
// 纪检 account is made with the CLI or by another holder of reports.handle).
const disciplineOnly: Permission[] = ["reports.handle", "reports.intake"];
const training: Permission[] = ["training.read", "training.write", "training.enforce"];
// cases: what a supervising level (city department, county bureau) and a school do with 隐患 and 督导
const casesAbove: Permission[] = [
  "hazard.read",
  "hazard.report",
  "hazard.handle",
  "inspection.write",
  "supervision.read",
  "supervision.plan",
  "supervision.review",
  "supervision.accountability",
];
// health: vision screenings — read the figures, import the records
const healthWrite: Permission[] = ["health.read", "health.write"];
const casesSchool: Permission[] = [
  "hazard.read",
  "hazard.report",
  "hazard.rectify",
  "inspection.write",
  "supervision.read",
  "supervision.rectify",
];
// data collection (forms): who fills, who approves (the level above), who accepts (the city)
const formsCity: Permission[] = ["forms.read", "forms.define", "forms.fill", "forms.approve", "forms.accept"];
const formsCounty: Permission[] = ["forms.read", "forms.fill", "forms.approve"];
const formsSchool: Permission[] = ["forms.read", "forms.fill"];

export const builtinRoles: RoleDefinition[] = [
  {
    code: "city_admin",
    name: "市级管理员",
    description: "全市数据与系统管理",
    permissions: allPermissions.filter((p) => !disciplineOnly.includes(p)),
  },
  {
    code: "city_staff",
    name: "市局科室人员",
    description: "市教育局各科室，按业务查看和维护全市数据",
    permissions: [
      ...read,
      "registry.write",
      "people.write",
      "exchange.import",
      ...casesAbove,
      ...healthWrite,
      ...formsCity,
      ...training,
      "indicators.manage",
    ],
  },
  {
    code: "county_admin",
    name: "县级管理员",
    description: "县（市、区）教育局，维护本县数据和用户",
    permissions: [
      ...read,
      "registry.write",
      "people.write",
      "exchange.import",
      "users.manage",
      ...casesAbove,
      // held so that a county admin may create school accounts (no escalation); the relation
      // "target" still keeps a county from rectifying for its schools
      "hazard.rectify",
      "supervision.rectify",
      ...healthWrite,
      ...formsCounty,
      ...training,
      "ethics.read",
    ],
  },
  {
    code: "school_admin",
    name: "学校管理员",
    description: "校长、信息员，维护本校学生、教职工和班级",
    permissions: [...read, "people.write", "exchange.import", ...casesSchool, ...healthWrite, ...formsSchool],
  },
  {
    code: "teacher",
    name: "教师",
    description: "查看本校信息",
    permissions: ["registry.read", "people.read", "hazard.report", "indicators.read"],
  },
  {
    code: "inspector",
    name: "督学",
    description: "督导检查，查看责任区数据；只看到指派给自己的督导对象",
    permissions: [...read, "supervision.inspect", "health.read", "forms.read"],
  },
  {
    code: "discipline",
    name: "纪检",
    description: "纪检监察，处理监督举报，维护师德负面清单",
    permissions: [...read, ...disciplineOnly, "ethics.read"],
  },
  {
    code: "exam_office",
    name: "考试中心",
    description: "中考、高考报名与录取，需核对身份证号",
    permissions: [...read, "people.pii"],
  },
  {
    code: "leader",
    name: "局领导（只读）",
    description: "查看全市数据，不能修改",
    permissions: [...read, "hazard.read", "supervision.read", "health.read", "forms.read", "training.read"],
  },
];
