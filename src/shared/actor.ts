import { allPermissions, type Permission } from "../modules/access/permissions.js";
import { AppError } from "./errors.js";

/**
 * Who is acting: a signed-in user, an API token of another platform, or the system itself
 * (CLI, demo loader). Services take an Actor; repositories apply its scope to every query.
 */
export interface Actor {
  type: "user" | "token" | "system";
  id: number | null;
  /** Username, token name or "system". Shown in the audit log. */
  name: string;
  displayName: string;
  roles: string[];
  permissions: ReadonlySet<Permission>;
  /** Org subtree paths the actor may see and change, e.g. ["/141100/141102/"]. */
  scopePaths: string[];
}

export function systemActor(name = "system"): Actor {
  return {
    type: "system",
    id: null,
    name,
    displayName: "系统",
    roles: ["city_admin"],
    // the system may do anything, everywhere
    permissions: new Set(allPermissions),
    scopePaths: ["/"],
  };
}

export function can(actor: Actor, permission: Permission): boolean {
  return actor.permissions.has(permission);
}

export function requirePermission(actor: Actor, permission: Permission): void {
  if (!can(actor, permission)) throw new AppError("FORBIDDEN");
}

/** True when `path` lies inside one of the actor's subtrees. */
export function pathInScope(actor: Actor, path: string): boolean {
  return actor.scopePaths.some((p) => path.startsWith(p));
}
