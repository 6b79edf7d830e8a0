import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import { type Actor, requirePermission } from "../../shared/actor.js";
import { AppError, type FieldIssue } from "../../shared/errors.js";
import { parsePeriod } from "../../shared/period.js";
import { recordAudit } from "../audit/record.js";
import type { DefinitionService } from "./definition-service.js";
import { presentGroup, presentIndicator } from "./presenters.js";
import type { IndicatorRepository } from "./repository.js";
import { type PackageBody, type PackageResult, packageBody } from "./schemas.js";

/**
 * Loads an indicator package (a plan's key-task groups, indicators and targets, e.g.
 * packs/lvliang/plan-2022.json): validated whole first (every expression checked, every org unit
 * found), then written in one transaction with an audit row per change, so a bad package changes
 * nothing. Loading the same package twice changes nothing the second time.
 */
export async function loadIndicatorPackage(
  db: Kysely<DB>,
  actor: Actor,
  definitions: DefinitionService,
  input: unknown,
  /** Runs inside the package's transaction after it is written (the demo loader's marker). */
  alsoInTransaction?: (tx: Kysely<DB>, result: PackageResult) => Promise<void>,
): Promise<PackageResult> {
  requirePermission(actor, "indicators.manage");
  const parsed = packageBody.safeParse(input);
  if (!parsed.success)
    throw new AppError(
      "VALIDATION_FAILED",
      `指标包格式有误：${parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join(".")}: ${i.message}`)
        .join("；")}`,
      { issues: parsed.error.issues.map((i) => ({ field: i.path.join("."), message: i.message })) },
    );
  const pkg = parsed.data;
  const repo = definitions.repo;
  await validate(pkg, definitions, repo);
  const result: PackageResult = {
    code: pkg.code,
    groups: { inserted: 0, updated: 0, unchanged: 0 },
    indicators: { inserted: 0, updated: 0, unchanged: 0 },
    targets: { inserted: 0, updated: 0, unchanged: 0 },
  };
  const city = (await repo.orgUnit(pkg.city))!;
  const counties = await repo.counties(city.path);
  const context = { package: pkg.code };

  await db.transaction().execute(async (tx) => {
    for (const g of pkg.groups) {
      const before = await repo.group(g.code, tx);
      const row = {
        code: g.code,
        name: g.name,
        ordinal: g.ordinal,
        description: g.description ?? null,
        source: g.source ?? null,
      };
      if (!before) {
        const r = await repo.insertGroup(tx, row);
        await recordAudit(tx, actor, {
          action: "create",
          entity: "indicator_group",
          entityKey: g.code,
          after: presentGroup(r),
          context,
        });
        result.groups.inserted++;
      } else if (differs(before, row)) {
        const r = await repo.updateGroup(tx, g.code, row);
        await recordAudit(tx, actor, {
          action: "update",
          entity: "indicator_group",
          entityKey: g.code,
          before: presentGroup(before),
          after: presentGroup(r),
          context,
        });
        result.groups.updated++;
      } else result.groups.unchanged++;
    }

    for (const ind of pkg.indicators) {
      const before = await repo.indicator(ind.code, tx);
      const row = {
        name: ind.name,
        group_code: ind.groupCode ?? null,
        description: ind.description ?? null,
        numerator: ind.numerator,
        denominator: ind.denominator?.trim() ? ind.denominator : null,
        factor: ind.factor,
        unit: ind.unit,
        decimals: ind.decimals,
        better: ind.better,
        period_type: ind.periodType,
        city_only: ind.cityOnly,
        numerator_label: ind.numeratorLabel ?? null,
        denominator_label: ind.denominatorLabel ?? null,
        source: ind.source ?? null,
        ordinal: ind.ordinal,
        active: true,
      };
      if (!before) {
        const r = await repo.insertIndicator(tx, { code: ind.code, ...row });
        await recordAudit(tx, actor, {
          action: "create",
          entity: "indicator",
          entityKey: ind.code,
          after: presentIndicator(r),
          context,
        });
        result.indicators.inserted++;
      } else if (differs(before, row)) {
        const r = await repo.updateIndicator(tx, ind.code, row);
        await recordAudit(tx, actor, {
          action: "update",
          entity: "indicator",
          entityKey: ind.code,
          before: presentIndicator(before),
          after: presentIndicator(r),
          context,
        });
        result.indicators.updated++;
      } else result.indicators.unchanged++;

      for (const t of ind.targets) {
        const units =
          t.orgUnit === "counties"
            ? counties
            : t.orgUnit === "city"
              ? [city]
              : [(await repo.orgUnit(t.orgUnit, tx))!];
        const period = t.period ?? pkg.period;
        for (const u of units) {
          const existing = await repo.targetAt(ind.code, u.id, period, tx);
          const values = {
            kind: t.kind ?? "absolute",
            direction: t.direction,
            value: t.value,
            note: t.note ?? null,
            source: t.source ?? null,
          };
          if (existing && !differs({ ...existing, value: Number(existing.value) }, values)) {
            result.targets.unchanged++;
            continue;
          }
          await repo.upsertTarget(tx, {
            indicator_code: ind.code,
            org_unit_id: u.id,
            org_path: u.path,
            county_code: u.county_code,
            period_code: period,
            ...values,
          });
          await recordAudit(tx, actor, {
            action: existing ? "update" : "create",
            entity: "indicator_target",
            entityKey: `${ind.code}/${u.code}/${period}`,
            orgPath: u.path,
            before: existing
              ? { kind: existing.kind, direction: existing.direction, value: Number(existing.value) }
              : undefined,
            after: values,
            context,
          });
          if (existing) result.targets.updated++;
          else result.targets.inserted++;
        }
      }
    }
    await recordAudit(tx, actor, {
      action: "load-package",
      entity: "indicator_package",
      entityKey: pkg.code,
      orgPath: city.path,
      after: result,
    });
    if (alsoInTransaction) await alsoInTransaction(tx, result);
  });
  return result;
}

async function validate(pkg: PackageBody, definitions: DefinitionService, repo: IndicatorRepository) {
  const issues: FieldIssue[] = [];
  try {
    parsePeriod(pkg.period);
  } catch (e) {
    issues.push({ field: "period", message: (e as Error).message });
  }
  const city = await repo.orgUnit(pkg.city);
  if (city?.kind !== "city") issues.push({ field: "city", message: `城市“${pkg.city}”不存在` });
  const groupCodes = new Set(pkg.groups.map((g) => g.code));
  for (const g of await repo.groups()) groupCodes.add(g.code);
  const seen = new Set<string>();
  for (const [i, ind] of pkg.indicators.entries()) {
    const at = `indicators[${i}]（${ind.code}）`;
    if (seen.has(ind.code)) issues.push({ field: at, message: "指标代码重复" });
    seen.add(ind.code);
    if (ind.groupCode && !groupCodes.has(ind.groupCode))
      issues.push({ field: `${at}.groupCode`, message: `分组“${ind.groupCode}”不存在` });
    const check = await definitions.checkFormula(ind.numerator, ind.denominator);
    for (const x of check.issues)
      issues.push({
        field: `${at}.${x.side}`,
        message: `第 ${x.start + 1} 个字符起：${x.message}`,
      });
    for (const [j, t] of ind.targets.entries()) {
      if (t.orgUnit !== "city" && t.orgUnit !== "counties" && !(await repo.orgUnit(t.orgUnit)))
        issues.push({ field: `${at}.targets[${j}].orgUnit`, message: `机构“${t.orgUnit}”不存在` });
      if (t.period)
        try {
          parsePeriod(t.period);
        } catch (e) {
          issues.push({ field: `${at}.targets[${j}].period`, message: (e as Error).message });
        }
    }
  }
  if (issues.length)
    throw new AppError(
      "VALIDATION_FAILED",
      `指标包有 ${issues.length} 处错误，未载入任何内容：${issues
        .slice(0, 5)
        .map((i) => `${i.field}: ${i.message}`)
        .join("；")}`,
      { issues },
    );
}

function differs(before: object, after: Record<string, unknown>): boolean {
  const b = before as Record<string, unknown>;
  return Object.entries(after).some(([k, v]) => {
    const x = b[k];
    if (typeof v === "number") return Number(x) !== v;
    return (x ?? null) !== (v ?? null);
  });
}
