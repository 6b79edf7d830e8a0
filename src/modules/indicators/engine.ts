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
  /** Units in the subtree with a reported figure (form value, screening, inspection) that the formula used. */
  reported: number;
  /**
   * The formula reads reported data and no unit in the subtree reported any: the value is null, and
   * the numerator counts nothing that was said (a school's 0 ÷ 1 is "not reported", not "none").
   */
  notReported: boolean;
}

/**
 * Whether the formula reads reported data (forms, screenings, 平安校园 inspections), so that "nothing
 * reported" means no data.
 */
export const readsReports = (f: Formula) =>
  [f.numerator, f.denominator].some(
    (c) => c && (c.sources.has("forms") || c.sources.has("health") || c.sources.has("safety")),
  );

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
  const out = new Map<string, NodeFigure>();
  for (const [path, a] of acc) out.set(path, nodeFigure(formula, a.n, a.d, a.reported));
  return out;
}

/** Sums of many decimals drift (0.1 + 0.2); figures are kept to 9 decimals. */
const roundSafe = (x: number) => Math.round(x * 1e9) / 1e9;

/**
 * The units of one period's facts as a tree of slots: one slot per distinct unit path, then one per
 * ancestor path that no unit has; `up` lists each unit's slots from the top down (pathsUp order).
 */
export interface UnitTree {
  paths: string[];
  slot: Map<string, number>;
  /** Slots of unit i's ancestors and itself: up[upStart[i] … upStart[i + 1]). */
  up: Int32Array;
  upStart: Int32Array;
  /** Slots below this one are unit paths (a figure even when nothing was counted there). */
  unitSlots: number;
}

export function unitTree(units: UnitFacts[]): UnitTree {
  const paths: string[] = [];
  const slot = new Map<string, number>();
  for (const u of units) {
    if (!slot.has(u.path)) {
      slot.set(u.path, paths.length);
      paths.push(u.path);
    }
  }
  const unitSlots = paths.length;
  const upStart = new Int32Array(units.length + 1);
  const list: number[] = [];
  units.forEach((u, i) => {
    upStart[i] = list.length;
    for (const p of u.ancestors ?? pathsUp(u.path)) {
      let s = slot.get(p);
      if (s === undefined) {
        s = paths.length;
        slot.set(p, s);
        paths.push(p);
      }
      list.push(s);
    }
  });
  upStart[units.length] = list.length;
  return { paths, slot, up: Int32Array.from(list), upStart, unitSlots };
}

/** Each unit's own numerator, denominator and whether it read a reported figure (the summands). */
export interface Contributions {
  units: UnitFacts[];
  n: Float64Array;
  d: Float64Array;
  touched: Uint8Array;
}

/**
 * The summands of a formula over `units`. A unit whose facts object is the one of `previous` (its
 * facts did not change: FactsProvider keeps the object) keeps its summands; the others are evaluated.
 * Pure: the result depends only on the formula and the units' facts.
 */
export function contributions(formula: Formula, units: UnitFacts[], previous?: Contributions): Contributions {
  const n = new Float64Array(units.length);
  const d = new Float64Array(units.length);
  const touched = new Uint8Array(units.length);
  let before: Map<UnitFacts, number> | null = null;
  const sameOrder = previous !== undefined && previous.units.length === units.length;
  for (let i = 0; i < units.length; i++) {
    const u = units[i];
    let j = -1;
    if (previous) {
      if (sameOrder && previous.units[i] === u) j = i;
      else if (!sameOrder) {
        before ??= new Map(previous.units.map((x, k) => [x, k]));
        j = before.get(u) ?? -1;
      }
    }
    if (j >= 0 && previous) {
      n[i] = previous.n[j];
      d[i] = previous.d[j];
      touched[i] = previous.touched[j];
      continue;
    }
    const ev = new UnitEvaluator(u);
    n[i] = ev.number(formula.numerator.tree) ?? 0;
    d[i] = formula.denominator ? (ev.number(formula.denominator.tree) ?? 0) : 0;
    touched[i] = ev.touched ? 1 : 0;
  }
  return { units, n, d, touched };
}

/** Node figures by path, summed from the summands; each figure is made when first asked for. */
export class TreeFigures {
  private readonly made = new Map<number, NodeFigure>();
  constructor(
    private readonly tree: UnitTree,
    private readonly formula: Formula,
    private readonly n: Float64Array,
    private readonly d: Float64Array,
    private readonly reported: Int32Array,
    private readonly present: Uint8Array,
  ) {}

  get(path: string): NodeFigure | undefined {
    const s = this.tree.slot.get(path);
    if (s === undefined || (s >= this.tree.unitSlots && !this.present[s])) return undefined;
    let f = this.made.get(s);
    if (!f) {
      f = nodeFigure(this.formula, this.n[s], this.d[s], this.reported[s]);
      this.made.set(s, f);
    }
    return f;
  }
}

/**
 * The same figures as computeIndicator, from summands and a tree: the sums run over the units in
 * the same order, so they are the same numbers to the last bit.
 */
export function sumUp(formula: Formula, tree: UnitTree, c: Contributions): TreeFigures {
  const size = tree.paths.length;
  const n = new Float64Array(size);
  const d = new Float64Array(size);
  const reported = new Int32Array(size);
  const present = new Uint8Array(size);
  for (let i = 0; i < c.units.length; i++) {
    const ni = c.n[i];
    const di = c.d[i];
    const t = c.touched[i];
    if (ni === 0 && di === 0 && !t) continue;
    for (let k = tree.upStart[i]; k < tree.upStart[i + 1]; k++) {
      const s = tree.up[k];
      n[s] += ni;
      d[s] += di;
      reported[s] += t;
      present[s] = 1;
    }
  }
  return new TreeFigures(tree, formula, n, d, reported, present);
}

function nodeFigure(formula: Formula, n: number, d: number, reported: number): NodeFigure {
  const noData = readsReports(formula) && reported === 0;
  let value: number | null;
  if (noData) value = null;
  else if (formula.denominator) value = d > 0 ? (n / d) * formula.factor : null;
  else value = n * formula.factor;
  return {
    numerator: roundSafe(n),
    denominator: formula.denominator ? roundSafe(d) : null,
    value,
    reported,
    notReported: noData,
  };
}
