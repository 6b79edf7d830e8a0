import type { Insertable, Kysely } from "kysely";
import type { DB, OrgUnitTable } from "../src/db/types.js";
import { createUser } from "../src/modules/access/users.js";
import { systemActor } from "../src/shared/actor.js";

/**
 * Test factories with sensible defaults that create missing parents. A small city: 141100 with
 * counties 141102 (离石区) and 141181 (孝义市), each with a primary school.
 */
/** The org unit with this code (the test fails when there is none). */
export function orgUnitByCode(db: Kysely<DB>, code: string) {
  return db.selectFrom("org_unit").selectAll().where("code", "=", code).executeTakeFirstOrThrow();
}

/** An org unit's id as a number (bigint ids arrive as text). */
export async function orgUnitId(db: Kysely<DB>, code: string): Promise<number> {
  return Number((await orgUnitByCode(db, code)).id);
}

export async function orgUnit(
  db: Kysely<DB>,
  u: Partial<Insertable<OrgUnitTable>> & { code: string; parentCode?: string },
) {
  const parent = u.parentCode ? await orgUnitByCode(db, u.parentCode) : null;
  const kind = u.kind ?? (parent ? (parent.kind === "city" ? "county" : "school") : "city");
  const { parentCode, ...rest } = u;
  const row = await db
    .insertInto("org_unit")
    .values({
      name: `机构${u.code}`,
      kind,
      parent_id: parent?.id ?? null,
      path: `${parent?.path ?? "/"}${u.code}/`,
      county_code: kind === "county" ? u.code : (parent?.county_code ?? null),
      valid_from: "2000-01-01",
      ...(kind === "school"
        ? { school_type: "211", ownership: "public", urban_rural: "urban", boarding: false }
        : {}),
      ...rest,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await db
    .insertInto("org_unit_version")
    .values({
      org_unit_id: row.id,
      valid_from: row.valid_from,
      valid_to: row.valid_to,
      name: row.name,
      parent_id: row.parent_id,
      path: row.path,
      school_type: row.school_type,
      ownership: row.ownership,
      inclusive: row.inclusive,
      urban_rural: row.urban_rural,
      boarding: row.boarding,
    })
    .execute();
  return row;
}

/** The small city most HTTP tests use. */
export async function smallCity(db: Kysely<DB>) {
  const city = await orgUnit(db, { code: "141100", name: "吕梁市" });
  const lishi = await orgUnit(db, { code: "141102", name: "离石区", parentCode: "141100" });
  const xiaoyi = await orgUnit(db, { code: "141181", name: "孝义市", parentCode: "141100" });
  const lishiSchool = await orgUnit(db, { code: "1411020001", name: "离石区第一小学", parentCode: "141102" });
  const lishiSchool2 = await orgUnit(db, {
    code: "1411020002",
    name: "离石区第二小学",
    parentCode: "141102",
  });
  const xiaoyiSchool = await orgUnit(db, {
    code: "1411810001",
    name: "孝义市第一小学",
    parentCode: "141181",
  });
  return { city, lishi, xiaoyi, lishiSchool, lishiSchool2, xiaoyiSchool };
}

export const TEST_PASSWORD = "test1234";

/** A user with roles and scope; password TEST_PASSWORD. */
export async function user(db: Kysely<DB>, username: string, roles: string[], scopeCodes: string[]) {
  return createUser(
    db,
    systemActor("test"),
    { username, displayName: username, password: TEST_PASSWORD, roles, scopeCodes },
    { skipPolicy: true },
  );
}
