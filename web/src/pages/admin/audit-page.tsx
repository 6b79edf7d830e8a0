import { DownloadOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Button, Card, DatePicker, Input, Space, Table, Tag, Typography } from "antd";
import dayjs from "dayjs";
import { type ApiData, api, call } from "../../api/client";
import { toQueryString, useUrlFilters } from "../../components/url-state";
import { useI18n } from "../../i18n/i18n";

type Entry = ApiData<"/api/audit", "get">["items"][number];
const keys = ["actor", "entity", "entityKey", "action", "from", "to"] as const;

/** The fields that differ between before and after, for the diff view. */
function diff(before: unknown, after: unknown) {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return fields
    .map((f) => ({ field: f, before: JSON.stringify(b[f]) ?? "", after: JSON.stringify(a[f]) ?? "" }))
    .filter((r) => r.before !== r.after);
}

/** 审计记录: who did what, when, to which record, with before/after; filters and xlsx export. */
export default function AuditPage() {
  const { t } = useI18n();
  const { filters, page, pageSize, setFilter, setPage } = useUrlFilters(keys);
  const list = useQuery({
    queryKey: ["audit", filters, page, pageSize],
    queryFn: () => call(api.GET("/api/audit", { params: { query: { ...filters, page, pageSize } } })),
    placeholderData: (p) => p,
  });
  const text = (k: (typeof keys)[number], label: string, width = 150) => (
    <Input.Search
      allowClear
      placeholder={label}
      defaultValue={filters[k]}
      onSearch={(v) => setFilter(k, v.trim())}
      style={{ width }}
      aria-label={label}
      data-testid={`audit-${k}`}
    />
  );
  return (
    <Card
      title={t("nav.audit")}
      extra={
        <a href={`/api/audit/export.xlsx${toQueryString(filters)}`} download>
          <Button icon={<DownloadOutlined />}>{t("common.exportXlsx")}</Button>
        </a>
      }
    >
      <Space orientation="vertical" style={{ width: "100%" }}>
        <Space wrap>
          {text("actor", t("audit.actor"))}
          {text("entity", t("audit.entity"), 130)}
          {text("entityKey", t("audit.entityKey"), 160)}
          {text("action", t("audit.action"), 130)}
          <DatePicker.RangePicker
            value={filters.from && filters.to ? [dayjs(filters.from), dayjs(filters.to)] : null}
            onChange={(r) => {
              setFilter("from", r?.[0]?.format("YYYY-MM-DD"));
              setFilter("to", r?.[1]?.format("YYYY-MM-DD"));
            }}
            aria-label={t("audit.when")}
          />
        </Space>
        <Table<Entry>
          size="small"
          rowKey="id"
          loading={list.isFetching}
          dataSource={list.data?.items}
          data-testid="audit-table"
          scroll={{ x: 900 }}
          pagination={{
            current: page,
            pageSize,
            total: list.data?.total ?? 0,
            showTotal: (n) =>
              t(list.data?.totalExact === false ? "common.totalMore" : "common.totalRows", { n }),
            onChange: setPage,
          }}
          expandable={{
            rowExpandable: (e) => e.before !== null || e.after !== null,
            expandedRowRender: (e) => (
              <Table
                size="small"
                rowKey="field"
                pagination={false}
                dataSource={diff(e.before, e.after)}
                columns={[
                  { title: t("audit.field"), dataIndex: "field", width: 180 },
                  {
                    title: t("audit.before"),
                    dataIndex: "before",
                    render: (v: string) => (
                      <Typography.Text delete type="secondary">
                        {v}
                      </Typography.Text>
                    ),
                  },
                  {
                    title: t("audit.after"),
                    dataIndex: "after",
                    render: (v: string) => <Typography.Text type="success">{v}</Typography.Text>,
                  },
                ]}
              />
            ),
          }}
          columns={[
            {
              title: t("audit.when"),
              dataIndex: "at",
              width: 170,
              render: (v: string) => new Date(v).toLocaleString("zh-CN"),
            },
            { title: t("audit.actor"), dataIndex: "actorName", width: 130 },
            {
              title: t("audit.action"),
              dataIndex: "actionLabel",
              width: 110,
              render: (v: string) => <Tag>{v}</Tag>,
            },
            { title: t("audit.entity"), dataIndex: "entityLabel", width: 110 },
            { title: t("audit.entityKey"), dataIndex: "entityKey", render: (v: string | null) => v ?? "—" },
          ]}
        />
      </Space>
    </Card>
  );
}
