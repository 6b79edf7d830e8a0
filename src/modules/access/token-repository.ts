import { type Expression, type Kysely, type SqlBool, sql } from "kysely";
import { underPaths } from "../../db/scope.js";
import type { DB } from "../../db/types.js";
import { COUNT_CAP } from "../../shared/paging.js";
import { afterCommit } from "./access-epoch.js";

/**
 * SQL for administering API tokens. A token is visible to an actor when every org unit of the
 * token's scope lies within the actor's scope (the same rule as for users).
 */
export class TokenRepository {
  constructor(private readonly db: Kysely<DB>) {}

  transaction<T>(fn: (repo: TokenRepository, tx: Kysely<DB>) => Promise<T>): Promise<T> {
    return afterCommit(this.db.transaction().execute((tx) => fn(new TokenRepository(tx), tx)));
  }

  private visible(paths: string[]): Expression<SqlBool> {
    return sql<SqlBool>`not exists (
      select 1 from org_unit o
      where o.id = any(api_token.scope_org_ids) and not ${underPaths("o.path", paths)})`;
  }

  private base(paths: string[]) {
    return this.db
      .selectFrom("api_token")
      .leftJoin("app_user", "app_user.id", "api_token.created_by")
      .selectAll("api_token")
      .select("app_user.username as created_by_name")
      .where(this.visible(paths));
  }

  async list(paths: string[], page: { page: number; pageSize: number }) {
    const rows = (
      await this.base(paths)
        .orderBy("api_token.id", "desc")
        .limit(page.pageSize)
        .offset((page.page - 1) * page.pageSize)
        .execute()
    ).map(numericIds);
    const counted = await this.db
      .selectFrom(
        this.db
          .selectFrom("api_token")
          .select("id")
          .where(this.visible(paths))
          .limit(COUNT_CAP + 1)
          .as("m"),
      )
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const n = Number(counted.n);
    return { rows, total: Math.min(n, COUNT_CAP), totalExact: n <= COUNT_CAP };
  }

  async find(ref: { id: number } | { prefix: string }, paths: string[], lock = false) {
    let q = this.base(paths);
    q = "id" in ref ? q.where("api_token.id", "=", ref.id) : q.where("api_token.prefix", "=", ref.prefix);
    if (lock) q = q.forUpdate(["api_token"]);
    const row = await q.executeTakeFirst();
    return row && numericIds(row);
  }

  orgsByIds(ids: number[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom("org_unit")
      .select(["id", "code", "name", "path"])
      .where("id", "in", ids)
      .orderBy("path")
      .execute();
  }

  /** Org units by code, only those inside `paths` (an out-of-scope code looks unknown). */
  orgsByCodes(codes: string[], paths: string[]) {
    if (codes.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom("org_unit")
      .select(["id", "code", "name", "path"])
      .where("code", "in", codes)
      .where(underPaths("path", paths))
      .orderBy("path")
      .execute();
  }

  insert(values: {
    name: string;
    prefix: string;
    token_hash: string;
    permissions: string[];
    scope_org_ids: number[];
    created_by: number | null;
  }) {
    return this.db.insertInto("api_token").values(values).returning("id").executeTakeFirstOrThrow();
  }

  async revoke(id: number, at: Date) {
    await this.db
      .updateTable("api_token")
      .set({ revoked_at: at })
      .where("id", "=", id)
      .where("revoked_at", "is", null)
      .execute();
  }
}

/** node-postgres returns bigint[] as strings (only scalar bigint has a parser in connect.ts). */
function numericIds<T extends { scope_org_ids: (number | string)[] }>(row: T): T {
  return { ...row, scope_org_ids: row.scope_org_ids.map(Number) };
}
