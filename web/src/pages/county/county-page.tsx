import { ArrowLeftOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Button, Card, Col, Row, Space, Statistic, Tag, Typography } from "antd";
import { Link, useParams } from "react-router";
import { api, call } from "../../api/client";
import { useCountyStats } from "../../api/queries";
import { BarChart } from "../../components/bar-chart";
import { LoadError, NotFound, PageLoading } from "../../components/page-state";
import { useI18n } from "../../i18n/i18n";
import { SchoolTable } from "../registry/school-table";

const figures = ["schools", "kindergartens", "students", "staff", "teachers", "studentsPerTeacher"] as const;

/**
 * A county's overview: headline figures, schools by type and ownership, students by stage, and its
 * school list. A county outside the user's scope is "not found", as the API answers.
 */
export default function CountyPage() {
  const { code = "" } = useParams();
  const { t } = useI18n();
  const stats = useCountyStats();
  const breakdown = useQuery({
    queryKey: ["stats", "county", code],
    queryFn: () => call(api.GET("/api/stats/counties/{code}", { params: { path: { code } } })),
  });
  if (stats.isPending || breakdown.isPending) return <PageLoading />;
  if (breakdown.isError)
    return <LoadError error={breakdown.error} onRetry={() => void breakdown.refetch()} />;
  if (stats.isError) return <LoadError error={stats.error} onRetry={() => void stats.refetch()} />;
  const county = stats.data.counties.find((c) => c.code === code);
  if (!county) return <NotFound />;
  const b = breakdown.data;
  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <Space wrap>
        <Link to="/">
          <Button icon={<ArrowLeftOutlined />}>{t("common.back")}</Button>
        </Link>
        <Typography.Title level={3} style={{ margin: 0 }} data-testid="county-title">
          {t("county.title", { name: county.name })}
        </Typography.Title>
        <Tag>{county.code}</Tag>
        {county.access === "partial" && <Tag color="orange">{t("map.partial")}</Tag>}
      </Space>
      <Row gutter={[16, 16]}>
        {figures.map((k) => (
          <Col key={k} xs={12} md={8} xl={4}>
            <Card size="small">
              <Statistic title={t(`figure.${k}`)} value={county[k] ?? "—"} />
            </Card>
          </Col>
        ))}
      </Row>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14}>
          <Card title={t("county.schoolsByType")} size="small">
            <BarChart
              testId="chart-schools-by-type"
              height={Math.max(160, b.schoolsByType.length * 30 + 40)}
              categories={b.schoolsByType.map((r) => r.label)}
              series={[
                { name: "公办", values: b.schoolsByType.map((r) => r.public), color: "#1677ff" },
                { name: "民办", values: b.schoolsByType.map((r) => r.private), color: "#fa8c16" },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card title={t("county.studentsByStage")} size="small">
            <BarChart
              testId="chart-students-by-stage"
              height={Math.max(160, b.studentsByStage.length * 30 + 40)}
              categories={b.studentsByStage.map((r) => r.label)}
              series={[{ name: t("figure.students"), values: b.studentsByStage.map((r) => r.students) }]}
            />
          </Card>
        </Col>
      </Row>
      <Card title={t("county.schools")}>
        <SchoolTable countyCode={code} />
      </Card>
    </Space>
  );
}
