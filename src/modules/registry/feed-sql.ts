import { type RawBuilder, type SqlBool, sql } from "kysely";

/**
 * Where a change feed reader stands: after the row (ts, id) of its last page, or from a time.
 * `ts` keeps PostgreSQL's microseconds (a JavaScript Date would drop them and repeat or skip rows).
 */
export type FeedPosition = { ts: string; id: number } | { since: string } | null;

/** The rows of `alias` after the position, in (updated_at, id) order (index on both, migration 0001). */
export function feedCondition(alias: string, after: FeedPosition): RawBuilder<SqlBool> {
  const updatedAt = sql.ref(`${alias}.updated_at`);
  if (!after) return sql<SqlBool>`true`;
  if ("since" in after) return sql<SqlBool>`${updatedAt} >= ${after.since}::timestamptz`;
  return sql<SqlBool>`(${updatedAt}, ${sql.ref(`${alias}.id`)}) > (${after.ts}::timestamptz, ${after.id})`;
}

/** updated_at as ISO 8601 UTC with microseconds: the feed's cursor and the item's updatedAt. */
export const feedTimestamp = (alias: string) =>
  sql<string>`to_char(${sql.ref(`${alias}.updated_at`)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** One changed row, presented by the module that owns it. */
export interface FeedRow<T> {
  id: number;
  key: string;
  updatedAt: string;
  deleted: boolean;
  mergedInto: string | null;
  data: T;
}
