import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";

export interface OrgName {
  code: string;
  name: string;
}

/**
 * Code and name of every org unit by id, kept in memory: a city has ~1,500 units and they change
 * rarely, while every page of students or staff shows 20 school names. Reading them here instead of
 * joining org_unit in each list query takes 20 index lookups out of the hottest query of the API.
 * Registry writes in this process clear it at once; changes by other processes show within `ttlMs`,
 * and an id not yet known (a unit created elsewhere) triggers a reload.
 */
export class OrgDirectory {
  private byId = new Map<number, OrgName>();
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async names(ids: Iterable<number>): Promise<Map<number, OrgName>> {
    const wanted = [...new Set(ids)];
    if (this.now() - this.loadedAt > this.ttlMs || wanted.some((id) => !this.byId.has(id)))
      await this.reload();
    return this.byId;
  }

  clear() {
    this.loadedAt = Number.NEGATIVE_INFINITY;
  }

  private reload() {
    // One reload at a time: concurrent requests wait for the same query.
    this.loading ??= this.db
      .selectFrom("org_unit")
      .select(["id", "code", "name"])
      .execute()
      .then((rows) => {
        this.byId = new Map(rows.map((r) => [r.id, { code: r.code, name: r.name }]));
        this.loadedAt = this.now();
      })
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }
}
