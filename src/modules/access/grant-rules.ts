import { AppError, invalid } from "../../shared/errors.js";
import { type Permission, permissions } from "./permissions.js";

/**
 * The rules for handing out access, shared by users, roles and API tokens. Pure: no I/O.
 *
 * - No privilege escalation: an actor grants only permissions it holds itself, and manages only
 *   accounts whose permissions it holds itself (otherwise a county admin could reset the password of
 *   a more powerful account inside the county and sign in as it).
 * - Scope containment: an actor grants only org subtrees that lie inside its own scope (enforced in
 *   the repositories, which resolve org codes through underPaths: an outside code reads as unknown).
 */

/** Permission names not in the catalogue of permissions.ts. */
export function unknownPermissions(names: Iterable<string>): string[] {
  return [...new Set(names)].filter((p) => !(p in permissions));
}

/** The permissions in `wanted` that `held` lacks. */
export function missingPermissions(held: ReadonlySet<string>, wanted: Iterable<string>): string[] {
  return [...new Set(wanted)].filter((p) => !held.has(p));
}

/** The Chinese label of a permission (the name itself when unknown). */
export function permissionLabel(name: string): string {
  return (permissions as Record<string, string>)[name] ?? name;
}

/** Refuses a grant that carries permissions the actor lacks, naming them in Chinese. */
export function assertNoEscalation(held: ReadonlySet<Permission>, wanted: Iterable<string>, what: string) {
  const missing = missingPermissions(held as ReadonlySet<string>, wanted);
  if (missing.length)
    throw new AppError(
      "FORBIDDEN",
      `不能${what}超出自身权限的内容：${missing.map(permissionLabel).join("、")}`,
      { missingPermissions: missing },
    );
}

/** Refuses permission names outside the catalogue, or an empty list. */
export function assertKnownPermissions(names: string[], field = "permissions") {
  const unknown = unknownPermissions(names);
  if (unknown.length) throw invalid([{ field, message: `未知权限：${unknown.join("、")}` }]);
  if (names.length === 0) throw invalid([{ field, message: "至少选择一项权限" }]);
}

/**
 * True when the scope covers a whole org tree: "/" (the system) or a root unit's path, which has a
 * single segment (/141100/). City-level duties (custom roles, audit rows tied to no org unit) need it.
 */
export function coversWholeTree(scopePaths: readonly string[]): boolean {
  return scopePaths.some((p) => p === "/" || /^\/[^/]+\/$/.test(p));
}
