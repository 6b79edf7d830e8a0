/**
 * Targets (目标值) and statuses. A target is data: a value and a direction (≥ or ≤), or a change
 * relative to the previous period (e.g. 近视率 "下降1个百分点": relative, ≤, −1). Pure: no I/O.
 */
export type Direction = ">=" | "<=";
export type TargetKind = "absolute" | "relative";
export type Status = "met" | "unmet" | "noData" | "noTarget";

export const statusLabels: Record<Status, string> = {
  met: "达标",
  unmet: "未达标",
  noData: "无数据",
  noTarget: "未设目标",
};

export interface TargetRule {
  kind: TargetKind;
  direction: Direction;
  value: number;
}

export interface TargetOutcome {
  status: Status;
  /** The value to reach: the target itself, or previous + change for a relative target. */
  threshold: number | null;
  /** How far the value is from the threshold when unmet (always ≥ 0); 0 when met; null without data. */
  gap: number | null;
}

/** Round half away from zero to `decimals` places (what the screen shows is what is compared). */
export function roundTo(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return (Math.sign(x) * Math.round(Math.abs(x) * f)) / f;
}

export function evaluateTarget(
  rule: TargetRule | null,
  value: number | null,
  previous: number | null,
  decimals: number,
): TargetOutcome {
  if (!rule) return { status: "noTarget", threshold: null, gap: null };
  const threshold =
    rule.kind === "absolute"
      ? rule.value
      : previous === null
        ? null
        : roundTo(previous, decimals) + rule.value;
  if (value === null || threshold === null) return { status: "noData", threshold, gap: null };
  const v = roundTo(value, decimals);
  const t = roundTo(threshold, decimals);
  const met = rule.direction === ">=" ? v >= t : v <= t;
  return { status: met ? "met" : "unmet", threshold: t, gap: met ? 0 : roundTo(Math.abs(v - t), decimals) };
}

/** "≥ 55%", "≤ 5%", "较上期 −1 个百分点", "≥ 48 所". */
export function targetLabel(rule: TargetRule, unit: string): string {
  const dir = rule.direction === ">=" ? "≥" : "≤";
  if (rule.kind === "relative") {
    const sign = rule.value > 0 ? "+" : rule.value < 0 ? "−" : "±";
    const pp = unit === "%" ? "个百分点" : unit;
    return `较上期 ${sign}${Math.abs(rule.value)} ${pp}（${dir}）`;
  }
  return unit === "%" ? `${dir} ${rule.value}%` : `${dir} ${rule.value} ${unit}`.trim();
}
