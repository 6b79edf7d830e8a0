import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Select,
  Space,
  Table,
  TreeSelect,
  Typography,
} from "antd";
import { useMemo, useState } from "react";
import { type ApiData, api, call } from "../../api/client";
import { errorText, type Indicator, type Target } from "./common";

type TreeNode = ApiData<"/api/org-units/tree", "get">["roots"][number];
interface TreeOption {
  value: string;
  title: string;
  children?: TreeOption[];
}
const toOptions = (nodes: TreeNode[]): TreeOption[] =>
  nodes.map((n) => ({
    value: n.code,
    title: n.name,
    children: n.children?.length ? toOptions(n.children) : undefined,
  }));

interface TargetForm {
  orgUnitCode: string;
  periodCode: string;
  kind: "absolute" | "relative";
  direction: ">=" | "<=";
  value: number;
  note?: string;
}

export const kindLabels = { absolute: "目标值", relative: "较上期变化" } as const;

/**
 * 目标 of one indicator: per org unit and period, a value with a direction (≥ / ≤), or a change from
 * the previous period (e.g. −1 个百分点, ≤). Setting a target where one exists replaces it.
 */
export function TargetsPanel({ indicator }: { indicator: Indicator }) {
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<TargetForm>();
  const [error, setError] = useState<string | null>(null);
  const targets = useQuery({
    queryKey: ["indicator-targets", indicator.code],
    queryFn: () =>
      call(api.GET("/api/indicator-targets", { params: { query: { indicator: indicator.code } } })),
  });
  const tree = useQuery({
    queryKey: ["org-tree"],
    queryFn: () => call(api.GET("/api/org-units/tree")),
    staleTime: 60_000,
  });
  const options = useMemo(() => toOptions(tree.data?.roots ?? []), [tree.data]);
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ["indicator-targets"] });
    void queryClient.invalidateQueries({ queryKey: ["cockpit"] });
  };
  const put = useMutation({
    mutationFn: (v: TargetForm) =>
      call(
        api.PUT("/api/indicator-targets", {
          body: { ...v, indicatorCode: indicator.code, note: v.note || null },
        }),
      ),
    onSuccess: (t) => {
      message.success(`已设定目标：${t.orgUnitName} ${t.periodCode} ${t.label}`);
      setError(null);
      refresh();
    },
    onError: (e) => setError(errorText(e)),
  });
  const remove = useMutation({
    mutationFn: (id: number) => call(api.DELETE("/api/indicator-targets/{id}", { params: { path: { id } } })),
    onSuccess: () => {
      message.success("目标已删除");
      refresh();
    },
    onError: (e) => setError(errorText(e)),
  });
  const kind = Form.useWatch("kind", form);
  const suffix = kind === "relative" && indicator.unit === "%" ? "个百分点" : indicator.unit || undefined;
  const edit = (t: Target) => {
    form.setFieldsValue({
      orgUnitCode: t.orgUnitCode,
      periodCode: t.periodCode,
      kind: t.kind,
      direction: t.direction,
      value: t.value,
      note: t.note ?? undefined,
    });
  };

  return (
    <Space orientation="vertical" style={{ width: "100%" }} size="middle" data-testid="targets-panel">
      <Table<Target>
        size="small"
        rowKey="id"
        loading={targets.isPending}
        dataSource={targets.data ?? []}
        pagination={{ pageSize: 8, hideOnSinglePage: true }}
        locale={{ emptyText: targets.isError ? `目标载入失败：${errorText(targets.error)}` : "尚未设定目标" }}
        columns={[
          { title: "机构", dataIndex: "orgUnitName" },
          { title: "统计期", dataIndex: "periodCode", width: 90 },
          { title: "目标", dataIndex: "label", width: 200 },
          { title: "说明", dataIndex: "note", ellipsis: true },
          {
            title: "操作",
            width: 110,
            render: (_, t) => (
              <Space size={4}>
                <Typography.Link onClick={() => edit(t)}>修改</Typography.Link>
                <Popconfirm
                  title={`删除 ${t.orgUnitName} ${t.periodCode} 的目标？`}
                  okText="删除"
                  okButtonProps={{ danger: true }}
                  cancelText="取消"
                  onConfirm={() => remove.mutateAsync(t.id)}
                >
                  <Typography.Link type="danger">删除</Typography.Link>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      <Typography.Text strong>设定目标（同一机构、同一统计期已有目标的，将被替换）</Typography.Text>
      {error && <Alert type="error" showIcon title={error} closable onClose={() => setError(null)} />}
      <Form<TargetForm>
        name="target"
        form={form}
        layout="vertical"
        initialValues={{
          periodCode: "2022",
          kind: "absolute",
          direction: indicator.better === "lower" ? "<=" : ">=",
        }}
        onFinish={(v) => put.mutate(v)}
      >
        <Space wrap align="start" size={8}>
          <Form.Item name="orgUnitCode" label="机构" rules={[{ required: true, message: "请选择机构" }]}>
            <TreeSelect
              showSearch={{ treeNodeFilterProp: "title" }}
              treeData={options}
              treeDefaultExpandedKeys={options.map((o) => o.value)}
              loading={tree.isPending}
              placeholder="全市、县（市、区）或学校"
              style={{ width: 220 }}
              listHeight={300}
              data-testid="target-org"
            />
          </Form.Item>
          <Form.Item
            name="periodCode"
            label="统计期"
            rules={[{ required: true, message: "请填写统计期，如 2022" }]}
          >
            <Input style={{ width: 100 }} placeholder="2022" />
          </Form.Item>
          <Form.Item name="kind" label="类型">
            <Select
              style={{ width: 120 }}
              options={Object.entries(kindLabels).map(([value, label]) => ({ value, label }))}
            />
          </Form.Item>
          <Form.Item name="direction" label="方向">
            <Select
              style={{ width: 120 }}
              options={[
                { value: ">=", label: "≥ 不低于" },
                { value: "<=", label: "≤ 不高于" },
              ]}
            />
          </Form.Item>
          <Form.Item name="value" label="值" rules={[{ required: true, message: "请填写目标值" }]}>
            <InputNumber style={{ width: 150 }} suffix={suffix} data-testid="target-value" />
          </Form.Item>
          <Form.Item name="note" label="说明（可选）">
            <Input style={{ width: 200 }} placeholder="如 工作要点第三条" />
          </Form.Item>
          <Form.Item label=" ">
            <Button type="primary" htmlType="submit" loading={put.isPending}>
              设定目标
            </Button>
          </Form.Item>
        </Space>
      </Form>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        较上期变化：如近视率“≤ −1 个百分点”表示比上一统计期至少下降 1 个百分点；目标值：本期应达到的数值。
      </Typography.Text>
    </Space>
  );
}
