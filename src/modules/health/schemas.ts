import { z } from "zod";
import { pageOf, pageQuery } from "../../shared/paging.js";

const periodCode = z
  .string()
  .regex(
    /^\d{4}(-\d{4}(-[12])?|Q[1-4]|-(0[1-9]|1[0-2]))?$/,
    "统计期格式应为 2022、2022-2023、2022-2023-1、2022Q1 或 2022-03",
  )
  .describe("统计期代码：2022（年）、2022-2023（学年）、2022-2023-1（学期）、2022Q1、2022-03");

export const myopiaRuleSchema = z.object({
  code: z.string().describe("规则代码，如 WS/T 663-2020"),
  citation: z.string(),
  minAgeYears: z.number().describe("最小年龄（周岁，含）"),
  acuityBelow: z.number().describe("裸眼远视力低于此值（五分记录）"),
  seAtMost: z.number().describe("等效球镜不大于此值（D）"),
  text: z.string().describe("规则说明，显示在近视率旁"),
});

const figure = z.object({
  screened: z
    .number()
    .int()
    .describe("筛查人数（分母）：6 周岁及以上的筛查学生，每人按统计期内最近一次筛查计"),
  myopic: z.number().int().describe("筛查性近视人数（分子）"),
  rate: z.number().nullable().describe("近视率 %（一位小数）；无筛查时为空"),
});

const area = figure.extend({
  code: z.string(),
  name: z.string(),
  kind: z.string(),
  previous: figure.describe("上一统计期"),
  changePp: z.number().nullable().describe("较上一统计期变化（百分点）"),
});

export const myopiaQuery = z.object({
  period: periodCode,
  org: z.string().max(20).optional().describe("机构代码（默认：本人数据范围）"),
});

export const myopiaSummary = z.object({
  period: z.object({ code: z.string(), label: z.string(), previous: z.string() }),
  rule: myopiaRuleSchema,
  area,
  children: z.array(area).describe("下级（县或学校）"),
  byGrade: z.array(figure.extend({ grade: z.number().int() })),
});

export const screeningListQuery = pageQuery.extend({
  period: periodCode,
  org: z.string().max(20).optional(),
  studentNumber: z.string().max(30).optional(),
  myopic: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional()
    .describe("true：只列筛查性近视；false：只列非近视"),
});

export const screening = z.object({
  id: z.number().int(),
  studentNumber: z.string(),
  studentName: z.string(),
  schoolCode: z.string(),
  schoolName: z.string(),
  screenedOn: z.string(),
  ageYears: z.number().int().describe("筛查日周岁"),
  grade: z.number().int(),
  vaLeft: z.number().describe("左眼裸眼远视力（五分记录）"),
  vaRight: z.number().describe("右眼裸眼远视力"),
  seLeft: z.number().describe("左眼等效球镜 D"),
  seRight: z.number().describe("右眼等效球镜 D"),
  institution: z.string().nullable(),
  myopic: z.boolean().describe("按 WS/T 663-2020 判定为筛查性近视"),
  classified: z
    .boolean()
    .describe("规则适用（筛查日满 6 周岁）；false：未满 6 周岁，不判定，不计入近视率的分母"),
});

export const screeningPage = pageOf(screening);
