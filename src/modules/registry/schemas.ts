import { z } from "zod";
import { pageOf, pageQuery } from "../../shared/paging.js";
import { ownershipLabels, urbanRuralLabels } from "./codes.js";
import {
  boolQuery,
  dateField,
  enumField,
  missingOrText,
  searchText,
  textField,
  updatedAt,
} from "./schema-fields.js";

/** Request and response shapes of /api/org-units: one schema per endpoint, also the OpenAPI document. */

export const orgKinds = ["city", "county", "school", "department"] as const;
export const orgKindLabels = {
  city: "市",
  county: "县（市、区）",
  school: "学校",
  department: "科室",
} as const;
const ownerships = ["public", "private"] as const;
const urbanRurals = ["urban", "town", "rural"] as const;

export const orgUnitFilterQuery = z.object({
  kind: enumField(orgKinds, "机构类别", orgKindLabels).optional(),
  parentCode: z.string().max(20).optional().describe("上级机构代码"),
  countyCode: z.string().max(6).optional().describe("县（市、区）行政区划代码"),
  schoolType: z.string().max(3).optional().describe("办学类型代码 (JY/T 1001)"),
  ownership: enumField(ownerships, "举办者", ownershipLabels).optional(),
  inclusive: boolQuery("普惠性").optional(),
  urbanRural: enumField(urbanRurals, "城乡分类", urbanRuralLabels).optional(),
  boarding: boolQuery("寄宿制").optional(),
  status: enumField(["current", "ended", "all"] as const, "状态")
    .default("current")
    .describe("current: 现存; ended: 已撤并或关闭; all. Ignored with asOf"),
  q: searchText.describe("名称包含，或代码前缀"),
  asOf: dateField("查询日期").optional().describe("the units and attributes valid on that date"),
});
export type OrgUnitFilterQuery = z.infer<typeof orgUnitFilterQuery>;
export const orgUnitListQuery = pageQuery.extend(orgUnitFilterQuery.shape);

export const orgUnitOut = z.object({
  code: z.string(),
  kind: z.enum(orgKinds),
  kindLabel: z.string(),
  name: z.string(),
  shortName: z.string().nullable(),
  parentCode: z.string().nullable(),
  countyCode: z.string().nullable(),
  countyName: z.string().nullable(),
  schoolType: z.string().nullable(),
  schoolTypeLabel: z.string().nullable(),
  ownership: z.enum(ownerships).nullable(),
  ownershipLabel: z.string().nullable(),
  inclusive: z.boolean().nullable(),
  urbanRural: z.enum(urbanRurals).nullable(),
  urbanRuralLabel: z.string().nullable(),
  boarding: z.boolean().nullable(),
  address: z.string().nullable(),
  lng: z.number().nullable(),
  lat: z.number().nullable(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
  endReason: z.enum(["merged", "closed"]).nullable(),
  successorCode: z.string().nullable(),
  current: z.boolean().describe("valid today"),
  updatedAt,
});
export type OrgUnitOut = z.infer<typeof orgUnitOut>;
export const orgUnitPage = pageOf(orgUnitOut);

export const codeParams = z.object({ code: z.string().min(1).max(20) });

export const orgUnitProfile = orgUnitOut.extend({
  successor: z.object({ code: z.string(), name: z.string() }).nullable(),
  counts: z.object({
    students: z.number().describe("在读（含休学）学生"),
    staff: z.number().describe("在职教职工"),
    classGroups: z.number().describe("本学年班级"),
    children: z.number().describe("下级现存机构"),
  }),
});

export const orgUnitVersionOut = z.object({
  validFrom: z.string(),
  validTo: z.string().nullable(),
  name: z.string(),
  parentCode: z.string().nullable(),
  schoolType: z.string().nullable(),
  schoolTypeLabel: z.string().nullable(),
  ownership: z.string().nullable(),
  inclusive: z.boolean().nullable(),
  urbanRural: z.string().nullable(),
  boarding: z.boolean().nullable(),
  endReason: z.string().nullable(),
  successorCode: z.string().nullable(),
  note: z.string().nullable(),
  recordedAt: updatedAt,
});

export const orgUnitHistory = z.object({
  unit: orgUnitOut,
  versions: z.array(orgUnitVersionOut).describe("oldest first"),
  end: z
    .object({
      date: z.string(),
      reason: z.enum(["merged", "closed"]),
      successor: z.object({ code: z.string(), name: z.string() }).nullable(),
    })
    .nullable(),
  predecessors: z
    .array(z.object({ code: z.string(), name: z.string(), date: z.string() }))
    .describe("units merged into this one (撤并并入)"),
});

export const treeQuery = z.object({
  asOf: dateField("查询日期").optional(),
  rootCode: z.string().max(20).optional().describe("start the tree at this unit"),
});

export interface TreeNode {
  code: string;
  name: string;
  kind: (typeof orgKinds)[number];
  schoolType: string | null;
  children?: TreeNode[];
}
export const treeNode: z.ZodType<TreeNode> = z
  .object({
    code: z.string(),
    name: z.string(),
    kind: z.enum(orgKinds),
    schoolType: z.string().nullable(),
    get children() {
      return z.array(treeNode).optional();
    },
  })
  .meta({ id: "OrgTreeNode" }); // a recursive schema needs an id to be an OpenAPI component
export const treeResponse = z.object({ asOf: z.string(), roots: z.array(treeNode) });

const orgCode = z
  .string({ error: missingOrText("机构代码") })
  .trim()
  .toUpperCase()
  .min(2, { error: "机构代码至少2位" })
  .max(20, { error: "机构代码不能超过20位" });

export const orgUnitCreateBody = z.object({
  code: orgCode.describe("学校：10位学校标识码；科室：字母、数字和短横线"),
  kind: enumField(["school", "department"] as const, "机构类别", { school: "学校", department: "科室" }),
  parentCode: z.string({ error: "请填写上级机构代码" }).trim().min(1, { error: "请填写上级机构代码" }),
  name: textField("机构名称", 100),
  shortName: textField("简称", 50).optional(),
  countyCode: z.string().trim().optional().describe("所在县（市、区），市直学校必填"),
  schoolType: z.string().trim().optional().describe("办学类型代码或名称 (JY/T 1001)"),
  ownership: enumField(ownerships, "举办者", ownershipLabels).optional(),
  inclusive: z.boolean({ error: "普惠性应为 true 或 false" }).optional(),
  urbanRural: enumField(urbanRurals, "城乡分类", urbanRuralLabels).optional(),
  boarding: z.boolean({ error: "寄宿制应为 true 或 false" }).optional(),
  address: textField("地址", 200).optional(),
  lng: z.number({ error: "经度应为数字" }).optional(),
  lat: z.number({ error: "纬度应为数字" }).optional(),
  validFrom: dateField("成立日期").optional().describe("default: today"),
});
export type OrgUnitCreateBody = z.infer<typeof orgUnitCreateBody>;

export const orgUnitPatchBody = z.object({
  effectiveFrom: dateField("生效日期").optional().describe("default: today; the new version starts here"),
  note: textField("变更说明", 200).optional(),
  name: textField("机构名称", 100).optional(),
  shortName: textField("简称", 50).nullable().optional(),
  schoolType: z.string().trim().optional(),
  ownership: enumField(ownerships, "举办者", ownershipLabels).optional(),
  inclusive: z.boolean({ error: "普惠性应为 true 或 false" }).nullable().optional(),
  urbanRural: enumField(urbanRurals, "城乡分类", urbanRuralLabels).optional(),
  boarding: z.boolean({ error: "寄宿制应为 true 或 false" }).optional(),
  address: textField("地址", 200).nullable().optional(),
  lng: z.number({ error: "经度应为数字" }).nullable().optional(),
  lat: z.number({ error: "纬度应为数字" }).nullable().optional(),
});
export type OrgUnitPatchBody = z.infer<typeof orgUnitPatchBody>;

export const mergeBody = z.object({
  successorCode: z.string({ error: "请填写并入学校代码" }).trim().min(1, { error: "请填写并入学校代码" }),
  date: dateField("撤并日期"),
  note: textField("说明", 200).optional(),
});
export const closeBody = z.object({ date: dateField("关闭日期"), note: textField("说明", 200).optional() });

export const mergeResult = z.object({
  unit: orgUnitOut,
  moved: z.object({ students: z.number(), staff: z.number(), classGroups: z.number() }),
});
