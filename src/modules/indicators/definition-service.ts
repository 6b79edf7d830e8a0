import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import { type Actor, pathInScope, requirePermission } from "../../shared/actor.js";
import { AppError, notFound } from "../../shared/errors.js";
import { parsePeriod } from "../../shared/period.js";
import { recordAudit } from "../audit/record.js";
import { checkExpression, type ElementInfo } from "./expression/check.js";
import type { ExpressionIssue } from "./expression/parse.js";
import { presentGroup, presentIndicator, presentTarget } from "./presenters.js";
import type { GroupRow, IndicatorRepository, IndicatorRow } from "./repository.js";
import type {
  GroupOut,
  IndicatorCreate,
  IndicatorOut,
  IndicatorPatch,
  TargetOut,
  TargetPut,
} from "./schemas.js";
import type { IndicatorFormsSource } from "./sources.js";

type Issue = ExpressionIssue & { side: "numerator" | "denominator" };

/**
 * Definitions of indicators, key-task groups and targets: read by everyone with indicators.read,
 * changed by holders of indicators.manage. Every expression is checked when saved (unknown names and
 * type errors are refused with their positions); every change is audited in its own transaction and
 * calls `changed()` so that cached results are dropped at once.
 */
export class DefinitionService {
  constructor(
    readonly db: Kysely<DB>,
    readonly repo: IndicatorRepository,
    private readonly forms: IndicatorFormsSource | null,
    private readonly changed: () => void,
  ) {}

  /** The data elements value("…") may name; null when no forms module is wired in (no check). */
  async elements(): Promise<Map<string, ElementInfo> | null> {
    if (!this.forms) return null;
    const list = await this.forms.listElements();
    return new Map(
      list.map((e) => [e.code, { code: e.code, name: e.name ?? e.code, valueType: e.valueType ?? "number" }]),
    );
  }

  /** Checks both sides of a formula; [] when both are valid. */
  async checkFormula(numerator: string, denominator: string | null | undefined) {
    const elements = await this.elements();
    const issues: Issue[] = [];
    const sources = new Set<string>();
    for (const [side, src] of [
      ["numerator", numerator],
      ["denominator", denominator],
    ] as const) {
      if (src === null || src === undefined || src.trim() === "") continue;
      const r = checkExpression(src, elements);
      if (r.ok) for (const s of r.compiled.sources) sources.add(s);
      else issues.push(...r.issues.map((i) => ({ ...i, side })));
    }
    return { ok: issues.length === 0, issues, sources: [...sources] };
  }

  private async requireValidFormula(numerator: string, denominator: string | null | undefined) {
    const r = await this.checkFormula(numerator, denominator);
    if (!r.ok)
      throw new AppError(
        "VALIDATION_FAILED",
        r.issues
          .map((i) => `${i.side === "numerator" ? "分子" : "分母"}第 ${i.start + 1} 个字符起：${i.message}`)
          .join("；"),
        { issues: r.issues.map((i) => ({ field: i.side, message: i.message, start: i.start, end: i.end })) },
      );
  }

  async list(actor: Actor, includeInactive = false) {
    requirePermission(actor, "indicators.read");
    const [groups, indicators] = await Promise.all([
      this.repo.groups(),
      this.repo.indicators(includeInactive),
    ]);
    return { groups: groups.map(presentGroup), indicators: indicators.map(presentIndicator) };
  }

  async get(actor: Actor, code: string) {
    requirePermission(actor, "indicators.read");
    const row = await this.repo.indicator(code);
    if (!row) throw notFound("指标");
    const targets = await this.repo.targets({ indicator: code }, visible(actor));
    return { ...presentIndicator(row), targets: targets.map((t) => presentTarget(t, row.unit)) };
  }

  // ---- indicators ----

  async create(actor: Actor, body: IndicatorCreate): Promise<IndicatorOut> {
    requirePermission(actor, "indicators.manage");
    await this.requireValidFormula(body.numerator, body.denominator);
    const row = await this.db.transaction().execute(async (tx) => {
      if (await this.repo.indicator(body.code, tx))
        throw new AppError("CONFLICT", `指标代码“${body.code}”已存在`);
      if (body.groupCode && !(await this.repo.group(body.groupCode, tx)))
        throw new AppError("VALIDATION_FAILED", `重点工作分组“${body.groupCode}”不存在`);
      const r = await this.repo.insertIndicator(tx, { ...toRow(body), code: body.code, active: true });
      await recordAudit(tx, actor, {
        action: "create",
        entity: "indicator",
        entityKey: r.code,
        after: presentIndicator(r),
      });
      return r;
    });
    this.changed();
    return presentIndicator(row);
  }

  async update(actor: Actor, code: string, patch: IndicatorPatch): Promise<IndicatorOut> {
    requirePermission(actor, "indicators.manage");
    const before = await this.repo.indicator(code);
    if (!before) throw notFound("指标");
    if (patch.numerator !== undefined || patch.denominator !== undefined)
      await this.requireValidFormula(
        patch.numerator ?? before.numerator,
        patch.denominator === undefined ? before.denominator : patch.denominator,
      );
    const row = await this.db.transaction().execute(async (tx) => {
      if (patch.groupCode && !(await this.repo.group(patch.groupCode, tx)))
        throw new AppError("VALIDATION_FAILED", `重点工作分组“${patch.groupCode}”不存在`);
      const r = await this.repo.updateIndicator(tx, code, toRow(patch));
      await recordAudit(tx, actor, {
        action: "update",
        entity: "indicator",
        entityKey: code,
        before: presentIndicator(before),
        after: presentIndicator(r),
      });
      return r;
    });
    this.changed();
    return presentIndicator(row);
  }

  /** Retires an indicator (its targets and history stay; it leaves the cockpit). */
  async retire(actor: Actor, code: string): Promise<IndicatorOut> {
    return this.update(actor, code, { active: false });
  }

  // ---- groups ----

  async createGroup(actor: Actor, g: Omit<GroupRow, "created_at" | "updated_at">): Promise<GroupOut> {
    requirePermission(actor, "indicators.manage");
    const row = await this.db.transaction().execute(async (tx) => {
      if (await this.repo.group(g.code, tx)) throw new AppError("CONFLICT", `分组代码“${g.code}”已存在`);
      const r = await this.repo.insertGroup(tx, g);
      await recordAudit(tx, actor, {
        action: "create",
        entity: "indicator_group",
        entityKey: g.code,
        after: presentGroup(r),
      });
      return r;
    });
    this.changed();
    return presentGroup(row);
  }

  async updateGroup(actor: Actor, code: string, patch: Partial<GroupRow>): Promise<GroupOut> {
    requirePermission(actor, "indicators.manage");
    const before = await this.repo.group(code);
    if (!before) throw notFound("重点工作分组");
    const row = await this.db.transaction().execute(async (tx) => {
      const r = await this.repo.updateGroup(tx, code, patch);
      await recordAudit(tx, actor, {
        action: "update",
        entity: "indicator_group",
        entityKey: code,
        before: presentGroup(before),
        after: presentGroup(r),
      });
      return r;
    });
    this.changed();
    return presentGroup(row);
  }

  async deleteGroup(actor: Actor, code: string): Promise<void> {
    requirePermission(actor, "indicators.manage");
    const before = await this.repo.group(code);
    if (!before) throw notFound("重点工作分组");
    await this.db.transaction().execute(async (tx) => {
      if ((await this.repo.countIndicatorsOf(code, tx)) > 0)
        throw new AppError("CONFLICT", "该分组下还有指标，不能删除");
      await tx.updateTable("indicator").set({ group_code: null }).where("group_code", "=", code).execute();
      await this.repo.deleteGroup(tx, code);
      await recordAudit(tx, actor, {
        action: "delete",
        entity: "indicator_group",
        entityKey: code,
        before: presentGroup(before),
      });
    });
    this.changed();
  }

  // ---- targets ----

  async targets(
    actor: Actor,
    f: { indicator?: string; period?: string; orgUnit?: string },
  ): Promise<TargetOut[]> {
    requirePermission(actor, "indicators.read");
    let orgUnitId: number | undefined;
    if (f.orgUnit) {
      const u = await this.repo.orgUnit(f.orgUnit);
      if (!u) throw notFound("机构");
      orgUnitId = u.id;
    }
    const units = new Map((await this.repo.indicators(true)).map((i) => [i.code, i.unit]));
    const rows = await this.repo.targets(
      { indicator: f.indicator, period: f.period, orgUnitId },
      visible(actor),
    );
    return rows.map((t) => presentTarget(t, units.get(t.indicator_code) ?? ""));
  }

  /** Sets the target of an indicator at an org unit for a period (creates or replaces it). */
  async putTarget(actor: Actor, body: TargetPut): Promise<TargetOut> {
    requirePermission(actor, "indicators.manage");
    parsePeriod(body.periodCode);
    const ind = await this.repo.indicator(body.indicatorCode);
    if (!ind) throw notFound("指标");
    const unit = await this.repo.orgUnit(body.orgUnitCode);
    if (!unit || !pathInScope(actor, unit.path)) throw notFound("机构");
    const row = await this.db.transaction().execute(async (tx) => {
      const before = await this.repo.targetAt(ind.code, unit.id, body.periodCode, tx);
      const id = await this.repo.upsertTarget(tx, {
        indicator_code: ind.code,
        org_unit_id: unit.id,
        org_path: unit.path,
        county_code: unit.county_code,
        period_code: body.periodCode,
        kind: body.kind,
        direction: body.direction,
        value: body.value,
        note: body.note ?? null,
        source: body.source ?? null,
      });
      const after = (await this.repo.target(id, tx))!;
      await recordAudit(tx, actor, {
        action: before ? "update" : "create",
        entity: "indicator_target",
        entityKey: `${ind.code}/${unit.code}/${body.periodCode}`,
        orgPath: unit.path,
        before: before ? presentTarget(before, ind.unit) : undefined,
        after: presentTarget(after, ind.unit),
      });
      return after;
    });
    this.changed();
    return presentTarget(row, ind.unit);
  }

  async deleteTarget(actor: Actor, id: number): Promise<void> {
    requirePermission(actor, "indicators.manage");
    const t = await this.repo.target(id);
    if (!t || !pathInScope(actor, t.org_path)) throw notFound("目标");
    await this.db.transaction().execute(async (tx) => {
      await this.repo.deleteTarget(tx, id);
      await recordAudit(tx, actor, {
        action: "delete",
        entity: "indicator_target",
        entityKey: `${t.indicator_code}/${t.org_unit_code}/${t.period_code}`,
        orgPath: t.org_path,
        before: presentTarget(t, ""),
      });
    });
    this.changed();
  }
}

/** Targets an actor may read: of units in the scope, and of the units above it (the county, the city). */
export function visible(actor: Actor): { scope: string[]; ancestors: string[] } {
  const ancestors = new Set<string>();
  for (const p of actor.scopePaths) {
    const parts = p.split("/").filter(Boolean);
    for (let i = 1; i < parts.length; i++) ancestors.add(`/${parts.slice(0, i).join("/")}/`);
  }
  return { scope: actor.scopePaths, ancestors: [...ancestors] };
}

function toRow(
  b: Partial<IndicatorCreate> & { active?: boolean },
): Omit<IndicatorRow, "code" | "created_at" | "updated_at" | "version" | "active"> & { active?: boolean } {
  const out: Record<string, unknown> = {};
  const map: Record<string, string> = {
    name: "name",
    groupCode: "group_code",
    description: "description",
    numerator: "numerator",
    denominator: "denominator",
    factor: "factor",
    unit: "unit",
    decimals: "decimals",
    better: "better",
    periodType: "period_type",
    cityOnly: "city_only",
    numeratorLabel: "numerator_label",
    denominatorLabel: "denominator_label",
    source: "source",
    ordinal: "ordinal",
    active: "active",
  };
  for (const [k, col] of Object.entries(map)) {
    const v = (b as Record<string, unknown>)[k];
    if (v === undefined) continue;
    out[col] = k === "denominator" && typeof v === "string" && v.trim() === "" ? null : (v ?? null);
  }
  return out as ReturnType<typeof toRow>;
}
