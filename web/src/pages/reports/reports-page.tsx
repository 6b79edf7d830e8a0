import { DownloadOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Button, Card, Input, Select, Space, Table, Tabs, Tag } from "antd";
import { Link } from "react-router";
import { type ApiData, api, call } from "../../api/client";
import { useSession } from "../../auth/session";
import { LoadError } from "../../components/page-state";
import { toQueryString, useUrlFilters } from "../../components/url-state";

type CaseRow = ApiData<"/api/cases", "get">["items"][number];
type Negative = ApiData<"/api/ethics/negative-list", "get">["items"][number];

const filterKeys = ["q", "state", "category", "status", "countyCode"] as const;
const time = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString("zh-CN") : "");

/** 监督举报 for 纪检: the reports in scope (filters, overdue markers, export) and the negative list. */
export default function ReportsPage() {
  const { can } = useSession();
  return (
    <Card title="监督举报">
      <Tabs
        items={[
          ...(can("reports.handle") ? [{ key: "reports", label: "举报件", children: <ReportList /> }] : []),
          ...(can("ethics.read")
            ? [{ key: "negative", label: "师德负面清单", children: <NegativeList /> }]
            : []),
        ]}
      />
    </Card>
  );
}

function ReportList() {
  const { filters, page, pageSize, setFilter, setPage } = useUrlFilters(filterKeys);
  const kinds = useQuery({ queryKey: ["cases", "kinds"], queryFn: () => call(api.GET("/api/cases/kinds")) });
  const report = kinds.data?.find((k) => k.code === "report");
  const query = {
    kind: "report",
    ...filters,
    status: filters.status as "open" | "closed" | "overdue" | undefined,
  };
  const list = useQuery({
    queryKey: ["cases", query, page, pageSize],
    queryFn: () => call(api.GET("/api/cases", { params: { query: { ...query, page, pageSize } } })),
    placeholderData: (prev) => prev,
  });
  return (
    <Space orientation="vertical" size={12} style={{ width: "100%" }}>
      <Space wrap>
        <Input.Search
          allowClear
          placeholder="标题或编号 JB-…"
          defaultValue={filters.q}
          onSearch={(v) => setFilter("q", v.trim())}
          style={{ width: 220 }}
        />
        <Select
          allowClear
          placeholder="状态"
          value={filters.state}
          onChange={(v) => setFilter("state", v)}
          options={(report?.states ?? []).map((s) => ({ value: s.code, label: s.label }))}
          style={{ width: 130 }}
        />
        <Select
          allowClear
          placeholder="类别"
          value={filters.category}
          onChange={(v) => setFilter("category", v)}
          options={(report?.categories ?? []).map((s) => ({ value: s.code, label: s.label }))}
          style={{ width: 170 }}
        />
        <Select
          allowClear
          placeholder="办理情况"
          value={filters.status}
          onChange={(v) => setFilter("status", v)}
          options={[
            { value: "open", label: "未办结" },
            { value: "overdue", label: "逾期" },
            { value: "closed", label: "已办结" },
          ]}
          style={{ width: 120 }}
        />
        <a href={`/api/cases/export.xlsx${toQueryString(query)}`} download>
          <Button icon={<DownloadOutlined />}>导出 Excel</Button>
        </a>
      </Space>
      {list.isError ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Table<CaseRow>
          size="small"
          rowKey="id"
          loading={list.isFetching}
          dataSource={list.data?.items}
          scroll={{ x: 900 }}
          data-testid="report-table"
          pagination={{
            current: page,
            pageSize,
            total: list.data?.total,
            showTotal: (n) => `共 ${n} 件`,
            onChange: setPage,
          }}
          columns={[
            { title: "编号", dataIndex: "ref", width: 110 },
            {
              title: "举报事项",
              dataIndex: "title",
              render: (v: string, r) => <Link to={`/reports/${r.id}`}>{v}</Link>,
            },
            { title: "类别", dataIndex: "categoryLabel", width: 110 },
            { title: "涉及单位", dataIndex: "orgUnitName", width: 180 },
            { title: "县（市、区）", dataIndex: "countyName", width: 100 },
            { title: "来源", dataIndex: "sourceLabel", width: 120 },
            {
              title: "状态",
              dataIndex: "stateLabel",
              width: 120,
              render: (v: string, r) => (
                <Space size={4}>
                  <Tag color={r.stateColor ?? undefined}>{v}</Tag>
                  {r.overdue && <Tag color="red">逾期</Tag>}
                </Space>
              ),
            },
            { title: "期限", dataIndex: "dueAt", width: 100, render: time },
            { title: "收到", dataIndex: "createdAt", width: 100, render: time },
          ]}
        />
      )}
    </Space>
  );
}

function NegativeList() {
  const { page, pageSize, setPage } = useUrlFilters([] as const);
  const list = useQuery({
    queryKey: ["ethics", page, pageSize],
    queryFn: () => call(api.GET("/api/ethics/negative-list", { params: { query: { page, pageSize } } })),
  });
  return (
    <Table<Negative>
      size="small"
      rowKey="id"
      loading={list.isFetching}
      dataSource={list.data?.items}
      data-testid="negative-table"
      pagination={{ current: page, pageSize, total: list.data?.total, onChange: setPage }}
      columns={[
        { title: "工号", dataIndex: "staffNumber", width: 150 },
        { title: "姓名", dataIndex: "staffName", width: 90 },
        { title: "学校", dataIndex: "schoolName" },
        { title: "类别", dataIndex: "categoryLabel", width: 110 },
        { title: "查实情况", dataIndex: "finding" },
        { title: "处理措施", dataIndex: "measure", width: 110 },
        { title: "处理日期", dataIndex: "decidedOn", width: 110 },
      ]}
    />
  );
}
