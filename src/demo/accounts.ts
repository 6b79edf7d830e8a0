import type { Kysely } from "kysely";
import type { DB } from "../db/types.js";
import { createUser } from "../modules/access/users.js";
import { systemActor } from "../shared/actor.js";
import { AppError } from "../shared/errors.js";
import { DEMO_SCHOOL_CODE } from "./generate.js";

/**
 * The demo accounts, created in demo mode only (never outside it: there the first admin is made
 * with the CLI). The README lists them; tests sign in with them.
 */
export const DEMO_PASSWORD = "demo1234";

/** School admin and teacher of 离石区实验小学 (school code 1411020001, the city seat's largest primary). */
export const DEMO_SCHOOL_ADMIN = "lsxx_admin";
export const DEMO_TEACHER = "lsxx_teacher";

export interface DemoAccount {
  username: string;
  displayName: string;
  roles: string[];
  scopeCodes: string[];
}

export const demoAccounts: DemoAccount[] = [
  { username: "admin", displayName: "市级管理员", roles: ["city_admin"], scopeCodes: ["141100"] },
  { username: "leader", displayName: "局领导", roles: ["leader"], scopeCodes: ["141100"] },
  { username: "lishi", displayName: "离石区教育局", roles: ["county_admin"], scopeCodes: ["141102"] },
  { username: "xiaoyi", displayName: "孝义市教育局", roles: ["county_admin"], scopeCodes: ["141181"] },
  // 纪检: the only role that sees 监督举报 (reports.handle)
  { username: "jijian", displayName: "市教育局纪检组", roles: ["discipline"], scopeCodes: ["141100"] },
  {
    username: DEMO_SCHOOL_ADMIN,
    displayName: "离石区实验小学管理员",
    roles: ["school_admin"],
    scopeCodes: [DEMO_SCHOOL_CODE],
  },
  {
    username: DEMO_TEACHER,
    displayName: "离石区实验小学教师",
    roles: ["teacher"],
    scopeCodes: [DEMO_SCHOOL_CODE],
  },
  // 督学 (cases: supervision); assigned to targets of the demo supervision plans (src/modules/cases/demo.ts)
  { username: "duxue", displayName: "市督学 王明", roles: ["inspector"], scopeCodes: ["141100"] },
  { username: "duxue2", displayName: "市督学 李芳", roles: ["inspector"], scopeCodes: ["141100"] },
];

/**
 * Creates the demo accounts that do not exist yet (so a start that died half-way finishes the job),
 * each through createUser: policy-checked password, audited. Returns the usernames created.
 */
export async function ensureDemoAccounts(db: Kysely<DB>): Promise<string[]> {
  const existing = new Set(
    (
      await db
        .selectFrom("app_user")
        .select("username")
        .where(
          "username",
          "in",
          demoAccounts.map((a) => a.username),
        )
        .execute()
    ).map((r) => r.username),
  );
  const created: string[] = [];
  for (const a of demoAccounts) {
    if (existing.has(a.username)) continue;
    try {
      await createUser(db, systemActor(), { ...a, password: DEMO_PASSWORD });
      created.push(a.username);
    } catch (e) {
      // Another process starting at the same moment made it first (caught by the check, or by the
      // unique key: PostgreSQL error 23505).
      const raced = e instanceof AppError ? e.code === "CONFLICT" : (e as { code?: string }).code === "23505";
      if (!raced) throw e;
    }
  }
  return created;
}
