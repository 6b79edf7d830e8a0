import { z } from "zod";
import { pageOf, pageQuery } from "../../shared/paging.js";

const code = z.string().trim().max(40);

export const caseFilterQuery = z.object({
  kind: code.optional(),
  state: code.optional(),
  severity: code.optional(),
  category: code.optional(),
  source: code.optional(),
  countyCode: z
    .string()
    .trim()
    .regex(/^\d{6}$/, "县级代码为 6 位数字")
    .optional(),
  orgUnitCode: code.optional().describe("学校或县的代码"),
  status: z
    .enum(["open", "closed", "overdue"])
    .optional()
    .describe("open 未办结, closed 已办结, overdue 逾期"),
  planId: z.coerce.number().int().positive().optional().describe("督导计划"),
  targetId: z.coerce.number().int().positive().optional().describe("督导对象"),
  q: z.string().trim().min(1).max(50).optional().describe("标题中的文字，或编号如 YH-000123"),
});
export type CaseFilter = z.infer<typeof caseFilterQuery>;
export const caseListQuery = caseFilterQuery.extend(pageQuery.shape);

export const caseIdParams = z.object({ id: z.coerce.number().int().positive() });

const attachmentIds = z
  .array(z.string().uuid("附件编号无效"))
  .max(20, "一次最多 20 个附件")
  .optional()
  .describe("upload ids from POST /api/files");
const comment = z.string().max(5000, "不超过 5000 个字").optional().nullable();

export const caseCreateBody = z.object({
  kind: code,
  orgUnitCode: code.min(1, "请选择单位"),
  form: z
    .record(z.string(), z.unknown())
    .describe("the kind's form: title and its fields (GET /api/cases/kinds)"),
  comment,
  attachments: attachmentIds,
});
export type CaseCreateBody = z.infer<typeof caseCreateBody>;

export const caseStepBody = z.object({
  step: code.min(1),
  fields: z.record(z.string(), z.unknown()).optional(),
  comment,
  attachments: attachmentIds,
});
export type CaseStepBody = z.infer<typeof caseStepBody>;

export const caseCommentBody = z.object({
  comment: z.string().trim().min(1, "请填写内容").max(5000, "不超过 5000 个字"),
  attachments: attachmentIds,
});
export type CaseCommentBody = z.infer<typeof caseCommentBody>;

export const caseOut = z.object({
  id: z.number(),
  ref: z.string().describe("e.g. YH-000123"),
  kind: z.string(),
  kindName: z.string(),
  title: z.string(),
  orgUnitId: z.number().nullable(),
  orgUnitCode: z.string(),
  orgUnitName: z.string(),
  countyCode: z.string().nullable(),
  countyName: z.string(),
  state: z.string(),
  stateLabel: z.string(),
  stateColor: z.string().nullable(),
  severity: z.string().nullable(),
  severityLabel: z.string().nullable(),
  category: z.string().nullable(),
  categoryLabel: z.string().nullable(),
  source: z.string().nullable(),
  sourceLabel: z.string().nullable(),
  reporterName: z.string().nullable(),
  assigneeName: z.string().nullable(),
  dueAt: z.string().nullable(),
  overdue: z.boolean(),
  overdueSince: z.string().nullable(),
  escalationLevel: z.number().describe("0 none, 1 escalated to the county, 2 to the city"),
  closed: z.boolean(),
  closedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type CaseOut = z.infer<typeof caseOut>;
export const casePage = pageOf(caseOut);

const attachmentOut = z.object({
  sha256: z.string(),
  name: z.string(),
  mime: z.string(),
  size: z.number(),
  url: z.string(),
});

export const caseEventOut = z.object({
  id: z.number(),
  at: z.string(),
  step: z.string(),
  stepLabel: z.string(),
  fromState: z.string().nullable(),
  toState: z.string().nullable(),
  toLabel: z.string().nullable(),
  actorName: z.string(),
  comment: z.string().nullable(),
  fields: z.array(z.object({ name: z.string(), label: z.string(), value: z.string() })),
  attachments: z.array(attachmentOut),
});

export const stepSpecOut = z.object({
  code: z.string(),
  label: z.string(),
  to: z.string(),
  comment: z.enum(["required", "optional"]).nullable(),
  evidence: z.object({ min: z.number(), label: z.string() }).nullable(),
  fields: z.record(z.string(), z.unknown()).nullable().describe("JSON Schema of the step's fields"),
  fieldLabels: z.record(z.string(), z.string()),
});

export const caseDetailOut = caseOut.extend({
  data: z.array(z.object({ name: z.string(), label: z.string(), value: z.string() })),
  events: z.array(caseEventOut),
  steps: z.array(stepSpecOut).describe("the steps the signed-in actor may take now"),
  canComment: z.boolean(),
  links: z.array(z.object({ id: z.number(), ref: z.string(), title: z.string(), relation: z.string() })),
});
export type CaseDetailOut = z.infer<typeof caseDetailOut>;

const codeLabel = z.object({ code: z.string(), label: z.string() });
export const caseKindOut = z.object({
  code: z.string(),
  name: z.string(),
  refPrefix: z.string(),
  states: z.array(codeLabel.extend({ color: z.string().nullable(), final: z.boolean() })),
  severities: z.array(codeLabel),
  categories: z.array(codeLabel),
  sources: z.array(codeLabel),
  steps: z.array(codeLabel),
  create: z.object({
    label: z.string(),
    orgKinds: z.array(z.string()),
    fields: z.record(z.string(), z.unknown()).describe("JSON Schema of the form"),
    fieldLabels: z.record(z.string(), z.string()),
    evidence: z.object({ min: z.number(), label: z.string() }).nullable(),
    allowed: z.boolean().describe("the signed-in actor may file cases of this kind somewhere"),
  }),
});

export const inboxItemOut = caseOut.extend({
  reason: z.string().describe("why it waits on me: the steps I may take, or an escalation"),
});
export const inboxOut = z.object({
  items: z.array(inboxItemOut),
  total: z.number(),
  overdue: z.number(),
  dueSoon: z.number().describe("open items due within 3 days"),
});
export const inboxQuery = pageQuery.extend({ kind: code.optional() });
