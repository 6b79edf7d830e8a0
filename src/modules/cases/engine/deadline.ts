import type { CaseKindDefinition, DeadlineRule } from "./kind.js";

/** Deadlines and escalation, pure: the clock is a parameter (tests move it; the sweep passes now()). */

export const DAY_MS = 86_400_000;

/**
 * The end of a calendar day in China (UTC+8, no daylight saving): a deadline "2022-06-30" means the
 * whole of that day.
 */
export function endOfChinaDay(date: string): Date {
  return new Date(`${date}T23:59:59.999+08:00`);
}

/** The deadline a rule gives on entering a state. */
export function deadlineFor(
  rule: DeadlineRule,
  c: { severity: string | null; dueAt: Date | null },
  fields: Record<string, unknown>,
  now: Date,
): Date | null {
  if ("clear" in rule) return null;
  if ("keep" in rule) return c.dueAt;
  if ("days" in rule) return new Date(now.getTime() + rule.days * DAY_MS);
  if ("daysBySeverity" in rule) {
    const days = (c.severity ? rule.daysBySeverity[c.severity] : undefined) ?? rule.otherwise;
    return new Date(now.getTime() + days * DAY_MS);
  }
  const v = fields[rule.field];
  if (v instanceof Date) return v;
  if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v)) return endOfChinaDay(v);
  return c.dueAt;
}

export interface SweepFacts {
  state: string;
  orgPath: string;
  dueAt: Date | null;
  overdueSince: Date | null;
  escalationLevel: number;
}

export interface SweepDecision {
  /** The case has just become overdue (write the "overdue" event). */
  becameOverdue: boolean;
  /** The case is no longer overdue (its clock stopped or the deadline moved): clear the marker. */
  clearOverdue: boolean;
  /** New escalation level (1 county, 2 city) when it rises; null when unchanged. */
  escalateTo: number | null;
}

export const escalationLevels = { county: 1, city: 2 } as const;

const depth = (path: string) => path.split("/").filter(Boolean).length;

/**
 * What the sweep does to one case at `now`: mark it overdue when its deadline has passed in a state
 * whose clock runs, then raise it to the county and the city as the kind's escalation steps say. A
 * case about a county skips the step "to the county" (the county is the one that is late).
 */
export function sweepDecision(kind: CaseKindDefinition, c: SweepFacts, now: Date): SweepDecision {
  const runs = kind.states[c.state]?.clockRuns === true;
  const late = runs && c.dueAt !== null && c.dueAt.getTime() < now.getTime();
  if (!late) return { becameOverdue: false, clearOverdue: c.overdueSince !== null, escalateTo: null };
  const daysLate = (now.getTime() - (c.dueAt as Date).getTime()) / DAY_MS;
  let level = c.escalationLevel;
  for (const step of kind.escalation) {
    if (step.to === "county" && depth(c.orgPath) <= 2) continue;
    if (daysLate >= step.afterDays) level = Math.max(level, escalationLevels[step.to]);
  }
  return {
    becameOverdue: c.overdueSince === null,
    clearOverdue: false,
    escalateTo: level > c.escalationLevel ? level : null,
  };
}
