import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import type { Actor } from "../../shared/actor.js";
import type { AuditAction, AuditEntity } from "./labels.js";

/**
 * Who is recorded as acting: an Actor, or "public" for requests without credentials (a failed
 * sign-in names the username that was tried).
 */
export type AuditActor = Pick<Actor, "id" | "name"> & { type: Actor["type"] | "public" };

export interface AuditEntry {
  /** A code with a Chinese label in labels.ts (the viewer and export show the label). */
  action: AuditAction;
  entity: AuditEntity;
  entityKey?: string | null;
  orgPath?: string | null;
  before?: unknown;
  after?: unknown;
  context?: Record<string, unknown>;
}

/**
 * Writes one audit row. Call it with the transaction that makes the change, so the change and its
 * record commit or roll back together.
 */
export async function recordAudit(db: Kysely<DB>, actor: AuditActor, entry: AuditEntry): Promise<void> {
  await db
    .insertInto("audit_log")
    .values({
      actor_type: actor.type,
      actor_id: actor.id,
      actor_name: actor.name,
      action: entry.action,
      entity: entry.entity,
      entity_key: entry.entityKey ?? null,
      org_path: entry.orgPath ?? null,
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
      context: entry.context ? JSON.stringify(entry.context) : null,
    })
    .execute();
}
