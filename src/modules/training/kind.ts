import { z } from "zod";
import type { CaseKindDefinition } from "../cases/engine/kind.js";

/**
 * 校外培训执法案件 (enforcement case against an off-campus training institution) as a case kind. The
 * case concerns the county that supervises the institution (org unit = the county); the institution
 * is `data.institutionId` (checked by the hook in training/hooks.ts). Opened from an inspection's
 * findings, by a county officer, or from a complaint on the public page.
 *
 *   filed ─investigate→ investigating ─order→ rectifying ─verify→ closed
 *     │                     │  └─penalise→ closed        └─penalise→ closed
 *     └─dismiss→ dismissed  └─no_violation→ unfounded
 */

export const trainingCaseCategories = [
  { code: "academic_rest_day", label: "节假日、休息日开展学科类培训" },
  { code: "online_hours", label: "线上培训超时" },
  { code: "prepay", label: "超期超量预收费" },
  { code: "prepay_account", label: "预收费未进监管账户" },
  { code: "unlicensed", label: "无证无照办学" },
  { code: "disguised", label: "隐形变异培训" },
  { code: "other", label: "其他" },
] as const;

export const trainingCaseSources = [
  { code: "inspection", label: "日常检查" },
  { code: "special_action", label: "专项执法" },
  { code: "public_complaint", label: "群众投诉" },
  { code: "referral", label: "部门移送" },
] as const;

const codes = <T extends readonly { code: string }[]>(xs: T) =>
  xs.map((x) => x.code) as [T[number]["code"], ...T[number]["code"][]];
const text = (max: number) => z.string().trim().min(1, "不能为空").max(max, `不超过 ${max} 个字`);
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "日期格式应为 YYYY-MM-DD");

export const trainingCaseForm = z.object({
  title: text(100),
  category: z.enum(codes(trainingCaseCategories), { message: "请选择违规类型" }),
  source: z.enum(codes(trainingCaseSources), { message: "请选择案件来源" }),
  institutionId: z.coerce.number().int().positive("请选择培训机构"),
  description: text(5000),
});

// The case concerns the county: its own bureau stands to it as "target", the city bureau as "city".
const who = { permission: "training.enforce" as const, as: ["target", "city"] as const };

export const trainingCaseKind: CaseKindDefinition = {
  code: "training",
  name: "校外培训执法",
  refPrefix: "PX",
  readPermission: "training.read",
  states: {
    filed: { label: "已立案", color: "blue", clockRuns: true },
    investigating: { label: "调查取证", color: "orange", clockRuns: true },
    rectifying: { label: "责令整改", color: "gold", clockRuns: true },
    closed: { label: "已结案", color: "green", final: true },
    unfounded: { label: "查无违规", color: "default", final: true },
    dismissed: { label: "不予立案", color: "default", final: true },
  },
  create: {
    label: "立案",
    // the public page's intake files complaints (reports.intake, city-wide relation)
    who: [who, { permission: "reports.intake", as: ["city"] }],
    state: "filed",
    fields: trainingCaseForm,
    fieldLabels: {
      title: "案由",
      category: "违规类型",
      source: "案件来源",
      institutionId: "培训机构",
      description: "违规事实",
    },
    orgKinds: ["county"],
    // the bureau's working rule: a complaint is looked into within 7 days
    deadline: { days: 7 },
  },
  transitions: [
    {
      code: "investigate",
      label: "调查取证",
      from: ["filed"],
      to: "investigating",
      who,
      comment: "optional",
      deadline: { days: 30 },
    },
    { code: "dismiss", label: "不予立案", from: ["filed"], to: "dismissed", who, comment: "required" },
    {
      code: "order",
      label: "责令整改",
      from: ["investigating"],
      to: "rectifying",
      who,
      fields: z.object({ measures: text(2000), rectifyBy: date }),
      fieldLabels: { measures: "整改要求", rectifyBy: "整改期限" },
      comment: "optional",
      deadline: { field: "rectifyBy" },
    },
    {
      code: "penalise",
      label: "行政处罚结案",
      from: ["investigating", "rectifying"],
      to: "closed",
      who,
      fields: z.object({ penalty: text(500), decisionNo: text(60) }),
      fieldLabels: { penalty: "处罚内容", decisionNo: "处罚决定书文号" },
      evidence: { min: 1, label: "处罚决定书" },
      comment: "optional",
    },
    {
      code: "verify",
      label: "整改到位结案",
      from: ["rectifying"],
      to: "closed",
      who,
      evidence: { min: 1, label: "整改材料或复查照片" },
      comment: "optional",
    },
    {
      code: "no_violation",
      label: "查无违规",
      from: ["investigating"],
      to: "unfounded",
      who,
      comment: "required",
    },
  ],
  categories: trainingCaseCategories,
  sources: trainingCaseSources,
  // Recorded by reports/service.ts (ask, answer) for a complaint filed on the public page.
  events: [
    { code: "ask_reporter", label: "向投诉人提问" },
    { code: "reporter_answer", label: "投诉人答复" },
  ],
  escalation: [
    { to: "county", afterDays: 0 },
    { to: "city", afterDays: 7 },
  ],
};
