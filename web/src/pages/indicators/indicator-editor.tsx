import { CheckCircleOutlined } from "@ant-design/icons";
import { useMutation } from "@tanstack/react-query";
import {
  Alert,
  Button,
  Card,
  Col,
  Form,
  Input,
  InputNumber,
  Radio,
  Row,
  Select,
  Space,
  Typography,
} from "antd";
import { useState } from "react";
import { api, call } from "../../api/client";
import { CataloguePanel } from "./catalogue-panel";
import {
  type CheckResult,
  errorText,
  type Group,
  type Indicator,
  type Issue,
  issuesOf,
  periodTypeLabels,
  type Side,
  sourceLabels,
} from "./common";
import { type Caret, FormulaInput, FormulaIssues } from "./formula-field";

/** The editor's fields; `shape` is the form's own (a count has no denominator), not stored. */
export interface EditorValues {
  code: string;
  name: string;
  groupCode?: string | null;
  shape: "ratio" | "count";
  numerator: string;
  denominator?: string;
  factor: number;
  unit?: string;
  decimals: number;
  better: Indicator["better"];
  periodType: Indicator["periodType"];
  cityOnly: boolean;
  numeratorLabel?: string;
  denominatorLabel?: string;
  description?: string;
  source?: string;
  ordinal: number;
}

const initialOf = (i: Indicator | null): Partial<EditorValues> =>
  i
    ? {
        ...i,
        shape: i.denominator ? "ratio" : "count",
        denominator: i.denominator ?? undefined,
        numeratorLabel: i.numeratorLabel ?? undefined,
        denominatorLabel: i.denominatorLabel ?? undefined,
        description: i.description ?? undefined,
        source: i.source ?? undefined,
      }
    : {
        shape: "ratio",
        factor: 100,
        unit: "%",
        decimals: 1,
        better: "higher",
        periodType: "year",
        cityOnly: false,
        ordinal: 0,
      };

const nullIfBlank = (s: string | undefined | null) => (s?.trim() ? s.trim() : null);

/** The checked text and its result: issues are shown on the text that was checked. */
interface Checked {
  text: Record<Side, string>;
  result: CheckResult;
}

/**
 * Defines an indicator: code, name, key task, numerator and denominator expressions with the
 * catalogue of usable names beside them, factor, unit and display. 校验 asks the server to check the
 * expressions (nothing saved) and marks each issue where it is; saving checks again.
 */
export function IndicatorEditor({
  indicator,
  groups,
  siblings,
  onSaved,
  onCancel,
}: {
  indicator: Indicator | null;
  groups: Group[];
  /** The other indicators, for the order of a new one within its key task. */
  siblings: Indicator[];
  onSaved(i: Indicator, created: boolean): void;
  onCancel(): void;
}) {
  const [form] = Form.useForm<EditorValues>();
  const [caret, setCaret] = useState<Caret>({ side: "numerator", pos: Number.MAX_SAFE_INTEGER });
  const [checked, setChecked] = useState<Checked | null>(null);
  const [error, setError] = useState<string | null>(null);
  const shape = Form.useWatch("shape", form) ?? initialOf(indicator).shape;

  const formula = (): Record<Side, string> => ({
    numerator: form.getFieldValue("numerator") ?? "",
    denominator: shape === "ratio" ? (form.getFieldValue("denominator") ?? "") : "",
  });
  const showIssues = (text: Record<Side, string>, issues: Issue[]) =>
    setChecked({ text, result: { ok: issues.length === 0, issues, sources: [] } });

  const check = useMutation({
    mutationFn: (text: Record<Side, string>) =>
      call(
        api.POST("/api/indicators/check", {
          body: { numerator: text.numerator, denominator: nullIfBlank(text.denominator) },
        }),
      ).then((result) => ({ text, result })),
    onSuccess: (c) => {
      setChecked(c);
      setError(null);
    },
    onError: (e) => setError(errorText(e)),
  });

  const save = useMutation({
    mutationFn: async (v: EditorValues) => {
      const body = {
        name: v.name,
        groupCode: v.groupCode ?? null,
        numerator: v.numerator,
        denominator: v.shape === "ratio" ? nullIfBlank(v.denominator) : null,
        factor: v.factor,
        unit: v.unit ?? "",
        decimals: v.decimals,
        better: v.better,
        periodType: v.periodType,
        cityOnly: v.cityOnly,
        numeratorLabel: nullIfBlank(v.numeratorLabel),
        denominatorLabel: v.shape === "ratio" ? nullIfBlank(v.denominatorLabel) : null,
        description: nullIfBlank(v.description),
        source: nullIfBlank(v.source),
        ordinal: v.ordinal,
      };
      return indicator
        ? call(api.PATCH("/api/indicators/{code}", { params: { path: { code: indicator.code } }, body }))
        : call(api.POST("/api/indicators", { body: { ...body, code: v.code } }));
    },
    onSuccess: (i) => {
      setError(null);
      setChecked(null);
      onSaved(i, !indicator);
    },
    onError: (e) => {
      const issues = issuesOf(e);
      if (issues.length) {
        showIssues(formula(), issues);
        setError("公式有误，请按提示修改后再保存");
      } else setError(errorText(e));
    },
  });

  /** Inserts catalogue text at the caret of the expression field last used. */
  const insert = (text: string) => {
    const side = caret.side === "denominator" && shape === "ratio" ? "denominator" : "numerator";
    const current: string = form.getFieldValue(side) ?? "";
    const pos = Math.min(caret.pos, current.length);
    form.setFieldValue(side, current.slice(0, pos) + text + current.slice(pos));
    setChecked(null);
    setCaret({ side, pos: pos + text.length });
  };

  const issuesFor = (side: Side) => checked?.result.issues.filter((i) => i.side === side) ?? [];
  const formulaItem = (side: Side, label: string, placeholder: string) => (
    <Form.Item
      name={side}
      label={label}
      rules={side === "numerator" ? [{ required: true, message: "请填写分子表达式" }] : []}
      validateStatus={issuesFor(side).length ? "error" : undefined}
      help={
        issuesFor(side).length ? (
          <FormulaIssues side={side} text={checked?.text[side] ?? ""} issues={issuesFor(side)} />
        ) : undefined
      }
    >
      <FormulaInput side={side} onCaret={setCaret} placeholder={placeholder} />
    </Form.Item>
  );

  return (
    <Row gutter={16} wrap={false}>
      <Col flex="1 1 0" style={{ minWidth: 0 }}>
        {error && (
          <Alert
            type="error"
            showIcon
            title={error}
            style={{ marginBottom: 12 }}
            data-testid="editor-error"
          />
        )}
        <Form<EditorValues>
          name="indicator"
          form={form}
          layout="vertical"
          initialValues={initialOf(indicator)}
          onFinish={(v) => save.mutate(v)}
          onValuesChange={(changed: Partial<EditorValues>) => {
            // a changed expression has not been checked: its old marks would point at the wrong text
            if ("numerator" in changed || "denominator" in changed || "shape" in changed) setChecked(null);
            // a new indicator goes to the end of its key task unless an order is given
            if (changed.groupCode && !indicator && !form.isFieldTouched("ordinal"))
              form.setFieldValue(
                "ordinal",
                Math.max(
                  0,
                  ...siblings.filter((i) => i.groupCode === changed.groupCode).map((i) => i.ordinal),
                ) + 1,
              );
            if (changed.shape === "count") form.setFieldsValue({ factor: 1, unit: "所" });
            if (changed.shape === "ratio") form.setFieldsValue({ factor: 100, unit: "%" });
          }}
          requiredMark
        >
          <Row gutter={12}>
            <Col span={8}>
              <Form.Item
                name="code"
                label="代码"
                tooltip="英文字母开头，只含字母、数字、下划线、点和连字符；保存后不能修改"
                rules={[
                  { required: true, message: "请填写代码" },
                  {
                    pattern: /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/,
                    message: "代码只能含字母、数字、下划线、点和连字符，且以字母开头",
                  },
                ]}
              >
                <Input disabled={!!indicator} placeholder="如 parent_school_coverage" />
              </Form.Item>
            </Col>
            <Col span={16}>
              <Form.Item name="name" label="名称" rules={[{ required: true, message: "请填写指标名称" }]}>
                <Input maxLength={100} placeholder="如 家长学校覆盖率" />
              </Form.Item>
            </Col>
          </Row>
          <Row gutter={12}>
            <Col span={14}>
              <Form.Item name="groupCode" label="重点工作">
                <Select
                  allowClear
                  placeholder="未分组"
                  options={[...groups]
                    .sort((a, b) => a.ordinal - b.ordinal)
                    .map((g) => ({
                      value: g.code,
                      label: `${String(g.ordinal).padStart(2, "0")} ${g.name}`,
                    }))}
                  data-testid="editor-group"
                />
              </Form.Item>
            </Col>
            <Col span={10}>
              <Form.Item name="shape" label="形式">
                <Radio.Group
                  optionType="button"
                  options={[
                    { value: "ratio", label: "比率（分子÷分母）" },
                    { value: "count", label: "计数" },
                  ]}
                />
              </Form.Item>
            </Col>
          </Row>
          {formulaItem("numerator", "分子", '如 schools(value("parent_school") = 1)')}
          {shape === "ratio" && formulaItem("denominator", "分母", "如 schools()；为空时指标为计数")}
          <Space wrap style={{ marginBottom: 12 }}>
            <Button
              icon={<CheckCircleOutlined />}
              onClick={() => {
                const text = formula();
                if (!text.numerator.trim())
                  showIssues(text, [{ side: "numerator", message: "表达式为空", start: 0, end: 0 }]);
                else check.mutate(text);
              }}
              loading={check.isPending}
              data-testid="formula-check"
            >
              校验
            </Button>
            {checked?.result.ok && (
              <Typography.Text type="success" data-testid="formula-ok">
                公式有效
                {checked.result.sources.length > 0 &&
                  `，数据来源：${checked.result.sources.map((s) => sourceLabels[s] ?? s).join("、")}`}
              </Typography.Text>
            )}
            {checked && !checked.result.ok && (
              <Typography.Text type="danger">共 {checked.result.issues.length} 处错误，见上</Typography.Text>
            )}
          </Space>
          <Row gutter={12}>
            <Col span={6}>
              <Form.Item
                name="factor"
                label="倍数"
                tooltip="百分比为 100"
                rules={[{ required: true, message: "请填写倍数" }]}
              >
                <InputNumber min={0.000001} style={{ width: "100%" }} />
              </Form.Item>
            </Col>
            <Col span={6}>
              <Form.Item name="unit" label="单位">
                <Input maxLength={20} placeholder="%、所、人" />
              </Form.Item>
            </Col>
            <Col span={6}>
              <Form.Item name="decimals" label="小数位">
                <InputNumber min={0} max={6} precision={0} style={{ width: "100%" }} />
              </Form.Item>
            </Col>
            <Col span={6}>
              <Form.Item name="periodType" label="统计期类型">
                <Select
                  options={Object.entries(periodTypeLabels).map(([value, label]) => ({ value, label }))}
                />
              </Form.Item>
            </Col>
          </Row>
          <Row gutter={12}>
            <Col span={8}>
              <Form.Item name="better" label="方向（排名）">
                <Select
                  options={[
                    { value: "higher", label: "越高越好" },
                    { value: "lower", label: "越低越好" },
                  ]}
                />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item name="numeratorLabel" label="分子说明">
                <Input placeholder="如 建有家长学校的学校数" />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item name="denominatorLabel" label="分母说明">
                <Input disabled={shape !== "ratio"} placeholder="如 学校数" />
              </Form.Item>
            </Col>
          </Row>
          <Row gutter={12}>
            <Col span={12}>
              <Form.Item name="source" label="口径和依据">
                <Input placeholder="如 2022年全市教育工作要点 第二条" />
              </Form.Item>
            </Col>
            <Col span={6}>
              <Form.Item
                name="cityOnly"
                label="统计层级"
                tooltip="仅市级：只对全市整体有意义（如市级教研员），县级驾驶舱和各县的下钻不显示"
              >
                <Select
                  data-testid="editor-city-only"
                  options={[
                    { value: false, label: "全市、各县、学校" },
                    { value: true, label: "仅市级" },
                  ]}
                />
              </Form.Item>
            </Col>
            <Col span={6}>
              <Form.Item name="ordinal" label="排序">
                <InputNumber min={0} max={9999} precision={0} style={{ width: "100%" }} />
              </Form.Item>
            </Col>
          </Row>
          <Form.Item name="description" label="说明">
            <Input.TextArea rows={2} maxLength={4000} />
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="editor-save">
              {indicator ? "保存修改" : "保存指标"}
            </Button>
            <Button onClick={onCancel}>取消</Button>
          </Space>
        </Form>
      </Col>
      <Col flex="0 0 380px">
        <Card size="small" title="可用名称" style={{ position: "sticky", top: 0 }}>
          <CataloguePanel
            onInsert={insert}
            onExample={(numerator, denominator) => {
              form.setFieldsValue({ numerator, denominator, shape: denominator ? "ratio" : "count" });
              form.setFieldsValue(denominator ? { factor: 100, unit: "%" } : { factor: 1, unit: "所" });
              setChecked(null);
            }}
          />
        </Card>
      </Col>
    </Row>
  );
}
