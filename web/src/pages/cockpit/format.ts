import type { ApiData } from "../../api/client";

export type Cockpit = ApiData<"/api/cockpit", "get">;
export type CockpitIndicator = Cockpit["indicators"][number];
export type Cell = CockpitIndicator["city"];
export type Status = Cell["status"];
export type Results = ApiData<"/api/indicator-results", "get">;
export type UnitPage = ApiData<"/api/indicator-pages/{code}", "get">;

/** The cockpit's palette: a dark government-screen theme. */
export const palette = {
  bg: "#07162e",
  panel: "rgba(16, 43, 84, 0.92)",
  border: "#1f4d86",
  glow: "#37c8ff",
  text: "#e6f0ff",
  muted: "#8fa8c8",
  title: "#9fe3ff",
};

export const statusColor: Record<Status, string> = {
  met: "#3fcf6e",
  unmet: "#ff5b5b",
  noData: "#7d8fa8",
  noTarget: "#f5b942",
};

export const statusText: Record<Status, string> = {
  met: "达标",
  unmet: "未达标",
  noData: "无数据",
  noTarget: "未设目标",
};

/** A figure with its unit: 56.3%, 48 所; "—" without data. */
export function formatValue(v: number | null | undefined, unit: string | null, decimals: number): string {
  if (v === null || v === undefined) return "—";
  const n = v.toLocaleString("zh-CN", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  if (!unit) return n;
  return unit === "%" ? `${n}%` : `${n} ${unit}`;
}

export const formatCount = (v: number | null | undefined) =>
  v === null || v === undefined ? "—" : v.toLocaleString("zh-CN", { maximumFractionDigits: 2 });

/** Change from the previous period: percentage points for percentages. */
export function formatChange(v: number | null | undefined, unit: string | null, decimals: number): string {
  if (v === null || v === undefined) return "—";
  const sign = v > 0 ? "+" : v < 0 ? "−" : "±";
  const abs = Math.abs(v).toLocaleString("zh-CN", { maximumFractionDigits: Math.max(1, decimals) });
  return unit === "%" ? `${sign}${abs} 个百分点` : `${sign}${abs}${unit ? ` ${unit}` : ""}`;
}

/** A cell's value: "未上报" when it reads reported data and nothing was reported, else the figure. */
export function formatCellValue(c: Cell, unit: string | null, decimals: number): string {
  return c.notReported ? "未上报" : formatValue(c.value, unit, decimals);
}

/** 较上期: the change; without a value now, the previous period's value (上期 100.0%); else "—". */
export function formatCellChange(c: Cell, unit: string | null, decimals: number): string {
  if (c.change !== null) return formatChange(c.change, unit, decimals);
  if (c.previous !== null) return `上期 ${formatValue(c.previous, unit, decimals)}`;
  return "—";
}

/** 分子 ÷ 分母; "—" when nothing was reported (never a misleading 0 ÷ 1). */
export function formatFraction(c: Cell): string {
  return c.notReported ? "—" : `${formatCount(c.numerator)} ÷ ${formatCount(c.denominator)}`;
}

/** "2026-11-30T08:12:00Z" → "2026年11月30日 16:12" (China time). */
export function formatAsOf(iso: string): string {
  const d = new Date(iso);
  const cn = new Date(d.getTime() + 8 * 3600_000);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${cn.getUTCFullYear()}年${cn.getUTCMonth() + 1}月${cn.getUTCDate()}日 ${p(cn.getUTCHours())}:${p(cn.getUTCMinutes())}`;
}

/** Query string of defined values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== "") u.set(k, String(v));
  return u.toString();
}
