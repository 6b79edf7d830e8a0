import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Input, Modal, Select, Space, Table } from "antd";
import { useState } from "react";
import { Link } from "react-router";
import { ApiError, api, call } from "../../api/client";
import { useSession } from "../../auth/session";
import { LoadError } from "../../components/page-state";
import { useUrlFilters } from "../../components/url-state";
import {
  FormRoundPicker,
  fmtTime,
  type Status,
  StatusTag,
  type SubmissionRow,
  statusLabels,
  useSetRound,
} from "./common";

const keys = ["form", "period", "status", "countyCode", "q"] as const;

/**
 * 审核: the returns waiting for the user's level — a county approves or returns its schools'
 * returns, the city accepts approved ones (and approves counties' returns). Opening one shows the
 * values before deciding.
 */
export default function ReviewPage() {
  const { can } = useSession();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const { filters, page, pageSize, setFilter, setPage } = useUrlFilters(keys);
  const { form, period } = filters;
  const status = (filters.status ?? (can("forms.accept") ? "approved" : "submitted")) as Status;
  const [returning, setReturning] = useState<SubmissionRow | null>(null);
  const [comment, setComment] = useState("");
  const onRound = useSetRound();
  const listKey = ["forms", "review", form, period, status, filters.countyCode, filters.q, page, pageSize];
  const list = useQuery({
    queryKey: listKey,
    queryFn: () =>
      call(
        api.GET("/api/forms/{code}/periods/{period}/submissions", {
          params: {
            path: { code: form!, period: period! },
            query: { status, countyCode: filters.countyCode, q: filters.q, page, pageSize },
          },
        }),
      ),
    enabled: !!form && !!period,
  });
  const act = useMutation({
    mutationFn: ({
      row,
      action,
      text,
    }: {
      row: SubmissionRow;
      action: "approve" | "return" | "accept";
      text?: string;
    }) => {
      const params = { path: { code: form!, period: period!, orgCode: row.orgCode } };
      const body = { comment: text ?? null };
      if (action === "approve")
        return call(
          api.POST("/api/forms/{code}/periods/{period}/entries/{orgCode}/approve", { params, body }),
        );
      if (action === "accept")
        return call(
          api.POST("/api/forms/{code}/periods/{period}/entries/{orgCode}/accept", { params, body }),
        );
      return call(api.POST("/api/forms/{code}/periods/{period}/entries/{orgCode}/return", { params, body }));
    },
    onSuccess: (e) => {
      message.success(`${e.orgUnit.name}：${e.statusLabel}`);
      setReturning(null);
      setComment("");
      void queryClient.invalidateQueries({ queryKey: ["forms"] });
    },
    onError: (e) => message.error(e instanceof ApiError ? e.message : String(e)),
  });

  return (
    <Card title="审核">
      <Space wrap style={{ marginBottom: 12 }}>
        <FormRoundPicker form={form} period={period} onChange={onRound} />
        <Select
          aria-label="状态"
          style={{ width: 120 }}
          value={status}
          onChange={(v) => setFilter("status", v)}
          options={(Object.keys(statusLabels) as Status[]).map((s) => ({ value: s, label: statusLabels[s] }))}
        />
        <Input.Search
          allowClear
          placeholder="单位名称或代码"
          defaultValue={filters.q}
          onSearch={(v) => setFilter("q", v)}
          style={{ width: 220 }}
        />
      </Space>
      {list.error ? (
        <LoadError error={list.error} onRetry={() => list.refetch()} />
      ) : (
        <Table
          rowKey="orgCode"
          loading={list.isLoading}
          dataSource={list.data?.items ?? []}
          pagination={{
            current: page,
            pageSize,
            total: list.data?.total ?? 0,
            onChange: setPage,
            showTotal: (n) => `共 ${n} 个单位`,
          }}
          columns={[
            { title: "单位代码", dataIndex: "orgCode", width: 130 },
            {
              title: "单位名称",
              dataIndex: "orgName",
              render: (v: string, r) => (
                <Link to={`/forms/entry?form=${form}&period=${period}&org=${r.orgCode}`}>{v}</Link>
              ),
            },
            { title: "县（市、区）", dataIndex: "countyName", width: 110 },
            {
              title: "状态",
              dataIndex: "status",
              width: 90,
              render: (s: Status) => <StatusTag status={s} />,
            },
            {
              title: "上报时间",
              dataIndex: "submittedAt",
              width: 150,
              render: (v: string | null) => fmtTime(v),
            },
            { title: "退回意见", dataIndex: "comment", ellipsis: true, render: (v) => v ?? "" },
            {
              title: "操作",
              width: 190,
              render: (_, r) => (
                <Space>
                  {r.status === "submitted" && can("forms.approve") && (
                    <Button
                      size="small"
                      type="link"
                      onClick={() => act.mutate({ row: r, action: "approve" })}
                    >
                      通过
                    </Button>
                  )}
                  {r.status === "approved" && can("forms.accept") && (
                    <Button size="small" type="link" onClick={() => act.mutate({ row: r, action: "accept" })}>
                      确认
                    </Button>
                  )}
                  {(r.status === "submitted" || r.status === "approved") && can("forms.approve") && (
                    <Button size="small" type="link" danger onClick={() => setReturning(r)}>
                      退回
                    </Button>
                  )}
                </Space>
              ),
            },
          ]}
        />
      )}
      <Modal
        open={returning !== null}
        title={`退回 ${returning?.orgName ?? ""}`}
        okText="退回"
        okButtonProps={{ danger: true }}
        onCancel={() => setReturning(null)}
        onOk={() => returning && act.mutate({ row: returning, action: "return", text: comment })}
        confirmLoading={act.isPending}
      >
        <Input.TextArea
          rows={3}
          placeholder="退回意见（必填）"
          value={comment}
          onChange={(e) => setComment(e.target.value)}
        />
      </Modal>
    </Card>
  );
}
