import { type Kysely, type RawBuilder, sql } from "kysely";
import type { DB } from "../../db/types.js";
import { COUNT_CAP } from "../../shared/paging.js";
import type { CountCache } from "./count-cache.js";

/** Totals below this are counted on every request (an index-only count of < 1,000 entries). */
export const REMEMBER_TOTALS_FROM = 1000;

/**
 * One page of a list and its capped total in a single statement (one round trip, one plan):
 *   select c.total, p.* from (count over `limit COUNT_CAP + 1`) c left join lateral (page) p on true
 * The left join keeps the total when the page is empty. When a large total is remembered in
 * `cache` under `cacheKey`, only the page is read.
 */
export async function pageWithTotal<R extends { id: number }>(
  db: Kysely<DB>,
  q: { countFrom: RawBuilder<unknown>; page: RawBuilder<R>; cache: CountCache; cacheKey: string },
): Promise<{ rows: R[]; total: number }> {
  const cached = q.cache.get(q.cacheKey);
  if (cached !== undefined) {
    const r = await q.page.execute(db);
    return { rows: r.rows, total: cached };
  }
  const r = await sql<R & { __total: number }>`select c.__total, p.* from
    (select count(*)::int as __total from (select 1 ${q.countFrom} limit ${COUNT_CAP + 1}) x) c
    left join lateral (${q.page}) p on true`.execute(db);
  const total = r.rows[0]?.__total ?? 0;
  // Small totals are cheap to count and are the ones a person checks right after a change (the
  // student just imported); only large ones are remembered.
  if (total >= REMEMBER_TOTALS_FROM) q.cache.set(q.cacheKey, total);
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
