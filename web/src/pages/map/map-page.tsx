import { Alert, Card, Col, Row, Segmented, Space, Statistic, Table, Typography } from "antd";
import { useMemo } from "react";
import { useNavigate, useSearchParams } from "react-router";
import { type CountyFigures, useCountyStats } from "../../api/queries";
import { useSession } from "../../auth/session";
import { LoadError, PageLoading } from "../../components/page-state";
import type { MessageKey } from "../../i18n/dict";
import { useI18n } from "../../i18n/i18n";
import { CountyMap, type MapDatum, mapCounties } from "./county-map";

type Figure = "schools" | "students" | "staff" | "studentsPerTeacher";
const figures: Figure[] = ["schools", "students", "staff", "studentsPerTeacher"];
const isFigure = (v: string | null): v is Figure => figures.includes(v as Figure);

const fmt = (v: number | null | undefined) =>
  v === null || v === undefined ? "—" : v.toLocaleString("zh-CN");

/** Home: the city's county map coloured by a chosen figure, with the figures beside it. */
export default function MapPage() {
  const { t } = useI18n();
  const { user } = useSession();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const figure: Figure = isFigure(params.get("figure")) ? (params.get("figure") as Figure) : "students";
  const stats = useCountyStats();
  const figureName = t(`figure.${figure}` as MessageKey);

  const data = useMemo<MapDatum[]>(() => {
    const byCode = new Map((stats.data?.counties ?? []).map((c) => [c.code, c]));
    const ownPaths = user?.scope.map((s) => s.path) ?? [];
    return mapCounties.map(({ code, name }) => {
      const c = byCode.get(code);
      const tooltip = c
        ? [
            `<b>${c.name}</b>${c.access === "partial" ? `（${t("map.partial")}）` : ""}`,
            ...(
              ["schools", "kindergartens", "students", "staff", "teachers", "studentsPerTeacher"] as const
            ).map((k) => `${t(`figure.${k}`)}：${fmt(c[k])}`),
          ].join("<br/>")
        : "";
      return {
        code,
        name: c?.name ?? name,
        value: c ? c[figure] : null,
        highlighted: !!c && ownPaths.some((p) => p.startsWith(c.path)),
        tooltip,
      };
    });
  }, [stats.data, figure, user, t]);

  if (stats.isPending) return <PageLoading />;
  if (stats.isError) return <LoadError error={stats.error} onRetry={() => void stats.refetch()} />;
  const { counties, total, asOf } = stats.data;
  const open = (code: string) => navigate(`/counties/${code}`);
  const sorted = [...counties].sort((a, b) => (b[figure] ?? -1) - (a[figure] ?? -1));

  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <Row gutter={[16, 16]}>
        {(["schools", "students", "staff", "studentsPerTeacher"] as const).map((k) => (
          <Col key={k} xs={12} lg={6}>
            <Card size="small">
              <Statistic title={t(`figure.${k}`)} value={fmt(total[k])} data-testid={`total-${k}`} />
            </Card>
          </Col>
        ))}
      </Row>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          <Card
            title={t("map.title")}
            extra={
              <Segmented<Figure>
                value={figure}
                onChange={(v) => setParams({ figure: v }, { replace: true })}
                options={figures.map((f) => ({ value: f, label: t(`figure.${f}` as MessageKey) }))}
                data-testid="figure-switch"
              />
            }
          >
            <CountyMap
              data={data}
              figureName={figureName}
              outOfScopeText={t("map.outOfScope")}
              onSelect={open}
            />
            <Typography.Text type="secondary">
              {t("map.asOf")} {asOf} · {t("map.clickHint")}
            </Typography.Text>
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          <Card title={t("map.ranking")} size="small">
            {counties.some((c) => c.access === "partial") && (
              <Alert type="info" showIcon title={t("map.partial")} style={{ marginBottom: 8 }} />
            )}
            <Table<CountyFigures>
              size="small"
              rowKey="code"
              pagination={false}
              dataSource={sorted}
              data-testid="county-table"
              onRow={(r) => ({ onClick: () => open(r.code), style: { cursor: "pointer" } })}
              columns={[
                { title: t("map.county"), dataIndex: "name" },
                {
                  title: figureName,
                  dataIndex: figure,
                  align: "right",
                  render: (v: number | null) => fmt(v),
                },
              ]}
              summary={() => (
                <Table.Summary.Row>
                  <Table.Summary.Cell index={0}>
                    <strong>{t("common.total")}</strong>
                  </Table.Summary.Cell>
                  <Table.Summary.Cell index={1} align="right">
                    <strong>{fmt(total[figure])}</strong>
                  </Table.Summary.Cell>
                </Table.Summary.Row>
              )}
            />
          </Card>
        </Col>
      </Row>
    </Space>
  );
}
