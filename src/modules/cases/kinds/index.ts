import type { CaseKindDefinition } from "../engine/kind.js";
import { hazardKind } from "./hazard.js";
import { supervisionKind } from "./supervision.js";

/**
 * The registry of case kinds. A new kind is a definition file beside these (states, transitions,
 * who, fields, deadlines, escalation: see engine/kind.ts and docs/architecture.md) added here, plus
 * its form in web/src/pages/cases/. Kinds with side effects (a 问责 record, a link to an inspection)
 * also register hooks in hooks.ts.
 */
export const caseKinds: Record<string, CaseKindDefinition> = {
  [hazardKind.code]: hazardKind,
  [supervisionKind.code]: supervisionKind,
};

export function registerCaseKind(kind: CaseKindDefinition): void {
  if (caseKinds[kind.code] && caseKinds[kind.code] !== kind) throw new Error(`case kind ${kind.code} twice`);
  caseKinds[kind.code] = kind;
}

export function kindOf(code: string): CaseKindDefinition | undefined {
  return Object.hasOwn(caseKinds, code) ? caseKinds[code] : undefined;
}
