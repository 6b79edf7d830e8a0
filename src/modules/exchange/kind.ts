import type { DataTopic } from "../../shared/data-events.js";
import type { Permission } from "../access/permissions.js";
import type { AuditEntity } from "../audit/labels.js";
import { clean } from "./values.js";

/**
 * What every import kind declares: its columns (the template, the 填写说明 sheet and header matching
 * all come from them), the staging table its validated rows go to, and a row validator built from
 * lookups loaded once per file. Validators are plain closures with precompiled checks: they run
 * 550,000 times per file, so no schema library per row.
 */

export const importKinds = ["schools", "students", "staff", "class-groups", "vision-screenings"] as const;
export type ImportKind = (typeof importKinds)[number];

export interface ColumnSpec {
  key: string;
  header: string;
  /** Other headers people use for the same column (全国学籍号, 身份证号码 …). */
  aliases?: string[];
  required: boolean;
  /** 填写要求 in the instructions sheet. */
  note: string;
  /** 可选值, listed in the instructions sheet and offered as a drop-down in the template. */
  allowed?: readonly string[];
  sample: string;
  /** Identifier column: text-formatted in the template so Excel keeps every digit. */
  text?: boolean;
  width?: number;
}

/** A staging-table column: name and SQL type. */
export type StageColumn = readonly [name: string, type: string];

export interface SchoolRef {
  id: number;
  code: string;
  name: string;
  path: string;
  countyCode: string;
  schoolType: string | null;
  /** False once merged or closed (valid_to on or before today). */
  current: boolean;
}

export interface OrgRef {
  id: number;
  code: string;
  name: string;
  kind: string;
  path: string;
  countyCode: string | null;
  current: boolean;
}

export interface ClassRef {
  id: number;
  grade: number;
}

/** Loaded once per file, inside the actor's scope. */
export interface ImportLookups {
  today: string;
  schoolYear: number;
  /** Schools in scope by 学校标识码. */
  schools: Map<string, SchoolRef>;
  /** Cities and counties in scope, by code and by name (parents of imported schools). */
  parents: Map<string, OrgRef>;
  /** Every county, by code and by name (所在区县 of a 市直 school). */
  counties: Map<string, OrgRef>;
  /** Current class groups in scope by `${schoolId}|${schoolYear}|${name}`. */
  classGroups: Map<string, ClassRef>;
}

/** The row being validated: cleaned cell values by column key. */
export interface RowView {
  n: number;
  /** The cleaned value ('' when blank or when the file has no such column). */
  get(key: string): string;
  /** The reader's CellType of the cell. */
  type(key: string): number;
}

export type ErrorFn = (key: string, value: string, reason: string) => void;
/** Returns the staging row (without row_no), or null when the row has errors. */
export type RowValidator = (r: RowView, err: ErrorFn) => (string | null)[] | null;

export interface ImportKindDef {
  kind: ImportKind;
  /** 学生, 教职工 … */
  label: string;
  permission: Permission;
  /** Told after a commit (dataEvents), when the kind's data feeds indicators of its own topic. */
  topic?: DataTopic;
  /** The audit entity written for each row (a code with a label in audit/labels.ts). */
  entity: AuditEntity;
  columns: ColumnSpec[];
  /** Headers of our own exports that carry derived values (学校名称, 学段): read past, not imported. */
  ignored?: string[];
  stage: readonly StageColumn[];
  /** Lookups this kind needs (the service loads only those). */
  needs: { schools?: boolean; parents?: boolean; classGroups?: boolean };
  validator(lookups: ImportLookups): RowValidator;
}

/** Header text as compared: NFKC, no spaces, without required markers (*, （必填）). */
export function headerKey(h: string): string {
  return clean(h)
    .replace(/\s+/g, "")
    .replace(/^[*＊]+|[*＊]+$/g, "")
    .replace(/[(（](必填|选填|可选|非必填)[)）]$/, "");
}

/** Columns people add that carry nothing to import: row counters and our own error column. */
export const IGNORED_HEADERS = new Set(["序号", "编号", "行号", "错误原因", "备注"]);

/** The COPY text of a text[] value. */
export function pgArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, "\\$&")}"`).join(",")}}`;
}

/** 'true' / 'false' / null for COPY. */
export const pgBool = (v: boolean | null | undefined) => (v == null ? null : v ? "true" : "false");
