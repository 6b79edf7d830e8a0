/**
 * Remembers list totals for a few seconds. Counting is the expensive half of a list request: a
 * county has ~90,000 students and even a count capped at COUNT_CAP walks 10,001 index entries
 * (~2 ms of database CPU), while the page itself reads 20 rows. A county admin paging or searching
 * repeatedly asks for the same totals, so they are kept for `ttlMs`; any write through this
 * process clears them at once (the people services, and every "people" data change notice: imports
 * and other modules' writes), and writes by other processes (CLI imports) show within `ttlMs`.
 * A first page shorter than the page size needs no count at all (paged-sql.ts). The rows of a page
 * are never cached, only "共 N 条".
 */
export class CountCache {
  private readonly entries = new Map<string, { total: number; at: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 5000,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): number | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (this.now() - e.at > this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e.total;
  }

  set(key: string, total: number) {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= this.maxEntries) {
      // Maps iterate in insertion order: drop the oldest entry.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { total, at: this.now() });
  }

  /** After a write: every remembered total may be wrong now. */
  clear() {
    this.entries.clear();
  }
}
