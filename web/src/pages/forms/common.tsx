import { useQuery } from "@tanstack/react-query";
import { Select, Space, Tag } from "antd";
import { useCallback, useEffect } from "react";
import { useSearchParams } from "react-router";
import { type ApiData, api, call } from "../../api/client";

/** Shared pieces of the forms screens (报表管理, 数据填报, 填报进度, 审核). */

export type FormSummary = ApiData<"/api/forms", "get">[number];
export type FormDetail = ApiData<"/api/forms/{code}", "get">;
export type Entry = ApiData<"/api/forms/{code}/periods/{period}/entries/{orgCode}", "get">;
export type SubmissionRow = ApiData<"/api/forms/{code}/periods/{period}/submissions", "get">["items"][number];
export type Status = SubmissionRow["status"];

export const statusColors: Record<Status, string> = {
  none: "default",
  draft: "gold",
  submitted: "blue",
  approved: "cyan",
  returned: "red",
  accepted: "green",
};

export const statusLabels: Record<Status, string> = {
  none: "未填报",
  draft: "草稿",
  submitted: "已上报",
  approved: "已审核",
  returned: "已退回",
  accepted: "已确认",
};

export function StatusTag({ status }: { status: Status }) {
  return <Tag color={statusColors[status]}>{statusLabels[status]}</Tag>;
}

export const periodTypeLabels: Record<string, string> = {
  year: "年",
  school_year: "学年",
  term: "学期",
  quarter: "季",
  month: "月",
};

export function useFormList() {
  return useQuery({ queryKey: ["forms"], queryFn: () => call(api.GET("/api/forms")) });
}

/**
 * How well a form suits a page: 数据填报 ("entry") wants a form the user's own unit reports (a
 * school admin's school form, a county admin's county form), then one some unit of the user's
 * area reports; the other pages ("area") any form with reporters in the area. A form with an open
 * (not locked) round comes first within each. `undefined`: not offered at all (entry: nobody in
 * the user's area ever reports it).
 */
export function formRank(f: FormSummary, mode: "entry" | "area"): number | undefined {
  const open = f.rounds.some((r) => !r.locked) ? 0 : 1;
  if (mode === "entry") {
    if (f.reporting.own.length) return open;
    if (f.reporting.units) return 2 + open;
    return undefined;
  }
  return f.reporting.units ? open : 2 + open;
}

/** The forms a page offers, and the one it opens on when the URL names none (or one not offered). */
export function offeredForms(list: FormSummary[], mode: "entry" | "area") {
  const offered = list.filter((f) => formRank(f, mode) !== undefined);
  let best: FormSummary | undefined;
  for (const f of offered) if (!best || formRank(f, mode)! < formRank(best, mode)!) best = f;
  return { offered, best };
}

/**
 * The form and reporting round being worked on, held in the URL (`form`, `period`). Without one in
 * the URL it opens on the form that suits the page best (`formRank`) and its latest round (for entry
 * its latest open round). Forms nobody of the user's area reports are left out of 数据填报 and
 * marked elsewhere.
 */
export function FormRoundPicker({
  form,
  period,
  onChange,
  mode = "area",
}: {
  form?: string;
  period?: string;
  onChange: (form: string, period: string) => void;
  mode?: "entry" | "area";
}) {
  const forms = useFormList();
  const { offered, best } = offeredForms(forms.data ?? [], mode);
  const current = offered.find((f) => f.code === form) ?? best;
  const firstRound = useCallback(
    (f: FormSummary) => (mode === "entry" ? f.rounds.find((r) => !r.locked) : undefined) ?? f.rounds[0],
    [mode],
  );
  useEffect(() => {
    if (!current) return;
    const round = current.rounds.find((r) => r.periodCode === period) ?? firstRound(current);
    if (round && (current.code !== form || round.periodCode !== period))
      onChange(current.code, round.periodCode);
  }, [current, form, period, onChange, firstRound]);
  return (
    <Space wrap>
      <Select
        aria-label="报表"
        style={{ width: 240 }}
        popupMatchSelectWidth={false}
        loading={forms.isLoading}
        value={current?.code}
        options={offered.map((f) => ({
          value: f.code,
          label: f.reporting.units ? f.name : `${f.name}（本辖区无填报单位）`,
        }))}
        onChange={(code) => {
          const f = offered.find((x) => x.code === code);
          const round = f && firstRound(f);
          if (round) onChange(code, round.periodCode);
        }}
      />
      <Select
        aria-label="统计期"
        style={{ width: 200 }}
        value={period}
        options={(current?.rounds ?? []).map((r) => ({
          value: r.periodCode,
          label: `${r.periodLabel}（截止 ${r.dueDate}${r.locked ? "，已锁定" : ""}）`,
        }))}
        onChange={(p) => current && onChange(current.code, p)}
      />
    </Space>
  );
}

/** A time of the API (ISO, UTC) as the reader's local date and time, to the minute. */
export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/**
 * Sets the form and the period in the URL in one step (two separate filter updates in the same tick
 * would each start from the old query string, and the first would be lost). Keeps other filters.
 */
export function useSetRound() {
  const [, setParams] = useSearchParams();
  return useCallback(
    (form: string, period: string) =>
      setParams(
        (p) => {
          const n = new URLSearchParams(p);
          if (n.get("form") === form && n.get("period") === period) return p;
          n.set("form", form);
          n.set("period", period);
          n.delete("page");
          return n;
        },
        { replace: true },
      ),
    [setParams],
  );
}
