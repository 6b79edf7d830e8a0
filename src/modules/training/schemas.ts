import { z } from "zod";
import { pageOf, pageQuery } from "../../shared/paging.js";

export const institutionCategories = [
  { code: "academic", label: "学科类" },
  { code: "non_academic", label: "非学科类" },
] as const;
export const institutionStatuses = [
  { code: "operating", label: "正常经营" },
  { code: "suspended", label: "停业整顿" },
  { code: "closed", label: "已注销" },
] as const;

const text = (max: number, label: string) =>
  z.string().trim().min(1, `${label}不能为空`).max(max, `${label}不超过 ${max} 个字`);
const optionalText = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label}不超过 ${max} 个字`)
    .nullish()
    .transform((v) => (v ? v : null));
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "日期格式应为 YYYY-MM-DD");

/** 统一社会信用代码 (GB 32100-2015): 18 characters of digits and upper-case letters except I, O, S, V, Z. */
const creditCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/, "统一社会信用代码应为18位")
  .nullish()
  .transform((v) => v ?? null);

export const institutionInput = z.object({
  name: text(100, "机构名称"),
  creditCode,
  category: z.enum(["academic", "non_academic"], { message: "请选择类别（学科类/非学科类）" }),
  subjects: z.array(text(20, "培训项目")).max(20).default([]),
  licenceNo: optionalText(60, "办学许可证号"),
  licenceValidTo: date.nullish().transform((v) => v ?? null),
  online: z.boolean().default(false),
  address: optionalText(200, "地址"),
  countyCode: z.string().regex(/^\d{6}$/, "县（市、区）代码应为6位数字"),
  prepayBank: optionalText(60, "监管银行"),
  prepayAccount: optionalText(40, "预收费监管账户"),
  status: z.enum(["operating", "suspended", "closed"]).default("operating"),
});
export type InstitutionInput = z.infer<typeof institutionInput>;
export const institutionPatch = institutionInput.partial().omit({ countyCode: true });
export type InstitutionPatch = z.infer<typeof institutionPatch>;

export const institution = z.object({
  id: z.number().int(),
  name: z.string(),
  creditCode: z.string().nullable(),
  category: z.enum(["academic", "non_academic"]),
  subjects: z.array(z.string()),
  licenceNo: z.string().nullable(),
  licenceValidTo: z.string().nullable(),
  online: z.boolean(),
  address: z.string().nullable(),
  countyCode: z.string(),
  countyName: z.string().nullable(),
  prepayBank: z.string().nullable(),
  prepayAccount: z.string().nullable(),
  status: z.enum(["operating", "suspended", "closed"]),
  lastInspectedOn: z.string().nullable(),
  openCases: z.number().int(),
  updatedAt: z.string(),
});
export type Institution = z.infer<typeof institution>;

export const institutionQuery = pageQuery.extend({
  countyCode: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
  category: z.enum(["academic", "non_academic"]).optional(),
  status: z.enum(["operating", "suspended", "closed"]).optional(),
  q: z.string().trim().max(50).optional().describe("机构名称、许可证号或信用代码"),
});
export type InstitutionQuery = z.infer<typeof institutionQuery>;
export const institutionPage = pageOf(institution);
export const idParams = z.object({ id: z.coerce.number().int().positive() });

export const trainingRule = z.object({
  code: z.string(),
  label: z.string(),
  value: z.number().nullable(),
  unit: z.string().nullable(),
  appliesTo: z.enum(["academic", "non_academic", "all"]),
  basis: z.string(),
});
export const rulePatch = z.object({ value: z.number().positive("阈值应为正数") });
export const ruleParams = z.object({ code: z.string().max(40) });

export const observations = z.object({
  restDayClassOn: date.nullish().describe("学科类培训占用休息日/节假日/寒暑假的日期"),
  onlineSessionMinutes: z.number().int().min(1).max(600).nullish(),
  onlineBreakMinutes: z.number().int().min(0).max(600).nullish(),
  onlineEndTime: z
    .string()
    .regex(/^([01]?\d|2[0-3]):[0-5]\d$/, "时间格式应为 HH:MM")
    .nullish(),
  prepaidMonths: z.number().min(0).max(120).nullish(),
  prepaidHours: z.number().min(0).max(2000).nullish(),
  prepayOutsideAccount: z.boolean().nullish(),
  unlicensed: z.boolean().nullish(),
});

export const inspectionInput = z.object({
  inspectedOn: date,
  inspectors: text(100, "检查人员"),
  note: optionalText(2000, "检查情况"),
  observations: observations.default({}),
  /** Open an enforcement case (执法案件) for the findings at once. */
  openCase: z.boolean().default(false),
});
export type InspectionInput = z.infer<typeof inspectionInput>;

export const finding = z.object({
  id: z.number().int(),
  ruleCode: z.string(),
  ruleLabel: z.string(),
  measured: z.number().nullable(),
  detail: z.string(),
  caseId: z.number().int().nullable(),
});
export const inspection = z.object({
  id: z.number().int(),
  institutionId: z.number().int(),
  institutionName: z.string(),
  countyCode: z.string(),
  inspectedOn: z.string(),
  inspectors: z.string(),
  note: z.string().nullable(),
  createdBy: z.string(),
  findings: z.array(finding),
});
export type Inspection = z.infer<typeof inspection>;
export const inspectionQuery = pageQuery.extend({
  countyCode: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
  institutionId: z.coerce.number().int().optional(),
  withFindings: z.enum(["0", "1"]).optional(),
});
export type InspectionQuery = z.infer<typeof inspectionQuery>;
export const inspectionPage = pageOf(inspection);

export const institutionDetail = institution.extend({
  inspections: z.array(inspection),
  cases: z.array(
    z.object({ id: z.number().int(), title: z.string(), state: z.string(), createdAt: z.string() }),
  ),
});
