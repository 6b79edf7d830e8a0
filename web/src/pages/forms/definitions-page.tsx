import { MinusCircleOutlined, PlusOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Form,
  Input,
  InputNumber,
  Modal,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from "antd";
import { useState } from "react";
import { ApiError, api, call } from "../../api/client";
import { schoolTypes } from "../../components/codes";
import { type FormSummary, periodTypeLabels, useFormList } from "./common";

const valueTypeLabels: Record<string, string> = {
  integer: "整数",
  number: "数值",
  percentage: "百分比",
  boolean: "是/否",
  text: "文本",
  choice: "选项",
};
const reporterOptions = [
  { value: "county", label: "县（市、区）教育局" },
  ...schoolTypes.map((t) => ({ value: t.code, label: t.label })),
];

/** "m:男, f:女" → [{code, name}] (the code before the colon). */
const parsePairs = (s: string | undefined) =>
  (s ?? "")
    .split(/[,，;；\n]/)
    .map((x) => x.trim())
    .filter(Boolean)
    .map((x) => {
      const [code, name] = x.split(/[:：]/);
      return { code: code.trim(), name: (name ?? code).trim() };
    });

interface RuleRow {
  kind: "range" | "compare";
  element?: string;
  min?: number;
  max?: number;
  op?: "<" | "<=" | ">" | ">=" | "=" | "!=";
  rightElement?: string;
  rightValue?: number;
}

/** 报表管理 (city staff): data elements, forms with their rules, and reporting rounds. */
export default function DefinitionsPage() {
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const forms = useFormList();
  const elements = useQuery({
    queryKey: ["forms", "elements"],
    queryFn: () => call(api.GET("/api/forms/elements")),
  });
  const [dialog, setDialog] = useState<"element" | "form" | { round: FormSummary } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [elForm] = Form.useForm();
  const [fForm] = Form.useForm();
  const [rForm] = Form.useForm();
  const done = (text: string) => {
    message.success(text);
    setDialog(null);
    setError(null);
    void queryClient.invalidateQueries({ queryKey: ["forms"] });
  };
  const fail = (e: unknown) => setError(e instanceof ApiError ? e.message : String(e));
  const createElement = useMutation({
    mutationFn: (v: Record<string, string>) =>
      call(
        api.POST("/api/forms/elements", {
          body: {
            code: v.code,
            name: v.name,
            valueType: v.valueType as "integer",
            unit: v.unit || null,
            options: parsePairs(v.options),
            disaggregation: parsePairs(v.disaggregation),
            description: v.description || null,
          },
        }),
      ),
    onSuccess: () => done("数据项已创建"),
    onError: fail,
  });
  const createForm = useMutation({
    mutationFn: (v: {
      code: string;
      name: string;
      periodType: "year";
      reporterTypes: string[];
      elements: string[];
      required?: string[];
      rules?: RuleRow[];
    }) =>
      call(
        api.POST("/api/forms", {
          body: {
            code: v.code,
            name: v.name,
            periodType: v.periodType,
            reporterTypes: v.reporterTypes,
            elements: v.elements.map((code) => ({ code, required: (v.required ?? []).includes(code) })),
            rules: (v.rules ?? []).map((r) =>
              r.kind === "range"
                ? { kind: "range" as const, element: r.element ?? "", min: r.min ?? null, max: r.max ?? null }
                : {
                    kind: "compare" as const,
                    left: r.element ?? "",
                    op: r.op ?? "<=",
                    right: r.rightElement ? { element: r.rightElement } : { value: r.rightValue ?? 0 },
                  },
            ),
          },
        }),
      ),
    onSuccess: () => done("报表已创建"),
    onError: fail,
  });
  const openRound = useMutation({
    mutationFn: ({
      code,
      v,
    }: {
      code: string;
      v: { periodCode: string; dueDate: { format(f: string): string }; lockAfterDue: boolean };
    }) =>
      call(
        api.POST("/api/forms/{code}/periods", {
          params: { path: { code } },
          body: {
            periodCode: v.periodCode,
            dueDate: v.dueDate.format("YYYY-MM-DD"),
            lockAfterDue: v.lockAfterDue,
          },
        }),
      ),
    onSuccess: () => done("已开启填报"),
    onError: fail,
  });
  const elementOptions = (elements.data ?? []).map((e) => ({
    value: e.code,
    label: `${e.name}（${e.code}）`,
  }));
  const chosen: string[] = Form.useWatch("elements", fForm) ?? [];

  return (
    <Space orientation="vertical" style={{ width: "100%" }} size="middle">
      <Card
        title="报表管理"
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setDialog("form")}>
            新建报表
          </Button>
        }
      >
        <Table
          rowKey="code"
          loading={forms.isLoading}
          dataSource={forms.data ?? []}
          pagination={false}
          columns={[
            { title: "报表", dataIndex: "name", render: (v, r) => `${v}（${r.code}）` },
            {
              title: "报告期",
              dataIndex: "periodType",
              width: 80,
              render: (v: string) => periodTypeLabels[v],
            },
            {
              title: "填报单位",
              dataIndex: "reporterTypes",
              render: (v: string[]) =>
                v.length > 4
                  ? `${v.length} 类学校`
                  : v.map((t) => reporterOptions.find((o) => o.value === t)?.label ?? t).join("、"),
            },
            { title: "数据项", dataIndex: "elementCount", width: 80 },
            {
              title: "填报轮次",
              dataIndex: "rounds",
              render: (rounds: FormSummary["rounds"]) =>
                rounds.map((r) => (
                  <Tag key={r.periodCode} color={r.locked ? "default" : "blue"}>
                    {r.periodLabel} 截止 {r.dueDate}
                    {r.lockAfterDue ? "（逾期锁定）" : ""}
                  </Tag>
                )),
            },
            {
              title: "操作",
              width: 110,
              render: (_, r) => (
                <Button size="small" onClick={() => setDialog({ round: r })}>
                  开启填报
                </Button>
              ),
            },
          ]}
        />
      </Card>
      <Card
        title="数据项"
        size="small"
        extra={
          <Button icon={<PlusOutlined />} onClick={() => setDialog("element")}>
            新建数据项
          </Button>
        }
      >
        <Table
          size="small"
          rowKey="code"
          loading={elements.isLoading}
          dataSource={elements.data ?? []}
          pagination={{ pageSize: 20 }}
          columns={[
            {
              title: "编码",
              dataIndex: "code",
              width: 220,
              render: (v) => <Typography.Text code>{v}</Typography.Text>,
            },
            { title: "名称", dataIndex: "name" },
            { title: "类型", dataIndex: "valueType", width: 80, render: (v: string) => valueTypeLabels[v] },
            { title: "单位", dataIndex: "unit", width: 80 },
            {
              title: "选项 / 分组",
              render: (_, e) => [...e.options, ...e.disaggregation].map((o) => o.name).join("、"),
            },
          ]}
        />
      </Card>

      <Modal
        open={dialog === "element"}
        title="新建数据项"
        onCancel={() => setDialog(null)}
        onOk={() => elForm.validateFields().then((v) => createElement.mutate(v))}
        confirmLoading={createElement.isPending}
      >
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
        <Form form={elForm} layout="vertical" initialValues={{ valueType: "number" }}>
          <Form.Item name="code" label="编码（公式中引用，如 uplink_mbps）" rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="name" label="名称" rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="valueType" label="类型">
            <Select options={Object.entries(valueTypeLabels).map(([value, label]) => ({ value, label }))} />
          </Form.Item>
          <Form.Item name="unit" label="计量单位">
            <Input />
          </Form.Item>
          <Form.Item name="options" label="选项（选项型，如 met:达标, unmet:未达标）">
            <Input />
          </Form.Item>
          <Form.Item name="disaggregation" label="分组（可选，如 m:男, f:女；每组填一个值，合计自动计算）">
            <Input />
          </Form.Item>
          <Form.Item name="description" label="说明">
            <Input.TextArea rows={2} />
          </Form.Item>
        </Form>
      </Modal>

      <Modal
        open={dialog === "form"}
        width={760}
        title="新建报表"
        onCancel={() => setDialog(null)}
        onOk={() => fForm.validateFields().then((v) => createForm.mutate(v))}
        confirmLoading={createForm.isPending}
      >
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
        <Form form={fForm} layout="vertical" initialValues={{ periodType: "year" }}>
          <Space>
            <Form.Item name="code" label="编码" rules={[{ required: true }]}>
              <Input />
            </Form.Item>
            <Form.Item name="name" label="名称" rules={[{ required: true }]}>
              <Input style={{ width: 300 }} />
            </Form.Item>
            <Form.Item name="periodType" label="报告期">
              <Select
                style={{ width: 100 }}
                options={Object.entries(periodTypeLabels).map(([value, label]) => ({ value, label }))}
              />
            </Form.Item>
          </Space>
          <Form.Item name="reporterTypes" label="填报单位类型" rules={[{ required: true }]}>
            <Select mode="multiple" options={reporterOptions} />
          </Form.Item>
          <Form.Item name="elements" label="数据项（按顺序）" rules={[{ required: true }]}>
            <Select mode="multiple" options={elementOptions} />
          </Form.Item>
          <Form.Item name="required" label="必填数据项">
            <Select mode="multiple" options={elementOptions.filter((o) => chosen.includes(o.value))} />
          </Form.Item>
          <Typography.Text strong>校验规则</Typography.Text>
          <Form.List name="rules">
            {(fields, { add, remove }) => (
              <>
                {fields.map((f) => (
                  <Space key={f.key} align="baseline" wrap>
                    <Form.Item name={[f.name, "kind"]} initialValue="compare">
                      <Select
                        style={{ width: 100 }}
                        options={[
                          { value: "compare", label: "比较" },
                          { value: "range", label: "范围" },
                        ]}
                      />
                    </Form.Item>
                    <Form.Item
                      name={[f.name, "element"]}
                      rules={[{ required: true, message: "请选择数据项" }]}
                    >
                      <Select
                        style={{ width: 200 }}
                        placeholder="数据项"
                        options={elementOptions.filter((o) => chosen.includes(o.value))}
                      />
                    </Form.Item>
                    <Form.Item noStyle shouldUpdate>
                      {() =>
                        fForm.getFieldValue(["rules", f.name, "kind"]) === "range" ? (
                          <>
                            <Form.Item name={[f.name, "min"]}>
                              <InputNumber placeholder="最小值" />
                            </Form.Item>
                            <Form.Item name={[f.name, "max"]}>
                              <InputNumber placeholder="最大值" />
                            </Form.Item>
                          </>
                        ) : (
                          <>
                            <Form.Item name={[f.name, "op"]} initialValue="<=">
                              <Select
                                style={{ width: 70 }}
                                options={["<", "<=", ">", ">=", "=", "!="].map((o) => ({
                                  value: o,
                                  label: o,
                                }))}
                              />
                            </Form.Item>
                            <Form.Item name={[f.name, "rightElement"]}>
                              <Select
                                allowClear
                                style={{ width: 180 }}
                                placeholder="数据项"
                                options={elementOptions.filter((o) => chosen.includes(o.value))}
                              />
                            </Form.Item>
                            <Form.Item name={[f.name, "rightValue"]}>
                              <InputNumber placeholder="或常数" />
                            </Form.Item>
                          </>
                        )
                      }
                    </Form.Item>
                    <MinusCircleOutlined onClick={() => remove(f.name)} />
                  </Space>
                ))}
                <Button type="dashed" onClick={() => add()} icon={<PlusOutlined />}>
                  添加规则
                </Button>
              </>
            )}
          </Form.List>
        </Form>
      </Modal>

      <Modal
        open={typeof dialog === "object" && dialog !== null}
        title={`开启填报：${typeof dialog === "object" && dialog ? dialog.round.name : ""}`}
        onCancel={() => setDialog(null)}
        onOk={() =>
          rForm
            .validateFields()
            .then(
              (v) => typeof dialog === "object" && dialog && openRound.mutate({ code: dialog.round.code, v }),
            )
        }
        confirmLoading={openRound.isPending}
      >
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
        <Form form={rForm} layout="vertical" initialValues={{ lockAfterDue: true }}>
          <Form.Item
            name="periodCode"
            label="统计期（如 2023、2023-2024、2023Q1、2023-03）"
            rules={[{ required: true }]}
          >
            <Input />
          </Form.Item>
          <Form.Item name="dueDate" label="截止日期" rules={[{ required: true }]}>
            <DatePicker />
          </Form.Item>
          <Form.Item name="lockAfterDue" label="截止后锁定" valuePropName="checked">
            <Switch />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
