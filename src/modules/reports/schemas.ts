import { z } from "zod";
import { pageOf, pageQuery } from "../../shared/paging.js";
import { uploadIds } from "../files/schemas.js";
import { trainingCaseCategories } from "../training/kind.js";
import { reportCategories } from "./kind.js";

const text = (max: number, label: string) =>
  z.string().trim().min(1, `请填写${label}`).max(max, `${label}不超过 ${max} 个字`);
const optional = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label}不超过 ${max} 个字`)
    .optional()
    .transform((v) => (v ? v : undefined));

/** The public report form. Every text is stored as typed and always rendered as text (never HTML). */
export const publicReportInput = z
  .object({
    about: z.enum(["school", "institution"]).describe("school: 学校或教职工; institution: 校外培训机构"),
    orgUnitCode: z.string().trim().max(20).optional().describe("学校（或县教育局）代码，about=school 时必填"),
    institutionId: z.number().int().positive().optional().describe("培训机构，about=institution 时必填"),
    category: z.string().trim().max(40),
    title: text(100, "举报事项"),
    subjectName: optional(50, "被举报人姓名"),
    subjectPost: optional(50, "被举报人职务"),
    occurredOn: optional(30, "发生时间"),
    description: text(5000, "举报内容"),
    anonymous: z.boolean(),
    contactName: optional(30, "联系人姓名"),
    contactPhone: z
      .string()
      .trim()
      .regex(/^[0-9+\-\s]{7,20}$/, "联系电话格式不正确")
      .optional(),
    contactEmail: z.string().trim().email("邮箱格式不正确").max(100).optional(),
    attachments: uploadIds,
  })
  .superRefine((v, ctx) => {
    if (v.about === "school" && !v.orgUnitCode)
      ctx.addIssue({ code: "custom", path: ["orgUnitCode"], message: "请选择被举报的学校或单位" });
    if (v.about === "institution" && !v.institutionId)
      ctx.addIssue({ code: "custom", path: ["institutionId"], message: "请选择被投诉的培训机构" });
    const cats: readonly { code: string }[] =
      v.about === "school" ? reportCategories : trainingCaseCategories;
    if (!cats.some((c) => c.code === v.category))
      ctx.addIssue({ code: "custom", path: ["category"], message: "请选择举报类别" });
    if (!v.anonymous && !v.contactName)
      ctx.addIssue({ code: "custom", path: ["contactName"], message: "实名举报请填写姓名" });
    if (!v.anonymous && !v.contactPhone && !v.contactEmail)
      ctx.addIssue({ code: "custom", path: ["contactPhone"], message: "实名举报请留联系电话或邮箱" });
  });
export type PublicReportInput = z.infer<typeof publicReportInput>;

export const receiptOut = z.object({
  code: z.string().describe("查询码 XXXX-XXXX-XXXX"),
  secret: z.string().describe("查询密码：只显示这一次，平台只保存其摘要"),
});

export const followInput = z.object({
  code: z.string().trim().min(1, "请填写查询码").max(40),
  secret: z.string().trim().min(1, "请填写查询密码").max(40),
});

export const answerInput = followInput.extend({
  questionId: z.number().int().positive(),
  answer: text(5000, "答复内容"),
  attachments: uploadIds,
});
export type AnswerInput = z.infer<typeof answerInput>;

const questionOut = z.object({
  id: z.number().int(),
  askedAt: z.string(),
  question: z.string(),
  answeredAt: z.string().nullable(),
  answer: z.string().nullable(),
  answerAttachments: z.array(z.object({ name: z.string(), size: z.number(), mime: z.string() })),
});

export const followOut = z.object({
  code: z.string(),
  kind: z.enum(["report", "training"]),
  title: z.string(),
  status: z.string().describe("面向举报人的办理状态"),
  closed: z.boolean(),
  filedAt: z.string(),
  closedAt: z.string().nullable(),
  reply: z.string().nullable().describe("办结答复"),
  questions: z.array(questionOut),
});
export type FollowOut = z.infer<typeof followOut>;

export const publicOrgQuery = z.object({
  q: z.string().trim().min(1).max(30).optional(),
  countyCode: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
});
export const publicOrgList = z.object({
  items: z.array(
    z.object({ code: z.string(), name: z.string(), kind: z.string(), countyCode: z.string().nullable() }),
  ),
});
export const publicInstitutionList = z.object({
  items: z.array(z.object({ id: z.number().int(), name: z.string(), countyName: z.string().nullable() })),
});
export const publicCategories = z.object({
  counties: z.array(z.object({ code: z.string(), name: z.string() })),
  school: z.array(z.object({ code: z.string(), label: z.string() })),
  institution: z.array(z.object({ code: z.string(), label: z.string() })),
  maxAttachmentMb: z.number(),
});

// ---- inside (纪检, training officers)
export const caseIdParams = z.object({ caseId: z.coerce.number().int().positive() });
export const askInput = z.object({ question: text(2000, "问题") });
export const reportExtraOut = z.object({
  viaReceipt: z.boolean().describe("网上提交（可向举报人提问）"),
  anonymous: z.boolean(),
  contact: z
    .object({ name: z.string(), phone: z.string().nullable(), email: z.string().nullable() })
    .nullable(),
  questions: z.array(questionOut),
});

export const negativeQuery = pageQuery.extend({
  staffNumber: z.string().trim().max(30).optional(),
  countyCode: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
});
export const negativeEntry = z.object({
  id: z.number().int(),
  staffNumber: z.string(),
  staffName: z.string(),
  schoolName: z.string().nullable(),
  countyCode: z.string(),
  category: z.string(),
  categoryLabel: z.string(),
  finding: z.string(),
  measure: z.string(),
  decidedOn: z.string(),
  recordedBy: z.string(),
});
export const negativePage = pageOf(negativeEntry);
