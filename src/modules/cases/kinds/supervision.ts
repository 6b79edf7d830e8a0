import { z } from "zod";
import type { CaseKindDefinition } from "../engine/kind.js";

/**
 * 督导 finding (督导问题): an inspector (督学) assigned to a target of a supervision plan records a
 * finding; it becomes a rectification notice (整改通知) with a deadline; the target reports its
 * rectification; the inspector or the supervision office reviews it. When rectification fails, 问责
 * is recorded (who, measure, basis) and closes the case.
 *
 *   found ─notify→ notified ─report→ reported ─approve→ rectified (closed)
 *     │              ▲  │                │
 *     │              └──┼────reject──────┘
 *     └─drop→ dropped   └─hold_accountable→ accountable (closed)   (also from reported)
 */

export const findingCategories = [
  { code: "governance", label: "办学行为" },
  { code: "safety", label: "校园安全" },
  { code: "ethics", label: "师德师风" },
  { code: "double_reduction", label: "双减落实" },
  { code: "teaching", label: "教育教学" },
  { code: "funding", label: "经费管理" },
  { code: "facilities", label: "办学条件" },
  { code: "other", label: "其他" },
] as const;

export const findingSeverities = [
  { code: "ordinary", label: "一般问题" },
  { code: "major", label: "突出问题" },
] as const;

const codes = <T extends readonly { code: string }[]>(xs: T) =>
  xs.map((x) => x.code) as [T[number]["code"], ...T[number]["code"][]];
const text = (max: number) => z.string().trim().min(1, "不能为空").max(max, `不超过 ${max} 个字`);
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "日期格式为 YYYY-MM-DD");

export const findingForm = z.object({
  title: text(100),
  targetId: z.coerce.number().int().positive({ message: "请选择督导对象" }),
  category: z.enum(codes(findingCategories), { message: "请选择问题类别" }),
  severity: z.enum(codes(findingSeverities), { message: "请选择问题程度" }),
  description: text(2000),
});

const reviewers = { permission: "supervision.review", as: ["county", "city"] } as const;
const inspector = { permission: "supervision.inspect", as: ["assigned"] } as const;

export const supervisionKind: CaseKindDefinition = {
  code: "supervision",
  name: "督导问题",
  refPrefix: "DD",
  readPermission: "supervision.read",
  states: {
    found: { label: "已记录", color: "blue" },
    notified: { label: "整改中", color: "orange", clockRuns: true },
    reported: { label: "待复核", color: "purple" },
    rectified: { label: "已整改", color: "green", final: true },
    accountable: { label: "已问责", color: "red", final: true },
    dropped: { label: "已撤销", color: "default", final: true },
  },
  create: {
    label: "记录督导问题",
    who: [inspector, reviewers],
    state: "found",
    fields: findingForm,
    fieldLabels: {
      title: "问题摘要",
      targetId: "督导对象",
      category: "问题类别",
      severity: "问题程度",
      description: "问题描述",
    },
    orgKinds: ["school", "county"],
  },
  transitions: [
    {
      code: "notify",
      label: "下发整改通知",
      from: ["found"],
      to: "notified",
      who: [inspector, reviewers],
      fields: z.object({ dueDate: date, requirements: text(2000) }),
      fieldLabels: { dueDate: "整改期限", requirements: "整改要求" },
      deadline: { field: "dueDate" },
    },
    {
      code: "drop",
      label: "撤销问题",
      from: ["found"],
      to: "dropped",
      who: [inspector, reviewers],
      comment: "required",
    },
    {
      code: "report",
      label: "提交整改报告",
      from: ["notified"],
      to: "reported",
      who: { permission: "supervision.rectify", as: ["target"] },
      fields: z.object({ report: text(5000) }),
      fieldLabels: { report: "整改报告" },
      comment: "optional",
    },
    {
      code: "approve",
      label: "复核通过",
      from: ["reported"],
      to: "rectified",
      who: [inspector, reviewers],
      comment: "optional",
    },
    {
      code: "reject",
      label: "复核不通过",
      from: ["reported"],
      to: "notified",
      who: [inspector, reviewers],
      fields: z.object({ dueDate: date }),
      fieldLabels: { dueDate: "新的整改期限" },
      comment: "required",
      deadline: { field: "dueDate" },
    },
    {
      code: "hold_accountable",
      label: "问责",
      from: ["notified", "reported"],
      to: "accountable",
      who: { permission: "supervision.accountability", as: ["county", "city"] },
      optional: true,
      fields: z.object({
        subjectType: z.enum(["unit", "person"], { message: "请选择问责对象类型" }),
        subjectName: text(100),
        measure: text(60),
        basis: text(2000),
      }),
      fieldLabels: {
        subjectType: "问责对象类型",
        subjectName: "问责对象",
        measure: "问责方式",
        basis: "问责依据和事实",
      },
      comment: "optional",
    },
  ],
  severities: findingSeverities,
  categories: findingCategories,
  // overdue: to the county at once, to the city a week later (a county target goes to the city)
  escalation: [
    { to: "county", afterDays: 0 },
    { to: "city", afterDays: 7 },
  ],
};
