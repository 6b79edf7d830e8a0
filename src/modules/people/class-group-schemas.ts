import { z } from "zod";
import { pageOf, pageQuery } from "../../shared/paging.js";
import { stageLabels } from "../registry/codes.js";
import { enumField, searchText, textField, updatedAt } from "../registry/schema-fields.js";
import { gradeField, numberField, stages } from "./student-schemas.js";

/** Request and response shapes of /api/class-groups (班级). */

export const schoolYearField = z.coerce
  .number({ error: "学年应为年份，如 2024（表示2024-2025学年）" })
  .int({ error: "学年应为年份，如 2024" })
  .min(2000, { error: "学年应在 2000 到 2100 之间" })
  .max(2100, { error: "学年应在 2000 到 2100 之间" });

export const classGroupFilterQuery = z.object({
  schoolCode: z.string().max(20).optional(),
  countyCode: z.string().max(6).optional(),
  schoolYear: schoolYearField.optional(),
  stage: enumField(stages, "学段", stageLabels).optional(),
  grade: gradeField.optional(),
  q: searchText.describe("班级名称包含"),
});
export type ClassGroupFilter = z.infer<typeof classGroupFilterQuery>;
export const classGroupListQuery = pageQuery.extend(classGroupFilterQuery.shape);

export const classGroupOut = z.object({
  id: z.number(),
  schoolCode: z.string(),
  schoolName: z.string(),
  countyCode: z.string(),
  schoolYear: z.number().describe("the year the school year starts: 2024 = 2024-2025学年"),
  stage: z.string(),
  stageLabel: z.string(),
  grade: z.number(),
  gradeLabel: z.string(),
  name: z.string(),
  homeroomStaffNumber: z.string().nullable(),
  homeroomName: z.string().nullable(),
  studentCount: z.number(),
  createdAt: updatedAt,
  updatedAt,
});
export type ClassGroupOut = z.infer<typeof classGroupOut>;
export const classGroupPage = pageOf(classGroupOut);

export const classGroupParams = z.object({
  id: z.coerce.number({ error: "班级编号应为整数" }).int().positive({ error: "班级编号应为正整数" }),
});

export const classGroupCreateBody = z.object({
  schoolCode: z.string({ error: "请填写学校标识码" }).trim().min(1, { error: "请填写学校标识码" }),
  schoolYear: schoolYearField,
  grade: gradeField,
  name: textField("班级名称", 30),
  homeroomStaffNumber: numberField("班主任工号").optional(),
});
export type ClassGroupCreateBody = z.infer<typeof classGroupCreateBody>;

export const classGroupPatchBody = z.object({
  name: textField("班级名称", 30).optional(),
  grade: gradeField.optional(),
  homeroomStaffNumber: numberField("班主任工号").nullable().optional(),
});
export type ClassGroupPatchBody = z.infer<typeof classGroupPatchBody>;
