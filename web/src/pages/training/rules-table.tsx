import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { App, InputNumber, Table, Typography } from "antd";
import { type ApiData, ApiError, api, call } from "../../api/client";
import { useSession } from "../../auth/session";

type Rule = ApiData<"/api/training/rules", "get">["items"][number];
const applies: Record<string, string> = { academic: "学科类", non_academic: "非学科类", all: "全部" };

/** The rules inspections are judged by, each with its source; the city sets the thresholds. */
export function RulesTable() {
  const { message } = App.useApp();
  const { can } = useSession();
  const queryClient = useQueryClient();
  const rules = useQuery({
    queryKey: ["training", "rules"],
    queryFn: () => call(api.GET("/api/training/rules")),
  });
  const set = useMutation({
    mutationFn: (v: { code: string; value: number }) =>
      call(
        api.PATCH("/api/training/rules/{code}", {
          params: { path: { code: v.code } },
          body: { value: v.value },
        }),
      ),
    onSuccess: () => {
      message.success("阈值已修改");
      void queryClient.invalidateQueries({ queryKey: ["training", "rules"] });
    },
    onError: (e) => message.error(e instanceof ApiError ? e.message : String(e)),
  });
  const canEdit = can("training.write");
  return (
    <Table<Rule>
      size="small"
      rowKey="code"
      loading={rules.isFetching}
      dataSource={rules.data?.items}
      pagination={false}
      columns={[
        { title: "规则", dataIndex: "label", width: 260 },
        { title: "适用", dataIndex: "appliesTo", width: 80, render: (v: string) => applies[v] },
        {
          title: "阈值",
          dataIndex: "value",
          width: 160,
          render: (v: number | null, r) =>
            v === null ? (
              "—"
            ) : canEdit ? (
              <InputNumber
                size="small"
                defaultValue={v}
                min={0}
                suffix={r.unit ?? undefined}
                onBlur={(e) => {
                  const n = Number(e.target.value);
                  if (Number.isFinite(n) && n !== v) set.mutate({ code: r.code, value: n });
                }}
              />
            ) : (
              `${v} ${r.unit ?? ""}`
            ),
        },
        {
          title: "依据",
          dataIndex: "basis",
          render: (v: string) => <Typography.Text type="secondary">{v}</Typography.Text>,
        },
      ]}
    />
  );
}
