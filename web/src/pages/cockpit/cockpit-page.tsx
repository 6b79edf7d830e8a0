import { DownloadOutlined, ReloadOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Button, Col, ConfigProvider, Empty, Row, Segmented, Select, Space, Tooltip, theme } from "antd";
import { Fragment, useMemo } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { api, call } from "../../api/client";
import { useSession } from "../../auth/session";
import { LoadError, PageLoading } from "../../components/page-state";
import { CountyMap, type MapDatum, mapCounties } from "../map/county-map";
import {
  type Cell,
  type Cockpit,
  type CockpitIndicator,
  formatAsOf,
  formatCellChange,
  formatCellValue,
  formatValue,
  palette,
  qs,
  type Status,
  statusColor,
  statusText,
} from "./format";
import { Sparkline } from "./sparkline";

const PERIODS = ["2022", "2021"];

export function useCockpit(period: string) {
  return useQuery({
    queryKey: ["cockpit", period],
    queryFn: () => call(api.GET("/api/cockpit", { params: { query: { period, trend: 3 } } })),
    // the server recomputes on every data change; a morning's screen refreshes itself
    refetchInterval: 60_000,
  });
}

/** The dark theme of the cockpit screens (antd's dark algorithm on the cockpit's navy). */
export function CockpitTheme({ children }: { children: React.ReactNode }) {
  return (
    <ConfigProvider
      theme={{
        algorithm: theme.darkAlgorithm,
        token: {
          colorBgContainer: palette.panel,
          colorBgElevated: "#0f2a52",
          colorBorder: palette.border,
          colorBorderSecondary: "#173e6e",
          colorPrimary: "#1f8fff",
          colorText: palette.text,
          borderRadius: 4,
        },
      }}
    >
      <div
        className="cockpit"
        style={{ background: palette.bg, margin: -24, padding: 16, minHeight: "calc(100vh - 64px)" }}
      >
        {children}
      </div>
    </ConfigProvider>
  );
}

export function Panel({
  title,
  extra,
  children,
  testId,
  style,
}: {
  title?: React.ReactNode;
  extra?: React.ReactNode;
  children: React.ReactNode;
  testId?: string;
  style?: React.CSSProperties;
}) {
  return (
    <section
      data-testid={testId}
      style={{
        background: palette.panel,
        border: `1px solid ${palette.border}`,
        boxShadow: "inset 0 0 18px rgba(55, 200, 255, 0.08)",
        borderRadius: 4,
        padding: "8px 12px",
        ...style,
      }}
    >
      {(title || extra) && (
        <header
          style={{
            display: "flex",
            justifyContent: "space-between",
            alignItems: "center",
            borderBottom: `1px solid ${palette.border}`,
            paddingBottom: 6,
            marginBottom: 8,
            gap: 8,
          }}
        >
          <span style={{ color: palette.title, fontWeight: 600, fontSize: 14, letterSpacing: 1 }}>
            {title}
          </span>
          {extra}
        </header>
      )}
      {children}
    </section>
  );
}

export function StatusDot({ status, testId }: { status: keyof typeof statusColor; testId?: string }) {
  return (
    <span
      data-testid={testId}
      style={{
        display: "inline-block",
        padding: "0 6px",
        lineHeight: "18px",
        fontSize: 12,
        borderRadius: 9,
        color: "#fff",
        background: statusColor[status],
        whiteSpace: "nowrap",
      }}
    >
      {statusText[status]}
    </span>
  );
}

/**
 * 驾驶舱: the plan's ten key tasks as cards, each indicator with its value, target, status and
 * trend; the county map coloured by a chosen indicator and the county ranking beside it. A leader
 * lands here; a county user sees their county against the city; a school user their school's page.
 */
export default function CockpitPage() {
  const { user } = useSession();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const period = params.get("period") ?? "2022";
  const cockpit = useCockpit(period);
  const schoolScope = user?.scope.length === 1 && user.scope[0].path.split("/").length > 4;
  if (schoolScope && user)
    return <Navigate to={`/cockpit/units/${user.scope[0].code}?period=${period}`} replace />;
  if (cockpit.isPending) return <PageLoading />;
  if (cockpit.isError) return <LoadError error={cockpit.error} onRetry={() => void cockpit.refetch()} />;
  const data = cockpit.data;
  // The map and the ranking compare counties: an indicator counted for the city only has no county figures.
  const mappable = data.indicators.filter((i) => !i.cityOnly);
  const mapIndicator =
    mappable.find((i) => i.code === params.get("map")) ??
    mappable.find((i) => i.unit === "%" && i.counties.some((c) => c.value !== null)) ??
    mappable[0];
  const set = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    next.set(k, v);
    setParams(next, { replace: true });
  };
  // A county's cockpit tallies the county's own statuses (the cells its cards show), with the
  // city's beside for comparison; the city's cockpit tallies the city's.
  const own = ownCounty(data);
  const counts = tally(data.indicators.map((i) => shownCell(i, own)));
  const cityCounts = own ? tally(data.indicators.map((i) => i.city)) : null;

  return (
    <CockpitTheme>
      <Space orientation="vertical" size={12} style={{ width: "100%" }}>
        <Banner
          data={data}
          period={period}
          onPeriod={(p) => set("period", p)}
          onRefresh={() => void cockpit.refetch()}
        />
        <Row gutter={[12, 12]}>
          {(
            [
              ["指标总数", (c: Tally) => c.total, palette.glow],
              ["达标", (c: Tally) => c.met, statusColor.met],
              ["未达标", (c: Tally) => c.unmet, statusColor.unmet],
              ["无数据 / 未设目标", (c: Tally) => c.noData + c.noTarget, statusColor.noData],
            ] as const
          ).map(([label, n, color]) => (
            <Col span={6} key={label}>
              <Panel testId={`count-${label}`}>
                <div
                  style={{ display: "flex", alignItems: "baseline", justifyContent: "space-between", gap: 8 }}
                >
                  <span style={{ color: palette.muted }}>
                    {label}（{own?.name ?? data.city.name}）
                  </span>
                  <span style={{ whiteSpace: "nowrap" }}>
                    {cityCounts && label !== "指标总数" && (
                      <span
                        style={{ color: palette.muted, fontSize: 12, marginRight: 8 }}
                        data-testid="count-city"
                      >
                        {data.city.name} {n(cityCounts)}
                      </span>
                    )}
                    <span
                      data-testid="count-value"
                      style={{ color, fontSize: 26, fontWeight: 700, fontFamily: "DIN, Arial, sans-serif" }}
                    >
                      {n(counts)}
                    </span>
                  </span>
                </div>
              </Panel>
            </Col>
          ))}
        </Row>
        <Row gutter={[12, 12]}>
          <Col span={15}>
            <TaskCards data={data} period={period} />
          </Col>
          <Col span={9}>
            <Space orientation="vertical" size={12} style={{ width: "100%" }}>
              {mapIndicator && (
                <MapPanel
                  data={data}
                  indicator={mapIndicator}
                  onIndicator={(code) => set("map", code)}
                  onCounty={(code) =>
                    navigate(`/cockpit/indicators/${mapIndicator.code}?${qs({ org: code, period })}`)
                  }
                />
              )}
              {mapIndicator && <Ranking data={data} indicator={mapIndicator} period={period} />}
            </Space>
          </Col>
        </Row>
      </Space>
    </CockpitTheme>
  );
}

function Banner({
  data,
  period,
  onPeriod,
  onRefresh,
}: {
  data: Cockpit;
  period: string;
  onPeriod(p: string): void;
  onRefresh(): void;
}) {
  const own = ownCounty(data)?.name ?? null;
  return (
    <div
      style={{
        display: "flex",
        alignItems: "center",
        justifyContent: "space-between",
        padding: "10px 16px",
        background:
          "linear-gradient(90deg, rgba(31,143,255,0.25), rgba(7,22,46,0.2) 60%, rgba(31,143,255,0.25))",
        border: `1px solid ${palette.border}`,
        borderRadius: 4,
      }}
    >
      <div>
        <h1
          style={{
            margin: 0,
            color: "#fff",
            fontSize: 22,
            letterSpacing: 4,
            textShadow: `0 0 8px ${palette.glow}`,
          }}
        >
          {own ? `${own}教育重点工作驾驶舱` : `${data.city.name}教育重点工作驾驶舱`}
        </h1>
        <div style={{ color: palette.muted, fontSize: 12 }}>
          2022年全市教育工作要点 · 十项重点工作 · {data.period.label}
          {own ? ` · 本县与全市对照` : ""}
        </div>
      </div>
      <Space size={12}>
        <span style={{ color: palette.muted }} data-testid="as-of">
          数据截至 {formatAsOf(data.asOf)}
        </span>
        <Segmented
          value={period}
          options={PERIODS.map((p) => ({ value: p, label: `${p}年` }))}
          onChange={(v) => onPeriod(String(v))}
        />
        <Tooltip title="重新计算">
          <Button icon={<ReloadOutlined />} onClick={onRefresh} />
        </Tooltip>
        <Button
          type="primary"
          icon={<DownloadOutlined />}
          href={`/api/cockpit/export.xlsx?${qs({ period, trend: 3 })}`}
          data-testid="cockpit-export"
        >
          导出 Excel
        </Button>
      </Space>
    </div>
  );
}

/** The county whose cockpit this is (a county user's scope), or null on the city's cockpit. */
const ownCounty = (data: Cockpit) => (data.counties.length === 1 ? data.counties[0] : null);

/** The cell a card shows: the county's own on a county's cockpit, else the city's. */
const shownCell = (i: CockpitIndicator, own: Cockpit["counties"][number] | null) =>
  own ? i.counties[0] : i.city;

type Tally = Record<Status, number> & { total: number };

/** How many of the cells are met, unmet, without data, without a target. */
function tally(cells: Cell[]): Tally {
  const t: Tally = { total: cells.length, met: 0, unmet: 0, noData: 0, noTarget: 0 };
  for (const c of cells) t[c.status]++;
  return t;
}

/** A cell's value for a table: the figure in bold, or a muted 未上报 when nothing was reported. */
export function CellValue({ cell, unit, decimals }: { cell: Cell; unit: string | null; decimals: number }) {
  return cell.notReported ? (
    <span style={{ color: palette.muted }} data-testid="not-reported">
      未上报
    </span>
  ) : (
    <b>{formatValue(cell.value, unit, decimals)}</b>
  );
}

/** The ten key tasks, each a card listing its indicators. */
function TaskCards({ data, period }: { data: Cockpit; period: string }) {
  const byGroup = useMemo(() => {
    const m = new Map<string, CockpitIndicator[]>();
    for (const i of data.indicators) m.set(i.groupCode ?? "", [...(m.get(i.groupCode ?? "") ?? []), i]);
    return m;
  }, [data]);
  const groups = [...data.groups].sort((a, b) => a.ordinal - b.ordinal);
  const own = ownCounty(data);
  return (
    <Row gutter={[12, 12]} data-testid="task-cards">
      {groups.map((g, k) => {
        const items = byGroup.get(g.code) ?? [];
        const statuses = items.map((i) => shownCell(i, own).status);
        const worst = statuses.includes("unmet") ? "unmet" : statuses.includes("met") ? "met" : "noData";
        return (
          <Col span={12} key={g.code}>
            <Panel
              testId={`task-${g.code}`}
              style={{ height: "100%", borderTop: `3px solid ${statusColor[worst]}` }}
              title={
                <span>
                  <span style={{ color: palette.glow, marginRight: 6 }}>
                    {String(g.ordinal || k + 1).padStart(2, "0")}
                  </span>
                  {g.name}
                </span>
              }
            >
              {items.length === 0 ? (
                <Empty
                  image={Empty.PRESENTED_IMAGE_SIMPLE}
                  description="本项工作暂无量化指标（按举措推进）"
                />
              ) : (
                items.map((i) => {
                  const cell = shownCell(i, own);
                  return (
                    <Link
                      key={i.code}
                      to={`/cockpit/indicators/${i.code}?${qs({ period, org: own?.code })}`}
                      data-testid={`indicator-${i.code}`}
                      style={{
                        display: "block",
                        color: palette.text,
                        padding: "4px 0",
                        borderBottom: "1px dashed #173e6e",
                      }}
                    >
                      <div style={{ display: "flex", alignItems: "center", gap: 8 }}>
                        <span
                          style={{
                            flex: 1,
                            minWidth: 0,
                            overflow: "hidden",
                            textOverflow: "ellipsis",
                            whiteSpace: "nowrap",
                          }}
                          title={i.description ?? i.name}
                        >
                          {i.name}
                        </span>
                        <span
                          data-testid="indicator-value"
                          style={{
                            fontSize: 16,
                            fontWeight: 700,
                            whiteSpace: "nowrap",
                            color: cell.notReported
                              ? palette.muted
                              : cell.status === "noData" || cell.status === "noTarget"
                                ? palette.text
                                : statusColor[cell.status],
                          }}
                        >
                          {formatCellValue(cell, i.unit, i.decimals)}
                        </span>
                        <StatusDot status={cell.status} testId="indicator-status" />
                      </div>
                      <div
                        style={{
                          display: "flex",
                          alignItems: "center",
                          gap: 8,
                          color: palette.muted,
                          fontSize: 12,
                        }}
                      >
                        <Facts
                          items={[
                            { key: "target", text: `目标 ${cell.target ?? "—"}` },
                            (cell.change !== null || cell.previous !== null) && {
                              key: "change",
                              // 较上期 +1.2 个百分点; without a value now, 上期 100.0%
                              text: `${cell.change !== null ? "较上期 " : ""}${formatCellChange(cell, i.unit, i.decimals)}`,
                            },
                            !!own &&
                              i.city.value !== null && {
                                key: "city",
                                text: `全市 ${formatValue(i.city.value, i.unit, i.decimals)}`,
                              },
                            cell.status === "unmet" &&
                              cell.gap !== null && {
                                key: "gap",
                                text: `差 ${formatValue(cell.gap, i.unit === "%" ? "个百分点" : i.unit, i.decimals)}`,
                                color: statusColor.unmet,
                              },
                          ]}
                        />
                        <Sparkline trend={cell.trend} unit={i.unit} width={64} height={20} />
                      </div>
                    </Link>
                  );
                })
              )}
            </Panel>
          </Col>
        );
      })}
    </Row>
  );
}

/**
 * The small facts under an indicator's value (目标, 较上期, 全市, 差). Each fact keeps its figure whole
 * (no wrap inside it); the line wraps between facts rather than cutting a number off with "…".
 */
function Facts({ items }: { items: (false | { key: string; text: string; color?: string })[] }) {
  const shown = items.filter((x) => x !== false);
  return (
    <span data-testid="indicator-facts" style={{ flex: 1, minWidth: 0, lineHeight: "18px" }}>
      {shown.map((x, k) => (
        <Fragment key={x.key}>
          {k > 0 && " · "}
          <span style={{ whiteSpace: "nowrap", color: x.color }}>{x.text}</span>
        </Fragment>
      ))}
    </span>
  );
}

function MapPanel({
  data,
  indicator,
  onIndicator,
  onCounty,
}: {
  data: Cockpit;
  indicator: CockpitIndicator;
  onIndicator(code: string): void;
  onCounty(code: string): void;
}) {
  const mapData = useMemo<MapDatum[]>(() => {
    const byCode = new Map(data.counties.map((c, k) => [c.code, { unit: c, cell: indicator.counties[k] }]));
    return mapCounties.map(({ code, name }) => {
      const x = byCode.get(code);
      const v = x?.cell?.value ?? null;
      return {
        code,
        name: x?.unit.name ?? name,
        value: x ? v : null,
        highlighted: data.counties.length === 1 && !!x,
        tooltip: x
          ? [
              `<b>${x.unit.name}</b>`,
              `${indicator.name}：${formatCellValue(x.cell, indicator.unit, indicator.decimals)}`,
              `目标：${x.cell.target ?? "—"}（${statusText[x.cell.status]}）`,
              x.cell.notReported
                ? `上期：${formatValue(x.cell.previous, indicator.unit, indicator.decimals)}`
                : `分子 ${x.cell.numerator ?? "—"} ／ 分母 ${x.cell.denominator ?? "—"}`,
            ].join("<br/>")
          : "",
      };
    });
  }, [data, indicator]);
  return (
    <Panel
      testId="cockpit-map"
      title="各县（市、区）分布"
      extra={
        <Select
          size="small"
          value={indicator.code}
          onChange={onIndicator}
          style={{ width: 210 }}
          showSearch={{ optionFilterProp: "label" }}
          options={data.indicators.filter((i) => !i.cityOnly).map((i) => ({ value: i.code, label: i.name }))}
          data-testid="map-indicator"
        />
      }
    >
      <CountyMap
        data={mapData}
        figureName={indicator.name}
        outOfScopeText="不在您的数据范围内"
        onSelect={onCounty}
        height={300}
      />
    </Panel>
  );
}

function Ranking({
  data,
  indicator,
  period,
}: {
  data: Cockpit;
  indicator: CockpitIndicator;
  period: string;
}) {
  const rows = data.counties
    .map((c, k) => ({ unit: c, cell: indicator.counties[k] }))
    .filter((r) => r.cell)
    .sort((a, b) => (a.cell.rank ?? 99) - (b.cell.rank ?? 99));
  const values = rows.map((r) => r.cell.value ?? 0);
  const max = Math.max(1e-9, ...values.map(Math.abs));
  return (
    <Panel
      testId="county-ranking"
      title={`县区排名 · ${indicator.name}`}
      extra={
        <span style={{ color: palette.muted, fontSize: 12 }}>
          {indicator.better === "lower" ? "越低越好" : "越高越好"}
        </span>
      }
    >
      {rows.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />}
      {rows.map((r) => (
        <Link
          key={r.unit.code}
          to={`/cockpit/indicators/${indicator.code}?${qs({ org: r.unit.code, period })}`}
          style={{
            display: "flex",
            alignItems: "center",
            gap: 6,
            color: palette.text,
            fontSize: 12,
            lineHeight: "20px",
          }}
        >
          <span style={{ width: 18, color: palette.glow, textAlign: "right" }}>{r.cell.rank ?? "—"}</span>
          <span style={{ width: 52, whiteSpace: "nowrap" }}>{r.unit.name}</span>
          <span style={{ flex: 1, background: "#0c2142", height: 8, borderRadius: 4 }}>
            <span
              style={{
                display: "block",
                height: 8,
                borderRadius: 4,
                width: `${(Math.abs(r.cell.value ?? 0) / max) * 100}%`,
                background: statusColor[r.cell.status],
              }}
            />
          </span>
          <span style={{ width: 70, textAlign: "right" }}>
            {formatCellValue(r.cell, indicator.unit, indicator.decimals)}
          </span>
        </Link>
      ))}
    </Panel>
  );
}
