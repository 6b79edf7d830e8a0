import { z } from "zod";
import { classGroupOut } from "../people/class-group-schemas.js";
import { staffOut } from "../people/staff-schemas.js";
import { studentOut } from "../people/student-schemas.js";
import { enumField } from "../registry/schema-fields.js";
import { orgUnitOut } from "../registry/schemas.js";

export const feedEntities = ["org_unit", "student", "staff", "class_group"] as const;
export type FeedEntity = (typeof feedEntities)[number];

export const changesQuery = z.object({
  entity: enumField(feedEntities, "数据类别", {
    org_unit: "组织机构",
    student: "学生",
    staff: "教职工",
    class_group: "班级",
  }),
  updatedSince: z.iso
    .datetime({ offset: true, error: "updatedSince 应为 ISO 8601 时间，如 2024-09-01T00:00:00+08:00" })
    .optional()
    .describe("rows updated at or after this time (ignored when cursor is given)"),
  cursor: z.string().max(200).optional().describe("nextCursor of the previous page"),
  limit: z.coerce
    .number({ error: "每页条数应为 1 到 1000 的整数" })
    .int()
    .min(1, { error: "每页条数应为 1 到 1000 的整数" })
    .max(1000, { error: "每页条数应为 1 到 1000 的整数" })
    .default(100),
});
export type ChangesQuery = z.infer<typeof changesQuery>;

const changeData = z.union([orgUnitOut, studentOut, staffOut, classGroupOut]);
export type ChangeData = z.infer<typeof changeData>;

export const changeItem = z.object({
  entity: z.enum(feedEntities),
  key: z.string().describe("natural key: org unit code, 学籍号, staff number, class group id"),
  updatedAt: z.string().describe("ISO 8601 UTC with microseconds"),
  deleted: z.boolean().describe("soft-deleted; data is the last state"),
  mergedInto: z.string().nullable().describe("org units: the successor's code after a merger (撤并)"),
  data: changeData,
});

export const changesResponse = z.object({
  items: z.array(changeItem),
  nextCursor: z
    .string()
    .nullable()
    .describe("pass as cursor to continue; poll with it later for new changes"),
  hasMore: z.boolean(),
});
