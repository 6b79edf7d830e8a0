import { stepLabel } from "../cases/engine/kind.js";
import { kindOf } from "../cases/kinds/index.js";

/**
 * Chinese labels for audit codes, for the viewer and the export. Every action and entity code that
 * the code writes has one here (labels.test.ts reads the source to make sure); the types below make
 * the compiler refuse an unlabelled code in a recordAudit call. A code without a label (an old row)
 * is shown as it is. Terms as in docs/glossary.md.
 */
export const actionLabels = {
  create: "新建",
  update: "修改",
  delete: "删除",
  disable: "停用",
  enable: "启用",
  merge: "撤并",
  close: "关闭",
  import: "导入",
  export: "导出",
  read: "查看",
  read_pii: "查看身份信息",
  login: "登录",
  login_failed: "登录失败",
  logout: "退出登录",
  reset_password: "重置密码",
  change_password: "修改密码",
  change_password_failed: "修改密码失败",
  revoke: "吊销",
  // people
  status: "变更学籍状态",
  // forms (数据填报): the return's workflow
  submit: "上报",
  approve: "审核通过",
  return: "退回",
  accept: "接收",
  reopen: "重新打开",
  // indicators
  "load-package": "载入指标包",
  // cases (事项) and 监督举报
  comment: "批注",
  overdue: "逾期",
  escalate: "逾期升级",
  "step.refused": "办理被拒绝",
  "receipt.issue": "发放查询码",
  "receipt.locked": "查询码锁定",
  "receipt.failed": "查询码验证失败",
  "reporter.ask": "向举报人提问",
  "reporter.answer": "举报人答复",
  // 校外培训
  inspect: "检查",
  // the demo city
  "seed-demo": "载入示范城市",
  "seed-demo-extra": "载入示范数据",
} as const satisfies Record<string, string>;

export const entityLabels = {
  org_unit: "组织机构",
  student: "学生",
  staff: "教职工",
  class_group: "班级",
  import_job: "导入任务",
  user: "用户",
  role: "角色",
  api_token: "接口令牌",
  session: "会话",
  audit_log: "审计记录",
  // forms (数据采集)
  data_element: "数据项",
  form: "报表",
  form_period: "填报轮次",
  form_submission: "报表填报",
  // health
  vision_screening: "视力筛查记录",
  // indicators
  indicator: "指标",
  indicator_group: "重点工作",
  indicator_target: "目标值",
  indicator_package: "指标包",
  people_census: "统计快照",
  indicator_results: "指标下钻",
  indicator_page: "单位指标页",
  cockpit: "驾驶舱",
  // cases (事项)
  case: "事项",
  safety_inspection: "平安校园检查",
  supervision_plan: "督导计划",
  ethics_negative_entry: "师德负面清单",
  // 校外培训
  training_institution: "校外培训机构",
  training_rule: "检查规则",
  training_inspection: "校外培训检查",
  // the demo city
  demo_city: "示范城市",
} as const satisfies Record<string, string>;

/** What a case step is recorded as: `step.<transition or event code>` (cases/service.ts). */
export type CaseStepAction = `step.${string}`;
export type AuditAction = keyof typeof actionLabels | CaseStepAction;
export type AuditEntity = keyof typeof entityLabels;

export const actorTypeLabels: Record<string, string> = {
  user: "用户",
  token: "接口令牌",
  system: "系统",
  public: "匿名",
};

const lookup = (labels: Record<string, string>, code: string) =>
  Object.hasOwn(labels, code) ? labels[code] : undefined;

export const labelOf = (labels: Record<string, string>, code: string) => lookup(labels, code) ?? code;

/**
 * An action's label. A case step (`step.assign`) is labelled by its kind's own name for it, from
 * the row's context (`{ kind: "hazard" }`): 办理：交办整改.
 */
export function actionLabel(action: string, context: unknown): string {
  const fixed = lookup(actionLabels, action);
  if (fixed) return fixed;
  if (action.startsWith("step.")) {
    const step = action.slice("step.".length);
    const kindCode = (context as { kind?: unknown } | null)?.kind;
    const kind = typeof kindCode === "string" ? kindOf(kindCode) : undefined;
    const label = kind ? stepLabel(kind, step) : undefined;
    return label ? `办理：${label}` : `办理（${step}）`;
  }
  return action;
}

export const entityLabel = (entity: string) => labelOf(entityLabels, entity);
