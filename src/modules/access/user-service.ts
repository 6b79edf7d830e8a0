import { type Actor, requirePermission } from "../../shared/actor.js";
import { AppError, invalid, notFound } from "../../shared/errors.js";
import type { Page } from "../../shared/paging.js";
import { recordAudit } from "../audit/record.js";
import { assertNoEscalation } from "./grant-rules.js";
import { hashPassword, passwordProblems } from "./passwords.js";
import type { ScopeUnit, UserFilter, UserRepository } from "./user-repository.js";

export interface NewUser {
  username: string;
  displayName: string;
  password: string;
  roles: string[];
  /** Org unit codes whose subtrees the user may see. */
  scopeCodes: string[];
  mustChangePassword?: boolean;
}

export interface UserPatch {
  displayName?: string;
  roles?: string[];
  scopeCodes?: string[];
  disabled?: boolean;
}

/** A user as the API shows it: never the password hash. */
export interface UserView {
  id: number;
  username: string;
  displayName: string;
  roles: string[];
  scope: { code: string; name: string; path: string }[];
  disabled: boolean;
  mustChangePassword: boolean;
  locked: boolean;
  lastLoginAt: string | null;
  createdAt: string;
}

type UserRow = NonNullable<Awaited<ReturnType<UserRepository["findByUsername"]>>>;

const USERNAME = /^[A-Za-z0-9_.-]{2,64}$/;

/**
 * Administering accounts: list, create, change, reset passwords, disable. Every change is checked
 * against grant-rules.ts (no escalation, scope containment) and audited in its own transaction.
 */
export class UserAdminService {
  constructor(
    private readonly repo: UserRepository,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async list(
    actor: Actor,
    filter: UserFilter,
    page: { page: number; pageSize: number },
  ): Promise<Page<UserView>> {
    requirePermission(actor, "users.manage");
    const r = await this.repo.list(actor.scopePaths, filter, page);
    const scopes = await this.repo.scopesOf(r.rows.map((u) => u.id));
    return {
      items: r.rows.map((u) => this.present(u, scopes)),
      page: page.page,
      pageSize: page.pageSize,
      total: r.total,
      totalExact: r.totalExact,
    };
  }

  async get(actor: Actor, username: string): Promise<UserView> {
    requirePermission(actor, "users.manage");
    const u = await this.repo.findVisible(username, actor.scopePaths);
    if (!u) throw notFound("用户");
    return this.present(u, await this.repo.scopesOf([u.id]));
  }

  async create(actor: Actor, u: NewUser, opts: { skipPolicy?: boolean } = {}): Promise<UserView> {
    requirePermission(actor, "users.manage");
    if (!USERNAME.test(u.username))
      throw invalid([{ field: "username", message: "用户名只能包含字母、数字、下划线、点和短横线，2-64位" }]);
    if (!u.displayName.trim()) throw invalid([{ field: "displayName", message: "请填写显示名" }]);
    const problems = opts.skipPolicy ? [] : passwordProblems(u.password, u.username);
    if (problems.length) throw new AppError("WEAK_PASSWORD", problems.join("；"), { issues: problems });
    // Hashing (~50 ms) happens before the transaction, so it holds no connection meanwhile.
    const passwordHash = await hashPassword(u.password);
    try {
      return await this.repo.transaction(async (repo, tx) => {
        if (await repo.findByUsername(u.username))
          throw new AppError("CONFLICT", `用户名 ${u.username} 已存在`);
        await this.checkRoles(repo, actor, u.roles);
        const orgs = await this.resolveScope(repo, actor, u.scopeCodes);
        const row = await repo.insertUser({
          username: u.username,
          display_name: u.displayName.trim(),
          password_hash: passwordHash,
          roles: u.roles,
          must_change_password: u.mustChangePassword ?? false,
        });
        await repo.replaceScope(
          row.id,
          orgs.map((o) => o.id),
        );
        const created = await repo.findByUsername(u.username);
        if (!created) throw new AppError("INTERNAL");
        const scopes = orgs.map((o) => ({ ...o, user_id: row.id }));
        await recordAudit(tx, actor, {
          action: "create",
          entity: "user",
          entityKey: u.username,
          orgPath: orgs[0].path,
          after: auditShape(created, scopes),
        });
        return this.present(created, scopes);
      });
    } catch (e) {
      // Two requests creating the same username at once: the unique index decides.
      if ((e as { code?: string }).code === "23505")
        throw new AppError("CONFLICT", `用户名 ${u.username} 已存在`);
      throw e;
    }
  }

  async update(actor: Actor, username: string, patch: UserPatch): Promise<UserView> {
    requirePermission(actor, "users.manage");
    return this.repo.transaction(async (repo, tx) => {
      const target = await this.manageable(repo, actor, username);
      const beforeScopes = await repo.scopesOf([target.id]);
      if (patch.disabled === true && actor.type === "user" && actor.id === target.id)
        throw invalid([{ field: "disabled", message: "不能停用自己的账号" }]);
      if (patch.displayName !== undefined && !patch.displayName.trim())
        throw invalid([{ field: "displayName", message: "请填写显示名" }]);
      if (patch.roles) await this.checkRoles(repo, actor, patch.roles);
      const orgs = patch.scopeCodes ? await this.resolveScope(repo, actor, patch.scopeCodes) : null;
      await repo.updateUser(target.id, {
        ...(patch.displayName !== undefined ? { display_name: patch.displayName.trim() } : {}),
        ...(patch.roles ? { roles: patch.roles } : {}),
        ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
      });
      if (orgs)
        await repo.replaceScope(
          target.id,
          orgs.map((o) => o.id),
        );
      // A disabled account is signed out everywhere at once; role and scope changes need no
      // sign-out, because each request reads them afresh (AuthService.resolveSession).
      if (patch.disabled === true) await repo.deleteSessions(target.id);
      const after = await repo.findByUsername(username);
      if (!after) throw new AppError("INTERNAL");
      const afterScopes = orgs ? orgs.map((o) => ({ ...o, user_id: target.id })) : beforeScopes;
      await recordAudit(tx, actor, {
        action: patch.disabled === true ? "disable" : patch.disabled === false ? "enable" : "update",
        entity: "user",
        entityKey: username,
        orgPath: afterScopes[0]?.path ?? null,
        before: auditShape(target, beforeScopes),
        after: auditShape(after, afterScopes),
      });
      return this.present(after, afterScopes);
    });
  }

  setDisabled(actor: Actor, username: string, disabled: boolean) {
    return this.update(actor, username, { disabled });
  }

  /**
   * An administrator sets a temporary password: the user must change it (flagged in /api/auth/me),
   * the lock is lifted, and every session of the user ends.
   */
  async resetPassword(actor: Actor, username: string, password: string): Promise<{ sessionsEnded: number }> {
    requirePermission(actor, "users.manage");
    const problems = passwordProblems(password, username);
    if (problems.length) throw new AppError("WEAK_PASSWORD", problems.join("；"), { issues: problems });
    const passwordHash = await hashPassword(password);
    return this.repo.transaction(async (repo, tx) => {
      const target = await this.manageable(repo, actor, username);
      await repo.updateUser(target.id, {
        password_hash: passwordHash,
        must_change_password: true,
        password_changed_at: this.now(),
        failed_attempts: 0,
        locked_until: null,
      });
      const sessionsEnded = await repo.deleteSessions(target.id);
      const scopes = await repo.scopesOf([target.id]);
      await recordAudit(tx, actor, {
        action: "reset_password",
        entity: "user",
        entityKey: username,
        orgPath: scopes[0]?.path ?? null,
        context: { sessionsEnded, wasLocked: !!target.locked_until && target.locked_until > this.now() },
      });
      return { sessionsEnded };
    });
  }

  /** The target user, visible to the actor and holding no permission the actor lacks. */
  private async manageable(repo: UserRepository, actor: Actor, username: string): Promise<UserRow> {
    const target = await repo.findVisible(username, actor.scopePaths, true);
    if (!target) throw notFound("用户");
    const held = (await repo.rolesByCodes(target.roles)).flatMap((r) => r.permissions);
    assertNoEscalation(actor.permissions, held, "管理拥有");
    return target;
  }

  private async checkRoles(repo: UserRepository, actor: Actor, roles: string[]) {
    const unique = [...new Set(roles)];
    if (unique.length === 0) throw invalid([{ field: "roles", message: "至少选择一个角色" }]);
    const found = await repo.rolesByCodes(unique);
    const unknown = unique.filter((r) => !found.some((f) => f.code === r));
    if (unknown.length) throw invalid([{ field: "roles", message: `未知角色：${unknown.join("、")}` }]);
    assertNoEscalation(
      actor.permissions,
      found.flatMap((r) => r.permissions),
      "授予",
    );
  }

  /** Scope codes → org units inside the actor's scope; an outside code reads as unknown. */
  private async resolveScope(repo: UserRepository, actor: Actor, codes: string[]) {
    const unique = [...new Set(codes)];
    if (unique.length === 0) throw invalid([{ field: "scope", message: "至少选择一个数据范围" }]);
    const orgs = await repo.orgsByCodes(unique, actor.scopePaths);
    const missing = unique.filter((c) => !orgs.some((o) => o.code === c));
    if (missing.length)
      throw invalid([
        { field: "scope", message: `组织机构不存在或不在您的数据范围内：${missing.join("、")}` },
      ]);
    return orgs.sort((a, b) => a.path.localeCompare(b.path));
  }

  private present(u: UserRow, scopes: ScopeUnit[]): UserView {
    return {
      id: u.id,
      username: u.username,
      displayName: u.display_name,
      roles: u.roles,
      scope: scopes
        .filter((s) => s.user_id === u.id)
        .map((s) => ({ code: s.code, name: s.name, path: s.path })),
      disabled: u.disabled,
      mustChangePassword: u.must_change_password,
      locked: !!u.locked_until && u.locked_until > this.now(),
      lastLoginAt: u.last_login_at ? new Date(u.last_login_at).toISOString() : null,
      createdAt: new Date(u.created_at).toISOString(),
    };
  }
}

/** What the audit log keeps of a user: never the password hash. */
function auditShape(u: UserRow, scopes: ScopeUnit[]) {
  return {
    username: u.username,
    displayName: u.display_name,
    roles: u.roles,
    scope: scopes.map((s) => s.code),
    disabled: u.disabled,
  };
}
