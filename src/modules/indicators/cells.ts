import type { NodeFigure } from "./engine.js";
import type { Cell } from "./schemas.js";
import { evaluateTarget, roundTo, statusLabels, type TargetRule, targetLabel } from "./targets.js";

/**
 * Turns computed figures into what a screen shows: rounded value, target and status, gap, change
 * from the previous period, rank among counties, trend. Pure.
 */
export interface IndicatorShape {
  code: string;
  unit: string;
  decimals: number;
  better: "higher" | "lower";
}

/** Node figures by path (a Map, or the engine's TreeFigures). */
export interface FigureLookup {
  get(path: string): NodeFigure | undefined;
}

export interface PeriodFigures {
  period: string;
  figures: FigureLookup;
  ranks: Map<string, number>;
}

export type TargetLookup = (indicator: string, orgUnitId: number, period: string) => TargetRule | undefined;

export function buildCell(
  ind: IndicatorShape,
  unit: { id: number; code: string; path: string },
  /** Oldest first; the last is the period shown, the one before it its previous period. */
  series: PeriodFigures[],
  previous: PeriodFigures,
  targetOf: TargetLookup,
  trendLength: number,
): Cell {
  const cur = series[series.length - 1];
  const f = cur.figures.get(unit.path);
  const prevValue = previous.figures.get(unit.path)?.value ?? null;
  const value = f?.value ?? null;
  const rule = targetOf(ind.code, unit.id, cur.period) ?? null;
  const outcome = evaluateTarget(rule, value, prevValue, ind.decimals);
  const r = (x: number | null) => (x === null ? null : roundTo(x, ind.decimals));
  const trend = series.slice(-trendLength).map((p, i, all) => {
    const v = p.figures.get(unit.path)?.value ?? null;
    const before = i > 0 ? (all[i - 1].figures.get(unit.path)?.value ?? null) : null;
    const t = targetOf(ind.code, unit.id, p.period);
    const s = t ? evaluateTarget(t, v, before, ind.decimals).status : v === null ? "noData" : "noTarget";
    return { period: p.period, value: r(v), status: s };
  });
  // Nothing reported: no numerator or denominator either (not 0 ÷ 1), only the previous period's value.
  const said = f && !f.notReported ? f : null;
  return {
    orgUnitCode: unit.code,
    value: r(value),
    numerator: said ? said.numerator : null,
    denominator: said ? said.denominator : null,
    reported: f?.reported ?? 0,
    notReported: f?.notReported ?? false,
    target: rule ? targetLabel(rule, ind.unit) : null,
    threshold: outcome.threshold,
    status: outcome.status,
    statusLabel: statusLabels[outcome.status],
    gap: outcome.gap,
    previous: r(prevValue),
    change:
      value !== null && prevValue !== null
        ? roundTo(roundTo(value, ind.decimals) - roundTo(prevValue, ind.decimals), ind.decimals)
        : null,
    rank: cur.ranks.get(unit.path) ?? null,
    trend,
  };
}

/** Ranks (1 = best; ties share a rank) of the given paths by value, in the indicator's better direction. */
export function rankPaths(
  figures: FigureLookup,
  paths: string[],
  better: "higher" | "lower",
  decimals: number,
): Map<string, number> {
  const withValues = paths
    .map((p) => ({ p, v: figures.get(p)?.value ?? null }))
    .filter((x): x is { p: string; v: number } => x.v !== null)
    .map((x) => ({ p: x.p, v: roundTo(x.v, decimals) }));
  withValues.sort((a, b) => (better === "higher" ? b.v - a.v : a.v - b.v));
  const ranks = new Map<string, number>();
  withValues.forEach((x, i) => {
    const prev = withValues[i - 1];
    ranks.set(x.p, prev && prev.v === x.v ? ranks.get(prev.p)! : i + 1);
  });
  return ranks;
}
