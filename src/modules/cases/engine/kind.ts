import type { z } from "zod";
import type { FieldIssue } from "../../../shared/errors.js";
import type { Permission } from "../../access/permissions.js";

/**
 * The case-kind definition format. A kind (隐患, 督导, 举报, 校外培训 …) is data: its states, the
 * transitions between them, who may take each transition, the fields and evidence each needs, the
 * deadline rules and the escalation when a deadline passes. The engine (transition.ts, deadline.ts)
 * interprets it; the service applies its decisions. A new kind is one such file, registered in
 * kinds/index.ts, plus a form in the web app. See docs/architecture.md, "Case kinds".
 */

/**
 * How an actor stands to a case, from the actor's scope paths and the case's org path:
 *   target    the actor's scope is the case's org unit itself (the school a hazard is at)
 *   county    the actor's scope is the county above the case's org unit (a county bureau)
 *   city      the actor's scope is the city above the case's org unit (the city bureau)
 *   assigned  the actor is a participant of the case with the role "assigned" (an inspector)
 *   reporter  the actor filed the case
 * A transition lists the relations that may take it; the actor also needs its permission.
 */
export type Relation = "target" | "county" | "city" | "assigned" | "reporter";

export interface Who {
  permission: Permission;
  as: readonly Relation[];
}

/**
 * When a step must be done. Set on entering the transition's target state:
 *   days             a fixed number of days
 *   daysBySeverity   by the case's severity (e.g. a 重大 hazard in 7 days); a severity not listed
 *                    falls back to `otherwise`
 *   field            a date the transition's fields carry (a rectification notice's deadline)
 *   keep             the deadline the case already has (a returned rectification stays on its clock)
 *   clear            no deadline in the new state
 */
export type DeadlineRule =
  | { days: number }
  | { daysBySeverity: Record<string, number>; otherwise: number }
  | { field: string }
  | { keep: true }
  | { clear: true };

/** Escalation when the deadline has passed: after `afterDays` overdue, the case goes up to `to`. */
export interface EscalationStep {
  to: "county" | "city";
  afterDays: number;
}

export interface StateDefinition {
  label: string;
  /** A final state closes the case (closed_at is set). */
  final?: boolean;
  /** The deadline runs in this state: the sweep marks the case overdue and escalates it. */
  clockRuns?: boolean;
  /** antd tag colour for the web app. */
  color?: string;
}

export interface EvidenceRule {
  /** Minimum number of attachments (photos, PDFs) the step must carry. */
  min: number;
  label: string;
}

export interface TransitionDefinition {
  code: string;
  /** Button and timeline label, e.g. "提交整改". */
  label: string;
  from: readonly string[];
  to: string;
  /** Who may: any one of these (permission + relation). */
  who: Who | readonly Who[];
  /** The fields the step needs; validated before anything changes; stored on the event. */
  fields?: z.ZodType<Record<string, unknown>>;
  /** Names of the fields above, as the form shows them (for error messages and the timeline). */
  fieldLabels?: Record<string, string>;
  evidence?: EvidenceRule;
  comment?: "required" | "optional";
  deadline?: DeadlineRule;
  /** A step one may take but nobody waits for (e.g. 问责): it does not put the case in an inbox. */
  optional?: boolean;
}

export interface CodeLabel {
  code: string;
  label: string;
}

/** Filing a new case: who may, in which state it starts, and the form's fields. */
export interface CreateDefinition {
  label: string;
  /** Relations are taken to the org unit the case will concern. */
  who: Who | readonly Who[];
  state: string;
  /**
   * The form: title and the kind's fields. Keys `severity`, `category` and `source` are stored in
   * their own columns (filters, indexes); the rest goes to the case's `data`.
   */
  fields: z.ZodType<{ title: string } & Record<string, unknown>>;
  fieldLabels?: Record<string, string>;
  evidence?: EvidenceRule;
  deadline?: DeadlineRule;
  /** Org unit kinds a case of this kind may concern. */
  orgKinds: readonly ("county" | "school")[];
  /**
   * A pure check of the form against how the actor stands to the org unit (e.g. a school may only
   * file a hazard as its own self-check); returns the issue or null.
   */
  check?: (form: Record<string, unknown>, relations: ReadonlySet<Relation>) => FieldIssue | null;
}

export interface CaseKindDefinition {
  code: string;
  name: string;
  /** Prefix of the human reference, e.g. "YH" → YH-000123. */
  refPrefix: string;
  /** Who sees every case of the kind within their scope (others see only cases they take part in). */
  readPermission: Permission;
  states: Record<string, StateDefinition>;
  create: CreateDefinition;
  transitions: readonly TransitionDefinition[];
  severities?: readonly CodeLabel[];
  categories?: readonly CodeLabel[];
  sources?: readonly CodeLabel[];
  escalation: readonly EscalationStep[];
  /**
   * Timeline entries the kind records beside its transitions, which change no state (a question to
   * the reporter and the answer): code and the label the timeline shows.
   */
  events?: readonly CodeLabel[];
}

/** Timeline entries of every kind: filing, comments, the deadline sweep's marks, links. */
export const systemSteps: Readonly<Record<string, string>> = {
  create: "登记",
  comment: "批注",
  overdue: "已逾期",
  escalate: "逾期升级",
  link: "关联",
};

/**
 * The label a timeline entry `step` of a case of `kind` shows: its transition's, the kind's filing
 * or event label, or a system step's; undefined for a step the kind does not know (the service
 * refuses to record one, so that a timeline never shows a code).
 */
export function stepLabel(kind: CaseKindDefinition, step: string): string | undefined {
  if (step === "create") return kind.create.label;
  return (
    kind.transitions.find((t) => t.code === step)?.label ??
    kind.events?.find((e) => e.code === step)?.label ??
    (Object.hasOwn(systemSteps, step) ? systemSteps[step] : undefined)
  );
}
