/**
 * The validation engine of forms: how a value of each type is read (from JSON or from a spreadsheet
 * cell) and how a form's rules — ranges and cross-field comparisons, kept as data on the form — are
 * checked against one submission's values. Pure: no I/O, unit-tested in validation.test.ts.
 * The web's entry screen imports this very file (web/src/pages/forms/engine.ts) to check a return
 * as it is typed, so it must stay without imports and without Node APIs.
 */

export type ValueType = "integer" | "number" | "percentage" | "boolean" | "text" | "choice";
export type FormValue = number | boolean | string | null;

export interface CodeName {
  code: string;
  name: string;
}

/** What the engine needs of a data element. */
export interface ElementDef {
  code: string;
  name: string;
  valueType: ValueType;
  unit: string | null;
  options: CodeName[];
  disaggregation: CodeName[];
}

export const valueTypeNames: Record<ValueType, string> = {
  integer: "整数",
  number: "数值",
  percentage: "百分比",
  boolean: "是/否",
  text: "文本",
  choice: "选项",
};

export type CompareOp = "<" | "<=" | ">" | ">=" | "=" | "!=";
export const compareOps: CompareOp[] = ["<", "<=", ">", ">=", "=", "!="];
const opNames: Record<CompareOp, string> = {
  "<": "小于",
  "<=": "不能大于",
  ">": "大于",
  ">=": "不能小于",
  "=": "等于",
  "!=": "不等于",
};

/**
 * A rule of a form. `range`: every value of the element (each disaggregation) lies in [min, max].
 * `compare`: left total OP right total (or a constant); checked only when both sides are filled,
 * so that a missing value is reported by `required`, not twice. The tiny declarative form is
 * deliberate: general expressions belong to the indicators engine.
 */
export type FormRule =
  | { kind: "range"; element: string; min?: number | null; max?: number | null; message?: string | null }
  | {
      kind: "compare";
      left: string;
      op: CompareOp;
      right: { element: string } | { value: number };
      message?: string | null;
    };

export interface ValueIssue {
  element: string;
  disaggregation?: string;
  message: string;
}

const isInt = (n: number) => Number.isInteger(n);

/** Reads a JSON value for an element; returns the normalised value or an error message. */
export function checkValue(el: ElementDef, v: unknown): { value: FormValue } | { error: string } {
  if (v === null || v === undefined || v === "") return { value: null };
  switch (el.valueType) {
    case "integer":
    case "number":
    case "percentage": {
      const n = typeof v === "number" ? v : typeof v === "string" ? parseNumberText(v) : Number.NaN;
      if (!Number.isFinite(n)) return { error: `应为${valueTypeNames[el.valueType]}（只能填写数字）` };
      if (el.valueType === "integer" && !isInt(n)) return { error: "应为整数，不能有小数" };
      // A percentage is 0–100 by definition (50 means 50 %).
      if (el.valueType === "percentage" && (n < 0 || n > 100)) return { error: "百分比应在 0 到 100 之间" };
      return { value: n };
    }
    case "boolean": {
      if (typeof v === "boolean") return { value: v };
      if (typeof v === "string") {
        const b = parseYesNoText(v);
        if (b !== undefined) return { value: b };
      }
      return { error: "应为“是”或“否”" };
    }
    case "choice": {
      if (typeof v !== "string") return { error: "应为选项之一" };
      const t = v.trim();
      const o = el.options.find((x) => x.code === t || x.name === t);
      if (!o) return { error: `应为以下选项之一：${el.options.map((x) => x.name).join("、")}` };
      return { value: o.code };
    }
    case "text": {
      const t = String(v).trim();
      if (t.length > 2000) return { error: "文本过长（最多 2000 字）" };
      return { value: t === "" ? null : t };
    }
  }
}

/**
 * Reads one value of a return (`combo` "" for an element without disaggregation); a bad one comes
 * back as an issue named for people, with the combo's name.
 */
export function readValue(
  el: ElementDef,
  combo: string,
  v: unknown,
): { value: FormValue } | { issue: ValueIssue } {
  const r = checkValue(el, v);
  if ("value" in r) return r;
  const c = combo ? (el.disaggregation.find((d) => d.code === combo)?.name ?? combo) : "";
  return {
    issue: {
      element: el.code,
      disaggregation: combo || undefined,
      message: `${el.name}${c ? `（${c}）` : ""}：${r.error}`,
    },
  };
}

/** A number typed by a person: "1,200", "１２００", "85%" for a percentage. */
function parseNumberText(s: string): number {
  const t = s
    .normalize("NFKC")
    .trim()
    .replace(/[,，](?=\d{3}\b)/g, "")
    .replace(/%$/, "");
  if (!/^[-+]?\d+(?:\.\d+)?$/.test(t)) return Number.NaN;
  return Number(t);
}

const YES = new Set(["是", "有", "Y", "YES", "TRUE", "1", "√", "✓"]);
const NO = new Set(["否", "无", "没有", "N", "NO", "FALSE", "0", "×", "✗"]);
function parseYesNoText(s: string): boolean | undefined {
  const u = s.normalize("NFKC").trim().toUpperCase();
  if (YES.has(u)) return true;
  if (NO.has(u)) return false;
  return undefined;
}

/** How a value is shown (history, templates): 是/否, the option's name, the number as is. */
export function displayValue(el: ElementDef, v: FormValue): string | null {
  if (v === null) return null;
  if (typeof v === "boolean") return v ? "是" : "否";
  if (el.valueType === "choice") return el.options.find((o) => o.code === v)?.name ?? String(v);
  return String(v);
}

/** The key of one value in a submission: element code, and the combo after a colon ('' = total). */
export const valueKey = (element: string, disaggregation = "") =>
  disaggregation ? `${element}:${disaggregation}` : element;

export const isNumeric = (t: ValueType) => t === "integer" || t === "number" || t === "percentage";

/**
 * Adds the total ('' combo) of every disaggregated numeric element as the sum of its combos, so that
 * readers of totals (indicators, rules) never add them up themselves. Null when no combo is filled.
 */
export function withTotals(elements: ElementDef[], values: Map<string, FormValue>): Map<string, FormValue> {
  const out = new Map(values);
  for (const el of elements) {
    if (el.disaggregation.length === 0 || !isNumeric(el.valueType)) continue;
    let sum: number | null = null;
    for (const c of el.disaggregation) {
      const v = values.get(valueKey(el.code, c.code));
      if (typeof v === "number") sum = (sum ?? 0) + v;
    }
    out.set(valueKey(el.code), sum);
  }
  return out;
}

/** Required elements without a value (for a disaggregated one: any combo missing). */
export function missingRequired(
  elements: (ElementDef & { required: boolean })[],
  values: Map<string, FormValue>,
): ValueIssue[] {
  const issues: ValueIssue[] = [];
  for (const el of elements) {
    if (!el.required) continue;
    const combos = el.disaggregation.length ? el.disaggregation : [{ code: "", name: "" }];
    for (const c of combos) {
      const v = values.get(valueKey(el.code, c.code));
      if (v === null || v === undefined)
        issues.push({
          element: el.code,
          disaggregation: c.code || undefined,
          message: `${el.name}${c.name ? `（${c.name}）` : ""}必须填写`,
        });
    }
  }
  return issues;
}

const fmt = (n: number) => String(Math.round(n * 1e6) / 1e6);
const withUnit = (el: ElementDef | undefined, n: number) => `${fmt(n)}${el?.unit ?? ""}`;

function compare(a: number, op: CompareOp, b: number): boolean {
  switch (op) {
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "=":
      return a === b;
    case "!=":
      return a !== b;
  }
}

/**
 * Checks a form's rules against one submission's values (keys from `valueKey`; totals already
 * added by `withTotals`). Returns one issue per broken rule and value, named for people.
 */
export function evaluateRules(
  rules: FormRule[],
  elements: Map<string, ElementDef>,
  values: Map<string, FormValue>,
): ValueIssue[] {
  const issues: ValueIssue[] = [];
  for (const rule of rules) {
    if (rule.kind === "range") {
      const el = elements.get(rule.element);
      if (!el) continue;
      const combos = el.disaggregation.length ? el.disaggregation.map((c) => c.code) : [""];
      for (const c of combos) {
        const v = values.get(valueKey(rule.element, c));
        if (typeof v !== "number") continue;
        const low = rule.min !== undefined && rule.min !== null && v < rule.min;
        const high = rule.max !== undefined && rule.max !== null && v > rule.max;
        if (!low && !high) continue;
        const bounds =
          rule.min != null && rule.max != null
            ? `应在 ${withUnit(el, rule.min)} 到 ${withUnit(el, rule.max)} 之间`
            : low
              ? `不能小于 ${withUnit(el, rule.min!)}`
              : `不能大于 ${withUnit(el, rule.max!)}`;
        const combo = c ? `（${el.disaggregation.find((d) => d.code === c)?.name ?? c}）` : "";
        issues.push({
          element: rule.element,
          disaggregation: c || undefined,
          message: rule.message || `${el.name}${combo}为 ${withUnit(el, v)}，${bounds}`,
        });
      }
    } else {
      const left = values.get(valueKey(rule.left));
      const rightValue =
        "element" in rule.right ? values.get(valueKey(rule.right.element)) : rule.right.value;
      if (typeof left !== "number" || typeof rightValue !== "number") continue;
      if (compare(left, rule.op, rightValue)) continue;
      const l = elements.get(rule.left);
      const rEl = "element" in rule.right ? elements.get(rule.right.element) : undefined;
      const rightText =
        "element" in rule.right
          ? `${rEl?.name ?? rule.right.element}（${withUnit(rEl, rightValue)}）`
          : withUnit(l, rightValue);
      issues.push({
        element: rule.left,
        message:
          rule.message || `${l?.name ?? rule.left}（${withUnit(l, left)}）${opNames[rule.op]}${rightText}`,
      });
    }
  }
  return issues;
}

/**
 * Checks that a form's rules name elements of the form, numeric ones, and sensible bounds; used
 * when a form is saved, so a rule can never silently check nothing.
 */
export function ruleDefinitionIssues(rules: FormRule[], elements: Map<string, ElementDef>): ValueIssue[] {
  const issues: ValueIssue[] = [];
  const numeric = (code: string, field: string, i: number) => {
    const el = elements.get(code);
    if (!el) issues.push({ element: code, message: `规则${i + 1}：${field}“${code}”不是本报表的数据项` });
    else if (!isNumeric(el.valueType))
      issues.push({ element: code, message: `规则${i + 1}：${field}“${el.name}”不是数值型数据项` });
  };
  rules.forEach((r, i) => {
    if (r.kind === "range") {
      numeric(r.element, "数据项", i);
      if (r.min == null && r.max == null)
        issues.push({ element: r.element, message: `规则${i + 1}：请至少填写最小值或最大值` });
      if (r.min != null && r.max != null && r.min > r.max)
        issues.push({ element: r.element, message: `规则${i + 1}：最小值大于最大值` });
    } else {
      numeric(r.left, "左侧数据项", i);
      if ("element" in r.right) numeric(r.right.element, "右侧数据项", i);
    }
  });
  return issues;
}

/** A rule as one line of Chinese, for the definition screen and the template's instructions. */
export function describeRule(rule: FormRule, elements: Map<string, ElementDef>): string {
  const name = (c: string) => elements.get(c)?.name ?? c;
  if (rule.kind === "range") {
    const el = elements.get(rule.element);
    const parts: string[] = [];
    if (rule.min != null) parts.push(`≥ ${withUnit(el, rule.min)}`);
    if (rule.max != null) parts.push(`≤ ${withUnit(el, rule.max)}`);
    return `${name(rule.element)} ${parts.join(" 且 ")}`;
  }
  const right =
    "element" in rule.right ? name(rule.right.element) : withUnit(elements.get(rule.left), rule.right.value);
  const sym: Record<CompareOp, string> = { "<": "<", "<=": "≤", ">": ">", ">=": "≥", "=": "=", "!=": "≠" };
  return `${name(rule.left)} ${sym[rule.op]} ${right}`;
}

/**
 * A whole return as typed (`input` keyed by `valueKey`, as an entry screen holds it), checked the way
 * the server checks it: each value read by its element's type (`readValue`; a bad one makes the
 * server refuse any save), totals of disaggregated numeric elements added, then the form's rules
 * (`evaluateRules`; a broken one makes the server refuse a submission, a draft keeps it as an
 * issue). Returns the values read (with totals) and both kinds of issue, each on its element and
 * combo. Required values are not checked here (`missingRequired`): an unfinished draft is not
 * wrong. The entry screen imports this file and runs it as the person types, so what it shows is
 * the server's own verdict.
 */
export function checkReturn(
  elements: ElementDef[],
  rules: FormRule[],
  input: Record<string, unknown>,
): { values: Map<string, FormValue>; badValues: ValueIssue[]; brokenRules: ValueIssue[] } {
  const read = new Map<string, FormValue>();
  const badValues: ValueIssue[] = [];
  for (const el of elements) {
    const combos = el.disaggregation.length ? el.disaggregation.map((c) => c.code) : [""];
    for (const c of combos) {
      const r = readValue(el, c, input[valueKey(el.code, c)]);
      if ("issue" in r) badValues.push(r.issue);
      else read.set(valueKey(el.code, c), r.value);
    }
  }
  const values = withTotals(elements, read);
  const brokenRules = evaluateRules(rules, new Map(elements.map((e) => [e.code, e])), values);
  return { values, badValues, brokenRules };
}
