import { z } from "zod";
import type { OrgName } from "../registry/org-directory.js";
import {
  type CaseKindDefinition,
  type CodeLabel,
  stepLabel,
  type TransitionDefinition,
} from "./engine/kind.js";
import type { CaseListRow, EventRow } from "./repository.js";
import type { CaseOut } from "./schemas.js";

const labelOf = (list: readonly CodeLabel[] | undefined, code: string | null) =>
  code === null ? null : (list?.find((x) => x.code === code)?.label ?? code);

export const caseRef = (kind: CaseKindDefinition | undefined, id: number) =>
  `${kind?.refPrefix ?? "AJ"}-${String(id).padStart(6, "0")}`;

/** A Date, or a time the list already read as toISOString() text (list-sql.ts isoText). */
const iso = (d: Date | string | null) => (d === null ? null : typeof d === "string" ? d : d.toISOString());

/** Org names by id, and county names by code (from the same directory). */
export interface Names {
  byId: Map<number, OrgName>;
  countyName(code: string | null): string;
}

export function namesFrom(byId: Map<number, OrgName>): Names {
  let counties: Map<string, string> | null = null;
  return {
    byId,
    countyName(code) {
      if (!code) return "";
      counties ??= new Map(
        [...byId.values()].filter((o) => /^\d{6}$/.test(o.code)).map((o) => [o.code, o.name]),
      );
      return counties.get(code) ?? code;
    },
  };
}

export function presentCase(row: CaseListRow, kind: CaseKindDefinition | undefined, names: Names): CaseOut {
  const org = row.org_unit_id === null ? undefined : names.byId.get(row.org_unit_id);
  const state = kind?.states[row.state];
  return {
    id: row.id,
    ref: caseRef(kind, row.id),
    kind: row.kind,
    kindName: kind?.name ?? row.kind,
    title: row.title,
    orgUnitId: row.org_unit_id,
    orgUnitCode: org?.code ?? "",
    orgUnitName: org?.name ?? "",
    countyCode: row.county_code,
    countyName: names.countyName(row.county_code),
    state: row.state,
    stateLabel: state?.label ?? row.state,
    stateColor: state?.color ?? null,
    severity: row.severity,
    severityLabel: labelOf(kind?.severities, row.severity),
    category: row.category,
    categoryLabel: labelOf(kind?.categories, row.category),
    source: row.source,
    sourceLabel: labelOf(kind?.sources, row.source),
    reporterName: row.reporter_name,
    assigneeName: row.assignee_name,
    dueAt: iso(row.due_at),
    overdue: row.overdue_since !== null && row.closed_at === null,
    overdueSince: iso(row.overdue_since),
    escalationLevel: row.escalation_level,
    closed: row.closed_at !== null,
    closedAt: iso(row.closed_at),
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}

const show = (v: unknown): string =>
  v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);

/**
 * Labelled fields for display: the keys that have a label, in the labels' order; a value `<key>Label`
 * kept beside a code (e.g. the 问责 measure's name) is shown instead of the code.
 */
export function labelledFields(
  data: Record<string, unknown> | null,
  labels: Record<string, string> | undefined,
) {
  if (!data || !labels) return [];
  return Object.entries(labels)
    .filter(([name]) => data[name] !== undefined && data[name] !== null && data[name] !== "")
    .map(([name, label]) => ({ name, label, value: show(data[`${name}Label`] ?? data[name]) }));
}

export function presentEvent(e: EventRow, kind: CaseKindDefinition | undefined, caseId: number) {
  const step = kind?.transitions.find((t) => t.code === e.step);
  const labels = e.step === "create" ? kind?.create.fieldLabels : step?.fieldLabels;
  return {
    id: e.id,
    at: iso(e.at)!,
    step: e.step,
    stepLabel: (kind && stepLabel(kind, e.step)) ?? e.step,
    fromState: e.from_state,
    toState: e.to_state,
    toLabel: e.to_state ? (kind?.states[e.to_state]?.label ?? e.to_state) : null,
    actorName: e.actor_name,
    comment: e.comment,
    fields: e.step === "create" ? [] : labelledFields(e.data, labels),
    attachments: (e.attachments ?? []).map((a) => ({
      ...a,
      url: `/api/files/cases/${caseId}/${a.sha256}`,
    })),
  };
}

/** JSON Schema of a zod object, for forms the web app builds from it. */
export function jsonSchemaOf(schema: z.ZodType | undefined): Record<string, unknown> | null {
  if (!schema) return null;
  try {
    return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export function presentStep(t: TransitionDefinition) {
  return {
    code: t.code,
    label: t.label,
    to: t.to,
    comment: t.comment ?? null,
    evidence: t.evidence ?? null,
    fields: jsonSchemaOf(t.fields),
    fieldLabels: t.fieldLabels ?? {},
  };
}
