import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import type { Actor } from "../../shared/actor.js";
import { UserRepository } from "./user-repository.js";
import { type NewUser, UserAdminService, type UserView } from "./user-service.js";

export type { NewUser } from "./user-service.js";

/**
 * Creates a user with a checked password, known roles and a scope, audited in the same
 * transaction. Used by the CLI, the demo loader and tests; the users API goes through the same
 * UserAdminService, so the no-escalation and scope rules hold for every caller.
 */
export function createUser(
  db: Kysely<DB>,
  actor: Actor,
  u: NewUser,
  opts: { skipPolicy?: boolean } = {},
): Promise<UserView> {
  return new UserAdminService(new UserRepository(db)).create(actor, u, opts);
}
