import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { caseKinds, registerCaseKind } from "../cases/kinds/index.js";
import { reportKind } from "../reports/kind.js";
import { trainingCaseKind } from "../training/kind.js";
import { actionLabel, actionLabels, entityLabel, entityLabels } from "./labels.js";

/**
 * Every action and entity code that the code writes to audit_log has a Chinese label, so the audit
 * viewer and its export never show a bare code. The codes are read from the source: recordAudit
 * calls, kysely inserts into audit_log and the SQL of the bulk imports. (Codes held in variables are
 * typed AuditAction / AuditEntity, so the compiler checks those; this test reads the literals, and
 * the SQL that the compiler cannot see.)
 */
const root = path.resolve(import.meta.dirname, "../../..");

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [p] : [];
  });
}

/** The text from `open` (an opening parenthesis) to its matching closing one. */
function balanced(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")" && --depth === 0) return text.slice(open, i + 1);
  }
  throw new Error(`unbalanced from ${text.slice(open, open + 80)}`);
}

/** The expression after `key:` in an object literal: up to a comma or brace at its own depth. */
function valuesOf(site: string, key: string): string[] {
  const out: string[] = [];
  for (const m of site.matchAll(new RegExp(`\\b${key}:\\s*`, "g"))) {
    let depth = 0;
    let quote: string | null = null;
    let i = m.index + m[0].length;
    for (; i < site.length; i++) {
      const c = site[i];
      if (quote) {
        if (c === "\\") i++;
        else if (c === quote) quote = null;
      } else if (c === '"' || c === "'" || c === "`") quote = c;
      else if ("([{".includes(c)) depth++;
      else if (")]}".includes(c) && depth-- === 0) break;
      else if (c === "," && depth === 0) break;
    }
    out.push(site.slice(m.index + m[0].length, i).trim());
  }
  return out;
}

/**
 * The codes an expression can give: its string literals ("a", 'b'; both arms of a ternary), a
 * template `step.${…}` as "step.*", a constant of the same file by its value. Other names (a typed
 * parameter or variable) are the compiler's to check: AuditEntry takes AuditAction / AuditEntity.
 */
function codesOf(expr: string, file: string): string[] {
  const literals = [...expr.matchAll(/"([^"]*)"|'([^']*)'|`([^`$]*)\$\{[^`]*`/g)].map(
    (l) => l[1] ?? l[2] ?? `${l[3]}*`,
  );
  if (literals.length) return literals;
  if (!/^[A-Za-z_$][\w$]*$/.test(expr)) return [];
  const constant = new RegExp(`const ${expr} = "([^"]*)"`).exec(file);
  return constant ? [constant[1]] : [];
}

interface Written {
  actions: Map<string, string>;
  entities: Map<string, string>;
  sites: number;
}

/** The action and entity codes written to audit_log, each with the first file that writes it. */
function written(): Written {
  const actions = new Map<string, string>();
  const entities = new Map<string, string>();
  let sites = 0;
  const add = (m: Map<string, string>, code: string, file: string) => {
    if (!m.has(code)) m.set(code, file);
  };
  for (const file of sources(path.join(root, "src"))) {
    const text = fs.readFileSync(file, "utf8");
    const rel = path.relative(root, file);
    // recordAudit(db, actor, { action, entity, … }) and insertInto("audit_log").values({ action, entity, … })
    for (const m of text.matchAll(/\brecordAudit\(|\.insertInto\("audit_log"\)\s*\.values\(/g)) {
      if (text.slice(Math.max(0, m.index - 20), m.index).includes("function")) continue;
      const site = balanced(text, m.index + m[0].length - 1);
      sites++;
      for (const v of valuesOf(site, "action")) for (const a of codesOf(v, text)) add(actions, a, rel);
      for (const v of valuesOf(site, "entity")) for (const e of codesOf(v, text)) add(entities, e, rel);
    }
    // insert into audit_log (…, action, entity, …) select …, <action>, '<entity>', …
    for (const m of text.matchAll(/insert into audit_log \([^)]*\)\s*select ([^\n]*)/g)) {
      const row = /(?:case when .*? then '([\w.-]+)' else '([\w.-]+)' end|'([\w.-]+)'), '([\w.-]+)', /.exec(
        m[1],
      );
      expect(row, `${rel}: the action and entity of ${m[0]}`).not.toBeNull();
      sites++;
      for (const a of [row![1], row![2], row![3]]) if (a) add(actions, a, rel);
      add(entities, row![4], rel);
    }
  }
  return { actions, entities, sites };
}

// The kinds the app registers at start: 隐患 and 督导 in cases, 监督举报 and 校外培训 by their modules.
registerCaseKind(reportKind);
registerCaseKind(trainingCaseKind);

describe("audit labels", () => {
  const w = written();

  it("finds the audit writes in the source", () => {
    expect(w.sites).toBeGreaterThan(80);
    // a sample of what is written, so that the scan cannot quietly find nothing
    for (const a of ["login", "read", "overdue", "load-package", "seed-demo-extra", "step.*"])
      expect([...w.actions.keys()], a).toContain(a);
    for (const e of ["student", "indicator", "case", "demo_city", "vision_screening", "form_submission"])
      expect([...w.entities.keys()], e).toContain(e);
  });

  it("labels every action written anywhere in src", () => {
    const missing = [...w.actions]
      .filter(([code]) => !code.endsWith("*") && !Object.hasOwn(actionLabels, code))
      .map(([code, file]) => `${code} (${file})`);
    expect(missing).toEqual([]);
  });

  it("labels every entity written anywhere in src", () => {
    const missing = [...w.entities]
      .filter(([code]) => !Object.hasOwn(entityLabels, code))
      .map(([code, file]) => `${code} (${file})`);
    expect(missing).toEqual([]);
  });

  it("labels a case step by the kind's own name for it", () => {
    // step.<code>: the only action code made at run time (cases/service.ts), with the kind in the context
    expect([...w.actions.keys()].filter((a) => a.endsWith("*"))).toEqual(["step.*"]);
    expect(actionLabel("step.assign", { kind: "hazard" })).toBe("办理：交办整改");
    expect(actionLabel("step.ask_reporter", { kind: "report" })).toBe("办理：向举报人提问");
    expect(actionLabel("step.ask_reporter", { kind: "training" })).toBe("办理：向投诉人提问");
    for (const kind of Object.values(caseKinds))
      for (const t of kind.transitions)
        expect(actionLabel(`step.${t.code}`, { kind: kind.code }), `${kind.code}.${t.code}`).toBe(
          `办理：${t.label}`,
        );
    // an unknown step or kind still reads as Chinese, with the code for whoever investigates
    expect(actionLabel("step.nonsense", { kind: "hazard" })).toBe("办理（nonsense）");
    expect(actionLabel("step.assign", null)).toBe("办理（assign）");
  });

  it("shows a code without a label as it is", () => {
    expect(actionLabel("no_such_action", null)).toBe("no_such_action");
    expect(entityLabel("no_such_entity")).toBe("no_such_entity");
  });

  it("every label is Chinese", () => {
    const chinese = /^(?=.*\p{Script=Han})[^A-Za-z_]*$/u;
    for (const [code, label] of [...Object.entries(actionLabels), ...Object.entries(entityLabels)])
      expect(label, code).toMatch(chinese);
  });
});
