import type { XlsxColumn } from "../../shared/xlsx.js";
import type { AggregateDef, AttributeDef, FunctionDef } from "./expression/catalogue.js";
import type { ElementInfo } from "./expression/check.js";
import type { Cell, CockpitResponse, ResultsResponse, UnitPageResponse } from "./schemas.js";

/** One row of any indicator view exported to xlsx: an indicator at an org unit. */
export interface ExportRow {
  group: string;
  indicator: string;
  unit: string;
  orgUnitCode: string;
  orgUnitName: string;
  period: string;
  cell: Cell;
}

export const exportColumns: XlsxColumn<ExportRow>[] = [
  { header: "重点工作", width: 28, value: (r) => r.group },
  { header: "指标", width: 28, value: (r) => r.indicator },
  { header: "单位", value: (r) => r.unit },
  { header: "统计期", value: (r) => r.period },
  { header: "机构代码", width: 14, value: (r) => r.orgUnitCode },
  { header: "机构", width: 24, value: (r) => r.orgUnitName },
  { header: "指标值", value: (r) => (r.cell.notReported ? "未上报" : r.cell.value) },
  { header: "分子", value: (r) => r.cell.numerator },
  { header: "分母", value: (r) => r.cell.denominator },
  { header: "目标", width: 20, value: (r) => r.cell.target },
  { header: "状态", value: (r) => r.cell.statusLabel },
  { header: "差距", value: (r) => r.cell.gap },
  { header: "上期值", value: (r) => r.cell.previous },
  { header: "较上期变化", value: (r) => r.cell.change },
  { header: "县级排名", value: (r) => r.cell.rank },
  { header: "上报机构数", value: (r) => r.cell.reported },
];

export async function* cockpitRows(d: CockpitResponse): AsyncGenerator<ExportRow> {
  const groups = new Map(d.groups.map((g) => [g.code, g.name]));
  for (const ind of d.indicators) {
    const base = {
      group: groups.get(ind.groupCode ?? "") ?? "",
      indicator: ind.name,
      unit: ind.unit,
      period: d.period.code,
    };
    yield { ...base, orgUnitCode: d.city.code, orgUnitName: d.city.name, cell: ind.city };
    for (const [i, c] of d.counties.entries())
      yield { ...base, orgUnitCode: c.code, orgUnitName: c.name, cell: ind.counties[i] };
  }
}

export async function* resultRows(d: ResultsResponse): AsyncGenerator<ExportRow> {
  const base = { group: "", indicator: d.indicator.name, unit: d.indicator.unit, period: d.period.code };
  yield { ...base, orgUnitCode: d.orgUnit.code, orgUnitName: d.orgUnit.name, cell: d.node };
  for (const c of d.children) yield { ...base, orgUnitCode: c.code, orgUnitName: c.name, cell: c.cell };
}

export async function* unitPageRows(d: UnitPageResponse): AsyncGenerator<ExportRow> {
  const groups = new Map(d.groups.map((g) => [g.code, g.name]));
  for (const ind of d.indicators) {
    const base = {
      group: groups.get(ind.groupCode ?? "") ?? "",
      indicator: ind.name,
      unit: ind.unit,
      period: d.period.code,
    };
    yield { ...base, orgUnitCode: d.orgUnit.code, orgUnitName: d.orgUnit.name, cell: ind.self };
    for (const [i, p] of d.parents.entries())
      yield { ...base, orgUnitCode: p.code, orgUnitName: p.name, cell: ind.parents[i] };
  }
}

export function catalogueRows(
  aggs: AggregateDef[],
  fns: FunctionDef[],
  attrs: AttributeDef[],
  elements: Map<string, ElementInfo> | null,
) {
  const attr = (a: AttributeDef) => ({ name: a.name, aliases: a.aliases, label: a.label, type: a.type });
  return {
    aggregates: aggs.map((a) => ({
      name: a.name,
      aliases: a.aliases,
      label: a.label,
      source: a.source,
      attributes: a.attributes.map(attr),
    })),
    functions: fns,
    unitAttributes: attrs.map(attr),
    elements: elements ? [...elements.values()] : null,
  };
}
