import type { FieldIssue } from "../../shared/errors.js";
import { type SchoolType, type Stage, schoolTypeByCode, schoolTypes } from "./codes.js";

/**
 * Pure rules of the registry: what makes an org unit's attributes valid. No I/O; the services call
 * these and turn the issues into one VALIDATION_FAILED error.
 */

/** 学校标识码: the national school identifier, 10 digits (教育部 学校(机构)标识码). */
export const SCHOOL_CODE_PATTERN = /^\d{10}$/;
/** Codes of the bureau's own units (科室): letters, digits and hyphens, not mistakable for a school. */
export const DEPARTMENT_CODE_PATTERN = /^[A-Z0-9][A-Z0-9-]{1,19}$/;

/** The grades each stage teaches, in the system-wide numbering of codes.ts (学前 -2..0 … 高中 10..12). */
export const stageGrades: Record<Stage, [number, number]> = {
  preschool: [-2, 0],
  primary: [1, 6],
  junior: [7, 9],
  senior: [10, 12],
  vocational: [10, 12],
  special: [1, 9],
};

/** Grades a school of this type may enrol. */
export function gradesOfSchoolType(type: SchoolType): number[] {
  const out = new Set<number>();
  for (const stage of type.stages) {
    const [lo, hi] = stageGrades[stage];
    for (let g = lo; g <= hi; g++) out.add(g);
  }
  return [...out].sort((a, b) => a - b);
}

export function gradeFitsSchoolType(grade: number, schoolTypeCode: string | null): boolean {
  const type = schoolTypeCode ? schoolTypeByCode.get(schoolTypeCode) : undefined;
  return type ? gradesOfSchoolType(type).includes(grade) : false;
}

export const KINDERGARTEN_TYPE = "111";

export interface SchoolAttributes {
  schoolType: string | null;
  ownership: "public" | "private" | null;
  inclusive: boolean | null;
  urbanRural: "urban" | "town" | "rural" | null;
}

/**
 * A school's attributes, checked together. 普惠性 is a recognition given to private kindergartens
 * (《县域学前教育普及普惠督导评估办法》, 2020: 普惠率 counts 公办园 and 普惠性民办园), so it may only be
 * set on a private kindergarten; public kindergartens count as 普惠 by their ownership.
 */
export function schoolAttributeIssues(a: SchoolAttributes): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (!a.schoolType) issues.push({ field: "schoolType", message: "请填写办学类型" });
  else if (!schoolTypeByCode.has(a.schoolType))
    issues.push({
      field: "schoolType",
      message: `办学类型代码 ${a.schoolType} 不在 JY/T 1001 代码表中（可用：${schoolTypes.map((t) => `${t.code} ${t.label}`).join("、")}）`,
    });
  if (!a.ownership) issues.push({ field: "ownership", message: "请填写举办者（公办或民办）" });
  if (!a.urbanRural) issues.push({ field: "urbanRural", message: "请填写城乡分类（城区、镇区或乡村）" });
  if (a.inclusive === true && !(a.schoolType === KINDERGARTEN_TYPE && a.ownership === "private"))
    issues.push({ field: "inclusive", message: "普惠性只适用于民办幼儿园" });
  return issues;
}

/** Coordinates inside China's extent (a typo such as swapped longitude and latitude fails). */
export function coordinateIssues(
  lng: number | null | undefined,
  lat: number | null | undefined,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if ((lng == null) !== (lat == null))
    issues.push({ field: lng == null ? "lng" : "lat", message: "经度和纬度须同时填写" });
  if (lng != null && (lng < 73 || lng > 136))
    issues.push({ field: "lng", message: "经度应在 73 到 136 之间（中国境内）" });
  if (lat != null && (lat < 3 || lat > 54))
    issues.push({ field: "lat", message: "纬度应在 3 到 54 之间（中国境内）" });
  return issues;
}
