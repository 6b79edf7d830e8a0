import type { FieldIssue } from "../../../shared/errors.js";
import { deadlineFor } from "./deadline.js";
import type { CaseKindDefinition, EvidenceRule, Relation, TransitionDefinition, Who } from "./kind.js";

/**
 * The pure transition engine: given a kind's definition, a case, an actor and a requested step, it
 * decides whether the step may be taken and what it changes. No I/O: the service reads the facts,
 * asks here, and writes the decision in one transaction.
 */

export interface ActorFacts {
  id: number | null;
  permissions: ReadonlySet<string>;
  /** Org subtree paths, e.g. ["/141100/141102/"]; "/" is everything (the system). */
  scopePaths: readonly string[];
}

export interface CaseFacts {
  state: string;
  orgPath: string;
  severity: string | null;
  dueAt: Date | null;
  reporterId: number | null;
  /** The actor's roles in the case (case_participant), e.g. ["assigned"]. */
  actorRoles: readonly string[];
}

export interface StepInput {
  fields?: Record<string, unknown>;
  comment?: string | null;
  attachmentCount?: number;
}

export type RefusalReason = "unknown_step" | "wrong_state" | "not_allowed" | "invalid";

export interface Refusal {
  ok: false;
  reason: RefusalReason;
  message: string;
  issues?: FieldIssue[];
}

export interface Accepted {
  ok: true;
  step: TransitionDefinition;
  from: string;
  to: string;
  fields: Record<string, unknown>;
  comment: string | null;
  /** The case's deadline after the step (null: none). */
  dueAt: Date | null;
  /** The step enters a final state. */
  closes: boolean;
}

export type Decision = Accepted | Refusal;

const depth = (path: string) => path.split("/").filter(Boolean).length;

/**
 * How the actor stands to an org path (see Relation). A scope path equal to the org path makes the
 * actor its `target`; a scope path above it makes the actor `city` (depth 1, or "/") or `county`
 * (depth 2). Participation and reporting come from the case.
 */
export function relationsOf(
  actor: ActorFacts,
  orgPath: string,
  extra: { reporterId?: number | null; actorRoles?: readonly string[] } = {},
): Set<Relation> {
  const out = new Set<Relation>();
  for (const p of actor.scopePaths) {
    if (p === orgPath) out.add("target");
    else if (orgPath.startsWith(p)) {
      const d = depth(p);
      if (d <= 1) out.add("city");
      else if (d === 2) out.add("county");
    }
  }
  if (extra.actorRoles?.includes("assigned")) out.add("assigned");
  if (actor.id !== null && extra.reporterId != null && extra.reporterId === actor.id) out.add("reporter");
  return out;
}

export function allowed(
  who: Who | readonly Who[],
  actor: ActorFacts,
  relations: ReadonlySet<Relation>,
): boolean {
  const list: readonly Who[] = "permission" in who ? [who] : who;
  return list.some((w) => actor.permissions.has(w.permission) && w.as.some((r) => relations.has(r)));
}

/** The steps the actor may take on the case now (the buttons the case page shows). */
export function availableSteps(
  kind: CaseKindDefinition,
  c: CaseFacts,
  actor: ActorFacts,
): TransitionDefinition[] {
  const rel = relationsOf(actor, c.orgPath, c);
  return kind.transitions.filter((t) => t.from.includes(c.state) && allowed(t.who, actor, rel));
}

const stateLabel = (kind: CaseKindDefinition, s: string) => kind.states[s]?.label ?? s;

/** Checks a step's comment, evidence and fields; returns the parsed fields or the issues. */
export function checkInput(
  spec: {
    fields?: TransitionDefinition["fields"];
    fieldLabels?: Record<string, string>;
    comment?: "required" | "optional";
    evidence?: EvidenceRule;
  },
  input: StepInput,
): { fields: Record<string, unknown>; comment: string | null } | { issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const comment = input.comment?.trim() ? input.comment.trim() : null;
  if (spec.comment === "required" && !comment) issues.push({ field: "comment", message: "请填写意见或说明" });
  const count = input.attachmentCount ?? 0;
  if (spec.evidence && count < spec.evidence.min)
    issues.push({
      field: "attachments",
      message: `需要上传${spec.evidence.label}（至少 ${spec.evidence.min} 个附件），当前 ${count} 个`,
    });
  let fields: Record<string, unknown> = {};
  if (spec.fields) {
    const parsed = spec.fields.safeParse(input.fields ?? {});
    if (parsed.success) fields = parsed.data;
    else
      for (const i of parsed.error.issues) {
        const key = String(i.path[0] ?? "fields");
        const label = spec.fieldLabels?.[key] ?? key;
        issues.push({ field: key, message: `${label}：${i.message}` });
      }
  }
  return issues.length ? { issues } : { fields, comment };
}

/**
 * Decides a step. Refuses (changing nothing) a step the kind does not have, a step from another
 * state (skipping a state is this case), an actor without the permission or the relation, and
 * missing fields, comment or evidence.
 */
export function decide(
  kind: CaseKindDefinition,
  c: CaseFacts,
  stepCode: string,
  actor: ActorFacts,
  input: StepInput,
  now: Date,
): Decision {
  const step = kind.transitions.find((t) => t.code === stepCode);
  if (!step) return { ok: false, reason: "unknown_step", message: `${kind.name}没有「${stepCode}」这一步` };
  if (!step.from.includes(c.state))
    return {
      ok: false,
      reason: "wrong_state",
      message: `当前状态为「${stateLabel(kind, c.state)}」，不能执行「${step.label}」（只能在「${step.from
        .map((s) => stateLabel(kind, s))
        .join("、")}」时执行）`,
    };
  if (!allowed(step.who, actor, relationsOf(actor, c.orgPath, c)))
    return { ok: false, reason: "not_allowed", message: `您无权对此${kind.name}执行「${step.label}」` };
  const checked = checkInput(step, input);
  if ("issues" in checked)
    return {
      ok: false,
      reason: "invalid",
      message: checked.issues.map((i) => i.message).join("；"),
      issues: checked.issues,
    };
  const closes = kind.states[step.to]?.final === true;
  const dueAt = closes
    ? null
    : deadlineFor(
        step.deadline ?? { keep: true },
        { severity: c.severity, dueAt: c.dueAt },
        checked.fields,
        now,
      );
  return {
    ok: true,
    step,
    from: c.state,
    to: step.to,
    fields: checked.fields,
    comment: checked.comment,
    dueAt,
    closes,
  };
}

export interface CreateDecision {
  ok: true;
  state: string;
  form: Record<string, unknown>;
  comment: string | null;
  dueAt: Date | null;
}

/** Decides the filing of a new case about the org unit at `orgPath` (relations as for a step). */
export function decideCreate(
  kind: CaseKindDefinition,
  orgPath: string,
  orgKind: string,
  actor: ActorFacts,
  input: StepInput,
  now: Date,
  /** The actor's roles toward the new case (an inspector assigned to the target: ["assigned"]). */
  actorRoles: readonly string[] = [],
): CreateDecision | Refusal {
  const spec = kind.create;
  if (!(spec.orgKinds as readonly string[]).includes(orgKind))
    return {
      ok: false,
      reason: "invalid",
      message: `${kind.name}只能针对${spec.orgKinds.map((k) => (k === "school" ? "学校" : "县（市、区）")).join("或")}`,
      issues: [{ field: "orgUnitCode", message: "对象类型不符" }],
    };
  const relations = relationsOf(actor, orgPath, { actorRoles });
  if (!allowed(spec.who, actor, relations))
    return { ok: false, reason: "not_allowed", message: `您无权对该单位${spec.label}` };
  const checked = checkInput(spec, input);
  if ("issues" in checked)
    return {
      ok: false,
      reason: "invalid",
      message: checked.issues.map((i) => i.message).join("；"),
      issues: checked.issues,
    };
  const issue = spec.check?.(checked.fields, relations);
  if (issue) return { ok: false, reason: "invalid", message: issue.message, issues: [issue] };
  const severity = typeof checked.fields.severity === "string" ? checked.fields.severity : null;
  const dueAt = deadlineFor(spec.deadline ?? { clear: true }, { severity, dueAt: null }, checked.fields, now);
  return { ok: true, state: spec.state, form: checked.fields, comment: checked.comment, dueAt };
}
