import {
  type AggregateDef,
  type AttributeDef,
  aggregateByName,
  attributeByName,
  functionByName,
  type Source,
  unitAttributes,
  type ValueType,
} from "./catalogue.js";
import { type Expr, ExpressionError, type ExpressionIssue, parseExpression } from "./parse.js";

/** A data element the expression may name in value("…"): its code and type (from the forms module). */
export interface ElementInfo {
  code: string;
  name: string;
  valueType: string;
}

export interface Compiled {
  /** The tree with every name in its canonical (English) form and aliases of values resolved. */
  tree: Expr;
  sources: Set<Source>;
  /** Data element codes used by value("…"). */
  elements: Set<string>;
}

export type CheckResult = { ok: true; compiled: Compiled } | { ok: false; issues: ExpressionIssue[] };

interface Scope {
  agg: AggregateDef | null;
  attrs: Map<string, AttributeDef> | null;
}

type Typed = { tree: Expr; type: ValueType; attr?: AttributeDef };

const STRING_ELEMENT_TYPES = new Set(["choice", "text"]);

/**
 * Parses and checks an expression: every name must be known, every operator must get the types it
 * needs, and the whole must be a number. Reports every problem found (with its position), not only
 * the first. `elements` lists the data elements value("…") may name; null skips that check.
 */
export function checkExpression(src: string, elements: Map<string, ElementInfo> | null): CheckResult {
  let tree: Expr;
  try {
    tree = parseExpression(src);
  } catch (e) {
    if (e instanceof ExpressionError) return { ok: false, issues: [e.issue] };
    throw e;
  }
  const c = new Checker(elements);
  const typed = c.check(tree, { agg: null, attrs: null });
  if (typed.type !== "number" && typed.type !== "null")
    c.issue(tree, `表达式的结果应为数值，而这里是${typeLabel(typed.type)}`);
  if (c.issues.length) return { ok: false, issues: c.issues };
  return { ok: true, compiled: { tree: typed.tree, sources: c.sources, elements: c.elements } };
}

/** Like checkExpression, but throws the first issue; for trusted definitions read back from the database. */
export function compileExpression(src: string, elements: Map<string, ElementInfo> | null): Compiled {
  const r = checkExpression(src, elements);
  if (!r.ok) throw new ExpressionError(r.issues[0]);
  return r.compiled;
}

const typeLabel = (t: ValueType) =>
  ({ number: "数值", string: "文字", boolean: "是/否", list: "列表", null: "空值" })[t];

class Checker {
  issues: ExpressionIssue[] = [];
  sources = new Set<Source>();
  elements = new Set<string>();
  constructor(private readonly known: Map<string, ElementInfo> | null) {}

  issue(at: { start: number; end: number }, message: string) {
    this.issues.push({ message, start: at.start, end: at.end });
  }

  check(e: Expr, scope: Scope): Typed {
    switch (e.k) {
      case "num":
        return { tree: e, type: "number" };
      case "str":
        return { tree: e, type: "string" };
      case "bool":
        return { tree: e, type: "boolean" };
      case "null":
        return { tree: e, type: "null" };
      case "list": {
        const items = e.items.map((i) => this.check(i, scope));
        for (const it of items)
          if (it.type !== "string" && it.type !== "number") this.issue(it.tree, "列表中只能是文字或数值");
        return { tree: { ...e, items: items.map((i) => i.tree) }, type: "list" };
      }
      case "name":
        return this.name(e, scope);
      case "unary": {
        const a = this.check(e.arg, scope);
        if (e.op === "-") this.want(a, "number", "取负");
        else this.want(a, "boolean", "not");
        return { tree: { ...e, arg: a.tree }, type: e.op === "-" ? "number" : "boolean" };
      }
      case "binary":
        return this.binary(e, scope);
      case "call":
        return this.call(e, scope);
    }
  }

  private want(t: Typed, type: ValueType, what: string) {
    if (t.type !== type && t.type !== "null")
      this.issue(t.tree, `“${what}”需要${typeLabel(type)}，而这里是${typeLabel(t.type)}`);
  }

  private name(e: Extract<Expr, { k: "name" }>, scope: Scope): Typed {
    if (!scope.attrs) {
      const agg = aggregateByName.get(e.name);
      const hint = agg
        ? `（统计函数请写成 ${agg.name}(…)）`
        : '（属性只能用在统计函数的条件里，如 schools(type = "111")）';
      this.issue(e, `未知的名称“${e.name}”${hint}`);
      return { tree: e, type: "null" };
    }
    const attr = scope.attrs.get(e.name);
    if (!attr) {
      const names = [...new Set([...scope.attrs.values()].map((a) => a.name))].join("、");
      this.issue(e, `“${scope.agg!.name}”的条件中没有属性“${e.name}”（可用：${names}）`);
      return { tree: e, type: "null" };
    }
    return { tree: { ...e, name: attr.name }, type: attr.type, attr };
  }

  /** A string literal compared with an enumerated attribute: resolve its alias, or report it. */
  private literalFor(attr: AttributeDef | undefined, lit: Typed): Expr {
    if (!attr?.values || lit.tree.k !== "str") return lit.tree;
    const v = lit.tree.value;
    if (v in attr.values) return lit.tree;
    const code = Object.keys(attr.values).find((k) => attr.values![k].includes(v));
    if (code !== undefined) return { ...lit.tree, value: code };
    // Posts are an open list; others are closed code lists.
    if (attr.name === "posts") return lit.tree;
    const allowed = Object.entries(attr.values)
      .slice(0, 12)
      .map(([k, a]) => (a.length ? `${k}（${a[0]}）` : k))
      .join("、");
    this.issue(lit.tree, `“${attr.name}”没有取值“${v}”（可用：${allowed}）`);
    return lit.tree;
  }

  private binary(e: Extract<Expr, { k: "binary" }>, scope: Scope): Typed {
    let l = this.check(e.left, scope);
    let r = this.check(e.right, scope);
    switch (e.op) {
      case "+":
      case "-":
      case "*":
      case "/":
        this.want(l, "number", e.op);
        this.want(r, "number", e.op);
        return { tree: { ...e, left: l.tree, right: r.tree }, type: "number" };
      case "and":
      case "or":
        this.want(l, "boolean", e.op);
        this.want(r, "boolean", e.op);
        return { tree: { ...e, left: l.tree, right: r.tree }, type: "boolean" };
      case "in": {
        if (r.type !== "list" && r.type !== "null")
          this.issue(r.tree, '“in”右边应为列表，如 ["primary", "junior"]');
        if (l.type === "boolean") this.issue(l.tree, "“in”左边应为文字、数值或列表");
        const attr = l.attr ?? r.attr;
        const lit = (t: Typed): Typed =>
          t.tree.k === "list"
            ? {
                ...t,
                tree: {
                  ...t.tree,
                  items: t.tree.items.map((i) => this.literalFor(attr, { tree: i, type: "string" })),
                },
              }
            : { ...t, tree: this.literalFor(attr, t) };
        l = lit(l);
        r = lit(r);
        return { tree: { ...e, left: l.tree, right: r.tree }, type: "boolean" };
      }
      default: {
        // = != < <= > >=
        const ordered = e.op !== "=" && e.op !== "!=";
        if (ordered) {
          this.want(l, "number", e.op);
          this.want(r, "number", e.op);
        } else {
          const ok =
            l.type === r.type ||
            l.type === "null" ||
            r.type === "null" ||
            (l.type === "list" && r.type === "string") ||
            (l.type === "string" && r.type === "list");
          if (!ok) this.issue(e, `不能比较${typeLabel(l.type)}和${typeLabel(r.type)}`);
          if (l.attr && r.type === "string") r = { ...r, tree: this.literalFor(l.attr, r) };
          if (r.attr && l.type === "string") l = { ...l, tree: this.literalFor(r.attr, l) };
        }
        return { tree: { ...e, left: l.tree, right: r.tree }, type: "boolean" };
      }
    }
  }

  private call(e: Extract<Expr, { k: "call" }>, scope: Scope): Typed {
    const nameAt = { start: e.start, end: e.nameEnd };
    const agg = aggregateByName.get(e.name);
    if (agg) {
      if (scope.agg) {
        this.issue(nameAt, `统计函数“${agg.name}”不能嵌套在“${scope.agg.name}”的条件里`);
        return { tree: e, type: "number" };
      }
      this.sources.add(agg.source);
      if (e.args.length > 1) this.issue(e.args[1], `“${agg.name}”只接受一个条件`);
      const inner: Scope = { agg, attrs: attributeByName(agg) };
      const args = e.args.slice(0, 1).map((a) => {
        const t = this.check(a, inner);
        if (t.type !== "boolean" && t.type !== "null")
          this.issue(a, `“${agg.name}”的条件应为是/否，而这里是${typeLabel(t.type)}`);
        return t.tree;
      });
      return { tree: { ...e, name: agg.name, args }, type: "number" };
    }
    const fn = functionByName.get(e.name);
    if (!fn) {
      this.issue(nameAt, `未知的函数“${e.name}”`);
      return { tree: e, type: "null" };
    }
    const args = e.args.map((a) => this.check(a, scope));
    const tree = { ...e, name: fn.name, args: args.map((a) => a.tree) };
    const arity = (min: number, max: number) => {
      if (args.length < min || args.length > max)
        this.issue(
          e,
          `“${fn.name}”需要${min === max ? min : `${min}–${max}`}个参数，而这里有${args.length}个`,
        );
    };
    switch (fn.name) {
      case "value": {
        arity(1, 2);
        for (const a of args)
          if (a.tree.k !== "str") this.issue(a.tree, "value(…) 的参数应为带引号的数据项代码");
        const code = args[0]?.tree.k === "str" ? args[0].tree.value : null;
        // yes/no values count as 1 and 0; choice and text values are their codes (strings)
        let type: ValueType = "number";
        if (code !== null) {
          const el = this.known?.get(code);
          if (this.known && !el) this.issue(args[0].tree, `未知的数据项“${code}”`);
          if (!el) type = "null";
          else if (el && STRING_ELEMENT_TYPES.has(el.valueType)) type = "string";
          this.elements.add(code);
        }
        this.sources.add("forms");
        return { tree, type };
      }
      case "if":
        arity(3, 3);
        if (args[0]) this.want(args[0], "boolean", "if 的条件");
        if (args[1]) this.want(args[1], "number", "if");
        if (args[2]) this.want(args[2], "number", "if");
        return { tree, type: "number" };
      default:
        arity(2, 2);
        for (const a of args) this.want(a, "number", fn.name);
        return { tree, type: "number" };
    }
  }
}

/** The attribute names of an aggregate, for the editor's help. */
export function attributesOf(aggName: string): AttributeDef[] {
  const agg = aggregateByName.get(aggName);
  return agg ? [...unitAttributes, ...agg.attributes] : unitAttributes;
}
