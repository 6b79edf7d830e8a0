import { z } from "zod";
import type { CaseKindDefinition } from "../engine/kind.js";

/**
 * 隐患 (hazard): found by a school's self-check, a county inspection or a city spot check, assigned
 * to the school with a deadline by its severity, rectified with evidence, then verified by the county
 * (or the city) or sent back.
 *
 *   reported ─assign→ assigned ─accept→ rectifying ─submit→ submitted ─verify→ verified (closed)
 *       │                                   ▲                   │
 *       └─dismiss→ dismissed (closed)       └──────return───────┘
 */

export const hazardCategories = [
  { code: "fire", label: "消防" },
  { code: "food", label: "食品" },
  { code: "building", label: "校舍" },
  { code: "traffic", label: "交通" },
  { code: "surroundings", label: "周边" },
  { code: "bullying", label: "欺凌" },
  { code: "mental", label: "心理" },
  { code: "security", label: "安防" },
  { code: "other", label: "其他" },
] as const;

export const hazardSeverities = [
  { code: "ordinary", label: "一般" },
  { code: "significant", label: "较大" },
  { code: "major", label: "重大" },
] as const;

export const hazardSources = [
  { code: "self_check", label: "学校自查" },
  { code: "county_inspection", label: "县级检查" },
  { code: "city_spot_check", label: "市级抽查" },
] as const;

const codes = <T extends readonly { code: string }[]>(xs: T) =>
  xs.map((x) => x.code) as [T[number]["code"], ...T[number]["code"][]];

/**
 * Days to rectify, by severity. No regulation fixes these numbers (安全生产事故隐患排查治理暂行规定
 * asks 一般隐患 to be put right at once and 重大隐患 to follow a 治理方案): they are the bureau's
 * working rule, kept here as data and shown on the form.
 */
export const rectifyDays = { ordinary: 30, significant: 15, major: 7 } as const;

const text = (max: number) => z.string().trim().min(1, "不能为空").max(max, `不超过 ${max} 个字`);

export const hazardForm = z.object({
  title: text(100),
  category: z.enum(codes(hazardCategories), { message: "请选择隐患类别" }),
  severity: z.enum(codes(hazardSeverities), { message: "请选择隐患等级" }),
  source: z.enum(codes(hazardSources), { message: "请选择发现方式" }),
  location: z.string().trim().max(200).optional(),
  description: text(2000),
});

export const hazardKind: CaseKindDefinition = {
  code: "hazard",
  name: "隐患",
  refPrefix: "YH",
  readPermission: "hazard.read",
  states: {
    reported: { label: "已上报", color: "blue" },
    assigned: { label: "待整改", color: "orange", clockRuns: true },
    rectifying: { label: "整改中", color: "gold", clockRuns: true },
    submitted: { label: "待验收", color: "purple" },
    verified: { label: "已销号", color: "green", final: true },
    dismissed: { label: "不予立案", color: "default", final: true },
  },
  create: {
    label: "上报隐患",
    // a school reports its own (self-check), a county its schools', the city any school's
    who: { permission: "hazard.report", as: ["target", "county", "city"] },
    state: "reported",
    fields: hazardForm,
    fieldLabels: {
      title: "隐患名称",
      category: "隐患类别",
      severity: "隐患等级",
      source: "发现方式",
      location: "具体位置",
      description: "隐患描述",
    },
    orgKinds: ["school"],
    // the finder decides the source: a school files its self-check, a county its inspection, the
    // city its spot check
    check: (form, rel) => {
      const expected = rel.has("target")
        ? "self_check"
        : rel.has("county")
          ? "county_inspection"
          : "city_spot_check";
      if (form.source === expected) return null;
      const label = hazardSources.find((s) => s.code === expected)?.label;
      return { field: "source", message: `发现方式应为「${label}」` };
    },
  },
  transitions: [
    {
      code: "assign",
      label: "交办整改",
      from: ["reported"],
      to: "assigned",
      who: { permission: "hazard.handle", as: ["county", "city"] },
      comment: "optional",
      deadline: { daysBySeverity: rectifyDays, otherwise: rectifyDays.ordinary },
    },
    {
      code: "dismiss",
      label: "不予立案",
      from: ["reported"],
      to: "dismissed",
      who: { permission: "hazard.handle", as: ["county", "city"] },
      comment: "required",
    },
    {
      code: "accept",
      label: "签收整改",
      from: ["assigned"],
      to: "rectifying",
      who: { permission: "hazard.rectify", as: ["target"] },
      comment: "optional",
    },
    {
      code: "submit",
      label: "提交整改",
      from: ["rectifying"],
      to: "submitted",
      who: { permission: "hazard.rectify", as: ["target"] },
      fields: z.object({ measures: text(2000) }),
      fieldLabels: { measures: "整改措施" },
      evidence: { min: 1, label: "整改照片或材料" },
      comment: "optional",
    },
    {
      code: "verify",
      label: "验收销号",
      from: ["submitted"],
      to: "verified",
      who: { permission: "hazard.handle", as: ["county", "city"] },
      comment: "optional",
    },
    {
      code: "return",
      label: "退回整改",
      from: ["submitted"],
      to: "rectifying",
      who: { permission: "hazard.handle", as: ["county", "city"] },
      comment: "required",
    },
  ],
  severities: hazardSeverities,
  categories: hazardCategories,
  sources: hazardSources,
  // overdue: at once to the county's inbox; a week later to the city's (the bureau's working rule)
  escalation: [
    { to: "county", afterDays: 0 },
    { to: "city", afterDays: 7 },
  ],
};
