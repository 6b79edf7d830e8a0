import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import type { Actor } from "../../shared/actor.js";
import { AppError, invalid } from "../../shared/errors.js";
import { recordAudit } from "../audit/record.js";
import { hashPassword, passwordProblems } from "./passwords.js";

export interface NewUser {
  username: string;
  displayName: string;
  password: string;
  roles: string[];
  /** Org unit codes whose subtrees the user may see. */
  scopeCodes: string[];
  mustChangePassword?: boolean;
}

/**
 * Creates a user with a checked password, known roles and a scope, audited in the same
 * transaction. Used by the CLI, the demo loader and the users API.
 */
export async function createUser(
  db: Kysely<DB>,
  actor: Actor,
  u: NewUser,
  opts: { skipPolicy?: boolean } = {},
) {
  if (!/^[A-Za-z0-9_.-]{2,64}$/.test(u.username))
    throw invalid([{ field: "username", message: "用户名只能包含字母、数字、下划线、点和短横线，2-64位" }]);
  const problems = opts.skipPolicy ? [] : passwordProblems(u.password, u.username);
  if (problems.length) throw new AppError("WEAK_PASSWORD", problems.join("；"), { issues: problems });
  const passwordHash = await hashPassword(u.password);
  return db.transaction().execute(async (tx) => {
    if (await tx.selectFrom("app_user").select("id").where("username", "=", u.username).executeTakeFirst())
      throw new AppError("CONFLICT", `用户名 ${u.username} 已存在`);
    const roles = await tx
      .selectFrom("role")
      .select("code")
      .where("code", "in", u.roles.length ? u.roles : [""])
      .execute();
    const unknownRoles = u.roles.filter((r) => !roles.some((x) => x.code === r));
    if (unknownRoles.length || u.roles.length === 0)
      throw invalid([
        {
          field: "roles",
          message: unknownRoles.length ? `未知角色：${unknownRoles.join("、")}` : "至少选择一个角色",
        },
      ]);
    const orgs = u.scopeCodes.length
      ? await tx
          .selectFrom("org_unit")
          .select(["id", "code", "path"])
          .where("code", "in", u.scopeCodes)
          .execute()
      : [];
    const unknownOrgs = u.scopeCodes.filter((c) => !orgs.some((o) => o.code === c));
    if (unknownOrgs.length || orgs.length === 0)
      throw invalid([
        {
          field: "scope",
          message: unknownOrgs.length ? `未知组织机构：${unknownOrgs.join("、")}` : "至少选择一个数据范围",
        },
      ]);
    const user = await tx
      .insertInto("app_user")
      .values({
        username: u.username,
        display_name: u.displayName,
        password_hash: passwordHash,
        roles: u.roles,
        must_change_password: u.mustChangePassword ?? false,
      })
      .returning(["id", "username"])
      .executeTakeFirstOrThrow();
    await tx
      .insertInto("user_scope")
      .values(orgs.map((o) => ({ user_id: user.id, org_unit_id: o.id })))
      .execute();
    await recordAudit(tx, actor, {
      action: "create",
      entity: "user",
      entityKey: u.username,
      orgPath: orgs[0].path,
      after: { username: u.username, displayName: u.displayName, roles: u.roles, scope: u.scopeCodes },
    });
    return user;
  });
}
