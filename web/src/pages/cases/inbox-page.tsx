import { useQuery } from "@tanstack/react-query";
import { Card, Segmented, Space, Statistic, Table } from "antd";
import { useState } from "react";
import { useNavigate } from "react-router";
import { type ApiData, api, call } from "../../api/client";
import { LoadError } from "../../components/page-state";
import { CaseTags, DueCell, useKinds } from "./case-common";

type Item = ApiData<"/api/cases/inbox", "get">["items"][number];

/** 我的待办: what waits on me (steps I may take) and the overdue cases escalated to my level. */
export default function InboxPage() {
  const navigate = useNavigate();
  const kinds = useKinds();
  const [kind, setKind] = useState("");
  const [page, setPage] = useState({ page: 1, pageSize: 20 });
  const inbox = useQuery({
    queryKey: ["inbox", kind, page],
    queryFn: () =>
      call(api.GET("/api/cases/inbox", { params: { query: { ...page, kind: kind || undefined } as never } })),
    placeholderData: (prev) => prev,
    refetchInterval: 60_000,
  });
  return (
    <Card title="我的待办">
      <Space orientation="vertical" size={16} style={{ width: "100%" }}>
        <Space size={48}>
          <Statistic title="待办事项" value={inbox.data?.total ?? 0} />
          <Statistic
            title="逾期"
            value={inbox.data?.overdue ?? 0}
            styles={{ content: { color: "#cf1322" } }}
          />
          <Statistic
            title="3 天内到期"
            value={inbox.data?.dueSoon ?? 0}
            styles={{ content: { color: "#d48806" } }}
          />
        </Space>
        <Segmented
          value={kind}
          onChange={(v) => {
            setKind(String(v));
            setPage({ page: 1, pageSize: page.pageSize });
          }}
          options={[
            { value: "", label: "全部" },
            ...(kinds.data ?? []).map((k) => ({ value: k.code, label: k.name })),
          ]}
        />
        {inbox.isError ? (
          <LoadError error={inbox.error} onRetry={() => void inbox.refetch()} />
        ) : (
          <Table<Item>
            size="small"
            rowKey="id"
            data-testid="inbox-table"
            loading={inbox.isFetching}
            dataSource={inbox.data?.items}
            scroll={{ x: 1000 }}
            onRow={(r) => ({ onClick: () => navigate(`/cases/${r.id}`), style: { cursor: "pointer" } })}
            pagination={{
              current: page.page,
              pageSize: page.pageSize,
              total: inbox.data?.total ?? 0,
              showTotal: (n) => `共 ${n} 条`,
              onChange: (p, s) => setPage({ page: p, pageSize: s }),
            }}
            columns={[
              { title: "编号", dataIndex: "ref", width: 110 },
              { title: "类型", dataIndex: "kindName", width: 90 },
              { title: "标题", dataIndex: "title", ellipsis: true },
              { title: "单位", dataIndex: "orgUnitName", width: 190, ellipsis: true },
              { title: "状态", width: 170, render: (_: unknown, c: Item) => <CaseTags c={c} /> },
              { title: "期限", width: 100, render: (_: unknown, c: Item) => <DueCell c={c} /> },
              { title: "待办原因", dataIndex: "reason", width: 220 },
            ]}
          />
        )}
      </Space>
    </Card>
  );
}
