import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import { type Actor, pathInScope } from "../../shared/actor.js";
import { type DataTopic, dataEvents } from "../../shared/data-events.js";
import { AppError, type FieldIssue, invalid, notFound } from "../../shared/errors.js";
import type { OrgDirectory } from "./org-directory.js";
import type { OrgUnitRepository } from "./org-unit-repository.js";

/** What the registry's write services share: one error for many issues, locking, transactions. */

export function check(issues: FieldIssue[]) {
  if (issues.length) throw invalid(issues);
}

/**
 * The unit, locked for the change; ended units cannot change any more. A county is maintained
 * from above: its own admins (scope = the county) may read it but not change it.
 */
export async function lockForChange(repo: OrgUnitRepository, actor: Actor, code: string) {
  const unit = await repo.findByCode(code.trim().toUpperCase(), actor.scopePaths, true);
  if (!unit) throw notFound(`机构 ${code} `);
  const parentPath = unit.path.slice(0, unit.path.slice(0, -1).lastIndexOf("/") + 1);
  if (unit.kind === "county" && !pathInScope(actor, parentPath))
    throw new AppError("FORBIDDEN", "县（市、区）机构由市级管理员维护");
  if (unit.valid_to !== null)
    throw new AppError(
      "CONFLICT",
      `${unit.name} 已${unit.end_reason === "merged" ? "撤并" : "关闭"}，不能再修改`,
    );
  return unit;
}

/**
 * Runs a change in one transaction; afterwards the in-memory directory of names is stale, and once
 * it has committed, readers of `topics` are told (src/shared/data-events.ts).
 */
export async function inTransaction<T>(
  db: Kysely<DB>,
  directory: OrgDirectory,
  fn: (tx: Kysely<DB>) => Promise<T>,
  topics: DataTopic[] = ["registry"],
): Promise<T> {
  try {
    const result = await db.transaction().execute(fn);
    for (const t of topics) dataEvents.changed(t);
    return result;
  } finally {
    directory.clear();
  }
}

/** The versioned attributes of a unit (org_unit_version's columns). */
export function pickVersion(u: {
  name: string;
  parent_id: number | null;
  path: string;
  school_type: string | null;
  ownership: string | null;
  inclusive: boolean | null;
  urban_rural: string | null;
  boarding: boolean | null;
}) {
  return {
    name: u.name,
    parent_id: u.parent_id,
    path: u.path,
    school_type: u.school_type,
    ownership: u.ownership,
    inclusive: u.inclusive,
    urban_rural: u.urban_rural,
    boarding: u.boarding,
  };
}
