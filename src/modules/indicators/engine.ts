import type { Compiled } from "./expression/check.js";
import { UnitEvaluator, type UnitFacts } from "./expression/evaluate.js";

/**
 * The indicator engine: an indicator is numerator ÷ denominator × factor (a count when there is no
 * denominator). Both sides are evaluated on every org unit on its own figures, then summed up the
 * tree: a county's figure is the sum of its units' numerators over the sum of their denominators,
 * never an average of school ratios (《县域学前教育普及普惠督导评估办法》, 2020: 公办率 and 普惠率
 * are counts of children over counts of children). Pure: no I/O.
 */
export interface Formula {
  numerator: Compiled;
  denominator: Compiled | null;
  factor: number;
}

export interface NodeFigure {
  numerator: number;
  denominator: number | null;
  /** numerator ÷ denominator × factor; null when there is nothing to divide by, or nothing reported. */
  value: number | null;
  /** Units in the subtree with a reported figure (form value, screening) that the formula used. */
  reported: number;
}

/** Whether the formula reads reported data (forms, screenings), so that "nothing reported" means no data. */
export const readsReports = (f: Formula) =>
  [f.numerator, f.denominator].some((c) => c && (c.sources.has("forms") || c.sources.has("health")));

/** Ancestor paths of a path, itself included: /a/b/c/ → /a/, /a/b/, /a/b/c/. */
export function pathsUp(path: string): string[] {
  const parts = path.split("/").filter(Boolean);
  const out: string[] = [];
  let p = "/";
  for (const part of parts) {
    p += `${part}/`;
    out.push(p);
  }
  return out;
}

/** Figures for every node of the tree (keyed by path) that has a unit in `units` below or at it. */
export function computeIndicator(formula: Formula, units: UnitFacts[]): Map<string, NodeFigure> {
  const acc = new Map<string, { n: number; d: number; reported: number }>();
  for (const u of units) acc.set(u.path, { n: 0, d: 0, reported: 0 });
  for (const u of units) {
    const ev = new UnitEvaluator(u);
    const n = ev.number(formula.numerator.tree) ?? 0;
    const d = formula.denominator ? (ev.number(formula.denominator.tree) ?? 0) : 0;
    const touched = ev.touched ? 1 : 0;
    if (n === 0 && d === 0 && !touched) continue;
    for (const p of u.ancestors ?? pathsUp(u.path)) {
      let a = acc.get(p);
      if (!a) {
        a = { n: 0, d: 0, reported: 0 };
        acc.set(p, a);
      }
      a.n += n;
      a.d += d;
      a.reported += touched;
    }
  }
  const needsReports = readsReports(formula);
  const out = new Map<string, NodeFigure>();
  for (const [path, a] of acc) {
    const noData = needsReports && a.reported === 0;
    let value: number | null;
    if (noData) value = null;
    else if (formula.denominator) value = a.d > 0 ? (a.n / a.d) * formula.factor : null;
    else value = a.n * formula.factor;
    out.set(path, {
      numerator: roundSafe(a.n),
      denominator: formula.denominator ? roundSafe(a.d) : null,
      value,
      reported: a.reported,
    });
  }
  return out;
}

/** Sums of many decimals drift (0.1 + 0.2); figures are kept to 9 decimals. */
const roundSafe = (x: number) => Math.round(x * 1e9) / 1e9;
