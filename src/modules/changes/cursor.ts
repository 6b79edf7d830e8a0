import { invalid } from "../../shared/errors.js";

/**
 * The feed cursor: the (updated_at, id) of the last row a reader has seen, opaque to clients.
 * updated_at keeps its microseconds, so no row is repeated or skipped at a page boundary.
 */
export function encodeCursor(ts: string, id: number): string {
  return Buffer.from(`${ts}|${id}`, "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): { ts: string; id: number } {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|(\d{1,15})$/.exec(text);
  if (!m) throw invalid([{ field: "cursor", message: "游标无效：请使用上一页返回的 nextCursor" }]);
  return { ts: m[1], id: Number(m[2]) };
}
