import type { Expr } from "./parse.js";

/**
 * What is known about one org unit for one period: its attributes and the source figures an
 * expression may aggregate. The engine evaluates a checked expression on each unit in turn; the
 * unit's result is then summed up the tree. Pure data, no I/O.
 */
export interface UnitFacts {
  id: number;
  code: string;
  name: string;
  kind: "city" | "county" | "school" | "department";
  path: string;
  countyCode: string | null;
  schoolType: string | null;
  ownership: "public" | "private" | null;
  inclusive: boolean | null;
  urbanRural: string | null;
  boarding: boolean | null;
  /** Stages the school teaches (from its JY/T 1001 type). */
  stages: string[];
  /** Teaches 小学 or 初中 (义务教育). */
  compulsory: boolean;
  /** "city": the city and units directly under it that belong to no county; "county" otherwise. */
  level: "city" | "county";
  /** In operation at the end of the period. */
  current: boolean;
  /** Merged (撤并) during the period. */
  mergedInPeriod: boolean;
  /** Came into being during the period. */
  openedInPeriod: boolean;
  students: StudentGroup[];
  staff: StaffGroup[];
  /** Form values keyed by valueKey(code, disaggregation): numbers (yes/no as 1/0), or choice codes. */
  values: Map<string, number | string | null>;
  /** Vision screening at this unit in the period, when there was one. */
  health: { screened: number; myopic: number } | null;
  /** 平安校园 inspection of this school in the period (county or city; self-checks do not count), when there was one. */
  safety: { passed: boolean } | null;
  /**
   * The unit's identity and attributes as one string (id, type, ownership …): period-free counts of
   * its people are remembered under it, so they survive a re-read of an unchanged registry.
   */
  attrKey?: string;
  /** Paths of the unit and every unit above it (engine.ts pathsUp), when precomputed. */
  ancestors?: string[];
}

export interface StudentGroup {
  stage: string;
  grade: number;
  gender: string;
  n: number;
}

export interface StaffGroup {
  posts: string[];
  keyLevel: string | null;
  title: string | null;
  education: string | null;
  n: number;
}

export const valueKey = (code: string, disaggregation = "") => `${code}\u0000${disaggregation}`;

type V = number | string | boolean | null | V[];

/** Equality across a number and its text ("1" = 1): choice codes may look like numbers. */
const same = (a: V, b: V) => a === b || (typeof a !== typeof b && String(a) === String(b));

/**
 * Counts of students and staff under a condition that reads no reported value depend only on the
 * unit's attributes and its people, not on the period: they are remembered per aggregate node and
 * people list (weakly held: a re-read of people is a miss), checked against the unit's attributes,
 * so the periods of a trend, a change of forms data and a change of another unit all reuse them.
 */
const peopleMemo = new WeakMap<Expr, WeakMap<object, { attrKey: string; n: number }>>();

/** True when an expression calls value(…) anywhere (its result then depends on the period). */
function readsValues(e: Expr): boolean {
  switch (e.k) {
    case "call":
      return e.name === "value" || e.args.some(readsValues);
    case "binary":
      return readsValues(e.left) || readsValues(e.right);
    case "unary":
      return readsValues(e.arg);
    case "list":
      return e.items.some(readsValues);
    default:
      return false;
  }
}
const readsValuesMemo = new WeakMap<Expr, boolean>();
const periodFree = (e: Expr) => {
  let r = readsValuesMemo.get(e);
  if (r === undefined) {
    r = !readsValues(e);
    readsValuesMemo.set(e, r);
  }
  return r;
};

/** A unit's attributes as expressions name them, made once per facts object (facts are not changed). */
const unitAttrsMemo = new WeakMap<UnitFacts, Record<string, V>>();

/**
 * Evaluation of one expression on one unit; `touched` says a reported figure (form, screening,
 * 平安校园 inspection) was found.
 */
export class UnitEvaluator {
  touched = false;
  /** The student or staff group a condition is being evaluated on, if any. */
  private group: Record<string, unknown> | null = null;
  private attrs: Record<string, V> | null = null;
  constructor(private readonly u: UnitFacts) {}

  number(e: Expr): number | null {
    const v = this.eval(e);
    return typeof v === "number" && Number.isFinite(v) ? v : null;
  }

  private eval(e: Expr): V {
    switch (e.k) {
      case "num":
      case "str":
      case "bool":
        return e.value;
      case "null":
        return null;
      case "list":
        return e.items.map((i) => this.eval(i));
      case "name": {
        const g = this.group;
        if (g !== null && e.name in g) return (g[e.name] as V) ?? null;
        return this.unitAttrs()[e.name] ?? null;
      }
      case "unary": {
        const a = this.eval(e.arg);
        if (e.op === "not") return a === null ? null : !a;
        return typeof a === "number" ? -a : null;
      }
      case "binary":
        return this.binary(e);
      case "call":
        return this.call(e);
    }
  }

  private binary(e: Extract<Expr, { k: "binary" }>): V {
    if (e.op === "and") {
      const l = this.eval(e.left);
      if (l !== true) return l === null ? null : false;
      return this.eval(e.right) === true;
    }
    if (e.op === "or") {
      if (this.eval(e.left) === true) return true;
      return this.eval(e.right) === true;
    }
    const l = this.eval(e.left);
    const r = this.eval(e.right);
    switch (e.op) {
      case "+":
      case "-":
      case "*":
      case "/": {
        if (typeof l !== "number" || typeof r !== "number") return null;
        if (e.op === "+") return l + r;
        if (e.op === "-") return l - r;
        if (e.op === "*") return l * r;
        return r === 0 ? null : l / r;
      }
      case "in": {
        if (!Array.isArray(r) || l === null) return false;
        if (Array.isArray(l)) return l.some((x) => r.includes(x));
        return r.includes(l);
      }
      case "=":
      case "!=": {
        if (l === null || r === null) return false;
        const eq = Array.isArray(l)
          ? l.some((x) => same(x, r))
          : Array.isArray(r)
            ? r.some((x) => same(l, x))
            : same(l, r);
        return e.op === "=" ? eq : !eq;
      }
      default: {
        if (typeof l !== "number" || typeof r !== "number") return false;
        if (e.op === "<") return l < r;
        if (e.op === "<=") return l <= r;
        if (e.op === ">") return l > r;
        return l >= r;
      }
    }
  }

  private unitAttrs(): Record<string, V> {
    if (this.attrs) return this.attrs;
    const u = this.u;
    const known = unitAttrsMemo.get(u);
    if (known) {
      this.attrs = known;
      return known;
    }
    this.attrs = {
      type: u.schoolType,
      ownership: u.ownership,
      inclusive: u.inclusive ?? false,
      urbanRural: u.urbanRural,
      boarding: u.boarding ?? false,
      kind: u.kind,
      level: u.level,
      stages: u.stages,
      compulsory: u.compulsory,
      county: u.countyCode,
    };
    unitAttrsMemo.set(u, this.attrs);
    return this.attrs;
  }

  private cond(args: Expr[]): boolean {
    return args.length === 0 || this.eval(args[0]) === true;
  }

  private call(e: Extract<Expr, { k: "call" }>): V {
    const u = this.u;
    switch (e.name) {
      case "value": {
        const code = (e.args[0] as { value: string }).value;
        const dis = e.args[1]?.k === "str" ? e.args[1].value : "";
        const v = u.values.get(valueKey(code, dis));
        if (v === undefined || v === null) return null;
        this.touched = true;
        return v;
      }
      case "if": {
        const c = this.eval(e.args[0]);
        return this.eval(c === true ? e.args[1] : e.args[2]);
      }
      case "min":
      case "max": {
        const a = this.eval(e.args[0]);
        const b = this.eval(e.args[1]);
        if (typeof a !== "number" || typeof b !== "number") return null;
        return e.name === "min" ? Math.min(a, b) : Math.max(a, b);
      }
      case "coalesce": {
        const a = this.eval(e.args[0]);
        return a === null ? this.eval(e.args[1]) : a;
      }
    }
    return this.aggregate(e);
  }

  /** Sums `n` over the groups (students or staff) that meet the condition, remembered when period-free. */
  private people(e: Extract<Expr, { k: "call" }>, groups: Array<{ n: number }>): number {
    if (groups.length === 0) return 0;
    const attrKey = this.u.attrKey;
    const memoable = attrKey !== undefined && (e.args.length === 0 || periodFree(e.args[0]));
    let byGroups: WeakMap<object, { attrKey: string; n: number }> | undefined;
    if (memoable) {
      byGroups = peopleMemo.get(e);
      if (!byGroups) {
        byGroups = new WeakMap();
        peopleMemo.set(e, byGroups);
      }
      const hit = byGroups.get(groups);
      if (hit && hit.attrKey === attrKey) return hit.n;
    }
    let n = 0;
    for (const g of groups) {
      this.group = g as unknown as Record<string, unknown>;
      if (this.cond(e.args)) n += g.n;
    }
    this.group = null;
    if (byGroups) byGroups.set(groups, { attrKey: attrKey!, n });
    return n;
  }

  private aggregate(e: Extract<Expr, { k: "call" }>): number {
    const u = this.u;
    switch (e.name) {
      case "students":
        return this.people(e, u.students);
      case "staff":
        return this.people(e, u.staff);
      case "schools":
        return u.kind === "school" && u.current && this.cond(e.args) ? 1 : 0;
      case "counties":
        return u.kind === "county" && u.current && this.cond(e.args) ? 1 : 0;
      case "mergers":
        return u.kind === "school" && u.mergedInPeriod && this.cond(e.args) ? 1 : 0;
      case "opened":
        return u.kind === "school" && u.openedInPeriod && this.cond(e.args) ? 1 : 0;
      case "screened":
      case "myopic": {
        if (!u.health || !this.cond(e.args)) return 0;
        this.touched = true;
        return e.name === "screened" ? u.health.screened : u.health.myopic;
      }
      case "safeCampusInspected":
      case "safeCampusPassed": {
        // A school current at the end of the period, as schools() counts; an inspection is a report
        // whether it passed or not (so a county with inspections but no pass shows 0 %, not no data).
        if (u.kind !== "school" || !u.current || !u.safety || !this.cond(e.args)) return 0;
        this.touched = true;
        return e.name === "safeCampusInspected" || u.safety.passed ? 1 : 0;
      }
    }
    return 0;
  }
}
