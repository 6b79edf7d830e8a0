import { CameraOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Input, Popconfirm, Space, Table, Typography } from "antd";
import { useState } from "react";
import { type ApiData, api, call } from "../../api/client";
import { errorText } from "./common";

type Census = ApiData<"/api/people-censuses", "get">[number];

/**
 * 统计快照 (people census): the periods whose student and staff counts are frozen, and freezing
 * today's counts for a period when its statistics close. Indicators counted from people use a
 * period's census; the registry's live counts stand only for the periods after the latest one.
 */
export function CensusPanel() {
  const { message, modal } = App.useApp();
  const queryClient = useQueryClient();
  const [period, setPeriod] = useState(String(new Date().getFullYear()));
  const list = useQuery({
    queryKey: ["people-censuses"],
    queryFn: () => call(api.GET("/api/people-censuses")),
  });
  const changed = () => {
    void queryClient.invalidateQueries({ queryKey: ["people-censuses"] });
    void queryClient.invalidateQueries({ queryKey: ["cockpit"] });
  };
  const take = useMutation({
    mutationFn: (v: { period: string; replace: boolean }) =>
      call(
        api.PUT("/api/people-censuses/{period}", {
          params: { path: { period: v.period } },
          body: { replace: v.replace },
        }),
      ),
    onSuccess: (c) => {
      message.success(`已冻结 ${c.period} 的统计快照：在校生 ${c.students.toLocaleString("zh-CN")} 人`);
      changed();
    },
    onError: (e) => message.error(errorText(e)),
  });
  const remove = useMutation({
    mutationFn: (p: string) =>
      call(api.DELETE("/api/people-censuses/{period}", { params: { path: { period: p } } })),
    onSuccess: () => {
      message.success("已删除统计快照");
      changed();
    },
    onError: (e) => message.error(errorText(e)),
  });
  const freeze = () => {
    const p = period.trim();
    const exists = list.data?.some((c) => c.period === p);
    modal.confirm({
      title: exists ? `覆盖 ${p} 的统计快照？` : `冻结 ${p} 的统计快照？`,
      content: `把当前学籍和教职工人数记为 ${p} 的统计数；此后 ${p} 的人数类指标按快照计，不再随学籍变化。${exists ? "原快照将被替换。" : ""}`,
      okText: exists ? "覆盖" : "冻结",
      cancelText: "取消",
      onOk: () => take.mutateAsync({ period: p, replace: !!exists }),
    });
  };

  return (
    <Card
      title="统计快照（在校生、教职工人数）"
      size="small"
      style={{ marginTop: 16 }}
      data-testid="census-panel"
      extra={
        <Space.Compact>
          <Input
            value={period}
            onChange={(e) => setPeriod(e.target.value)}
            style={{ width: 110 }}
            placeholder="如 2022"
            aria-label="统计期"
          />
          <Button
            icon={<CameraOutlined />}
            onClick={freeze}
            loading={take.isPending}
            data-testid="census-take"
          >
            冻结当前人数
          </Button>
        </Space.Compact>
      }
    >
      <Typography.Paragraph type="secondary">
        学籍和教职工信息只反映当前。每个统计期结束时冻结一次，往年的人数类指标（公办率、普惠率、教研员数等）就按当年的快照计算；
        最近一次快照之后的统计期按当前学籍计，没有快照的往年显示“无数据”。
      </Typography.Paragraph>
      <Table<Census>
        size="small"
        rowKey="period"
        loading={list.isPending}
        dataSource={list.data ?? []}
        pagination={false}
        locale={{ emptyText: "尚无统计快照：所有统计期都按当前学籍计数" }}
        columns={[
          { title: "统计期", dataIndex: "period", width: 100 },
          { title: "在校生", dataIndex: "students", render: (n: number) => n.toLocaleString("zh-CN") },
          { title: "教职工", dataIndex: "staff", render: (n: number) => n.toLocaleString("zh-CN") },
          { title: "说明", dataIndex: "note", render: (v: string | null) => v ?? "—" },
          {
            title: "冻结时间",
            dataIndex: "takenAt",
            render: (v: string, c) =>
              `${new Date(v).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false })}（${c.takenBy}）`,
          },
          {
            title: "操作",
            width: 80,
            render: (_, c) => (
              <Popconfirm
                title={`删除 ${c.period} 的统计快照？`}
                description="删除后该期的人数类指标改按当前学籍计，或显示无数据。"
                okText="删除"
                okButtonProps={{ danger: true }}
                cancelText="取消"
                onConfirm={() => remove.mutateAsync(c.period)}
              >
                <Typography.Link type="danger">删除</Typography.Link>
              </Popconfirm>
            ),
          },
        ]}
      />
    </Card>
  );
}
