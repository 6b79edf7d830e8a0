import { z } from "zod";
import type { CaseKindDefinition } from "../cases/engine/kind.js";

/**
 * 监督举报 (a report of misconduct) as a case kind. Filed on the public page (anonymously or named)
 * or registered by a discipline officer from a letter, call or visit; seen and handled only by 纪检
 * (reports.handle) in their scope. Questions to the reporter and the reporter's answers are timeline
 * entries (src/modules/reports/service.ts), not states: the investigation goes on meanwhile.
 *
 *   received ─accept→ investigating ─uphold→ upheld (closed; a named staff member gets a 负面清单 entry)
 *       │                    └──────────dismiss_unfounded→ unfounded (closed)
 *       └─reject→ rejected (closed)
 */

/** What may be reported (data: a bureau adds a category here). */
export const reportCategories = [
  { code: "ethics", label: "师德师风" },
  { code: "paid_tutoring", label: "违规补课" },
  { code: "fees", label: "乱收费" },
  { code: "admission", label: "招生" },
  { code: "construction", label: "工程" },
  { code: "recruitment", label: "招聘" },
  { code: "procurement", label: "采购" },
  { code: "appraisal", label: "评优评模、职称评定" },
  { code: "other", label: "其他" },
] as const;

export const reportSources = [
  { code: "online_anonymous", label: "网上匿名举报" },
  { code: "online_named", label: "网上实名举报" },
  { code: "letter", label: "来信" },
  { code: "phone", label: "来电" },
  { code: "visit", label: "来访" },
] as const;

/** Measures recorded on the ethics negative list (《中小学教师违反职业道德行为处理办法》 2018 修订, 第四条). */
export const ethicsMeasures = [
  "批评教育",
  "诫勉谈话",
  "责令检查",
  "通报批评",
  "警告",
  "记过",
  "降低岗位等级或撤职",
  "开除",
  "撤销教师资格",
] as const;

const codes = <T extends readonly { code: string }[]>(xs: T) =>
  xs.map((x) => x.code) as [T[number]["code"], ...T[number]["code"][]];
const text = (max: number) => z.string().trim().min(1, "不能为空").max(max, `不超过 ${max} 个字`);

export const reportForm = z.object({
  title: text(100),
  category: z.enum(codes(reportCategories), { message: "请选择举报类别" }),
  source: z.enum(codes(reportSources), { message: "请选择举报来源" }),
  subjectName: z.string().trim().max(50, "不超过 50 个字").optional().describe("被举报人姓名（可不填）"),
  subjectPost: z.string().trim().max(50, "不超过 50 个字").optional().describe("被举报人职务"),
  occurredOn: z.string().trim().max(30).optional().describe("发生时间"),
  description: text(5000),
});

/** 纪检 answers the reporter when concluding; the reporter reads it through the receipt. */
const reply = text(2000);

export const reportKind: CaseKindDefinition = {
  code: "report",
  name: "举报",
  refPrefix: "JB",
  readPermission: "reports.handle",
  states: {
    received: { label: "待初核", color: "blue", clockRuns: true },
    investigating: { label: "调查核实", color: "orange", clockRuns: true },
    upheld: { label: "查实", color: "red", final: true },
    unfounded: { label: "查无实据", color: "green", final: true },
    rejected: { label: "不予受理", color: "default", final: true },
  },
  create: {
    label: "登记举报",
    // reports.intake: a 纪检 officer registering a letter or call, and the public page's intake
    who: { permission: "reports.intake", as: ["county", "city"] },
    state: "received",
    fields: reportForm,
    fieldLabels: {
      title: "举报事项",
      category: "举报类别",
      source: "举报来源",
      subjectName: "被举报人",
      subjectPost: "被举报人职务",
      occurredOn: "发生时间",
      description: "举报内容",
    },
    orgKinds: ["school", "county"],
    // 《纪检监察机关处理检举控告工作规则》(2020): the reporter is told within 15 working days whether
    // the report is taken up; three calendar weeks cover 15 working days.
    deadline: { days: 21 },
  },
  transitions: [
    {
      code: "accept",
      label: "受理调查",
      from: ["received"],
      to: "investigating",
      who: { permission: "reports.handle", as: ["county", "city"] },
      comment: "optional",
      // the bureau's working rule for an investigation (not fixed by regulation): 90 days
      deadline: { days: 90 },
    },
    {
      code: "reject",
      label: "不予受理",
      from: ["received"],
      to: "rejected",
      who: { permission: "reports.handle", as: ["county", "city"] },
      fields: z.object({ reply }),
      fieldLabels: { reply: "答复举报人" },
      comment: "required",
    },
    {
      code: "uphold",
      label: "查实结论",
      from: ["investigating"],
      to: "upheld",
      who: { permission: "reports.handle", as: ["county", "city"] },
      fields: z.object({
        finding: text(2000),
        measure: z.enum(ethicsMeasures, { message: "请选择处理措施" }),
        staffNumber: z
          .string()
          .trim()
          .max(30)
          .optional()
          .describe("被查实的教职工（工号）：写入师德负面清单"),
        reply,
      }),
      fieldLabels: {
        finding: "查实情况",
        measure: "处理措施",
        staffNumber: "教职工工号",
        reply: "答复举报人",
      },
      comment: "optional",
    },
    {
      code: "dismiss_unfounded",
      label: "查无实据",
      from: ["investigating"],
      to: "unfounded",
      who: { permission: "reports.handle", as: ["county", "city"] },
      fields: z.object({ reply }),
      fieldLabels: { reply: "答复举报人" },
      comment: "required",
    },
  ],
  categories: reportCategories,
  sources: reportSources,
  // Recorded by reports/service.ts (ask, answer) for a report filed with a receipt.
  events: [
    { code: "ask_reporter", label: "向举报人提问" },
    { code: "reporter_answer", label: "举报人答复" },
  ],
  escalation: [
    { to: "county", afterDays: 0 },
    { to: "city", afterDays: 14 },
  ],
};

/** What the reporter sees of each state (no internal labels). */
export const publicStateLabels: Record<string, string> = {
  received: "已收到，待初核",
  investigating: "已受理，调查核实中",
  upheld: "已办结（反映问题属实）",
  unfounded: "已办结（反映问题查无实据）",
  rejected: "已办结（不予受理）",
};
