import { z } from "zod";
import { pageOf, pageQuery } from "../../shared/paging.js";
import {
  educationLevels,
  genderLabels,
  keyLevelLabels,
  staffPosts,
  staffStatusLabels,
  subjects,
  teacherTitles,
} from "../registry/codes.js";
import { dateField, enumField, searchText, textField, updatedAt } from "../registry/schema-fields.js";
import { genders, numberField, residentIdField } from "./student-schemas.js";

/** Request and response shapes of /api/staff. Posts, subjects, 学历 and 职称 come from codes.ts. */

export const keyLevels = ["county", "city", "province"] as const;
export const staffStatuses = ["active", "left", "retired"] as const;

export const staffFilterQuery = z.object({
  schoolCode: z.string().max(20).optional().describe("学校标识码"),
  countyCode: z.string().max(6).optional().describe("县（市、区）代码"),
  post: z
    .string()
    .max(20)
    .optional()
    .describe(`岗位: ${staffPosts.join("/")}`),
  subject: z
    .string()
    .max(20)
    .optional()
    .describe(`任教学科: ${subjects.join("/")}`),
  keyLevel: enumField(keyLevels, "骨干级别", keyLevelLabels).optional(),
  status: enumField(staffStatuses, "在职状态", staffStatusLabels).optional(),
  gender: enumField(genders, "性别", genderLabels).optional(),
  q: searchText.describe("姓名前缀，或工号、身份证号（完整）"),
});
export type StaffFilter = z.infer<typeof staffFilterQuery>;
export const staffListQuery = pageQuery.extend(staffFilterQuery.shape);

export const staffOut = z.object({
  staffNumber: z.string(),
  name: z.string(),
  gender: z.enum(genders),
  genderLabel: z.string(),
  residentId: z.string().nullable(),
  residentIdMasked: z.boolean(),
  birthDate: z.string().nullable(),
  schoolCode: z.string(),
  schoolName: z.string(),
  countyCode: z.string(),
  posts: z.array(z.string()),
  subjects: z.array(z.string()),
  education: z.string().nullable(),
  title: z.string().nullable(),
  keyLevel: z.enum(keyLevels).nullable(),
  keyLevelLabel: z.string().nullable(),
  teachingCertificate: z.string().nullable(),
  schoolStartDate: z.string().nullable(),
  status: z.enum(staffStatuses),
  statusLabel: z.string(),
  createdAt: updatedAt,
  updatedAt,
});
export type StaffOut = z.infer<typeof staffOut>;
export const staffPage = pageOf(staffOut);

export const staffNumberParams = z.object({ staffNumber: z.string().min(1).max(30) });

const listField = (label: string) =>
  z.array(z.string({ error: `${label}应为文本` }).trim(), { error: `${label}应为列表` }).max(20);

const staffFields = {
  name: textField("姓名", 50),
  gender: enumField(genders, "性别", genderLabels),
  residentId: residentIdField,
  birthDate: dateField("出生日期"),
  posts: listField("岗位").describe(staffPosts.join("/")),
  subjects: listField("任教学科").describe(subjects.join("/")),
  education: z.string().trim().describe(educationLevels.join("/")),
  title: z.string().trim().describe(teacherTitles.join("/")),
  keyLevel: enumField(keyLevels, "骨干级别", keyLevelLabels),
  teachingCertificate: textField("教师资格证", 64).describe("教师资格证种类或编号"),
  schoolStartDate: dateField("到校时间"),
  status: enumField(staffStatuses, "在职状态", staffStatusLabels),
};

export const staffCreateBody = z.object({
  staffNumber: numberField("工号"),
  schoolCode: z.string({ error: "请填写学校标识码" }).trim().min(1, { error: "请填写学校标识码" }),
  name: staffFields.name,
  gender: staffFields.gender.optional(),
  residentId: staffFields.residentId.optional(),
  birthDate: staffFields.birthDate.optional(),
  posts: staffFields.posts.optional(),
  subjects: staffFields.subjects.optional(),
  education: staffFields.education.optional(),
  title: staffFields.title.optional(),
  keyLevel: staffFields.keyLevel.optional(),
  teachingCertificate: staffFields.teachingCertificate.optional(),
  schoolStartDate: staffFields.schoolStartDate.optional(),
  status: staffFields.status.optional(),
});
export type StaffCreateBody = z.infer<typeof staffCreateBody>;

export const staffPatchBody = z.object({
  schoolCode: z.string().trim().min(1).optional().describe("调动到本范围内的另一所学校"),
  name: staffFields.name.optional(),
  gender: staffFields.gender.optional(),
  residentId: staffFields.residentId.nullable().optional(),
  birthDate: staffFields.birthDate.nullable().optional(),
  posts: staffFields.posts.optional(),
  subjects: staffFields.subjects.optional(),
  education: staffFields.education.nullable().optional(),
  title: staffFields.title.nullable().optional(),
  keyLevel: staffFields.keyLevel.nullable().optional(),
  teachingCertificate: staffFields.teachingCertificate.nullable().optional(),
  schoolStartDate: staffFields.schoolStartDate.nullable().optional(),
  status: staffFields.status.optional(),
});
export type StaffPatchBody = z.infer<typeof staffPatchBody>;
