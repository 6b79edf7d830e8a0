import type { FieldIssue } from "../../shared/errors.js";
import { parseResidentId, residentIdMessages } from "../../shared/resident-id.js";
import { gradeLabels, schoolTypeByCode } from "../registry/codes.js";
import { gradesOfSchoolType } from "../registry/rules.js";

/** Pure rules for people records: identity, natural keys, grades. No I/O. */

/** 学籍号 and staff numbers: the national 学籍号 is "G" + the 18-character ID; others are shorter. */
export const PERSON_NUMBER_PATTERN = /^[A-Z0-9]{1,30}$/;

export interface IdentityInput {
  residentId?: string | null;
  birthDate?: string | null;
  gender?: "M" | "F" | null;
}

export interface Identity {
  residentId: string | null;
  birthDate: string | null;
  gender: "M" | "F" | null;
}

/**
 * Checks a person's ID number (GB 11643: check digit, birth date) and that the birth date and gender
 * typed beside it agree with it; fills in whichever of the two was left out.
 */
export function checkIdentity(
  input: IdentityInput,
  today: string,
  required: { birthDate: boolean },
): { identity: Identity; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  let { birthDate = null, gender = null } = input;
  let residentId: string | null = null;
  if (input.residentId) {
    const parsed = parseResidentId(input.residentId);
    if (!parsed.ok) issues.push({ field: "residentId", message: residentIdMessages[parsed.problem] });
    else {
      residentId = parsed.value;
      if (birthDate && birthDate !== parsed.info.birthDate)
        issues.push({
          field: "birthDate",
          message: `出生日期与身份证号不一致（身份证号中为${parsed.info.birthDate}）`,
        });
      if (gender && gender !== parsed.info.gender)
        issues.push({
          field: "gender",
          message: `性别与身份证号不一致（身份证号第17位表示${parsed.info.gender === "M" ? "男" : "女"}）`,
        });
      birthDate ??= parsed.info.birthDate;
      gender ??= parsed.info.gender;
    }
  } else {
    if (!gender) issues.push({ field: "gender", message: "请填写性别（或填写身份证号）" });
    if (!birthDate && required.birthDate)
      issues.push({ field: "birthDate", message: "请填写出生日期（或填写身份证号）" });
  }
  if (birthDate && birthDate > today) issues.push({ field: "birthDate", message: "出生日期不能晚于今天" });
  return { identity: { residentId, birthDate, gender }, issues };
}

export function personNumberIssue(field: string, label: string, value: string): FieldIssue | null {
  return PERSON_NUMBER_PATTERN.test(value)
    ? null
    : { field, message: `${label}应为1-30位大写字母或数字（如 G 加18位身份证号）` };
}

/** A grade the school's type does not teach, explained with the grades it does. */
export function gradeIssue(grade: number, schoolTypeCode: string | null): FieldIssue | null {
  const type = schoolTypeCode ? schoolTypeByCode.get(schoolTypeCode) : undefined;
  if (!type) return { field: "grade", message: "学校没有登记办学类型，无法确定年级" };
  const grades = gradesOfSchoolType(type);
  if (grades.includes(grade)) return null;
  return {
    field: "grade",
    message: `${gradeLabels[grade] ?? grade}不在${type.label}的年级范围内（可选：${grades.map((g) => gradeLabels[g]).join("、")}）`,
  };
}

/** Values outside a code list, named. */
export function listIssue(field: string, label: string, values: string[], allowed: readonly string[]) {
  const unknown = values.filter((v) => !allowed.includes(v));
  return unknown.length
    ? { field, message: `未知的${label}：${unknown.join("、")}（可选：${allowed.join("、")}）` }
    : null;
}
