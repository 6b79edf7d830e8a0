import { z } from "zod";

/** One county's headline figures, counted inside the caller's scope. */
export const countyFigures = z.object({
  code: z.string().describe("GB/T 2260 行政区划代码"),
  name: z.string(),
  path: z.string(),
  access: z
    .enum(["full", "partial"])
    .describe("full: the whole county is in scope; partial: only some of its schools are"),
  schools: z.number().int().describe("当前在办学校数（含幼儿园、教学点）"),
  kindergartens: z.number().int().describe("其中幼儿园数"),
  students: z.number().int().describe("在读学生数"),
  staff: z.number().int().describe("在职教职工数"),
  teachers: z.number().int().describe("在职教职工中岗位含“教师”的人数"),
  studentsPerTeacher: z.number().nullable().describe("生师比：在读学生数 ÷ 教师数（无教师时为空）"),
});
export type CountyFigures = z.infer<typeof countyFigures>;

export const countiesResponse = z.object({
  asOf: z.string().describe("统计日期 YYYY-MM-DD"),
  counties: z.array(countyFigures),
  total: countyFigures.omit({ code: true, name: true, path: true, access: true }),
});
export type CountiesResponse = z.infer<typeof countiesResponse>;

export const countyCodeParams = z.object({
  code: z.string().regex(/^\d{6}$/, "县（市、区）代码应为6位数字"),
});

/** A county's breakdown for its overview page, inside the caller's scope. */
export const countyBreakdown = z.object({
  code: z.string(),
  name: z.string(),
  access: z.enum(["full", "partial"]),
  schoolsByType: z.array(
    z.object({
      schoolType: z.string().nullable().describe("JY/T 1001 办学类型代码"),
      label: z.string(),
      public: z.number().int(),
      private: z.number().int(),
      total: z.number().int(),
    }),
  ),
  studentsByStage: z.array(z.object({ stage: z.string(), label: z.string(), students: z.number().int() })),
});
export type CountyBreakdown = z.infer<typeof countyBreakdown>;
