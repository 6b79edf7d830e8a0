import { z } from "zod";
import { pageOf, pageQuery } from "../../shared/paging.js";
import { compareOps } from "./validation.js";

/** Request and response shapes of /api/forms (数据项, 报表, 填报, 审核, 上报率). */

const codeField = (what: string) =>
  z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{0,62}$/, {
      error: `${what}编码应为小写英文字母开头的字母、数字和下划线，如 uplink_mbps`,
    });

const codeName = z.object({
  code: z.string().trim().min(1, { error: "选项编码不能为空" }).max(40),
  name: z.string().trim().min(1, { error: "选项名称不能为空" }).max(60),
});

export const valueTypes = ["integer", "number", "percentage", "boolean", "text", "choice"] as const;
export const periodTypes = ["year", "school_year", "term", "quarter", "month"] as const;

export const elementBody = z.object({
  code: codeField("数据项"),
  name: z.string().trim().min(1, { error: "名称不能为空" }).max(100),
  valueType: z.enum(valueTypes, { error: "值类型应为 integer、number、percentage、boolean、text 或 choice" }),
  unit: z.string().trim().max(20).nullish(),
  options: z.array(codeName).max(50).default([]).describe("choice list (valueType choice)"),
  disaggregation: z
    .array(codeName)
    .max(60)
    .default([])
    .describe("category option combos, e.g. 男/女 or 男·一年级 …; a value per combo, the total under ''"),
  description: z.string().trim().max(500).nullish(),
});
export type ElementBody = z.infer<typeof elementBody>;
export const elementPatchBody = elementBody.omit({ code: true, valueType: true }).partial();
export type ElementPatchBody = z.infer<typeof elementPatchBody>;

export const elementOut = z.object({
  code: z.string(),
  name: z.string(),
  valueType: z.enum(valueTypes),
  unit: z.string().nullable(),
  options: z.array(codeName),
  disaggregation: z.array(codeName),
  description: z.string().nullable(),
  updatedAt: z.string(),
});
export type ElementOut = z.infer<typeof elementOut>;

export const ruleSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("range"),
    element: z.string(),
    min: z.number().nullish(),
    max: z.number().nullish(),
    message: z.string().max(200).nullish(),
  }),
  z.object({
    kind: z.literal("compare"),
    left: z.string(),
    op: z.enum(compareOps as [string, ...string[]] as ["<", "<=", ">", ">=", "=", "!="]),
    right: z.union([z.object({ element: z.string() }), z.object({ value: z.number() })]),
    message: z.string().max(200).nullish(),
  }),
]);

export const formElementIn = z.object({
  code: z.string(),
  section: z.string().trim().max(40).nullish(),
  required: z.boolean().default(false),
});

export const formBody = z.object({
  code: codeField("报表"),
  name: z.string().trim().min(1, { error: "名称不能为空" }).max(100),
  description: z.string().trim().max(1000).nullish(),
  periodType: z.enum(periodTypes, { error: "报告期类型应为 year、school_year、term、quarter 或 month" }),
  reporterTypes: z
    .array(z.string())
    .min(1, { error: "请选择填报单位类型" })
    .describe("school type codes (JY/T 1001) and/or 'county'"),
  elements: z.array(formElementIn).min(1, { error: "报表至少包含一个数据项" }).max(200),
  rules: z.array(ruleSchema).max(200).default([]),
});
export type FormBody = z.infer<typeof formBody>;
export const formPatchBody = formBody.omit({ code: true }).partial();
export type FormPatchBody = z.infer<typeof formPatchBody>;

export const roundOut = z.object({
  periodCode: z.string(),
  periodLabel: z.string(),
  dueDate: z.string(),
  lockAfterDue: z.boolean(),
  locked: z.boolean().describe("due date passed and the round locks after it"),
});

const formBaseOut = z.object({
  code: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  periodType: z.enum(periodTypes),
  reporterTypes: z.array(z.string()),
  elementCount: z.number(),
  rounds: z.array(roundOut),
  updatedAt: z.string(),
});

export const formSummaryOut = formBaseOut.extend({
  reporting: z
    .object({
      units: z
        .number()
        .describe("org units in the caller's area that report this form (in its latest round); 0: none does"),
      own: z
        .array(z.object({ code: z.string(), name: z.string() }))
        .describe("the caller's own units (the roots of its area) among them, e.g. a school admin's school"),
    })
    .describe("who of the caller's area reports this form, so 数据填报 can offer the caller's own forms"),
});

export type FormSummaryOut = z.infer<typeof formSummaryOut>;

export const formElementOut = elementOut.extend({
  section: z.string().nullable(),
  required: z.boolean(),
});

export const formOut = formBaseOut.extend({
  elements: z.array(formElementOut),
  rules: z.array(ruleSchema),
  ruleTexts: z.array(z.string()).describe("each rule as a line of Chinese"),
});
export type FormOut = z.infer<typeof formOut>;

export const roundBody = z.object({
  periodCode: z.string().trim(),
  dueDate: z.iso.date({ error: "截止日期应为 YYYY-MM-DD" }),
  lockAfterDue: z.boolean().default(true),
});
export const roundPatchBody = roundBody.omit({ periodCode: true }).partial();

export const formParams = z.object({ code: z.string() });
export const elementParams = z.object({ code: z.string() });
export const roundParams = z.object({ code: z.string(), period: z.string() });
export const entryParams = roundParams.extend({ orgCode: z.string() });

export const statuses = ["none", "draft", "submitted", "approved", "returned", "accepted"] as const;

const valueOut = z.union([z.number(), z.boolean(), z.string(), z.null()]);
export const valueIn = z.object({
  element: z.string(),
  disaggregation: z.string().default(""),
  value: z.union([z.number(), z.boolean(), z.string(), z.null()]),
});

export const issueOut = z.object({
  element: z.string(),
  disaggregation: z.string().optional(),
  message: z.string(),
});

export const eventOut = z.object({
  action: z.string(),
  actionLabel: z.string(),
  fromStatus: z.string().nullable(),
  toStatus: z.string(),
  comment: z.string().nullable(),
  actorName: z.string(),
  at: z.string(),
});

export const entryOut = z.object({
  form: z.object({ code: z.string(), name: z.string() }),
  period: z.object({ code: z.string(), label: z.string(), dueDate: z.string(), locked: z.boolean() }),
  orgUnit: z.object({ code: z.string(), name: z.string(), countyCode: z.string(), kind: z.string() }),
  status: z.enum(statuses),
  statusLabel: z.string(),
  comment: z.string().nullable(),
  values: z.array(z.object({ element: z.string(), disaggregation: z.string(), value: valueOut })),
  issues: z.array(issueOut).describe("rule and required-value problems of the values as they stand"),
  events: z.array(eventOut),
  can: z.object({
    save: z.boolean(),
    submit: z.boolean(),
    approve: z.boolean(),
    return: z.boolean(),
    accept: z.boolean(),
    reopen: z.boolean(),
  }),
  updatedAt: z.string().nullable(),
});
export type EntryOut = z.infer<typeof entryOut>;

export const saveBody = z.object({
  values: z.array(valueIn).max(2000),
  submit: z.boolean().default(false).describe("save, then submit in the same step"),
});
export const commentBody = z.object({ comment: z.string().trim().max(1000).nullish() });

export const historyOut = z.array(
  z.object({
    element: z.string(),
    elementName: z.string(),
    disaggregation: z.string(),
    oldValue: z.string().nullable(),
    newValue: z.string().nullable(),
    changedAt: z.string(),
    changedBy: z.string(),
    via: z.string(),
  }),
);

/** The reporters list's filters (the xlsx export takes the same, without paging). */
export const submissionFilterQuery = z.object({
  countyCode: z.string().max(6).optional(),
  status: z.enum(statuses).optional(),
  q: z.string().trim().max(50).optional().describe("name or code contains"),
});
export type SubmissionFilterQuery = z.infer<typeof submissionFilterQuery>;
export const submissionListQuery = pageQuery.extend(submissionFilterQuery.shape);
export type SubmissionListQuery = z.infer<typeof submissionListQuery>;

export const submissionRow = z.object({
  orgCode: z.string(),
  orgName: z.string(),
  countyCode: z.string(),
  countyName: z.string(),
  schoolType: z.string().nullable(),
  status: z.enum(statuses),
  statusLabel: z.string(),
  comment: z.string().nullable(),
  submittedAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
});
export type SubmissionRow = z.infer<typeof submissionRow>;
export const submissionPage = pageOf(submissionRow);

const statusCounts = z.object({
  expected: z.number(),
  none: z.number(),
  draft: z.number(),
  submitted: z.number(),
  approved: z.number(),
  returned: z.number(),
  accepted: z.number(),
  reported: z.number().describe("submitted + approved + accepted"),
  rate: z.number().nullable().describe("reported ÷ expected (上报率), null when none expected"),
});
export const completenessOut = z.object({
  form: z.object({ code: z.string(), name: z.string() }),
  period: z.object({ code: z.string(), label: z.string(), dueDate: z.string() }),
  total: statusCounts,
  counties: z.array(statusCounts.extend({ countyCode: z.string(), countyName: z.string() })),
});

export const importQuery = z.object({
  dryRun: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true")
    .describe("true: check only; false: check, then commit all rows or none"),
  submit: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true")
    .describe("mark the imported schools' returns as submitted (上报) on their behalf"),
});

export const importResult = z.object({
  dryRun: z.boolean(),
  committed: z.boolean(),
  rows: z.number(),
  changedValues: z.number(),
  submissions: z.number(),
  errors: z.array(z.object({ row: z.number(), field: z.string(), message: z.string() })),
  errorCount: z.number(),
});
export type ImportResult = z.infer<typeof importResult>;
