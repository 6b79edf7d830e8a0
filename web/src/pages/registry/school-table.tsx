import { DownloadOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Button, Input, Select, Space, Table, Tag } from "antd";
import { Link } from "react-router";
import { type ApiData, api, call } from "../../api/client";
import { useCountyStats } from "../../api/queries";
import { optionsOf, ownershipLabels, schoolTypes, urbanRuralLabels } from "../../components/codes";
import { LoadError } from "../../components/page-state";
import { toQueryString, useUrlFilters } from "../../components/url-state";
import { useI18n } from "../../i18n/i18n";

export type OrgUnit = ApiData<"/api/org-units", "get">["items"][number];

const filterKeys = [
  "q",
  "schoolType",
  "ownership",
  "urbanRural",
  "boarding",
  "status",
  "countyCode",
] as const;

/**
 * Schools with filters (办学类型, 举办者, 城乡, 寄宿, 状态), paged on the server, and the same
 * filters as an xlsx export. `countyCode` fixes the county (the county page).
 */
export function SchoolTable({ countyCode }: { countyCode?: string }) {
  const { t } = useI18n();
  const { filters, page, pageSize, setFilter, setPage } = useUrlFilters(filterKeys);
  // The counties the user may see, from the data (not a fixed list): a county admin has one.
  const counties = useCountyStats();
  const countyOptions = (counties.data?.counties ?? []).map((c) => ({ value: c.code, label: c.name }));
  const query = {
    kind: "school" as const,
    ...filters,
    ...(countyCode ? { countyCode } : {}),
    status: (filters.status ?? "current") as "current" | "ended" | "all",
    boarding: filters.boarding as "true" | "false" | undefined,
    ownership: filters.ownership as "public" | "private" | undefined,
    urbanRural: filters.urbanRural as "urban" | "town" | "rural" | undefined,
  };
  const list = useQuery({
    queryKey: ["org-units", query, page, pageSize],
    queryFn: () => call(api.GET("/api/org-units", { params: { query: { ...query, page, pageSize } } })),
    placeholderData: (prev) => prev,
  });
  const exportHref = `/api/org-units/export.xlsx${toQueryString(query)}`;

  return (
    <Space orientation="vertical" size={12} style={{ width: "100%" }}>
      <Space wrap>
        <Input.Search
          allowClear
          placeholder={t("school.searchPlaceholder")}
          defaultValue={filters.q}
          onSearch={(v) => setFilter("q", v.trim())}
          style={{ width: 240 }}
          aria-label={t("school.searchPlaceholder")}
          data-testid="school-search"
        />
        {!countyCode && countyOptions.length > 1 && (
          <Select
            allowClear
            placeholder={t("school.county")}
            value={filters.countyCode}
            onChange={(v) => setFilter("countyCode", v)}
            options={countyOptions}
            style={{ width: 120 }}
            aria-label={t("school.county")}
          />
        )}
        <Select
          allowClear
          placeholder={t("school.type")}
          value={filters.schoolType}
          onChange={(v) => setFilter("schoolType", v)}
          options={schoolTypes.map((s) => ({ value: s.code, label: s.label }))}
          style={{ width: 160 }}
          aria-label={t("school.type")}
          data-testid="filter-school-type"
        />
        <Select
          allowClear
          placeholder={t("school.ownership")}
          value={filters.ownership}
          onChange={(v) => setFilter("ownership", v)}
          options={optionsOf(ownershipLabels)}
          style={{ width: 100 }}
          aria-label={t("school.ownership")}
        />
        <Select
          allowClear
          placeholder={t("school.urbanRural")}
          value={filters.urbanRural}
          onChange={(v) => setFilter("urbanRural", v)}
          options={optionsOf(urbanRuralLabels)}
          style={{ width: 100 }}
          aria-label={t("school.urbanRural")}
        />
        <Select
          allowClear
          placeholder={t("school.boarding")}
          value={filters.boarding}
          onChange={(v) => setFilter("boarding", v)}
          options={[
            { value: "true", label: t("school.boardingYes") },
            { value: "false", label: t("school.boardingNo") },
          ]}
          style={{ width: 110 }}
          aria-label={t("school.boarding")}
        />
        <Select
          value={filters.status ?? "current"}
          onChange={(v) => setFilter("status", v === "current" ? undefined : v)}
          options={[
            { value: "current", label: t("school.statusCurrent") },
            { value: "ended", label: t("school.statusEnded") },
            { value: "all", label: t("school.statusAll") },
          ]}
          style={{ width: 110 }}
          aria-label={t("school.status")}
        />
        <a href={exportHref} download data-testid="school-export">
          <Button icon={<DownloadOutlined />}>{t("common.exportXlsx")}</Button>
        </a>
      </Space>
      {list.isError ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Table<OrgUnit>
          size="small"
          rowKey="code"
          loading={list.isFetching}
          dataSource={list.data?.items}
          data-testid="school-table"
          scroll={{ x: 900 }}
          pagination={{
            current: page,
            pageSize,
            total: list.data?.total ?? 0,
            showSizeChanger: true,
            showTotal: (n) =>
              t(list.data?.totalExact === false ? "common.totalMore" : "common.totalRows", { n }),
            onChange: setPage,
          }}
          columns={[
            { title: t("school.code"), dataIndex: "code", width: 120 },
            {
              title: t("school.name"),
              dataIndex: "name",
              render: (name: string, u) => (
                <Space size={4}>
                  <Link to={`/schools/${u.code}`}>{name}</Link>
                  {!u.current && <Tag color="default">{u.endReason === "merged" ? "已撤并" : "已关闭"}</Tag>}
                </Space>
              ),
            },
            ...(countyCode ? [] : [{ title: t("school.county"), dataIndex: "countyName", width: 90 }]),
            { title: t("school.type"), dataIndex: "schoolTypeLabel", width: 130 },
            { title: t("school.ownership"), dataIndex: "ownershipLabel", width: 70 },
            { title: t("school.urbanRural"), dataIndex: "urbanRuralLabel", width: 70 },
            {
              title: t("school.boarding"),
              dataIndex: "boarding",
              width: 70,
              render: (b: boolean | null) =>
                b ? t("school.boardingYes") : b === false ? t("school.boardingNo") : "—",
            },
          ]}
        />
      )}
    </Space>
  );
}
