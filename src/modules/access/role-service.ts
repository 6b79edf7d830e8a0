import { type Actor, requirePermission } from "../../shared/actor.js";
import { AppError, invalid, notFound } from "../../shared/errors.js";
import { recordAudit } from "../audit/record.js";
import {
  assertKnownPermissions,
  assertNoEscalation,
  coversWholeTree,
  permissionLabel,
} from "./grant-rules.js";
import { allPermissions } from "./permissions.js";
import type { RoleRepository } from "./role-repository.js";

export interface RoleView {
  code: string;
  name: string;
  description: string | null;
  builtin: boolean;
  permissions: { code: string; label: string }[];
}

export interface NewRole {
  code: string;
  name: string;
  description?: string | null;
  permissions: string[];
}

export type RolePatch = Partial<Omit<NewRole, "code">>;

type RoleRow = NonNullable<Awaited<ReturnType<RoleRepository["find"]>>>;

/** Custom role codes: lower-case, so they never collide in spelling with a built-in one. */
const ROLE_CODE = /^[a-z][a-z0-9_]{1,31}$/;

/**
 * Roles: the built-in ones (permissions.ts, read-only) and custom ones that a city admin defines.
 * A custom role may hold only permissions its author holds.
 */
export class RoleService {
  constructor(private readonly repo: RoleRepository) {}

  async list(actor: Actor) {
    requirePermission(actor, "users.manage");
    const rows = await this.repo.list();
    const holders = await this.repo.holdersByRole();
    return {
      items: rows.map((r) => ({ ...present(r), holders: holders.get(r.code) ?? 0 })),
      permissions: allPermissions.map((p) => ({ code: p, label: permissionLabel(p) })),
    };
  }

  async create(actor: Actor, r: NewRole): Promise<RoleView> {
    this.requireCityAdmin(actor);
    if (!ROLE_CODE.test(r.code))
      throw invalid([
        { field: "code", message: "角色代码须以小写字母开头，只含小写字母、数字和下划线，2-32位" },
      ]);
    const perms = checkPermissions(actor, r.permissions);
    return this.repo.transaction(async (repo, tx) => {
      if (await repo.find(r.code)) throw new AppError("CONFLICT", `角色代码 ${r.code} 已存在`);
      const row = await repo.insert({
        code: r.code,
        name: r.name.trim(),
        description: r.description ?? null,
        permissions: perms,
      });
      await recordAudit(tx, actor, {
        action: "create",
        entity: "role",
        entityKey: r.code,
        after: auditShape(row),
      });
      return present(row);
    });
  }

  async update(actor: Actor, code: string, patch: RolePatch): Promise<RoleView> {
    this.requireCityAdmin(actor);
    const perms = patch.permissions ? checkPermissions(actor, patch.permissions) : undefined;
    return this.repo.transaction(async (repo, tx) => {
      const before = await repo.find(code, true);
      if (!before) throw notFound("角色");
      if (before.builtin) throw new AppError("FORBIDDEN", "内置角色不能修改，请新建自定义角色");
      // Changing a role changes what its holders may do: the editor must hold what it holds now.
      assertNoEscalation(actor.permissions, before.permissions, "修改含有");
      const row = await repo.update(code, {
        ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(perms ? { permissions: perms } : {}),
      });
      await recordAudit(tx, actor, {
        action: "update",
        entity: "role",
        entityKey: code,
        before: auditShape(before),
        after: auditShape(row),
        context: { holders: await repo.holders(code) },
      });
      return present(row);
    });
  }

  /**
   * Deletes a custom role that no account holds (an account's roles are changed first, so that no
   * one loses access as a side effect). Built-in roles cannot be deleted.
   */
  async remove(actor: Actor, code: string): Promise<void> {
    this.requireCityAdmin(actor);
    await this.repo.transaction(async (repo, tx) => {
      const before = await repo.find(code, true);
      if (!before) throw notFound("角色");
      if (before.builtin) throw new AppError("FORBIDDEN", "内置角色不能删除");
      assertNoEscalation(actor.permissions, before.permissions, "删除含有");
      const holders = await repo.holders(code);
      if (holders > 0)
        throw new AppError(
          "CONFLICT",
          `仍有 ${holders} 个账号持有角色“${before.name}”，请先调整这些账号的角色`,
          {
            holders,
          },
        );
      await repo.remove(code);
      await recordAudit(tx, actor, {
        action: "delete",
        entity: "role",
        entityKey: code,
        before: auditShape(before),
      });
    });
  }

  /** Roles are city-wide: only an account with users.manage over a whole tree may define them. */
  private requireCityAdmin(actor: Actor) {
    requirePermission(actor, "users.manage");
    if (!coversWholeTree(actor.scopePaths)) throw new AppError("FORBIDDEN", "只有市级管理员可以维护角色");
  }
}

function checkPermissions(actor: Actor, perms: string[]): string[] {
  const unique = [...new Set(perms)];
  assertKnownPermissions(unique);
  assertNoEscalation(actor.permissions, unique, "授予");
  return unique;
}

function present(r: RoleRow): RoleView {
  return {
    code: r.code,
    name: r.name,
    description: r.description,
    builtin: r.builtin,
    permissions: r.permissions.map((p) => ({ code: p, label: permissionLabel(p) })),
  };
}

function auditShape(r: RoleRow) {
  return { code: r.code, name: r.name, description: r.description, permissions: r.permissions };
}
