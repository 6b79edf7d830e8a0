import { z } from "zod";
import { pageOf, pageQuery } from "../../shared/paging.js";
import { enrolmentStatusLabels, genderLabels, stageLabels } from "../registry/codes.js";
import {
  dateField,
  enumField,
  missingOrText,
  searchText,
  textField,
  updatedAt,
} from "../registry/schema-fields.js";

/** Request and response shapes of /api/students. */

export const genders = ["M", "F"] as const;
export const stages = ["preschool", "primary", "junior", "senior", "vocational", "special"] as const;
export const enrolmentStatuses = ["enrolled", "transferred", "suspended", "graduated"] as const;

export const gradeField = z.coerce
  .number({ error: "年级应为 -2 到 12 的整数（-2 小班 … 1 一年级 … 12 高三）" })
  .int({ error: "年级应为整数" })
  .min(-2, { error: "年级应为 -2 到 12 的整数（-2 小班 … 12 高三）" })
  .max(12, { error: "年级应为 -2 到 12 的整数（-2 小班 … 12 高三）" });

export const numberField = (label: string) =>
  z
    .string({ error: missingOrText(label) })
    .trim()
    .toUpperCase()
    .min(1, { error: `请填写${label}` })
    .max(30, { error: `${label}不能超过30位` });

export const residentIdField = z
  .string({ error: "身份证号应为文本（18位）" })
  .trim()
  .max(40, { error: "身份证号应为18位" })
  .describe("GB 11643, 18 characters; returned masked (141102********1234) without people.pii");

export const studentFilterQuery = z.object({
  schoolCode: z.string().max(20).optional().describe("学校标识码"),
  countyCode: z.string().max(6).optional().describe("县（市、区）代码"),
  stage: enumField(stages, "学段", stageLabels).optional(),
  grade: gradeField.optional(),
  classGroupId: z.coerce.number({ error: "班级编号应为整数" }).int().positive().optional(),
  status: enumField(enrolmentStatuses, "学籍状态", enrolmentStatusLabels).optional(),
  gender: enumField(genders, "性别", genderLabels).optional(),
  q: searchText.describe("姓名前缀，或学籍号、身份证号（完整）"),
});
export type StudentFilter = z.infer<typeof studentFilterQuery>;
export const studentListQuery = pageQuery.extend(studentFilterQuery.shape);

export const studentOut = z.object({
  studentNumber: z.string(),
  name: z.string(),
  gender: z.enum(genders),
  genderLabel: z.string(),
  residentId: z.string().nullable(),
  residentIdMasked: z.boolean().describe("true when residentId is masked (no people.pii)"),
  birthDate: z.string(),
  schoolCode: z.string(),
  schoolName: z.string(),
  countyCode: z.string(),
  stage: z.string(),
  stageLabel: z.string(),
  grade: z.number(),
  gradeLabel: z.string(),
  classGroupId: z.number().nullable(),
  classGroupName: z.string().nullable(),
  status: z.enum(enrolmentStatuses),
  statusLabel: z.string(),
  enrolledOn: z.string().nullable(),
  createdAt: updatedAt,
  updatedAt,
});
export type StudentOut = z.infer<typeof studentOut>;
export const studentPage = pageOf(studentOut);

export const studentNumberParams = z.object({ studentNumber: z.string().min(1).max(30) });

export const studentCreateBody = z.object({
  studentNumber: numberField("学籍号"),
  name: textField("姓名", 50),
  gender: enumField(genders, "性别", genderLabels)
    .optional()
    .describe("taken from the ID number when left out"),
  residentId: residentIdField.optional(),
  birthDate: dateField("出生日期").optional().describe("taken from the ID number when left out"),
  schoolCode: z.string({ error: "请填写学校标识码" }).trim().min(1, { error: "请填写学校标识码" }),
  grade: gradeField,
  classGroupId: z.number({ error: "班级编号应为整数" }).int().positive().optional(),
  status: enumField(["enrolled", "suspended"] as const, "学籍状态", {
    enrolled: "在读",
    suspended: "休学",
  }).optional(),
  enrolledOn: dateField("入学日期").optional(),
});
export type StudentCreateBody = z.infer<typeof studentCreateBody>;

export const studentPatchBody = z.object({
  name: textField("姓名", 50).optional(),
  gender: enumField(genders, "性别", genderLabels).optional(),
  residentId: residentIdField.nullable().optional(),
  birthDate: dateField("出生日期").optional(),
  grade: gradeField.optional(),
  classGroupId: z.number({ error: "班级编号应为整数" }).int().positive().nullable().optional(),
  enrolledOn: dateField("入学日期").nullable().optional(),
});
export type StudentPatchBody = z.infer<typeof studentPatchBody>;

export const studentStatusBody = z.object({
  status: enumField(enrolmentStatuses, "学籍状态", enrolmentStatusLabels),
  effectiveOn: dateField("生效日期"),
  note: textField("说明", 200).optional(),
  toSchoolCode: z.string().trim().min(1).optional().describe("转学: the receiving school (in scope)"),
});
export type StudentStatusBody = z.infer<typeof studentStatusBody>;

export const studentHistoryOut = z.object({
  items: z.array(
    z.object({
      status: z.enum(enrolmentStatuses),
      statusLabel: z.string(),
      schoolCode: z.string(),
      schoolName: z.string(),
      effectiveOn: z.string(),
      note: z.string().nullable(),
      recordedAt: updatedAt,
      recordedBy: z.string().nullable(),
    }),
  ),
});
