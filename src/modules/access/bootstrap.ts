import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import { builtinRoles } from "./permissions.js";

/** Writes the built-in roles (insert or refresh); custom roles are left as they are. */
export async function syncBuiltinRoles(db: Kysely<DB>): Promise<void> {
  for (const r of builtinRoles) {
    await db
      .insertInto("role")
      .values({
        code: r.code,
        name: r.name,
        description: r.description,
        permissions: r.permissions,
        builtin: true,
      })
      .onConflict((oc) =>
        oc.column("code").doUpdateSet({
          name: r.name,
          description: r.description,
          permissions: r.permissions,
          builtin: true,
        }),
      )
      .execute();
  }
}
