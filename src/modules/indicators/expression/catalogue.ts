import { schoolTypes, staffPosts, stageLabels } from "../../registry/codes.js";

/**
 * The names an indicator expression may use: the aggregates (what is counted or summed at each org
 * unit) and, inside an aggregate's condition, the attributes of what it counts. Chinese aliases let
 * city staff write 举办者 = "民办" as well as ownership = "private". Data, not logic: the checker and
 * the evaluator both read it.
 */
export type ValueType = "number" | "string" | "boolean" | "list" | "null";

/** Where an aggregate's figures come from; decides what invalidates a cached result. */
export type Source = "registry" | "people" | "forms" | "health" | "safety";

export interface AttributeDef {
  name: string;
  aliases: string[];
  label: string;
  type: ValueType;
  /** Allowed string values (for list attributes: allowed items), with Chinese aliases. */
  values?: Record<string, string[]>;
}

export interface AggregateDef {
  name: string;
  aliases: string[];
  label: string;
  source: Source;
  /** Attributes usable in the condition, besides the org unit's own. */
  attributes: AttributeDef[];
}

const stageValues = Object.fromEntries(
  Object.entries(stageLabels).map(([k, v]) => [k, [v, ...(k === "preschool" ? ["学前教育", "幼儿园"] : [])]]),
);

/** Attributes of the org unit (学校, 县, 科室), usable in every aggregate's condition. */
export const unitAttributes: AttributeDef[] = [
  {
    name: "type",
    aliases: ["办学类型"],
    label: "办学类型代码（JY/T 1001，如 111 幼儿园、211 小学）",
    type: "string",
    values: Object.fromEntries(schoolTypes.map((t) => [t.code, [t.label]])),
  },
  {
    name: "ownership",
    aliases: ["举办者"],
    label: "举办者：public 公办 / private 民办",
    type: "string",
    values: { public: ["公办"], private: ["民办"] },
  },
  { name: "inclusive", aliases: ["普惠", "普惠性"], label: "普惠性民办幼儿园", type: "boolean" },
  {
    name: "urbanRural",
    aliases: ["城乡", "城乡分类"],
    label: "城乡分类：urban 城区 / town 镇区 / rural 乡村",
    type: "string",
    values: { urban: ["城区"], town: ["镇区"], rural: ["乡村"] },
  },
  { name: "boarding", aliases: ["寄宿制"], label: "寄宿制学校", type: "boolean" },
  {
    name: "kind",
    aliases: ["机构类别"],
    label: "机构类别：city 市 / county 县 / school 学校 / department 科室",
    type: "string",
    values: { city: ["市"], county: ["县"], school: ["学校"], department: ["科室"] },
  },
  {
    name: "level",
    aliases: ["层级"],
    label: "所属层级：city 市直 / county 县属（县及其下属机构）",
    type: "string",
    values: { city: ["市直", "市级"], county: ["县属", "县级"] },
  },
  {
    name: "stages",
    aliases: ["学校学段"],
    label:
      "学校开设的学段（列表）：preschool 学前 / primary 小学 / junior 初中 / senior 高中 / vocational 中职 / special 特教",
    type: "list",
    values: stageValues,
  },
  {
    name: "compulsory",
    aliases: ["义务教育学校"],
    label: "义务教育学校（开设小学或初中学段）",
    type: "boolean",
  },
  { name: "county", aliases: ["县代码"], label: "所在县（市、区）代码", type: "string" },
];

const studentAttributes: AttributeDef[] = [
  {
    name: "stage",
    aliases: ["学段"],
    label:
      "学生学段：preschool 学前 / primary 小学 / junior 初中 / senior 高中 / vocational 中职 / special 特教",
    type: "string",
    values: stageValues,
  },
  {
    name: "grade",
    aliases: ["年级"],
    label: "年级（学前 -2…0，小学 1–6，初中 7–9，高中 10–12）",
    type: "number",
  },
  {
    name: "gender",
    aliases: ["性别"],
    label: "性别：M 男 / F 女",
    type: "string",
    values: { M: ["男"], F: ["女"] },
  },
];

const staffAttributes: AttributeDef[] = [
  {
    name: "posts",
    aliases: ["岗位"],
    label: '岗位（列表，如 教研员、法治副校长）；posts = "教研员" 表示岗位之一为教研员',
    type: "list",
    values: Object.fromEntries(staffPosts.map((p) => [p, []])),
  },
  {
    name: "keyLevel",
    aliases: ["骨干级别"],
    label: "骨干教师级别：county 县级 / city 市级 / province 省级",
    type: "string",
    values: { county: ["县级"], city: ["市级"], province: ["省级"] },
  },
  { name: "title", aliases: ["职称"], label: "职称（如 高级教师）", type: "string" },
  { name: "education", aliases: ["学历"], label: "学历（如 本科）", type: "string" },
];

export const aggregates: AggregateDef[] = [
  {
    name: "students",
    aliases: ["学生数", "在校生"],
    label: "在读学生数（学籍状态为在读）",
    source: "people",
    attributes: studentAttributes,
  },
  {
    name: "staff",
    aliases: ["教职工数"],
    label: "在职教职工数",
    source: "people",
    attributes: staffAttributes,
  },
  {
    name: "schools",
    aliases: ["学校数"],
    label: "统计期末在办的学校（含幼儿园、教学点）数",
    source: "registry",
    attributes: [],
  },
  { name: "counties", aliases: ["县数"], label: "县（市、区）数", source: "registry", attributes: [] },
  {
    name: "mergers",
    aliases: ["撤并数"],
    label: "统计期内撤并的学校数（失效日期在统计期内、终止原因为撤并）",
    source: "registry",
    attributes: [],
  },
  {
    name: "opened",
    aliases: ["新设学校数"],
    label: "统计期内新设的学校数（生效日期在统计期内）",
    source: "registry",
    attributes: [],
  },
  {
    name: "screened",
    aliases: ["筛查人数"],
    label: "视力筛查学生数",
    source: "health",
    attributes: [],
  },
  {
    name: "myopic",
    aliases: ["近视人数"],
    label: "筛查性近视学生数（WS/T 663-2020）",
    source: "health",
    attributes: [],
  },
  {
    name: "safeCampusInspected",
    aliases: ["平安校园受检学校数"],
    label: "统计期内接受过平安校园检查（县级检查或市级抽查，学校自查不计）的在办学校数",
    source: "safety",
    attributes: [],
  },
  {
    name: "safeCampusPassed",
    aliases: ["平安校园达标学校数"],
    label: "统计期内最近一次平安校园检查（县级检查或市级抽查）全部必查项合格的在办学校数",
    source: "safety",
    attributes: [],
  },
];

export interface FunctionDef {
  name: string;
  aliases: string[];
  label: string;
}

/** Plain functions, usable anywhere. */
export const functions: FunctionDef[] = [
  {
    name: "value",
    aliases: ["数据项"],
    label: 'value("数据项代码"[, "分组"])：本机构上报的数据项值（未上报为空）',
  },
  { name: "if", aliases: ["如果"], label: "if(条件, 是, 否)" },
  { name: "min", aliases: [], label: "min(a, b)" },
  { name: "max", aliases: [], label: "max(a, b)" },
  { name: "coalesce", aliases: ["空值替换"], label: "coalesce(a, b)：a 为空时取 b" },
];

const byName = <T extends { name: string; aliases: string[] }>(list: T[]) => {
  const m = new Map<string, T>();
  for (const d of list) for (const n of [d.name, ...d.aliases]) m.set(n, d);
  return m;
};
export const aggregateByName = byName(aggregates);
export const functionByName = byName(functions);
export const unitAttributeByName = byName(unitAttributes);
export const attributeByName = (agg: AggregateDef) => byName([...unitAttributes, ...agg.attributes]);
