import type { ElementInfo } from "./expression/check.js";

/**
 * What the indicator engine needs from the forms, health and cases modules (their services implement it;
 * the composition root passes them in). Kept as interfaces so that the engine does not depend on how
 * those modules store their data.
 */
export interface FormValueRow {
  orgUnitId: number;
  orgPath: string;
  countyCode: string | null;
  elementCode: string;
  /** '' = the total (no disaggregation). */
  disaggregation: string;
  value: number | string | boolean | null;
  status: string;
}

export interface IndicatorFormsSource {
  valuesForIndicators(periodCode: string, elementCodes: string[]): Promise<FormValueRow[]>;
  listElements(): Promise<Array<Partial<ElementInfo> & { code: string }>>;
}

export interface MyopiaRow {
  orgUnitId: number;
  orgPath: string;
  countyCode: string | null;
  screened: number;
  myopic: number;
}

export interface IndicatorHealthSource {
  myopiaBySchool(periodCode: string): Promise<MyopiaRow[]>;
}

/** A school's 平安校园 status in a period (cases module, SafetyService.safeCampusBySchool). */
export interface SafeCampusRow {
  orgUnitId: number;
  orgPath: string;
  countyCode: string | null;
  /** A county inspection or a city spot check of the school falls in the period (self-checks do not count). */
  inspected: boolean;
  /** The latest such inspection in the period passed every required checklist item. */
  passed: boolean;
}

/**
 * 平安校园 inspections; whoever writes them announces the data event topic "safety" after the
 * write commits, so that cached figures are dropped.
 */
export interface IndicatorSafetySource {
  safeCampusBySchool(periodCode: string): Promise<SafeCampusRow[]>;
}

/**
 * Values in these approval states do not count: a draft is not reported yet, and a returned
 * submission is being corrected. Submitted, approved and accepted values count, so a school's report
 * shows at once (the county's approval changes the status, not the figure).
 */
export const UNCOUNTED_STATUSES = new Set(["draft", "returned", "rejected"]);

/** A form value for the engine: numbers as they are, yes/no as 1/0, choice codes and text as trimmed strings. */
export function engineValue(v: FormValueRow["value"]): number | string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "boolean") return v ? 1 : 0;
  const s = String(v).trim();
  return s === "" ? null : s;
}
