import { useQuery } from "@tanstack/react-query";
import { type ApiData, ApiError, api, call } from "../../api/client";

export type Definitions = ApiData<"/api/indicators", "get">;
export type Indicator = Definitions["indicators"][number];
export type Group = Definitions["groups"][number];
export type Target = ApiData<"/api/indicator-targets", "get">[number];
export type Catalogue = ApiData<"/api/indicators/catalogue", "get">;
export type CheckResult = ApiData<"/api/indicators/check", "post">;
export type Issue = CheckResult["issues"][number];
export type Side = Issue["side"];

export const sideLabel: Record<Side, string> = { numerator: "分子", denominator: "分母" };

export const periodTypeLabels: Record<Indicator["periodType"], string> = {
  year: "年",
  school_year: "学年",
  term: "学期",
  quarter: "季",
  month: "月",
};

export const sourceLabels: Record<string, string> = {
  registry: "组织机构",
  people: "学生教职工",
  forms: "报表",
  health: "视力筛查",
  safety: "平安校园检查",
};

/** Definitions (groups and indicators); retired indicators too when asked. */
export function useDefinitions(includeInactive: boolean) {
  return useQuery({
    queryKey: ["indicator-definitions", includeInactive],
    // includeInactive is coerced by the server: send it only when true ("false" would read as true)
    queryFn: () =>
      call(api.GET("/api/indicators", { params: { query: includeInactive ? { includeInactive } : {} } })),
  });
}

/** Every target the user may read, all indicators and periods. */
export function useTargets() {
  return useQuery({
    queryKey: ["indicator-targets"],
    queryFn: () => call(api.GET("/api/indicator-targets")),
  });
}

/** The names an expression may use (statistics, attributes, functions, data elements). */
export function useCatalogue() {
  return useQuery({
    queryKey: ["indicator-catalogue"],
    queryFn: () => call(api.GET("/api/indicators/catalogue")),
    staleTime: 5 * 60_000,
  });
}

/** "numerator ÷ (denominator) × factor" in one line, as the list shows it. */
export function formulaText(i: Pick<Indicator, "numerator" | "denominator" | "factor">): string {
  const parts = [i.numerator];
  if (i.denominator) parts.push(`÷ ${i.denominator}`);
  if (i.factor !== 1) parts.push(`× ${i.factor}`);
  return parts.join(" ");
}

/** The expression issues a refused save carries (400 details.issues: { field, message, start, end }). */
export function issuesOf(e: unknown): Issue[] {
  if (!(e instanceof ApiError)) return [];
  const raw = (e.details as { issues?: unknown[] } | null)?.issues ?? [];
  return raw.flatMap((x) => {
    const i = x as { field?: string; message?: string; start?: number; end?: number };
    return (i.field === "numerator" || i.field === "denominator") && typeof i.start === "number"
      ? [{ side: i.field, message: i.message ?? "", start: i.start, end: i.end ?? i.start }]
      : [];
  });
}

export const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));
