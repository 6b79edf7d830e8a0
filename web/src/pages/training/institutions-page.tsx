import { DownloadOutlined, PlusOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Input, Select, Space, Table, Tabs, Tag } from "antd";
import { useState } from "react";
import { Link } from "react-router";
import { type ApiData, ApiError, api, call } from "../../api/client";
import { useCountyStats } from "../../api/queries";
import { LoadError } from "../../components/page-state";
import { toQueryString, useUrlFilters } from "../../components/url-state";
import { InstitutionForm, type InstitutionValues } from "./institution-form";
import { RulesTable } from "./rules-table";

export type Institution = ApiData<"/api/training/institutions", "get">["items"][number];

export const categoryLabels: Record<string, string> = { academic: "学科类", non_academic: "非学科类" };
export const statusLabels: Record<string, { label: string; color: string }> = {
  operating: { label: "正常经营", color: "green" },
  suspended: { label: "停业整顿", color: "orange" },
  closed: { label: "已注销", color: "default" },
};

const filterKeys = ["q", "countyCode", "category", "status"] as const;

/** 校外培训机构: the registry by county, filters, export, registration; the inspection rules. */
export default function TrainingInstitutionsPage() {
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const { filters, page, pageSize, setFilter, setPage } = useUrlFilters(filterKeys);
  const counties = useCountyStats();
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const query = {
    ...filters,
    category: filters.category as "academic" | "non_academic" | undefined,
    status: filters.status as "operating" | "suspended" | "closed" | undefined,
  };
  const list = useQuery({
    queryKey: ["training", "institutions", query, page, pageSize],
    queryFn: () =>
      call(api.GET("/api/training/institutions", { params: { query: { ...query, page, pageSize } } })),
    placeholderData: (prev) => prev,
  });
  const create = useMutation({
    mutationFn: (v: InstitutionValues) => call(api.POST("/api/training/institutions", { body: v })),
    onSuccess: (r) => {
      setCreating(false);
      setError(null);
      message.success(`已登记 ${r.name}`);
      void queryClient.invalidateQueries({ queryKey: ["training"] });
    },
    onError: (e) => setError(e instanceof ApiError ? e.message : String(e)),
  });
  const countyOptions = (counties.data?.counties ?? []).map((c) => ({ value: c.code, label: c.name }));

  const registry = (
    <Space orientation="vertical" size={12} style={{ width: "100%" }}>
      <Space wrap>
        <Input.Search
          allowClear
          placeholder="机构名称、许可证号、信用代码"
          defaultValue={filters.q}
          onSearch={(v) => setFilter("q", v.trim())}
          style={{ width: 260 }}
          data-testid="training-search"
        />
        {countyOptions.length > 1 && (
          <Select
            allowClear
            placeholder="县（市、区）"
            value={filters.countyCode}
            onChange={(v) => setFilter("countyCode", v)}
            options={countyOptions}
            style={{ width: 130 }}
          />
        )}
        <Select
          allowClear
          placeholder="类别"
          value={filters.category}
          onChange={(v) => setFilter("category", v)}
          options={Object.entries(categoryLabels).map(([value, label]) => ({ value, label }))}
          style={{ width: 120 }}
        />
        <Select
          allowClear
          placeholder="状态"
          value={filters.status}
          onChange={(v) => setFilter("status", v)}
          options={Object.entries(statusLabels).map(([value, s]) => ({ value, label: s.label }))}
          style={{ width: 120 }}
        />
        <a href={`/api/training/institutions/export.xlsx${toQueryString({})}`} download>
          <Button icon={<DownloadOutlined />}>导出 Excel</Button>
        </a>
      </Space>
      {list.isError ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Table<Institution>
          size="small"
          rowKey="id"
          loading={list.isFetching}
          dataSource={list.data?.items}
          scroll={{ x: 1000 }}
          data-testid="training-table"
          pagination={{
            current: page,
            pageSize,
            total: list.data?.total,
            showTotal: (n) => (list.data?.totalExact === false ? `${n}+ 家` : `共 ${n} 家`),
            onChange: setPage,
          }}
          columns={[
            {
              title: "机构名称",
              dataIndex: "name",
              render: (v: string, r) => <Link to={`/training/institutions/${r.id}`}>{v}</Link>,
            },
            { title: "县（市、区）", dataIndex: "countyName", width: 110 },
            {
              title: "类别",
              dataIndex: "category",
              width: 90,
              render: (v: string) => (
                <Tag color={v === "academic" ? "blue" : "purple"}>{categoryLabels[v]}</Tag>
              ),
            },
            { title: "培训项目", dataIndex: "subjects", render: (v: string[]) => v.join("、") },
            {
              title: "办学许可证",
              dataIndex: "licenceNo",
              render: (v: string | null) => v ?? <Tag color="red">无</Tag>,
            },
            {
              title: "预收费监管",
              dataIndex: "prepayAccount",
              width: 100,
              render: (v: string | null) =>
                v ? <Tag color="green">已开户</Tag> : <Tag color="orange">未开户</Tag>,
            },
            {
              title: "状态",
              dataIndex: "status",
              width: 90,
              render: (v: string) => <Tag color={statusLabels[v]?.color}>{statusLabels[v]?.label}</Tag>,
            },
            { title: "最近检查", dataIndex: "lastInspectedOn", width: 110 },
            {
              title: "在办案件",
              dataIndex: "openCases",
              width: 90,
              render: (v: number) => (v ? <Tag color="red">{v}</Tag> : 0),
            },
          ]}
        />
      )}
    </Space>
  );

  return (
    <Card
      title="校外培训监管"
      extra={
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => setCreating(true)}
          data-testid="training-create"
        >
          登记机构
        </Button>
      }
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Tabs
        items={[
          { key: "registry", label: "机构名录", children: registry },
          { key: "rules", label: "检查规则与阈值", children: <RulesTable /> },
        ]}
      />
      <InstitutionForm
        open={creating}
        title="登记校外培训机构"
        counties={countyOptions}
        busy={create.isPending}
        onCancel={() => setCreating(false)}
        onSubmit={(v) => create.mutate(v)}
      />
    </Card>
  );
}
