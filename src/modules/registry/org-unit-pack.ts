import { parse } from "csv-parse/sync";
import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import type { Actor } from "../../shared/actor.js";
import { AppError } from "../../shared/errors.js";
import { recordAudit } from "../audit/record.js";

/**
 * An org-unit pack: the city, its counties and the bureau's departments, as a CSV a bureau writes
 * for itself (packs/lvliang/org-units.csv is Lüliang's). Loading it is how a new deployment gets its
 * tree before any school is imported; the schools then come through the import (exchange).
 * Columns: 机构代码, 机构名称, 简称, 机构类型 (市 / 县 / 科室), 上级机构代码.
 */
const kinds: Record<string, "city" | "county" | "department"> = {
  市: "city",
  city: "city",
  县: "county",
  "县（市、区）": "county",
  county: "county",
  科室: "department",
  department: "department",
};
const headers = ["机构代码", "机构名称", "简称", "机构类型", "上级机构代码"] as const;

export interface PackRowError {
  row: number;
  column: string;
  value: string;
  reason: string;
}

interface PackRow {
  row: number;
  code: string;
  name: string;
  shortName: string | null;
  kind: "city" | "county" | "department";
  parentCode: string | null;
}

/** Parses and checks the pack; every bad row is reported, none is loaded. */
export function parseOrgUnitPack(text: string): { rows: PackRow[]; errors: PackRowError[] } {
  const records: string[][] = parse(text.replace(/^\uFEFF/, ""), {
    skip_empty_lines: true,
    relax_column_count: true,
  });
  const errors: PackRowError[] = [];
  const head = (records[0] ?? []).map((h) => h.trim());
  const missing = headers.filter((h) => !head.includes(h));
  if (missing.length) {
    errors.push({
      row: 1,
      column: missing.join("、"),
      value: head.join(","),
      reason: `缺少列：${missing.join("、")}`,
    });
    return { rows: [], errors };
  }
  const col = (r: string[], h: (typeof headers)[number]) =>
    (r[head.indexOf(h)] ?? "").normalize("NFKC").trim();
  const rows: PackRow[] = [];
  const seen = new Map<string, number>();
  records.slice(1).forEach((r, i) => {
    const row = i + 2;
    const code = col(r, "机构代码");
    const name = col(r, "机构名称");
    const kind = kinds[col(r, "机构类型")];
    const parentCode = col(r, "上级机构代码") || null;
    const bad = (column: string, value: string, reason: string) =>
      errors.push({ row, column, value, reason });
    if (!/^[0-9A-Z]{2,20}$/.test(code)) bad("机构代码", code, "机构代码应为2-20位数字或大写字母");
    else if (seen.has(code)) bad("机构代码", code, `与第${seen.get(code)}行重复`);
    if (!name) bad("机构名称", name, "机构名称不能为空");
    if (!kind) bad("机构类型", col(r, "机构类型"), "机构类型应为 市、县 或 科室");
    if ((kind === "city" || kind === "county") && !/^\d{6}$/.test(code))
      bad("机构代码", code, "市、县的机构代码应为6位行政区划代码（GB/T 2260）");
    if (kind === "city" && parentCode) bad("上级机构代码", parentCode, "市是根节点，不能有上级机构");
    if (kind && kind !== "city" && !parentCode) bad("上级机构代码", "", "县和科室必须填写上级机构代码");
    seen.set(code, row);
    if (kind) rows.push({ row, code, name, shortName: col(r, "简称") || null, kind, parentCode });
  });
  if (records.length < 2) errors.push({ row: 1, column: "", value: "", reason: "文件中没有数据行" });
  return { rows, errors };
}

/**
 * Loads the pack in one transaction: new units are inserted with their first version and an audit
 * row; a unit that already exists with the same name and parent is left as it is (loading twice
 * changes nothing); one that differs is an error — changes go through the registry with an
 * effective date, so that history is kept.
 */
export async function loadOrgUnitPack(db: Kysely<DB>, actor: Actor, text: string) {
  const { rows, errors } = parseOrgUnitPack(text);
  if (errors.length) throw new AppError("IMPORT_INVALID", describe(errors), { errors });
  return db.transaction().execute(async (tx) => {
    let inserted = 0;
    const known = new Map(
      (
        await tx
          .selectFrom("org_unit")
          .select(["id", "code", "name", "path", "parent_id", "county_code", "kind"])
          .execute()
      ).map((u) => [u.code, u]),
    );
    for (const r of rows) {
      const parent = r.parentCode ? known.get(r.parentCode) : undefined;
      if (r.parentCode && !parent)
        errors.push({
          row: r.row,
          column: "上级机构代码",
          value: r.parentCode,
          reason: "上级机构不存在（须在本文件前面的行或系统中）",
        });
      if (
        r.kind === "city" &&
        !r.parentCode &&
        [...known.values()].some((u) => u.kind === "city" && u.code !== r.code)
      )
        errors.push({ row: r.row, column: "机构代码", value: r.code, reason: "系统中已有另一个市级根节点" });
      const existing = known.get(r.code);
      if (existing) {
        if (existing.name !== r.name || (existing.parent_id ?? null) !== (parent?.id ?? null))
          errors.push({
            row: r.row,
            column: "机构名称",
            value: r.name,
            reason: `机构 ${r.code} 已存在（${existing.name}），修改请通过组织机构管理并指定生效日期`,
          });
        continue;
      }
      if (errors.length) continue;
      const path = `${parent?.path ?? "/"}${r.code}/`;
      const countyCode = r.kind === "county" ? r.code : (parent?.county_code ?? null);
      const u = await tx
        .insertInto("org_unit")
        .values({
          code: r.code,
          kind: r.kind,
          name: r.name,
          short_name: r.shortName,
          parent_id: parent?.id ?? null,
          path,
          county_code: countyCode,
        })
        .returning(["id", "code", "name", "path", "parent_id", "county_code", "kind", "valid_from"])
        .executeTakeFirstOrThrow();
      await tx
        .insertInto("org_unit_version")
        .values({
          org_unit_id: u.id,
          valid_from: u.valid_from,
          valid_to: null,
          name: u.name,
          parent_id: u.parent_id,
          path,
        })
        .execute();
      await recordAudit(tx, actor, {
        action: "create",
        entity: "org_unit",
        entityKey: r.code,
        orgPath: path,
        after: r,
        context: { source: "org-unit-pack" },
      });
      known.set(r.code, u);
      inserted++;
    }
    if (errors.length) throw new AppError("IMPORT_INVALID", describe(errors), { errors });
    return { inserted, unchanged: rows.length - inserted };
  });
}

function describe(errors: PackRowError[]): string {
  return errors
    .slice(0, 20)
    .map((e) => `第${e.row}行 ${e.column}「${e.value}」：${e.reason}`)
    .join("\n");
}
