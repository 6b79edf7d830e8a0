import type { FormInstance } from "antd";
import { ApiError } from "../api/client";

/**
 * Puts the server's field issues (400 details.issues: { field, message } in Chinese) on the form
 * fields they name, and returns the line to show above the form: `fixFields` when every issue sits
 * on a field, otherwise the server's own message.
 */
export function showServerIssues(
  form: FormInstance,
  e: unknown,
  fields: readonly string[],
  fixFields: string,
): string {
  const issues =
    (e instanceof ApiError ? (e.details as { issues?: { field: string; message: string }[] } | null) : null)
      ?.issues ?? [];
  const known = new Set(fields);
  const onFields = issues.filter((i) => typeof i === "object" && known.has(i.field));
  if (onFields.length) form.setFields(onFields.map((i) => ({ name: i.field, errors: [i.message] })));
  return onFields.length === issues.length && onFields.length > 0
    ? fixFields
    : e instanceof Error
      ? e.message
      : String(e);
}

/** YYYY-MM-DD, checked before sending (the server checks again and names real dates). */
export const dateRule = { pattern: /^\d{4}-\d{2}-\d{2}$/, message: "日期格式应为 YYYY-MM-DD" };
