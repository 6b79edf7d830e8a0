import { CloudUploadOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import {
  Alert,
  Breadcrumb,
  Button,
  Card,
  Col,
  Input,
  Row,
  Segmented,
  Space,
  Statistic,
  Table,
  Tag,
  Tooltip,
} from "antd";
import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { type ApiData, api, call } from "../../api/client";
import { useSession } from "../../auth/session";
import { BarChart } from "../../components/bar-chart";
import { LoadError, PageLoading } from "../../components/page-state";

type Summary = ApiData<"/api/health/myopia", "get">;
type Area = Summary["children"][number];
type Screening = ApiData<"/api/health/screenings", "get">["items"][number];

const pct = (v: number | null) => (v === null ? "—" : `${v.toFixed(1)}%`);
const pp = (v: number | null) =>
  v === null ? "—" : `${v > 0 ? "+" : v < 0 ? "−" : "±"}${Math.abs(v).toFixed(1)} 个百分点`;
const gradeName = (g: number) =>
  g <= 0
    ? ["小班", "中班", "大班"][g + 2]
    : g <= 6
      ? `${g}年级`
      : g <= 9
        ? `初${"一二三"[g - 7]}`
        : `高${"一二三"[g - 10]}`;

/**
 * 学生视力筛查: the myopia rate (WS/T 663-2020) of the user's area and of each county or school
 * under it, by grade, with the rule stated beside the figure; the screening records, and the import.
 */
export default function MyopiaPage() {
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const period = params.get("period") ?? "2022";
  const org = params.get("org") ?? undefined;
  const summary = useQuery({
    queryKey: ["health", "myopia", period, org],
    queryFn: () => call(api.GET("/api/health/myopia", { params: { query: { period, org } } })),
  });
  const set = (next: Record<string, string | undefined>) => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(next)) v === undefined ? p.delete(k) : p.set(k, v);
    setParams(p);
  };
  if (summary.isPending) return <PageLoading />;
  if (summary.isError) return <LoadError error={summary.error} onRetry={() => void summary.refetch()} />;
  const s = summary.data;
  const a = s.area;
  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <Card size="small">
        <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center" }}>
          <Space orientation="vertical" size={0}>
            <Breadcrumb
              items={[
                { title: <Link to={`/health?period=${period}`}>学生视力筛查</Link> },
                { title: a.name },
              ]}
            />
            <h2 style={{ margin: 0 }} data-testid="myopia-title">
              {a.name} · 近视率 · {s.period.label}
            </h2>
          </Space>
          <Space>
            <Segmented
              value={period}
              options={["2022", "2021"].map((p) => ({ value: p, label: `${p}年` }))}
              onChange={(v) => set({ period: String(v) })}
            />
            {can("health.write") && can("exchange.import") && (
              <Link to="/imports">
                <Button type="primary" icon={<CloudUploadOutlined />}>
                  导入筛查记录
                </Button>
              </Link>
            )}
          </Space>
        </div>
      </Card>
      <Alert
        type="info"
        showIcon
        title={`判定规则：${s.rule.citation}`}
        description={s.rule.text}
        data-testid="myopia-rule"
      />
      <Row gutter={16}>
        {(
          [
            ["近视率", pct(a.rate)],
            ["筛查人数（分母，6岁及以上）", a.screened.toLocaleString("zh-CN")],
            ["筛查性近视人数（分子）", a.myopic.toLocaleString("zh-CN")],
            [`较${s.period.previous}年`, pp(a.changePp)],
          ] as const
        ).map(([t, v]) => (
          <Col span={6} key={t}>
            <Card size="small">
              <Statistic title={t} value={v} data-testid={`myopia-${t}`} />
            </Card>
          </Col>
        ))}
      </Row>
      <Row gutter={16}>
        <Col span={14}>
          <Card size="small" title={a.kind === "city" ? "各县（市、区）" : "各学校"}>
            <Table<Area>
              size="small"
              rowKey="code"
              dataSource={s.children}
              pagination={s.children.length > 12 ? { pageSize: 12, showSizeChanger: false } : false}
              columns={[
                {
                  title: "单位",
                  dataIndex: "name",
                  render: (v: string, r) =>
                    r.kind === "school" ? v : <Link to={`/health?period=${period}&org=${r.code}`}>{v}</Link>,
                },
                {
                  title: "近视率",
                  align: "right",
                  render: (_: unknown, r) => <b>{pct(r.rate)}</b>,
                  sorter: (x, y) => (x.rate ?? 0) - (y.rate ?? 0),
                },
                {
                  title: "近视人数",
                  align: "right",
                  render: (_: unknown, r) => r.myopic.toLocaleString("zh-CN"),
                },
                {
                  title: "筛查人数",
                  align: "right",
                  render: (_: unknown, r) => r.screened.toLocaleString("zh-CN"),
                },
                { title: "上期", align: "right", render: (_: unknown, r) => pct(r.previous.rate) },
                {
                  title: "变化",
                  align: "right",
                  render: (_: unknown, r) =>
                    r.changePp === null ? (
                      "—"
                    ) : (
                      <Tag color={r.changePp <= -1 ? "green" : r.changePp > 0 ? "red" : "default"}>
                        {pp(r.changePp)}
                      </Tag>
                    ),
                },
              ]}
            />
          </Card>
        </Col>
        <Col span={10}>
          <Card size="small" title="各年级近视率（%）">
            <BarChart
              categories={s.byGrade.map((g) => gradeName(g.grade))}
              series={[{ name: "近视率", values: s.byGrade.map((g) => g.rate ?? 0), color: "#1677ff" }]}
              height={360}
              testId="myopia-by-grade"
            />
          </Card>
        </Col>
      </Row>
      <ScreeningList period={period} org={org} />
    </Space>
  );
}

function ScreeningList({ period, org }: { period: string; org?: string }) {
  const [page, setPage] = useState(1);
  const [studentNumber, setStudentNumber] = useState<string | undefined>();
  const [myopic, setMyopic] = useState<"all" | "true" | "false">("all");
  const query = {
    period,
    org,
    page,
    pageSize: 20,
    studentNumber,
    myopic: myopic === "all" ? undefined : myopic,
  };
  const list = useQuery({
    queryKey: ["health", "screenings", query],
    queryFn: () => call(api.GET("/api/health/screenings", { params: { query } })),
  });
  return (
    <Card
      size="small"
      title="筛查记录"
      extra={
        <Space>
          <Segmented
            size="small"
            value={myopic}
            onChange={(v) => {
              setMyopic(v as typeof myopic);
              setPage(1);
            }}
            options={[
              { value: "all", label: "全部" },
              { value: "true", label: "筛查性近视" },
              { value: "false", label: "非近视" },
            ]}
          />
          <Input.Search
            size="small"
            allowClear
            placeholder="学籍号"
            style={{ width: 220 }}
            onSearch={(v) => {
              setStudentNumber(v.trim() || undefined);
              setPage(1);
            }}
          />
        </Space>
      }
    >
      {list.isError ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Table<Screening>
          size="small"
          rowKey="id"
          loading={list.isPending}
          dataSource={list.data?.items ?? []}
          pagination={{
            current: page,
            pageSize: 20,
            total: list.data?.total ?? 0,
            showSizeChanger: false,
            onChange: setPage,
            showTotal: (n) => (list.data?.totalExact === false ? `${n}+ 条` : `共 ${n} 条`),
          }}
          columns={[
            { title: "学籍号", dataIndex: "studentNumber" },
            { title: "姓名", dataIndex: "studentName" },
            { title: "学校", dataIndex: "schoolName", ellipsis: true },
            { title: "筛查日期", dataIndex: "screenedOn" },
            { title: "年龄", dataIndex: "ageYears", align: "right" },
            { title: "年级", render: (_: unknown, r) => gradeName(r.grade) },
            {
              title: "裸眼视力 左/右",
              render: (_: unknown, r) => `${r.vaLeft.toFixed(1)} / ${r.vaRight.toFixed(1)}`,
            },
            {
              title: "等效球镜 左/右 (D)",
              render: (_: unknown, r) => `${r.seLeft.toFixed(2)} / ${r.seRight.toFixed(2)}`,
            },
            {
              title: "判定",
              render: (_: unknown, r) =>
                r.myopic ? (
                  <Tag color="red">筛查性近视</Tag>
                ) : r.classified ? (
                  <Tag>非近视</Tag>
                ) : (
                  <Tooltip title="筛查日未满6周岁：按 WS/T 663—2020 不作判定，不计入近视率">
                    <Tag color="default">未满6岁不判定</Tag>
                  </Tooltip>
                ),
            },
          ]}
        />
      )}
    </Card>
  );
}
