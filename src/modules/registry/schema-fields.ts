import { z } from "zod";
import { isCalendarDate } from "./calendar.js";

/**
 * Zod building blocks shared by the registry and people schemas. Messages are Chinese and name the
 * field, because they reach the person who typed the value.
 */

/** A calendar date YYYY-MM-DD. */
export const dateField = (label: string) =>
  z
    .string({ error: `${label}应为日期，格式YYYY-MM-DD` })
    .refine(isCalendarDate, { error: `${label}应为有效日期，格式YYYY-MM-DD（例如2024-09-01）` });

/** A query-string boolean: true/false/1/0. */
export const boolQuery = (label: string) =>
  z
    .enum(["true", "false", "1", "0"], { error: `${label}应为 true 或 false` })
    .transform((v) => v === "true" || v === "1");

export const enumField = <const T extends readonly [string, ...string[]]>(
  values: T,
  label: string,
  labels?: Record<T[number], string>,
) =>
  z.enum(values, {
    error: `${label}应为以下之一：${values.map((v) => (labels ? `${v}（${labels[v as T[number]]}）` : v)).join("、")}`,
  });

/** "请填写X" when the field is missing, "X应为文本" when it has the wrong type. */
export const missingOrText = (label: string) => (issue: { input?: unknown }) =>
  issue.input === undefined || issue.input === null ? `请填写${label}` : `${label}应为文本`;

export const textField = (label: string, max: number) =>
  z
    .string({ error: missingOrText(label) })
    .trim()
    .min(1, { error: `请填写${label}` })
    .max(max, { error: `${label}不能超过${max}个字` });

/** Free search text of a list: name contains / code prefix (at most 50 characters). */
export const searchText = z
  .string()
  .trim()
  .max(50, { error: "搜索内容不能超过50个字" })
  .transform((v) => (v ? v : undefined))
  .optional();

export const updatedAt = z.string().describe("ISO 8601 timestamp");
