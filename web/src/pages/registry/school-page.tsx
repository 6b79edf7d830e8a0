import { ArrowLeftOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import {
  Button,
  Card,
  Col,
  Descriptions,
  Drawer,
  Row,
  Space,
  Statistic,
  Table,
  Tabs,
  Tag,
  Timeline,
  Typography,
} from "antd";
import { lazy, Suspense, useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import { type ApiData, api, call } from "../../api/client";
import { useSession } from "../../auth/session";
import { LoadError, PageLoading } from "../../components/page-state";
import { useI18n } from "../../i18n/i18n";
import { PeopleTable } from "../people/people-table";
import { SchoolEditForm } from "./school-edit-form";

// ECharts loads only when a school with coordinates is shown.
const SchoolMap = lazy(() => import("../map/school-map"));

type ClassGroup = ApiData<"/api/class-groups", "get">["items"][number];

interface GradeRow {
  grade: number;
  gradeLabel: string;
  classes: number;
  students: number;
}

/** Students by grade, summed from the school's classes of the latest school year. */
function byGrade(classes: ClassGroup[]): { year: number | null; rows: GradeRow[] } {
  const year = classes.reduce<number | null>(
    (y, c) => (y === null || c.schoolYear > y ? c.schoolYear : y),
    null,
  );
  const rows = new Map<number, GradeRow>();
  for (const c of classes) {
    if (c.schoolYear !== year) continue;
    const r = rows.get(c.grade) ?? { grade: c.grade, gradeLabel: c.gradeLabel, classes: 0, students: 0 };
    r.classes += 1;
    r.students += c.studentCount;
    rows.set(c.grade, r);
  }
  return { year, rows: [...rows.values()].sort((a, b) => a.grade - b.grade) };
}

/** A school: profile, students by grade and class, staff, and its history (changes, mergers). */
export default function SchoolPage() {
  const { code = "" } = useParams();
  const { t } = useI18n();
  const { can } = useSession();
  const [editing, setEditing] = useState(false);
  const profile = useQuery({
    queryKey: ["org-unit", code],
    queryFn: () => call(api.GET("/api/org-units/{code}", { params: { path: { code } } })),
  });
  const classes = useQuery({
    queryKey: ["class-groups", code],
    queryFn: () =>
      call(api.GET("/api/class-groups", { params: { query: { schoolCode: code, page: 1, pageSize: 200 } } })),
    enabled: profile.isSuccess,
  });
  const history = useQuery({
    queryKey: ["org-unit-history", code],
    queryFn: () => call(api.GET("/api/org-units/{code}/history", { params: { path: { code } } })),
    enabled: profile.isSuccess,
  });
  const grades = useMemo(() => byGrade(classes.data?.items ?? []), [classes.data]);

  if (profile.isPending) return <PageLoading />;
  if (profile.isError) return <LoadError error={profile.error} onRetry={() => void profile.refetch()} />;
  const u = profile.data;
  const yesNo = (b: boolean | null) => (b === null ? "—" : b ? "是" : "否");

  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <Space wrap>
        <Link to={u.countyCode ? `/counties/${u.countyCode}` : "/"}>
          <Button icon={<ArrowLeftOutlined />}>{u.countyName ?? t("common.back")}</Button>
        </Link>
        <Typography.Title level={3} style={{ margin: 0 }} data-testid="school-title">
          {u.name}
        </Typography.Title>
        <Tag>{u.code}</Tag>
        {u.schoolTypeLabel && <Tag color="blue">{u.schoolTypeLabel}</Tag>}
        {u.ownershipLabel && (
          <Tag color={u.ownership === "private" ? "orange" : "green"}>{u.ownershipLabel}</Tag>
        )}
        {!u.current && <Tag color="red">{u.endReason === "merged" ? "已撤并" : "已关闭"}</Tag>}
        {u.current && u.kind === "school" && can("registry.write") && (
          <Button type="primary" onClick={() => setEditing(true)} data-testid="school-edit">
            {t("edit.edit")}
          </Button>
        )}
      </Space>
      <Drawer
        open={editing}
        onClose={() => setEditing(false)}
        size={560}
        title={`${t("edit.editSchool")} · ${u.name}`}
        destroyOnHidden
      >
        <SchoolEditForm school={u} onDone={() => setEditing(false)} />
      </Drawer>
      <Row gutter={[16, 16]}>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t("figure.students")} value={u.counts.students} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t("figure.staff")} value={u.counts.staff} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic
              title={grades.year ? `${t("school.classes")}（${grades.year}）` : t("school.classes")}
              value={grades.rows.reduce((n, g) => n + g.classes, 0)}
            />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t("school.validFrom")} value={u.validFrom} />
          </Card>
        </Col>
      </Row>
      <Card>
        <Tabs
          items={[
            {
              key: "grades",
              label: t("school.byGrade"),
              children: (
                <Table<GradeRow>
                  size="small"
                  rowKey="grade"
                  loading={classes.isPending}
                  pagination={false}
                  dataSource={grades.rows}
                  data-testid="grade-table"
                  title={() =>
                    grades.year ? t("school.schoolYear", { y: grades.year, y2: grades.year + 1 }) : null
                  }
                  columns={[
                    { title: t("school.grade"), dataIndex: "gradeLabel" },
                    { title: t("school.classes"), dataIndex: "classes", align: "right" },
                    { title: t("figure.students"), dataIndex: "students", align: "right" },
                  ]}
                  expandable={{
                    expandedRowRender: (g) => (
                      <Table<ClassGroup>
                        size="small"
                        rowKey="id"
                        pagination={false}
                        dataSource={(classes.data?.items ?? []).filter(
                          (c) => c.grade === g.grade && c.schoolYear === grades.year,
                        )}
                        columns={[
                          { title: t("school.className"), dataIndex: "name" },
                          { title: t("school.homeroom"), dataIndex: "homeroomName", render: (v) => v ?? "—" },
                          { title: t("figure.students"), dataIndex: "studentCount", align: "right" },
                        ]}
                      />
                    ),
                  }}
                />
              ),
            },
            {
              key: "students",
              label: t("nav.students"),
              children: <PeopleTable kind="students" fixed={{ schoolCode: code }} />,
            },
            {
              key: "staff",
              label: t("nav.staff"),
              children: <PeopleTable kind="staff" fixed={{ schoolCode: code }} />,
            },
            {
              key: "profile",
              label: t("school.profile"),
              children: (
                <Row gutter={[16, 16]}>
                  <Col xs={24} xl={u.lng !== null && u.lat !== null && u.countyCode ? 14 : 24}>
                    <Descriptions size="small" bordered column={{ xs: 1, md: 2 }}>
                      <Descriptions.Item label={t("school.code")}>{u.code}</Descriptions.Item>
                      <Descriptions.Item label={t("school.name")}>{u.name}</Descriptions.Item>
                      <Descriptions.Item label={t("school.type")}>
                        {u.schoolTypeLabel ?? "—"}
                      </Descriptions.Item>
                      <Descriptions.Item label={t("school.ownership")}>
                        {u.ownershipLabel ?? "—"}
                      </Descriptions.Item>
                      <Descriptions.Item label={t("school.inclusive")}>
                        {yesNo(u.inclusive)}
                      </Descriptions.Item>
                      <Descriptions.Item label={t("school.urbanRural")}>
                        {u.urbanRuralLabel ?? "—"}
                      </Descriptions.Item>
                      <Descriptions.Item label={t("school.boarding")}>{yesNo(u.boarding)}</Descriptions.Item>
                      <Descriptions.Item label={t("school.county")}>{u.countyName ?? "—"}</Descriptions.Item>
                      <Descriptions.Item label={t("school.address")}>{u.address ?? "—"}</Descriptions.Item>
                      <Descriptions.Item label={t("school.coordinates")}>
                        {u.lng !== null && u.lat !== null ? `${u.lng.toFixed(4)}, ${u.lat.toFixed(4)}` : "—"}
                      </Descriptions.Item>
                      <Descriptions.Item label={t("school.validFrom")}>{u.validFrom}</Descriptions.Item>
                      <Descriptions.Item label={t("school.validTo")}>{u.validTo ?? "—"}</Descriptions.Item>
                      {u.successor && (
                        <Descriptions.Item label={t("school.successor")}>
                          <Link to={`/schools/${u.successor.code}`}>{u.successor.name}</Link>
                        </Descriptions.Item>
                      )}
                    </Descriptions>
                  </Col>
                  {u.lng !== null && u.lat !== null && u.countyCode && (
                    <Col xs={24} xl={10}>
                      <Suspense fallback={<PageLoading />}>
                        <SchoolMap
                          countyCode={u.countyCode}
                          countyName={u.countyName ?? ""}
                          name={u.name}
                          lng={u.lng}
                          lat={u.lat}
                        />
                      </Suspense>
                    </Col>
                  )}
                </Row>
              ),
            },
            {
              key: "history",
              label: t("school.history"),
              children: history.data ? (
                <Timeline
                  data-testid="school-history"
                  items={[
                    ...history.data.versions.map((v) => ({
                      content: (
                        <span>
                          <b>{v.validFrom}</b> {v.name} · {v.schoolTypeLabel ?? ""}{" "}
                          {v.note ? `（${v.note}）` : ""}
                        </span>
                      ),
                    })),
                    ...history.data.predecessors.map((p) => ({
                      color: "orange",
                      content: (
                        <span>
                          <b>{p.date}</b> {t("school.mergedIn")}：
                          <Link to={`/schools/${p.code}`}>{p.name}</Link>
                        </span>
                      ),
                    })),
                    ...(history.data.end
                      ? [
                          {
                            color: "red",
                            content: (
                              <span>
                                <b>{history.data.end.date}</b>{" "}
                                {history.data.end.reason === "merged" ? "撤并" : "关闭"}
                                {history.data.end.successor && (
                                  <>
                                    {" → "}
                                    <Link to={`/schools/${history.data.end.successor.code}`}>
                                      {history.data.end.successor.name}
                                    </Link>
                                  </>
                                )}
                              </span>
                            ),
                          },
                        ]
                      : []),
                  ]}
                />
              ) : (
                <PageLoading />
              ),
            },
          ]}
        />
      </Card>
    </Space>
  );
}
