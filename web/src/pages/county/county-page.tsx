import { ArrowLeftOutlined } from "@ant-design/icons";
import { Button, Card, Col, Row, Space, Statistic, Tag, Typography } from "antd";
import { Link, useParams } from "react-router";
import { useCountyStats } from "../../api/queries";
import { LoadError, NotFound, PageLoading } from "../../components/page-state";
import { useI18n } from "../../i18n/i18n";

const figures = ["schools", "kindergartens", "students", "staff", "teachers", "studentsPerTeacher"] as const;

/** A county's overview. A county outside the user's scope is "not found", as the API answers. */
export default function CountyPage() {
  const { code } = useParams();
  const { t } = useI18n();
  const stats = useCountyStats();
  if (stats.isPending) return <PageLoading />;
  if (stats.isError) return <LoadError error={stats.error} onRetry={() => void stats.refetch()} />;
  const county = stats.data.counties.find((c) => c.code === code);
  if (!county) return <NotFound />;
  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <Space>
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
    </Space>
  );
}
