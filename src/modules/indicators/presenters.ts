import type { GroupRow, IndicatorRow, TargetRow } from "./repository.js";
import type { GroupOut, IndicatorOut, TargetOut } from "./schemas.js";
import { targetLabel } from "./targets.js";

const iso = (d: Date | string | unknown) =>
  d instanceof Date ? d.toISOString() : new Date(String(d)).toISOString();

export function presentGroup(g: GroupRow): GroupOut {
  return {
    code: g.code,
    name: g.name,
    ordinal: g.ordinal,
    description: g.description,
    source: g.source,
    updatedAt: iso(g.updated_at),
  };
}

export function presentIndicator(r: IndicatorRow): IndicatorOut {
  return {
    code: r.code,
    name: r.name,
    groupCode: r.group_code,
    description: r.description,
    numerator: r.numerator,
    denominator: r.denominator,
    factor: Number(r.factor),
    unit: r.unit,
    decimals: r.decimals,
    better: r.better,
    periodType: r.period_type,
    cityOnly: r.city_only,
    numeratorLabel: r.numerator_label,
    denominatorLabel: r.denominator_label,
    source: r.source,
    ordinal: r.ordinal,
    active: r.active,
    version: r.version,
    updatedAt: iso(r.updated_at),
  };
}

export function presentTarget(t: TargetRow, unit: string): TargetOut {
  const rule = { kind: t.kind, direction: t.direction, value: Number(t.value) };
  return {
    id: Number(t.id),
    indicatorCode: t.indicator_code,
    orgUnitCode: t.org_unit_code,
    orgUnitName: t.org_unit_name,
    periodCode: t.period_code,
    ...rule,
    label: targetLabel(rule, unit),
    note: t.note,
    source: t.source,
    updatedAt: iso(t.updated_at),
  };
}
