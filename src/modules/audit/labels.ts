/**
 * Chinese labels for audit codes, for the viewer and the export. Modules record their own action
 * and entity codes; a code without a label here is shown as it is.
 */
export const actionLabels: Record<string, string> = {
  create: "新建",
  update: "修改",
  delete: "删除",
  disable: "停用",
  enable: "启用",
  merge: "撤并",
  close: "关闭",
  import: "导入",
  export: "导出",
  read_pii: "查看身份信息",
  login: "登录",
  login_failed: "登录失败",
  logout: "退出登录",
  reset_password: "重置密码",
  change_password: "修改密码",
  change_password_failed: "修改密码失败",
  revoke: "吊销",
};

export const entityLabels: Record<string, string> = {
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
  form_submission: "报表填报",
};

export const actorTypeLabels: Record<string, string> = {
  user: "用户",
  token: "接口令牌",
  system: "系统",
  public: "匿名",
};

export const labelOf = (labels: Record<string, string>, code: string) => labels[code] ?? code;
