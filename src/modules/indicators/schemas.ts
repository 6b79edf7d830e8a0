import { z } from "zod";

/** Request and response shapes of the indicators API; the same zod schemas give the OpenAPI document. */

const code = z
  .string()
  .trim()
  .regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, "代码只能含字母、数字、下划线、点和连字符，且以字母开头");
const periodCode = z.string().trim().min(4).max(16).describe("统计期代码，如 2022、2022-2023、2022Q1");

export const expressionIssue = z.object({
  side: z.enum(["numerator", "denominator"]),
  message: z.string(),
  start: z.number().int().describe("出错位置（字符下标，从 0 起）"),
  end: z.number().int().describe("结束位置（不含）"),
});

// ---- definitions -------------------------------------------------------------------------------

export const groupOut = z.object({
  code: z.string(),
  name: z.string(),
  ordinal: z.number().int(),
  description: z.string().nullable(),
  source: z.string().nullable().describe("出处，如 工作要点的章节"),
  updatedAt: z.string(),
});
export type GroupOut = z.infer<typeof groupOut>;

export const groupCreateBody = z.object({
  code,
  name: z.string().trim().min(1).max(100),
  ordinal: z.number().int().min(0).max(999).default(0),
  description: z.string().max(2000).nullish(),
  source: z.string().max(500).nullish(),
});
export const groupPatchBody = groupCreateBody.omit({ code: true }).partial();

export const indicatorOut = z.object({
  code: z.string(),
  name: z.string(),
  groupCode: z.string().nullable(),
  description: z.string().nullable(),
  numerator: z.string().describe("分子表达式"),
  denominator: z.string().nullable().describe("分母表达式；为空时指标为计数"),
  factor: z.number().describe("倍数：百分比为 100"),
  unit: z.string().describe("单位，如 %、所、人、个"),
  decimals: z.number().int(),
  better: z.enum(["higher", "lower"]).describe("越大越好 / 越小越好（排名方向）"),
  periodType: z.enum(["year", "school_year", "term", "quarter", "month"]),
  cityOnly: z
    .boolean()
    .describe("仅市级统计：只对全市整体有意义（如市级教研员），县级驾驶舱、学校指标页和下钻中的各县不显示"),
  numeratorLabel: z.string().nullable(),
  denominatorLabel: z.string().nullable(),
  source: z.string().nullable().describe("口径和依据"),
  ordinal: z.number().int(),
  active: z.boolean(),
  version: z.number().int(),
  updatedAt: z.string(),
});
export type IndicatorOut = z.infer<typeof indicatorOut>;

export const indicatorCreateBody = z.object({
  code,
  name: z.string().trim().min(1).max(100),
  groupCode: z.string().nullish(),
  description: z.string().max(4000).nullish(),
  numerator: z.string().min(1).max(2000),
  denominator: z.string().max(2000).nullish(),
  factor: z.number().positive().max(1e9).default(1),
  unit: z.string().max(20).default(""),
  decimals: z.number().int().min(0).max(6).default(1),
  better: z.enum(["higher", "lower"]).default("higher"),
  periodType: z.enum(["year", "school_year", "term", "quarter", "month"]).default("year"),
  cityOnly: z.boolean().default(false),
  numeratorLabel: z.string().max(200).nullish(),
  denominatorLabel: z.string().max(200).nullish(),
  source: z.string().max(1000).nullish(),
  ordinal: z.number().int().min(0).max(9999).default(0),
});
export type IndicatorCreate = z.infer<typeof indicatorCreateBody>;
export const indicatorPatchBody = indicatorCreateBody.omit({ code: true }).partial().extend({
  active: z.boolean().optional(),
});
export type IndicatorPatch = z.infer<typeof indicatorPatchBody>;

export const checkBody = z.object({
  numerator: z.string().max(2000),
  denominator: z.string().max(2000).nullish(),
});
export const checkResult = z.object({
  ok: z.boolean(),
  issues: z.array(expressionIssue),
  sources: z
    .array(z.string())
    .describe(
      "用到的数据来源：registry 组织机构、people 学生教职工、forms 报表、health 视力筛查、safety 平安校园检查",
    ),
});

export const targetRule = z.object({
  kind: z.enum(["absolute", "relative"]).describe("absolute：目标值；relative：较上期变化（如 −1 个百分点）"),
  direction: z.enum([">=", "<="]),
  value: z.number(),
});

export const targetOut = targetRule.extend({
  id: z.number().int(),
  indicatorCode: z.string(),
  orgUnitCode: z.string(),
  orgUnitName: z.string(),
  periodCode: z.string(),
  label: z.string().describe("如 ≥ 55%、较上期 −1 个百分点（≤）"),
  note: z.string().nullable(),
  source: z.string().nullable(),
  updatedAt: z.string(),
});
export type TargetOut = z.infer<typeof targetOut>;

export const targetPutBody = targetRule.extend({
  indicatorCode: z.string(),
  orgUnitCode: z.string(),
  periodCode,
  note: z.string().max(1000).nullish(),
  source: z.string().max(500).nullish(),
});
export type TargetPut = z.infer<typeof targetPutBody>;

export const targetQuery = z.object({
  indicator: z.string().optional(),
  period: z.string().optional(),
  orgUnit: z.string().optional(),
});

export const definitionsResponse = z.object({
  groups: z.array(groupOut),
  indicators: z.array(indicatorOut),
});

export const indicatorDetail = indicatorOut.extend({ targets: z.array(targetOut) });

// ---- results -----------------------------------------------------------------------------------

export const status = z.enum(["met", "unmet", "noData", "noTarget"]);

export const trendPoint = z.object({
  period: z.string(),
  value: z.number().nullable(),
  status,
});

/** One indicator's figure at one org unit for one period. */
export const cell = z.object({
  orgUnitCode: z.string(),
  value: z.number().nullable().describe("指标值（已按 decimals 四舍五入）；无数据为空"),
  numerator: z.number().nullable().describe("分子；未上报（notReported）或无数据时为空"),
  denominator: z.number().nullable().describe("分母；计数指标、未上报（notReported）或无数据时为空"),
  reported: z.number().int().describe("上报了所用数据（报表、筛查）的机构数"),
  notReported: z
    .boolean()
    .describe(
      "未上报：指标取自上报数据（报表、视力筛查、平安校园检查），本机构及下级均未上报；指标值、分子、分母为空",
    ),
  target: z.string().nullable().describe("目标，如 ≥ 55%"),
  threshold: z.number().nullable().describe("需达到的值（相对目标已换算）"),
  status,
  statusLabel: z.string().describe("达标 / 未达标 / 无数据 / 未设目标"),
  gap: z.number().nullable().describe("未达标时距目标的差距（≥0，单位同指标；百分比为百分点）；达标为 0"),
  previous: z.number().nullable().describe("上期值"),
  change: z.number().nullable().describe("较上期变化（百分比指标为百分点）"),
  rank: z.number().int().nullable().describe("在各县（市、区）中的名次（1 最好）；市级为空"),
  trend: z.array(trendPoint).describe("近几期的值，最早的在前，含本期"),
});
export type Cell = z.infer<typeof cell>;

export const indicatorBrief = indicatorOut.pick({
  code: true,
  name: true,
  groupCode: true,
  unit: true,
  decimals: true,
  better: true,
  cityOnly: true,
  description: true,
  source: true,
  numeratorLabel: true,
  denominatorLabel: true,
});

export const orgUnitBrief = z.object({
  code: z.string(),
  name: z.string(),
  kind: z.string(),
  path: z.string(),
  countyCode: z.string().nullable(),
  schoolType: z.string().nullable().describe("JY/T 1001 办学类型代码"),
});

export const periodOut = z.object({ code: z.string(), label: z.string() });

export const cockpitQuery = z.object({
  period: periodCode.default("2022"),
  trend: z.coerce.number().int().min(1).max(6).default(3).describe("趋势期数（含本期）"),
});

export const cockpitResponse = z.object({
  period: periodOut,
  previousPeriod: periodOut,
  periods: z.array(z.string()).describe("趋势的统计期，最早的在前"),
  asOf: z.string().describe("数据截至（计算时间，ISO 8601）"),
  city: orgUnitBrief,
  counties: z
    .array(orgUnitBrief.extend({ access: z.enum(["full", "partial"]) }))
    .describe("可见的县（市、区），列的顺序"),
  groups: z.array(groupOut.pick({ code: true, name: true, ordinal: true, description: true, source: true })),
  indicators: z.array(
    indicatorBrief.extend({
      city: cell,
      counties: z.array(cell).describe("与 counties 同序"),
      rankedCounties: z.number().int().describe("参与排名的县数"),
    }),
  ),
});
export type CockpitResponse = z.infer<typeof cockpitResponse>;

export const resultsQuery = z.object({
  indicator: z.string(),
  period: periodCode,
  orgUnit: z.string().optional().describe("机构代码；默认为本人数据范围的最高一级"),
  children: z
    .enum(["direct", "schools"])
    .default("direct")
    .describe("direct：下一级机构；schools：范围内的全部学校"),
  trend: z.coerce.number().int().min(1).max(6).default(1),
});

export const resultsResponse = z.object({
  indicator: indicatorBrief,
  period: periodOut,
  asOf: z.string(),
  orgUnit: orgUnitBrief,
  node: cell,
  parents: z.array(orgUnitBrief.extend({ cell })).describe("上级机构（县、市）的值，供对照"),
  children: z.array(orgUnitBrief.extend({ cell })),
});
export type ResultsResponse = z.infer<typeof resultsResponse>;

export const pageParams = z.object({ code: z.string() });
export const pageQuery = z.object({
  period: periodCode.default("2022"),
  trend: z.coerce.number().int().min(1).max(6).default(3),
});

export const unitPageResponse = z.object({
  orgUnit: orgUnitBrief,
  period: periodOut,
  asOf: z.string(),
  parents: z.array(orgUnitBrief).describe("上级：县、市（由近及远）"),
  groups: z.array(groupOut.pick({ code: true, name: true, ordinal: true })),
  indicators: z.array(
    indicatorBrief.extend({
      applies: z.boolean().describe("该指标对本机构有意义（分母或分子非零，或有上报）"),
      self: cell,
      parents: z.array(cell).describe("与 parents 同序"),
    }),
  ),
});
export type UnitPageResponse = z.infer<typeof unitPageResponse>;

// ---- packages ----------------------------------------------------------------------------------

export const packageTarget = targetRule.partial({ kind: true }).extend({
  orgUnit: z.string().describe('机构代码；或 "city"（包的城市）、"counties"（该市所有县）'),
  period: periodCode.optional().describe("默认为包的统计期"),
  note: z.string().nullish(),
  source: z.string().nullish(),
});

export const packageBody = z.object({
  format: z.literal("edu-indicator-package/1"),
  code: z.string(),
  name: z.string(),
  city: z.string().describe("城市的机构代码，如 141100"),
  period: periodCode,
  source: z.string().nullish(),
  groups: z.array(groupCreateBody),
  indicators: z.array(indicatorCreateBody.extend({ targets: z.array(packageTarget).default([]) })),
});
export type PackageBody = z.infer<typeof packageBody>;

const counts = z.object({
  inserted: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
});
export const packageResult = z.object({
  code: z.string(),
  groups: counts,
  indicators: counts,
  targets: counts,
});
export type PackageResult = z.infer<typeof packageResult>;
