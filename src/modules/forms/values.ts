import type { FormDef, FormElementRow } from "./definition-repository.js";
import {
  type StoredValue,
  type SubmissionDbRow,
  type SubmissionRepository,
  storedValue,
  valueColumns,
} from "./submission-repository.js";
import {
  displayValue,
  evaluateRules,
  type FormValue,
  missingRequired,
  type ValueIssue,
  valueKey,
  withTotals,
} from "./validation.js";

/** A submission's values keyed by `valueKey` (element code, ':' combo). */
export function valueMap(form: FormDef, stored: StoredValue[]): Map<string, FormValue> {
  const byId = new Map(form.elements.map((e) => [e.id, e]));
  const m = new Map<string, FormValue>();
  for (const v of stored) {
    const el = byId.get(v.element_id);
    if (el) m.set(valueKey(el.code, v.disaggregation), storedValue(v));
  }
  return m;
}

/** Problems of a submission's values as they stand: required values missing, rules broken. */
export function issuesOf(form: FormDef, values: Map<string, FormValue>): ValueIssue[] {
  const els = new Map(form.elements.map((e) => [e.code, e]));
  return [...missingRequired(form.elements, values), ...evaluateRules(form.rules, els, values)];
}

/** Every key a form can hold: each element's total, and each combo of a disaggregated one. */
export function formKeys(form: FormDef): { key: string; el: FormElementRow; combo: string }[] {
  const out: { key: string; el: FormElementRow; combo: string }[] = [];
  for (const el of form.elements) {
    out.push({ key: valueKey(el.code), el, combo: "" });
    for (const c of el.disaggregation) out.push({ key: valueKey(el.code, c.code), el, combo: c.code });
  }
  return out;
}

export interface ValueChange {
  key: string;
  el: FormElementRow;
  combo: string;
  before: FormValue;
  after: FormValue;
  oldText: string | null;
  newText: string | null;
}

/**
 * `incoming` laid over `current` (totals of disaggregated elements recomputed): the values after,
 * and each value that differs, with old → new as shown to people.
 */
export function diffValues(
  form: FormDef,
  current: Map<string, FormValue>,
  incoming: Map<string, FormValue>,
): { after: Map<string, FormValue>; changes: ValueChange[] } {
  const merged = new Map(current);
  for (const [k, v] of incoming) merged.set(k, v);
  const after = withTotals(form.elements, merged);
  const changes: ValueChange[] = [];
  for (const { key, el, combo } of formKeys(form)) {
    const before = current.get(key) ?? null;
    const next = after.get(key) ?? null;
    if (before === next) continue;
    changes.push({
      key,
      el,
      combo,
      before,
      after: next,
      oldText: displayValue(el, before),
      newText: displayValue(el, next),
    });
  }
  return { after, changes };
}

/**
 * Writes `incoming` over a submission's values, with one history row per changed value (who,
 * old → new). Returns the values after and the changes. Runs inside the caller's transaction.
 */
export async function applyValues(
  repo: SubmissionRepository,
  form: FormDef,
  sub: SubmissionDbRow & { period_code: string; org_unit_id: number },
  current: Map<string, FormValue>,
  incoming: Map<string, FormValue>,
  by: string,
  via: "entry" | "import",
): Promise<{
  after: Map<string, FormValue>;
  changed: { key: string; old: string | null; new: string | null }[];
}> {
  const { after, changes } = diffValues(form, current, incoming);
  for (const c of changes) {
    if (c.after === null) await repo.deleteValue(sub.id, c.el.id, c.combo);
    else await repo.writeValue(sub, c.el.id, c.combo, valueColumns(c.el.valueType, c.after), by);
  }
  await repo.addHistory(
    changes.map((c) => ({
      submission_id: sub.id,
      element_id: c.el.id,
      disaggregation: c.combo,
      old_value: c.oldText,
      new_value: c.newText,
      changed_by: by,
      via,
      org_path: sub.org_path,
      county_code: sub.county_code,
    })),
  );
  return { after, changed: changes.map((c) => ({ key: c.key, old: c.oldText, new: c.newText })) };
}
