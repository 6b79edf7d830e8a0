import { type Kysely, sql } from "kysely";
import type { DB } from "../../db/types.js";
import { afterCommit } from "./access-epoch.js";

/** SQL for users, roles, scopes, sessions and API tokens. */
export class AccessRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** Runs `fn` in one transaction with a repository bound to it (and the handle for recordAudit). */
  transaction<T>(fn: (repo: AccessRepository, tx: Kysely<DB>) => Promise<T>): Promise<T> {
    return afterCommit(this.db.transaction().execute((tx) => fn(new AccessRepository(tx), tx)));
  }

  findUserByUsername(username: string) {
    return this.db.selectFrom("app_user").selectAll().where("username", "=", username).executeTakeFirst();
  }

  findUserById(id: number) {
    return this.db.selectFrom("app_user").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /** The org paths of a user's scope. */
  async scopeOf(userId: number): Promise<{ code: string; path: string; name: string }[]> {
    return this.db
      .selectFrom("user_scope")
      .innerJoin("org_unit", "org_unit.id", "user_scope.org_unit_id")
      .select(["org_unit.code", "org_unit.path", "org_unit.name"])
      .where("user_scope.user_id", "=", userId)
      .orderBy("org_unit.path")
      .execute();
  }

  async permissionsOf(roles: string[]): Promise<string[]> {
    if (roles.length === 0) return [];
    const rows = await this.db.selectFrom("role").select("permissions").where("code", "in", roles).execute();
    return [...new Set(rows.flatMap((r) => r.permissions))];
  }

  recordFailedLogin(id: number, attempts: number, lockedUntil: Date | null) {
    return this.db
      .updateTable("app_user")
      .set({ failed_attempts: attempts, locked_until: lockedUntil })
      .where("id", "=", id)
      .execute();
  }

  recordLogin(id: number, at: Date) {
    return this.db
      .updateTable("app_user")
      .set({ failed_attempts: 0, locked_until: null, last_login_at: at })
      .where("id", "=", id)
      .execute();
  }

  createSession(row: { id_hash: string; user_id: number; csrf_token: string; expires_at: Date }) {
    return this.db.insertInto("session").values(row).execute();
  }

  /**
   * A live session with its user, the user's permissions (union of their roles) and scope paths, in
   * one round trip: this runs on every authenticated request.
   */
  findSessionWithActor(idHash: string, now: Date) {
    return this.db
      .selectFrom("session as s")
      .innerJoin("app_user as u", "u.id", "s.user_id")
      .select([
        "s.id_hash",
        "s.csrf_token",
        "s.last_seen_at",
        "s.expires_at",
        "u.id as user_id",
        "u.username",
        "u.display_name",
        "u.roles",
        "u.disabled",
        sql<string[]>`coalesce((select array_agg(distinct p) from role r, unnest(r.permissions) p
          where r.code = any(u.roles)), '{}')`.as("permissions"),
        sql<string[]>`coalesce((select array_agg(o.path order by o.path) from user_scope us
          join org_unit o on o.id = us.org_unit_id where us.user_id = u.id), '{}')`.as("scope_paths"),
      ])
      .where("s.id_hash", "=", idHash)
      .where("s.expires_at", ">", now)
      .executeTakeFirst();
  }

  touchSession(idHash: string, expiresAt: Date) {
    return this.db
      .updateTable("session")
      .set({ last_seen_at: new Date(), expires_at: expiresAt })
      .where("id_hash", "=", idHash)
      .execute();
  }

  deleteSession(idHash: string) {
    return this.db.deleteFrom("session").where("id_hash", "=", idHash).execute();
  }

  /** Ends the user's sessions, all of them or all but one (the caller's own). */
  async deleteSessionsOfUser(userId: number, exceptIdHash?: string) {
    let q = this.db.deleteFrom("session").where("user_id", "=", userId);
    if (exceptIdHash) q = q.where("id_hash", "<>", exceptIdHash);
    return Number((await q.executeTakeFirst()).numDeletedRows);
  }

  setPassword(id: number, passwordHash: string, at: Date) {
    return this.db
      .updateTable("app_user")
      .set({
        password_hash: passwordHash,
        password_changed_at: at,
        must_change_password: false,
        failed_attempts: 0,
        updated_at: at,
      })
      .where("id", "=", id)
      .execute();
  }

  /**
   * A token with whether its creator's account is disabled (a token made by an account that has
   * since been disabled stops working; tokens made with the CLI have no creator).
   */
  findTokenByPrefix(prefix: string) {
    return this.db
      .selectFrom("api_token as t")
      .leftJoin("app_user as u", "u.id", "t.created_by")
      .selectAll("t")
      .select(sql<boolean>`coalesce(u.disabled, false)`.as("creator_disabled"))
      .where("t.prefix", "=", prefix)
      .executeTakeFirst();
  }

  touchToken(id: number, at: Date) {
    return this.db.updateTable("api_token").set({ last_used_at: at }).where("id", "=", id).execute();
  }

  pathsOfOrgIds(ids: number[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.selectFrom("org_unit").select(["id", "path"]).where("id", "in", ids).execute();
  }
}
