import { type Expression, type Kysely, type SqlBool, sql } from "kysely";
import { underPaths } from "../../db/scope.js";
import type { DB } from "../../db/types.js";
import { COUNT_CAP } from "../../shared/paging.js";
import { afterCommit } from "./access-epoch.js";

export interface UserFilter {
  q?: string;
  role?: string;
  disabled?: boolean;
}

/** The columns an administrator may change. */
export interface UserUpdate {
  display_name?: string;
  roles?: string[];
  disabled?: boolean;
  password_hash?: string;
  must_change_password?: boolean;
  failed_attempts?: number;
  locked_until?: Date | null;
  password_changed_at?: Date;
}

export interface ScopeUnit {
  user_id: number;
  id: number;
  code: string;
  name: string;
  path: string;
}

/** Escapes LIKE wildcards so that a search for "a_b" finds "a_b" only. */
export const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * SQL for administering users. Visibility: a user is visible to an actor when the user's whole
 * scope lies within the actor's scope (a county admin does not see a city-wide account), which is
 * the rule of underPaths applied to every unit of the user's scope.
 */
export class UserRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** Runs `fn` in one transaction with a repository bound to it (and the handle for recordAudit). */
  transaction<T>(fn: (repo: UserRepository, tx: Kysely<DB>) => Promise<T>): Promise<T> {
    return afterCommit(this.db.transaction().execute((tx) => fn(new UserRepository(tx), tx)));
  }

  private visible(paths: string[]): Expression<SqlBool> {
    return sql<SqlBool>`not exists (
      select 1 from user_scope us join org_unit o on o.id = us.org_unit_id
      where us.user_id = app_user.id and not ${underPaths("o.path", paths)})`;
  }

  async list(paths: string[], f: UserFilter, page: { page: number; pageSize: number }) {
    let q = this.db.selectFrom("app_user").where(this.visible(paths));
    if (f.q) {
      const like = `%${likeEscape(f.q)}%`;
      q = q.where((eb) => eb.or([eb("username", "ilike", like), eb("display_name", "ilike", like)]));
    }
    if (f.role) q = q.where(sql<SqlBool>`${f.role} = any(app_user.roles)`);
    if (f.disabled !== undefined) q = q.where("disabled", "=", f.disabled);
    const rows = await q
      .selectAll()
      .orderBy("username")
      .limit(page.pageSize)
      .offset((page.page - 1) * page.pageSize)
      .execute();
    const counted = await this.db
      .selectFrom(
        q
          .select("id")
          .limit(COUNT_CAP + 1)
          .as("m"),
      )
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const n = Number(counted.n);
    return { rows, total: Math.min(n, COUNT_CAP), totalExact: n <= COUNT_CAP };
  }

  /** A visible user by username; `lock` takes a row lock for an update in this transaction. */
  findVisible(username: string, paths: string[], lock = false) {
    let q = this.db
      .selectFrom("app_user")
      .selectAll()
      .where("username", "=", username)
      .where(this.visible(paths));
    if (lock) q = q.forUpdate();
    return q.executeTakeFirst();
  }

  findByUsername(username: string) {
    return this.db.selectFrom("app_user").selectAll().where("username", "=", username).executeTakeFirst();
  }

  async scopesOf(userIds: number[]): Promise<ScopeUnit[]> {
    if (userIds.length === 0) return [];
    return this.db
      .selectFrom("user_scope")
      .innerJoin("org_unit", "org_unit.id", "user_scope.org_unit_id")
      .select(["user_scope.user_id", "org_unit.id", "org_unit.code", "org_unit.name", "org_unit.path"])
      .where("user_scope.user_id", "in", userIds)
      .orderBy("org_unit.path")
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
      .execute();
  }

  rolesByCodes(codes: string[]) {
    if (codes.length === 0) return Promise.resolve([]);
    return this.db.selectFrom("role").select(["code", "permissions"]).where("code", "in", codes).execute();
  }

  async insertUser(values: {
    username: string;
    display_name: string;
    password_hash: string;
    roles: string[];
    must_change_password: boolean;
  }) {
    return this.db
      .insertInto("app_user")
      .values(values)
      .returning(["id", "username"])
      .executeTakeFirstOrThrow();
  }

  async replaceScope(userId: number, orgIds: number[]) {
    await this.db.deleteFrom("user_scope").where("user_id", "=", userId).execute();
    if (orgIds.length)
      await this.db
        .insertInto("user_scope")
        .values(orgIds.map((id) => ({ user_id: userId, org_unit_id: id })))
        .execute();
  }

  async updateUser(id: number, set: UserUpdate) {
    await this.db
      .updateTable("app_user")
      .set({ ...set, updated_at: new Date() })
      .where("id", "=", id)
      .execute();
  }

  /** Ends the user's sessions, all of them or all but one (the caller's own). */
  async deleteSessions(userId: number, exceptIdHash?: string) {
    let q = this.db.deleteFrom("session").where("user_id", "=", userId);
    if (exceptIdHash) q = q.where("id_hash", "<>", exceptIdHash);
    const r = await q.executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
