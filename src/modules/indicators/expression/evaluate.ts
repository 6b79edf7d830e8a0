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

/** Evaluation of one expression on one unit; `touched` says a reported figure (form, screening) was found. */
export class UnitEvaluator {
  touched = false;
  constructor(private readonly u: UnitFacts) {}

  number(e: Expr): number | null {
    const v = this.eval(e, null);
    return typeof v === "number" && Number.isFinite(v) ? v : null;
  }

  private eval(e: Expr, row: Record<string, V> | null): V {
    switch (e.k) {
      case "num":
      case "str":
      case "bool":
        return e.value;
      case "null":
        return null;
      case "list":
        return e.items.map((i) => this.eval(i, row));
      case "name":
        return row ? (row[e.name] ?? null) : null;
      case "unary": {
        const a = this.eval(e.arg, row);
        if (e.op === "not") return a === null ? null : !a;
        return typeof a === "number" ? -a : null;
      }
      case "binary":
        return this.binary(e, row);
      case "call":
        return this.call(e, row);
    }
  }

  private binary(e: Extract<Expr, { k: "binary" }>, row: Record<string, V> | null): V {
    if (e.op === "and") {
      const l = this.eval(e.left, row);
      if (l !== true) return l === null ? null : false;
      return this.eval(e.right, row) === true;
    }
    if (e.op === "or") {
      const l = this.eval(e.left, row);
      if (l === true) return true;
      return this.eval(e.right, row) === true;
    }
    const l = this.eval(e.left, row);
    const r = this.eval(e.right, row);
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
        const same = (a: V, b: V) => a === b || (typeof a !== typeof b && String(a) === String(b));
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

  private unitRow(): Record<string, V> {
    const u = this.u;
    return {
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
  }

  private cond(args: Expr[], row: Record<string, V>): boolean {
    return args.length === 0 || this.eval(args[0], row) === true;
  }

  private call(e: Extract<Expr, { k: "call" }>, row: Record<string, V> | null): V {
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
        const c = this.eval(e.args[0], row);
        return this.eval(c === true ? e.args[1] : e.args[2], row);
      }
      case "min":
      case "max": {
        const a = this.eval(e.args[0], row);
        const b = this.eval(e.args[1], row);
        if (typeof a !== "number" || typeof b !== "number") return null;
        return e.name === "min" ? Math.min(a, b) : Math.max(a, b);
      }
      case "coalesce": {
        const a = this.eval(e.args[0], row);
        return a === null ? this.eval(e.args[1], row) : a;
      }
    }
    return this.aggregate(e);
  }

  private aggregate(e: Extract<Expr, { k: "call" }>): number {
    const u = this.u;
    const base = this.unitRow();
    switch (e.name) {
      case "students": {
        let n = 0;
        for (const g of u.students)
          if (this.cond(e.args, { ...base, stage: g.stage, grade: g.grade, gender: g.gender })) n += g.n;
        return n;
      }
      case "staff": {
        let n = 0;
        for (const g of u.staff)
          if (
            this.cond(e.args, {
              ...base,
              posts: g.posts,
              keyLevel: g.keyLevel,
              title: g.title,
              education: g.education,
            })
          )
            n += g.n;
        return n;
      }
      case "schools":
        return u.kind === "school" && u.current && this.cond(e.args, base) ? 1 : 0;
      case "counties":
        return u.kind === "county" && u.current && this.cond(e.args, base) ? 1 : 0;
      case "mergers":
        return u.kind === "school" && u.mergedInPeriod && this.cond(e.args, base) ? 1 : 0;
      case "opened":
        return u.kind === "school" && u.openedInPeriod && this.cond(e.args, base) ? 1 : 0;
      case "screened":
      case "myopic": {
        if (!u.health || !this.cond(e.args, base)) return 0;
        this.touched = true;
        return e.name === "screened" ? u.health.screened : u.health.myopic;
      }
    }
    return 0;
  }
}
