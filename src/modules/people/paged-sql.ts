import { type Kysely, type RawBuilder, sql } from "kysely";
import type { DB } from "../../db/types.js";
import { COUNT_CAP } from "../../shared/paging.js";
import type { CountCache } from "./count-cache.js";

/**
 * One page of a list and its capped total.
 * - The total remembered in `cache` under `cacheKey`: only the page is read.
 * - A first page (`window.offset` 0) shorter than `window.limit`: its length is the total, no count.
 *   So the page is read first; when it is full the count follows (and is remembered).
 * - Otherwise, one statement (one round trip, one plan):
 *   select c.total, p.* from (count over `limit COUNT_CAP + 1`) c left join lateral (page) p on true
 *   The left join keeps the total when the page is empty.
 * Every total is remembered: writes of this process clear the cache at once (services call
 * `counts.clear()`, imports through `onCommitted`), other processes' within its TTL.
 */
export async function pageWithTotal<R extends { id: number }>(
  db: Kysely<DB>,
  q: {
    countFrom: RawBuilder<unknown>;
    page: RawBuilder<R>;
    cache: CountCache;
    cacheKey: string;
    window?: { limit: number; offset: number };
  },
): Promise<{ rows: R[]; total: number }> {
  const cached = q.cache.get(q.cacheKey);
  if (cached !== undefined) {
    const r = await q.page.execute(db);
    return { rows: r.rows, total: cached };
  }
  if (q.window?.offset === 0) {
    const page = await q.page.execute(db);
    if (page.rows.length < q.window.limit) return { rows: page.rows, total: page.rows.length };
    const c = await sql<{ n: number }>`select count(*)::int as n from
      (select 1 ${q.countFrom} limit ${COUNT_CAP + 1}) x`.execute(db);
    const total = c.rows[0]?.n ?? 0;
    q.cache.set(q.cacheKey, total);
    return { rows: page.rows, total };
  }
  const r = await sql<R & { __total: number }>`select c.__total, p.* from
    (select count(*)::int as __total from (select 1 ${q.countFrom} limit ${COUNT_CAP + 1}) x) c
    left join lateral (${q.page}) p on true`.execute(db);
  const total = r.rows[0]?.__total ?? 0;
  q.cache.set(q.cacheKey, total);
  const rows: R[] = [];
  for (const { __total, ...row } of r.rows) if (row.id !== null) rows.push(row as unknown as R);
  return { rows, total };
}

/** The half-open byte-order range of strings that start with `prefix` (for a "C"-collated index). */
export function prefixRange(prefix: string): [string, string] {
  const chars = [...prefix];
  const last = chars.pop()!;
  const next = String.fromCodePoint(last.codePointAt(0)! + 1);
  return [prefix, chars.join("") + next];
}
