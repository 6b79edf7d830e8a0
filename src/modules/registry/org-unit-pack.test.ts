import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../test/db.js";
import type { Database } from "../../db/connect.js";
import { systemActor } from "../../shared/actor.js";
import { luliangCounties } from "./codes.js";
import { loadOrgUnitPack, parseOrgUnitPack } from "./org-unit-pack.js";

const lvliang = fs.readFileSync(new URL("../../../packs/lvliang/org-units.csv", import.meta.url), "utf8");
const header = "机构代码,机构名称,简称,机构类型,上级机构代码";
let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

describe("org-unit pack", () => {
  it("loads Lüliang's city, 13 counties and departments with versions and audit, once", async () => {
    const first = await loadOrgUnitPack(database.db, systemActor(), lvliang);
    const counties = await database.db
      .selectFrom("org_unit")
      .select(["code", "path", "county_code"])
      .where("kind", "=", "county")
      .execute();
    expect(counties.map((c) => c.code).sort()).toEqual(luliangCounties.map((c) => c.code).sort());
    expect(counties.every((c) => c.path === `/141100/${c.code}/` && c.county_code === c.code)).toBe(true);
    const office = await database.db
      .selectFrom("org_unit")
      .selectAll()
      .where("code", "=", "141102D01")
      .executeTakeFirstOrThrow();
    expect(office.path).toBe("/141100/141102/141102D01/");
    expect(office.county_code).toBe("141102");
    const versions = await database.db.selectFrom("org_unit_version").select("org_unit_id").execute();
    expect(versions.length).toBe(first.inserted);
    const audits = await database.db
      .selectFrom("audit_log")
      .select("entity_key")
      .where("entity", "=", "org_unit")
      .execute();
    expect(audits.length).toBe(first.inserted);

    const second = await loadOrgUnitPack(database.db, systemActor(), lvliang);
    expect(second).toEqual({ inserted: 0, unchanged: first.inserted });
  });

  it("names every bad row and column in Chinese", () => {
    const { errors } = parseOrgUnitPack(
      `${header}\n14110X,坏县,,县,141100\n141199,,,乡,\n141198,某县,,县,\n`,
    );
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 2, column: "机构代码", value: "14110X" }),
        expect.objectContaining({ row: 3, column: "机构名称" }),
        expect.objectContaining({ row: 3, column: "机构类型", value: "乡" }),
        expect.objectContaining({ row: 4, column: "上级机构代码", reason: "县和科室必须填写上级机构代码" }),
      ]),
    );
    expect(parseOrgUnitPack("代码,名称\n1,2\n").errors[0].reason).toMatch(/缺少列/);
  });

  it("refuses a pack that would rename an existing unit, and applies none of it", async () => {
    const before = await database.db.selectFrom("org_unit").select("code").execute();
    const pack = `${header}\n141100,吕梁市,,市,\n141199,新设县,,县,141100\n141102,改名区,,县,141100\n`;
    await expect(loadOrgUnitPack(database.db, systemActor(), pack)).rejects.toMatchObject({
      code: "IMPORT_INVALID",
    });
    const after = await database.db.selectFrom("org_unit").select("code").execute();
    expect(after.length).toBe(before.length);
  });
});
