import { DownloadOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Breadcrumb, Button, Segmented, Space, Table } from "antd";
import { Link, useParams, useSearchParams } from "react-router";
import { api, call } from "../../api/client";
import { LoadError, PageLoading } from "../../components/page-state";
import { CellValue, CockpitTheme, Panel, StatusDot } from "./cockpit-page";
import {
  formatAsOf,
  formatCellChange,
  formatCellValue,
  formatFraction,
  palette,
  qs,
  type UnitPage,
} from "./format";
import { Sparkline } from "./sparkline";

type Item = UnitPage["indicators"][number];

/**
 * One org unit's own indicator page (a school's, usually): every indicator that applies to it, its
 * value with numerator and denominator, target and status, beside its county's and the city's.
 */
export default function UnitIndicatorPage() {
  const { code = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const period = params.get("period") ?? "2022";
  const page = useQuery({
    queryKey: ["indicator-page", code, period],
    queryFn: () =>
      call(
        api.GET("/api/indicator-pages/{code}", { params: { path: { code }, query: { period, trend: 3 } } }),
      ),
  });
  if (page.isPending) return <PageLoading />;
  if (page.isError) return <LoadError error={page.error} onRetry={() => void page.refetch()} />;
  const d = page.data;
  const groups = [...d.groups].sort((a, b) => a.ordinal - b.ordinal);
  const parents = d.parents;
  const trail = [...parents].reverse();

  return (
    <CockpitTheme>
      <Space orientation="vertical" size={12} style={{ width: "100%" }}>
        <Panel>
          <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center" }}>
            <Space orientation="vertical" size={2}>
              <Breadcrumb
                items={[
                  { title: <Link to={`/cockpit?${qs({ period })}`}>驾驶舱</Link> },
                  ...trail.map((p) => ({ title: p.name })),
                  { title: d.orgUnit.name },
                ]}
              />
              <h2 style={{ margin: 0, color: "#fff" }} data-testid="unit-title">
                {d.orgUnit.name} · 指标一览 · {d.period.label}
              </h2>
            </Space>
            <Space>
              <span style={{ color: palette.muted }}>数据截至 {formatAsOf(d.asOf)}</span>
              <Segmented
                value={period}
                options={["2022", "2021"].map((p) => ({ value: p, label: `${p}年` }))}
                onChange={(v) => setParams({ period: String(v) }, { replace: true })}
              />
              <Button
                type="primary"
                icon={<DownloadOutlined />}
                href={`/api/indicator-pages/${encodeURIComponent(code)}/export.xlsx?${qs({ period, trend: 3 })}`}
                data-testid="unit-export"
              >
                导出 Excel
              </Button>
            </Space>
          </div>
        </Panel>
        {groups.map((g) => {
          const items = d.indicators.filter((i) => i.groupCode === g.code && i.applies);
          if (!items.length) return null;
          return (
            <Panel key={g.code} title={g.name} testId={`unit-group-${g.code}`}>
              <Table<Item>
                size="small"
                rowKey="code"
                pagination={false}
                dataSource={items}
                columns={[
                  { title: "指标", dataIndex: "name", width: 230 },
                  {
                    title: "本单位",
                    align: "right",
                    width: 100,
                    render: (_: unknown, i) => (
                      <CellValue cell={i.self} unit={i.unit} decimals={i.decimals} />
                    ),
                  },
                  {
                    title: "分子 ÷ 分母",
                    align: "right",
                    width: 150,
                    render: (_: unknown, i) => formatFraction(i.self),
                  },
                  { title: "目标", width: 120, render: (_: unknown, i) => i.self.target ?? "—" },
                  {
                    title: "状态",
                    width: 90,
                    render: (_: unknown, i) => <StatusDot status={i.self.status} />,
                  },
                  {
                    title: "趋势",
                    width: 100,
                    render: (_: unknown, i) => (
                      <Sparkline trend={i.self.trend} unit={i.unit} width={80} height={22} />
                    ),
                  },
                  {
                    title: "较上期",
                    align: "right",
                    width: 130,
                    render: (_: unknown, i) => formatCellChange(i.self, i.unit, i.decimals),
                  },
                  ...parents.map((p, k) => ({
                    title: p.name,
                    align: "right" as const,
                    render: (_: unknown, i: Item) =>
                      i.parents[k] ? formatCellValue(i.parents[k], i.unit, i.decimals) : "—",
                  })),
                ]}
              />
            </Panel>
          );
        })}
      </Space>
    </CockpitTheme>
  );
}
