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

/**
 * Writes `incoming` over a submission's values (totals of disaggregated elements recomputed), with
 * one history row per changed value (old → new, as shown). Returns the values after and the number
 * changed. Runs inside the caller's transaction.
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
  const merged = new Map(current);
  for (const [k, v] of incoming) merged.set(k, v);
  const after = withTotals(form.elements, merged);
  const changed: { key: string; old: string | null; new: string | null }[] = [];
  const history = [];
  for (const { key, el, combo } of formKeys(form)) {
    const before = current.get(key) ?? null;
    const next = after.get(key) ?? null;
    if (before === next) continue;
    if (next === null) await repo.deleteValue(sub.id, el.id, combo);
    else await repo.writeValue(sub, el.id, combo, valueColumns(el.valueType, next), by);
    const oldText = displayValue(el, before);
    const newText = displayValue(el, next);
    changed.push({ key, old: oldText, new: newText });
    history.push({
      submission_id: sub.id,
      element_id: el.id,
      disaggregation: combo,
      old_value: oldText,
      new_value: newText,
      changed_by: by,
      via,
      org_path: sub.org_path,
      county_code: sub.county_code,
    });
  }
  await repo.addHistory(history);
  return { after, changed };
}
