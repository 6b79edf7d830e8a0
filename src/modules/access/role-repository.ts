import { type Kysely, type SqlBool, sql } from "kysely";
import type { DB } from "../../db/types.js";
import { afterCommit } from "./access-epoch.js";

/** SQL for roles. Roles are not scoped: they are the city's shared catalogue of permission sets. */
export class RoleRepository {
  constructor(private readonly db: Kysely<DB>) {}

  transaction<T>(fn: (repo: RoleRepository, tx: Kysely<DB>) => Promise<T>): Promise<T> {
    return afterCommit(this.db.transaction().execute((tx) => fn(new RoleRepository(tx), tx)));
  }

  list() {
    return this.db.selectFrom("role").selectAll().orderBy("builtin", "desc").orderBy("code").execute();
  }

  find(code: string, lock = false) {
    let q = this.db.selectFrom("role").selectAll().where("code", "=", code);
    if (lock) q = q.forUpdate();
    return q.executeTakeFirst();
  }

  insert(r: { code: string; name: string; description: string | null; permissions: string[] }) {
    return this.db
      .insertInto("role")
      .values({ ...r, builtin: false })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  update(code: string, set: { name?: string; description?: string | null; permissions?: string[] }) {
    return this.db
      .updateTable("role")
      .set(set)
      .where("code", "=", code)
      .where("builtin", "=", false)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  remove(code: string) {
    return this.db.deleteFrom("role").where("code", "=", code).where("builtin", "=", false).execute();
  }

  /** How many accounts hold each role (roles held by none are absent). */
  async holdersByRole(): Promise<Map<string, number>> {
    const rows = await sql<{ code: string; n: number }>`
      select r as code, count(*)::int as n from app_user, unnest(roles) r group by r`.execute(this.db);
    return new Map(rows.rows.map((r) => [r.code, r.n]));
  }

  /** How many accounts hold the role (shown so an admin knows whom a change affects). */
  async holders(code: string): Promise<number> {
    const r = await this.db
      .selectFrom("app_user")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where(sql<SqlBool>`${code} = any(roles)`)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
