import { checkIdentity, gradeIssue, PERSON_NUMBER_PATTERN } from "../people/rules.js";
import { schoolTypeByCode, schoolTypes, stageOfGrade } from "../registry/codes.js";
import { gradesOfSchoolType } from "../registry/rules.js";
import { KeyIndex } from "./key-index.js";
import type { ErrorFn, ImportLookups, RowView, SchoolRef } from "./kind.js";
import {
  CellType,
  DATE_HINT,
  isDamagedNumber,
  NUMBER_DAMAGE_HINT,
  parseDate,
  parseGender,
} from "./values.js";

/**
 * Field checks shared by the import kinds. Each reports through `err` with a reason in Chinese and
 * returns the value, or undefined when the cell is wrong (the caller then drops the row).
 */

export const REQUIRED = "必填项为空";

/**
 * A validator's error reporter that remembers whether the current row had a problem. Made once
 * per file (a closure per row is garbage 550,000 times over); `start` begins each row.
 */
export function rowErrors() {
  let target: ErrorFn = () => {};
  const state = {
    failed: false,
    fail: ((key, value, reason) => {
      state.failed = true;
      target(key, value, reason);
    }) as ErrorFn,
    start(err: ErrorFn): ErrorFn {
      target = err;
      state.failed = false;
      return state.fail;
    },
  };
  return state;
}

/** Free text, optionally required, at most `max` characters. */
export function text(
  r: RowView,
  fail: ErrorFn,
  key: string,
  opts: { required?: boolean; max?: number } = {},
) {
  const v = r.get(key);
  if (v === "") {
    if (opts.required) fail(key, "", REQUIRED);
    return v;
  }
  const max = opts.max ?? 100;
  if (v.length > max) {
    fail(key, v, `内容过长（最多${max}个字）`);
    return undefined;
  }
  return v;
}

/** 学籍号 or 工号: upper-cased; damaged numbers and bad characters explained. */
export function personNumber(r: RowView, fail: ErrorFn, key: string, label: string): string | undefined {
  const v = r.get(key).toUpperCase();
  if (v === "") {
    fail(key, "", REQUIRED);
    return undefined;
  }
  if (isDamagedNumber(v, r.type(key))) {
    fail(key, v, `${label}${NUMBER_DAMAGE_HINT}`);
    return undefined;
  }
  if (!PERSON_NUMBER_PATTERN.test(v)) {
    fail(key, v, `${label}应为1-30位大写字母或数字（如 G 加18位身份证号）`);
    return undefined;
  }
  return v;
}

/** An optional date; '' → null. */
export function date(
  r: RowView,
  fail: ErrorFn,
  key: string,
  opts: { required?: boolean; notAfter?: string } = {},
) {
  const v = r.get(key);
  if (v === "") {
    if (opts.required) fail(key, "", REQUIRED);
    return opts.required ? undefined : null;
  }
  const d = parseDate(v, r.type(key));
  if (!d) {
    fail(key, v, `日期无效，${DATE_HINT}`);
    return undefined;
  }
  if (opts.notAfter && d > opts.notAfter) {
    fail(key, v, "日期不能晚于今天");
    return undefined;
  }
  return d;
}

/** A value from a label map (公办 → public); the code itself is accepted too. '' → null. */
export function choice<K extends string>(
  r: RowView,
  fail: ErrorFn,
  key: string,
  labels: Record<K, string>,
  opts: { required?: boolean } = {},
): K | null | undefined {
  const v = r.get(key);
  if (v === "") {
    if (opts.required) fail(key, "", REQUIRED);
    return opts.required ? undefined : null;
  }
  if (v in labels) return v as K;
  for (const k in labels) if (labels[k] === v) return k;
  fail(key, v, `无效的值（可选：${Object.values<string>(labels).join("、")}）`);
  return undefined;
}

export interface IdentityValues {
  residentId: string | null;
  gender: "M" | "F";
  birthDate: string | null;
}

/**
 * 身份证号, 性别 and 出生日期 together (GB 11643): the ID is checked, and gender and birth date
 * must agree with it or, without an ID, be filled in. Rules shared with the people module.
 */
export function identity(
  r: RowView,
  fail: ErrorFn,
  today: string,
  birthDateRequired: boolean,
): IdentityValues | undefined {
  const rawId = r.get("residentId");
  if (rawId !== "" && isDamagedNumber(rawId, r.type("residentId"))) {
    fail("residentId", rawId, `身份证号${NUMBER_DAMAGE_HINT}`);
    return undefined;
  }
  const g = r.get("gender");
  const gender = g === "" ? null : parseGender(g);
  if (gender === undefined) fail("gender", g, "性别应填写“男”或“女”");
  const b = r.get("birthDate");
  const birthDate = b === "" ? null : parseDate(b, r.type("birthDate"));
  if (birthDate === null && b !== "") fail("birthDate", b, `出生日期无效，${DATE_HINT}`);
  if (gender === undefined || (birthDate === null && b !== "")) return undefined;
  const { identity: id, issues } = checkIdentity({ residentId: rawId || null, gender, birthDate }, today, {
    birthDate: birthDateRequired,
  });
  if (issues.length) {
    for (const i of issues) fail(i.field, r.get(i.field), i.message);
    return undefined;
  }
  return { residentId: id.residentId, gender: id.gender as "M" | "F", birthDate: id.birthDate };
}

export const SCHOOL_NOT_FOUND = "学校标识码不存在或不在您的管理范围内";

/** The school of a row: in the actor's scope and still open. */
export function school(
  r: RowView,
  fail: ErrorFn,
  l: ImportLookups,
  key = "schoolCode",
): SchoolRef | undefined {
  const code = r.get(key);
  if (code === "") {
    fail(key, "", REQUIRED);
    return undefined;
  }
  if (isDamagedNumber(code, r.type(key))) {
    fail(key, code, `学校标识码${NUMBER_DAMAGE_HINT}`);
    return undefined;
  }
  const s = l.schools.get(code);
  if (!s) {
    fail(key, code, SCHOOL_NOT_FOUND);
    return undefined;
  }
  if (!s.current) {
    fail(key, code, `${s.name}已撤并或关闭，不能导入`);
    return undefined;
  }
  return s;
}

const gradesByType = new Map(schoolTypes.map((t) => [t.code, new Set(gradesOfSchoolType(t))]));

/**
 * Why a grade does not fit the school's type (people module's rule and message), or null. The
 * common case — it fits — is a set lookup, not a rebuild of the type's grade list per row.
 */
export function gradeMisfit(grade: number, schoolType: string | null): string | null {
  if (schoolType && gradesByType.get(schoolType)?.has(grade)) return null;
  return gradeIssue(grade, schoolType)?.message ?? null;
}

/** The stage (学段) of a grade at a school of this type. */
export function stageAt(grade: number, s: SchoolRef): string {
  return stageOfGrade(grade, s.schoolType ? schoolTypeByCode.get(s.schoolType) : undefined);
}

/**
 * Remembers natural keys seen in the file: a second occurrence is an error naming both rows (the
 * second row is the one reported, so deleting it fixes the file).
 */
export function duplicateFinder(label: string) {
  const seen = new KeyIndex();
  return (r: RowView, fail: ErrorFn, key: string, value: string, shown = value): boolean => {
    const first = seen.add(value, r.n);
    if (first >= 0) {
      fail(key, shown, `${label}在文件中重复：第${first}行和第${r.n}行`);
      return false;
    }
    return true;
  };
}

/** Reports a formula without a saved result or an error value (#N/A, #REF!) in the cell. */
export function cellTypeProblem(type: number, value: string): string | null {
  if (type === CellType.FormulaNoValue)
    return "单元格是公式但没有保存计算结果。请在 Excel 中重新计算并保存，或把公式转为数值（复制 → 选择性粘贴 → 数值）";
  if (type === CellType.ErrorValue) return `单元格是错误值 ${value}，请修正公式或改为数值`;
  return null;
}
