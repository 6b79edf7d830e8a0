import { ArrowLeftOutlined, DownloadOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Breadcrumb, Button, Col, Row, Segmented, Space, Table } from "antd";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { api, call } from "../../api/client";
import { LoadError, PageLoading } from "../../components/page-state";
import { CellValue, CockpitTheme, Panel, StatusDot } from "./cockpit-page";
import {
  type Cell,
  formatAsOf,
  formatCellChange,
  formatCellValue,
  formatChange,
  formatCount,
  formatValue,
  palette,
  qs,
  type Results,
} from "./format";
import { Sparkline } from "./sparkline";

type ChildRow = Results["children"][number];

/**
 * Drill-down of one indicator: the figure of an org unit (city, county) with its numerator and
 * denominator, its parents for comparison, and every child (counties, or a county's schools) with
 * theirs. A county opens its schools; a school opens its own indicator page.
 */
export default function IndicatorPage() {
  const { code = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const period = params.get("period") ?? "2022";
  const org = params.get("org") ?? undefined;
  const children = (params.get("children") as "direct" | "schools" | null) ?? "direct";
  const query = { indicator: code, period, orgUnit: org, children, trend: 3 };
  const results = useQuery({
    queryKey: ["indicator-results", query],
    queryFn: () => call(api.GET("/api/indicator-results", { params: { query } })),
  });
  if (results.isPending) return <PageLoading />;
  if (results.isError) return <LoadError error={results.error} onRetry={() => void results.refetch()} />;
  const r = results.data;
  const ind = r.indicator;
  const fmt = (v: number | null) => formatValue(v, ind.unit, ind.decimals);
  const hrefOf = (row: ChildRow) =>
    row.kind === "school"
      ? `/cockpit/units/${row.code}?${qs({ period })}`
      : `/cockpit/indicators/${code}?${qs({ org: row.code, period })}`;
  const open = (row: ChildRow) => navigate(hrefOf(row));
  const trail = [...r.parents].reverse();

  return (
    <CockpitTheme>
      <Space orientation="vertical" size={12} style={{ width: "100%" }}>
        <Panel>
          <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center", gap: 12 }}>
            <Space orientation="vertical" size={2}>
              <Breadcrumb
                items={[
                  { title: <Link to={`/cockpit?${qs({ period })}`}>驾驶舱</Link> },
                  ...trail.map((p) => ({
                    title: (
                      <Link to={`/cockpit/indicators/${code}?${qs({ org: p.code, period })}`}>{p.name}</Link>
                    ),
                  })),
                  { title: r.orgUnit.name },
                ]}
              />
              <h2 style={{ margin: 0, color: "#fff" }} data-testid="drill-title">
                {ind.name} · {r.orgUnit.name} · {r.period.label}
              </h2>
            </Space>
            <Space>
              <span style={{ color: palette.muted }}>数据截至 {formatAsOf(r.asOf)}</span>
              <Button icon={<ArrowLeftOutlined />} onClick={() => navigate(-1)}>
                返回
              </Button>
              <Button
                type="primary"
                icon={<DownloadOutlined />}
                href={`/api/indicator-results/export.xlsx?${qs(query)}`}
                data-testid="drill-export"
              >
                导出 Excel
              </Button>
            </Space>
          </div>
        </Panel>
        <Row gutter={[12, 12]}>
          <Col span={8}>
            <Figure
              cell={r.node}
              unitName={r.orgUnit.name}
              fmt={fmt}
              unit={ind.unit}
              decimals={ind.decimals}
              labels={ind}
            />
          </Col>
          <Col span={16}>
            <Panel title="口径与来源">
              <div style={{ color: palette.text, fontSize: 13, lineHeight: "22px" }}>
                <div>分子：{ind.numeratorLabel ?? "—"}</div>
                <div>分母：{ind.denominatorLabel ?? "—"}</div>
                {ind.description && <div style={{ color: palette.muted }}>{ind.description}</div>}
                {ind.source && <div style={{ color: palette.muted }}>依据：{ind.source}</div>}
              </div>
              {r.parents.length > 0 && (
                <div style={{ marginTop: 8, display: "flex", gap: 24 }} data-testid="parents">
                  {r.parents.map((p) => (
                    <span key={p.code} style={{ color: palette.muted }}>
                      {p.name}：
                      <b style={{ color: palette.text }}>{formatCellValue(p.cell, ind.unit, ind.decimals)}</b>
                      （{p.cell.statusLabel}）
                    </span>
                  ))}
                </div>
              )}
            </Panel>
          </Col>
        </Row>
        <Panel
          title={
            r.orgUnit.kind === "city" && children === "direct" && !ind.cityOnly
              ? "各县（市、区）"
              : "下级单位"
          }
          extra={
            r.orgUnit.kind !== "school" && (
              <Segmented
                size="small"
                value={children}
                onChange={(v) => {
                  const next = new URLSearchParams(params);
                  next.set("children", String(v));
                  setParams(next, { replace: true });
                }}
                options={[
                  { value: "direct", label: "下一级" },
                  { value: "schools", label: "全部学校" },
                ]}
              />
            )
          }
        >
          <Table<ChildRow>
            size="small"
            rowKey="code"
            data-testid="drill-table"
            dataSource={r.children}
            pagination={r.children.length > 15 ? { pageSize: 15, showSizeChanger: false } : false}
            onRow={(row) => ({ onClick: () => open(row), style: { cursor: "pointer" } })}
            columns={[
              {
                title: "单位",
                dataIndex: "name",
                render: (v: string, row) => <Link to={hrefOf(row)}>{v}</Link>,
              },
              {
                title: ind.unit === "%" ? "值" : `值（${ind.unit ?? ""}）`,
                align: "right",
                render: (_: unknown, row) => (
                  <CellValue cell={row.cell} unit={ind.unit} decimals={ind.decimals} />
                ),
                sorter: (a, b) => (a.cell.value ?? -1e9) - (b.cell.value ?? -1e9),
              },
              { title: "分子", align: "right", render: (_: unknown, row) => formatCount(row.cell.numerator) },
              {
                title: "分母",
                align: "right",
                render: (_: unknown, row) => formatCount(row.cell.denominator),
              },
              { title: "目标", render: (_: unknown, row) => row.cell.target ?? "—" },
              { title: "状态", render: (_: unknown, row) => <StatusDot status={row.cell.status} /> },
              {
                title: "较上期",
                align: "right",
                render: (_: unknown, row) => formatCellChange(row.cell, ind.unit, ind.decimals),
              },
              { title: "排名", align: "right", render: (_: unknown, row) => row.cell.rank ?? "—" },
            ]}
          />
        </Panel>
      </Space>
    </CockpitTheme>
  );
}

/** The big figure of one org unit: value, numerator ÷ denominator, target, status, trend. */
export function Figure({
  cell,
  unitName,
  fmt,
  unit,
  decimals,
  labels,
}: {
  cell: Cell;
  unitName: string;
  fmt(v: number | null): string;
  unit: string | null;
  decimals: number;
  labels: { numeratorLabel?: string | null; denominatorLabel?: string | null };
}) {
  return (
    <Panel testId="drill-figure" style={{ height: "100%" }}>
      <div style={{ color: palette.muted }}>{unitName}</div>
      <div style={{ display: "flex", alignItems: "center", gap: 12 }}>
        <span
          style={{ fontSize: 34, fontWeight: 700, color: cell.notReported ? palette.muted : "#fff" }}
          data-testid="figure-value"
        >
          {cell.notReported ? "未上报" : fmt(cell.value)}
        </span>
        <StatusDot status={cell.status} />
        <Sparkline trend={cell.trend} unit={unit} width={110} height={34} />
      </div>
      <div style={{ color: palette.text, fontSize: 13 }} data-testid="figure-fraction">
        {cell.notReported
          ? "本单位及下级均未上报所需数据"
          : `${labels.numeratorLabel ?? "分子"} ${formatCount(cell.numerator)} ÷ ${labels.denominatorLabel ?? "分母"} ${formatCount(cell.denominator)}`}
      </div>
      <div style={{ color: palette.muted, fontSize: 13 }}>
        目标 {cell.target ?? "—"}
        {cell.gap !== null && cell.status === "unmet"
          ? ` · 差距 ${formatValue(cell.gap, unit === "%" ? "个百分点" : unit, decimals)}`
          : ""}
        {cell.change !== null ? ` · 较上期 ${formatChange(cell.change, unit, decimals)}` : ""}
        {cell.change === null && cell.previous !== null ? ` · ${formatCellChange(cell, unit, decimals)}` : ""}
        {cell.reported ? ` · 上报单位 ${cell.reported}` : ""}
      </div>
    </Panel>
  );
}
