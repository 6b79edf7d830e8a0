import { DownloadOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Button, Input, Select, Space, Table, Tag } from "antd";
import { useState } from "react";
import { type ApiData, api, call } from "../../api/client";
import { useCountyStats } from "../../api/queries";
import {
  enrolmentStatusLabels,
  gradeLabels,
  optionsOf,
  staffPosts,
  staffStatusLabels,
} from "../../components/codes";
import { LoadError } from "../../components/page-state";
import { toQueryString, useUrlFilters } from "../../components/url-state";
import { useI18n } from "../../i18n/i18n";
import { PersonDrawer } from "./person-drawer";

export type Student = ApiData<"/api/students", "get">["items"][number];
export type Staff = ApiData<"/api/staff", "get">["items"][number];

const studentKeys = ["q", "countyCode", "grade", "status"] as const;
const staffKeys = ["q", "countyCode", "post", "status"] as const;

interface Props {
  kind: "students" | "staff";
  /** Filters the screen fixes (the school page fixes schoolCode). */
  fixed?: { schoolCode?: string };
}

/**
 * Students or staff within the user's scope: search by name prefix or number, filters, server-side
 * paging (the city has 550,000 students), ID numbers masked unless the role may see them, and the
 * full record in a drawer (each full read is audited by the server).
 */
export function PeopleTable({ kind, fixed = {} }: Props) {
  const { t } = useI18n();
  const students = kind === "students";
  const { filters, page, pageSize, setFilter, setPage } = useUrlFilters(students ? studentKeys : staffKeys);
  const counties = useCountyStats();
  const countyOptions = (counties.data?.counties ?? []).map((c) => ({ value: c.code, label: c.name }));
  const [open, setOpen] = useState<string | null>(null);
  const query = { ...filters, ...fixed };

  const list = useQuery({
    queryKey: [kind, query, page, pageSize],
    queryFn: async () => {
      const q = { ...query, page, pageSize } as Record<string, string | number>;
      return students
        ? call(api.GET("/api/students", { params: { query: q as never } }))
        : call(api.GET("/api/staff", { params: { query: q as never } }));
    },
    placeholderData: (prev) => prev,
  });

  const idColumn = {
    title: t("people.residentId"),
    dataIndex: "residentId",
    width: 190,
    render: (v: string | null) => <span style={{ fontFamily: "monospace" }}>{v ?? "—"}</span>,
  };
  const schoolColumn = fixed.schoolCode ? [] : [{ title: t("people.school"), dataIndex: "schoolName" }];
  const studentColumns = [
    { title: t("people.studentNumber"), dataIndex: "studentNumber", width: 150 },
    { title: t("people.name"), dataIndex: "name", width: 90 },
    { title: t("people.gender"), dataIndex: "genderLabel", width: 60 },
    idColumn,
    ...schoolColumn,
    { title: t("school.grade"), dataIndex: "gradeLabel", width: 80 },
    {
      title: t("school.className"),
      dataIndex: "classGroupName",
      width: 90,
      render: (v: string | null) => v ?? "—",
    },
    { title: t("people.status"), dataIndex: "statusLabel", width: 70 },
  ];
  const staffColumns = [
    { title: t("people.staffNumber"), dataIndex: "staffNumber", width: 130 },
    { title: t("people.name"), dataIndex: "name", width: 90 },
    { title: t("people.gender"), dataIndex: "genderLabel", width: 60 },
    idColumn,
    ...schoolColumn,
    {
      title: t("people.posts"),
      dataIndex: "posts",
      render: (posts: string[]) => posts.map((p) => <Tag key={p}>{p}</Tag>),
    },
    { title: t("people.title"), dataIndex: "title", width: 100, render: (v: string | null) => v ?? "—" },
    { title: t("people.status"), dataIndex: "statusLabel", width: 70 },
  ];
  const exportHref = `/api/${students ? "students" : "staff"}/export.xlsx${toQueryString(query)}`;

  return (
    <Space orientation="vertical" size={12} style={{ width: "100%" }}>
      <Space wrap>
        <Input.Search
          allowClear
          placeholder={t(students ? "people.searchStudents" : "people.searchStaff")}
          defaultValue={filters.q}
          onSearch={(v) => setFilter("q", v.trim())}
          style={{ width: 280 }}
          aria-label={t(students ? "people.searchStudents" : "people.searchStaff")}
          data-testid={`${kind}-search`}
        />
        {!fixed.schoolCode && countyOptions.length > 1 && (
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
        {students ? (
          <>
            <Select
              allowClear
              placeholder={t("school.grade")}
              value={(filters as Record<string, string>).grade}
              onChange={(v) => setFilter("grade" as never, v)}
              options={Object.entries(gradeLabels)
                .sort((a, b) => Number(a[0]) - Number(b[0]))
                .map(([value, label]) => ({ value, label }))}
              style={{ width: 110 }}
              aria-label={t("school.grade")}
            />
            <Select
              allowClear
              placeholder={t("people.status")}
              value={filters.status}
              onChange={(v) => setFilter("status", v)}
              options={optionsOf(enrolmentStatusLabels)}
              style={{ width: 100 }}
              aria-label={t("people.status")}
            />
          </>
        ) : (
          <>
            <Select
              allowClear
              placeholder={t("people.posts")}
              value={(filters as Record<string, string>).post}
              onChange={(v) => setFilter("post" as never, v)}
              options={staffPosts.map((p) => ({ value: p, label: p }))}
              style={{ width: 120 }}
              aria-label={t("people.posts")}
            />
            <Select
              allowClear
              placeholder={t("people.status")}
              value={filters.status}
              onChange={(v) => setFilter("status", v)}
              options={optionsOf(staffStatusLabels)}
              style={{ width: 100 }}
              aria-label={t("people.status")}
            />
          </>
        )}
        <a href={exportHref} download>
          <Button icon={<DownloadOutlined />}>{t("common.exportXlsx")}</Button>
        </a>
      </Space>
      {list.isError ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Table<Student | Staff>
          size="small"
          rowKey={(r) => ("studentNumber" in r ? r.studentNumber : r.staffNumber)}
          loading={list.isFetching}
          dataSource={list.data?.items as (Student | Staff)[] | undefined}
          data-testid={`${kind}-table`}
          scroll={{ x: 960 }}
          onRow={(r) => ({
            onClick: () => setOpen("studentNumber" in r ? r.studentNumber : r.staffNumber),
            style: { cursor: "pointer" },
          })}
          pagination={{
            current: page,
            pageSize,
            total: list.data?.total ?? 0,
            showSizeChanger: true,
            showTotal: (n) =>
              t(list.data?.totalExact === false ? "common.totalMore" : "common.totalRows", { n }),
            onChange: setPage,
          }}
          columns={(students ? studentColumns : staffColumns) as never}
        />
      )}
      <PersonDrawer kind={kind} number={open} onClose={() => setOpen(null)} />
    </Space>
  );
}
