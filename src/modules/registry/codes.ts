/**
 * Code lists of the registry. School types follow 教育管理信息 教育管理基础代码 (JY/T 1001),
 * 学校办学类型代码 (XXBXLXM); region codes GB/T 2260. These are data the whole platform shares:
 * the import, the API, the demo city and the screens all read them from here.
 */

export type Stage = "preschool" | "primary" | "junior" | "senior" | "vocational" | "special";

export const stageLabels: Record<Stage, string> = {
  preschool: "学前",
  primary: "小学",
  junior: "初中",
  senior: "高中",
  vocational: "中职",
  special: "特教",
};

export interface SchoolType {
  code: string;
  label: string;
  /** The stages the school teaches (一贯制 schools teach several). */
  stages: Stage[];
}

/** JY/T 1001 学校办学类型代码 (the subset a municipal bureau registers). */
export const schoolTypes: SchoolType[] = [
  { code: "111", label: "幼儿园", stages: ["preschool"] },
  { code: "211", label: "小学", stages: ["primary"] },
  { code: "218", label: "小学教学点", stages: ["primary"] },
  { code: "311", label: "初级中学", stages: ["junior"] },
  { code: "312", label: "九年一贯制学校", stages: ["primary", "junior"] },
  { code: "341", label: "完全中学", stages: ["junior", "senior"] },
  { code: "342", label: "高级中学", stages: ["senior"] },
  { code: "345", label: "十二年一贯制学校", stages: ["primary", "junior", "senior"] },
  { code: "361", label: "中等技术学校", stages: ["vocational"] },
  { code: "364", label: "职业高中学校", stages: ["vocational"] },
  { code: "365", label: "技工学校", stages: ["vocational"] },
  { code: "511", label: "盲人学校", stages: ["special"] },
  { code: "512", label: "聋人学校", stages: ["special"] },
  { code: "513", label: "培智学校", stages: ["special"] },
  { code: "514", label: "其他特殊教育学校", stages: ["special"] },
];

export const schoolTypeByCode = new Map(schoolTypes.map((t) => [t.code, t]));
const schoolTypeByLabel = new Map(schoolTypes.map((t) => [t.label, t]));
// Common names people type for the same codes.
schoolTypeByLabel.set("中等职业学校", schoolTypeByCode.get("361")!);
schoolTypeByLabel.set("教学点", schoolTypeByCode.get("218")!);
schoolTypeByLabel.set("特殊教育学校", schoolTypeByCode.get("514")!);
schoolTypeByLabel.set("高中", schoolTypeByCode.get("342")!);
schoolTypeByLabel.set("初中", schoolTypeByCode.get("311")!);

/** A school type from its code ("211") or its Chinese name ("小学"). */
export function findSchoolType(value: string): SchoolType | undefined {
  const v = value.trim();
  return schoolTypeByCode.get(v) ?? schoolTypeByLabel.get(v);
}

/**
 * Grades are numbered through the whole system: 学前 -2..0 (小班, 中班, 大班), 小学 1–6, 初中 7–9,
 * 高中 10–12. Vocational and special schools use 10–12 and 1–9 respectively.
 */
export const gradeLabels: Record<number, string> = {
  [-2]: "小班",
  [-1]: "中班",
  0: "大班",
  1: "一年级",
  2: "二年级",
  3: "三年级",
  4: "四年级",
  5: "五年级",
  6: "六年级",
  7: "七年级",
  8: "八年级",
  9: "九年级",
  10: "高一",
  11: "高二",
  12: "高三",
};
const gradeByLabel = new Map(Object.entries(gradeLabels).map(([g, l]) => [l, Number(g)]));
for (const [alias, g] of [
  ["初一", 7],
  ["初二", 8],
  ["初三", 9],
  ["高中一年级", 10],
  ["高中二年级", 11],
  ["高中三年级", 12],
] as const)
  gradeByLabel.set(alias, g);

export function parseGrade(value: string): number | undefined {
  const v = value.trim();
  if (/^-?\d{1,2}$/.test(v)) {
    const n = Number(v);
    return n >= -2 && n <= 12 ? n : undefined;
  }
  return gradeByLabel.get(v);
}

export function stageOfGrade(grade: number, schoolType?: SchoolType): Stage {
  if (schoolType?.stages.includes("special")) return "special";
  if (schoolType?.stages.includes("vocational")) return "vocational";
  if (grade <= 0) return "preschool";
  if (grade <= 6) return "primary";
  if (grade <= 9) return "junior";
  return "senior";
}

export const ownershipLabels = { public: "公办", private: "民办" } as const;
export const urbanRuralLabels = { urban: "城区", town: "镇区", rural: "乡村" } as const;
export const genderLabels = { M: "男", F: "女" } as const;
export const enrolmentStatusLabels = {
  enrolled: "在读",
  transferred: "转学",
  suspended: "休学",
  graduated: "毕业",
} as const;
export const keyLevelLabels = { county: "县级", city: "市级", province: "省级" } as const;
export const staffStatusLabels = { active: "在职", left: "调离", retired: "退休" } as const;

/** Posts (岗位) a staff member can hold, several at once. */
export const staffPosts = [
  "教师",
  "校长",
  "副校长",
  "书记",
  "法治副校长",
  "教研员",
  "班主任",
  "行政人员",
  "工勤人员",
  "保育员",
  // 工作要点第6项: teachers of the city's 名师 programme, registered once they finish it (the 2022
  // plan's indicator famous_teacher_leaders counts this post).
  "名师成长带头人",
];
export const subjects = [
  "语文",
  "数学",
  "英语",
  "道德与法治",
  "思想政治",
  "历史",
  "地理",
  "物理",
  "化学",
  "生物",
  "科学",
  "信息技术",
  "体育",
  "音乐",
  "美术",
  "劳动",
  "心理健康",
  "通用技术",
  "学前教育",
  "专业课",
];
/** 学历 (GB/T 4658 levels, by name). */
export const educationLevels = ["研究生", "本科", "专科", "高中", "初中及以下"];
/** 职称 of primary and secondary teachers (人社部发〔2015〕79号: 正高级 … 三级). */
export const teacherTitles = ["正高级教师", "高级教师", "一级教师", "二级教师", "三级教师", "未定级"];

/** Reverse lookup of a small label map: "公办" → "public"; the code itself is accepted too. */
export function fromLabel<K extends string>(labels: Record<K, string>, value: string): K | undefined {
  const v = value.trim();
  if (v in labels) return v as K;
  return (Object.keys(labels) as K[]).find((k) => labels[k] === v);
}

/** The 13 county-level units of Lüliang (GB/T 2260), with the demo's population weights. */
export const luliangCounties = [
  { code: "141102", name: "离石区" },
  { code: "141121", name: "文水县" },
  { code: "141122", name: "交城县" },
  { code: "141123", name: "兴县" },
  { code: "141124", name: "临县" },
  { code: "141125", name: "柳林县" },
  { code: "141126", name: "石楼县" },
  { code: "141127", name: "岚县" },
  { code: "141128", name: "方山县" },
  { code: "141129", name: "中阳县" },
  { code: "141130", name: "交口县" },
  { code: "141181", name: "孝义市" },
  { code: "141182", name: "汾阳市" },
];
