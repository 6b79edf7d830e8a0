import type { Kysely } from "kysely";
import type { DB } from "../../../db/types.js";
import type { Actor } from "../../../shared/actor.js";
import type { Accepted } from "../engine/transition.js";
import type { CaseRow, OrgUnitRef } from "../repository.js";

/**
 * Side effects of a kind, run by the service inside the transaction of the change (so a refusal
 * here rolls everything back). Optional: most kinds are pure data. A hook throws an AppError to
 * refuse.
 */
export interface CaseKindHooks {
  /**
   * Before a case is filed: the actor's extra roles toward the new case (e.g. ["assigned"] for the
   * inspector of a supervision target), the participants to add, and data to keep.
   */
  beforeCreate?(
    tx: Kysely<DB>,
    actor: Actor,
    ctx: { orgUnit: OrgUnitRef; form: Record<string, unknown> },
  ): Promise<{
    actorRoles?: string[];
    participants?: { userId: number; role: string }[];
    data?: Record<string, unknown>;
  }>;
  /** After a step was decided and before the case row is updated. */
  afterStep?(tx: Kysely<DB>, actor: Actor, ctx: { row: CaseRow; decision: Accepted }): Promise<void>;
}

const hooks = new Map<string, CaseKindHooks>();

export function registerCaseHooks(kind: string, h: CaseKindHooks): void {
  hooks.set(kind, h);
}

export function hooksOf(kind: string): CaseKindHooks {
  return hooks.get(kind) ?? {};
}
