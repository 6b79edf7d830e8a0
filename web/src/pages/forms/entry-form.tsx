import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Card,
  Collapse,
  Descriptions,
  Divider,
  Form,
  Input,
  InputNumber,
  Modal,
  Radio,
  Space,
  Table,
  Timeline,
  Typography,
} from "antd";
import { useMemo, useState } from "react";
import { ApiError, api, call } from "../../api/client";
import { LoadError, PageLoading } from "../../components/page-state";
import { type Entry, type FormDetail, fmtTime, StatusTag } from "./common";

type Element = FormDetail["elements"][number];
type Action = "approve" | "return" | "accept" | "reopen";
const actionPaths = {
  submit: "/api/forms/{code}/periods/{period}/entries/{orgCode}/submit",
  approve: "/api/forms/{code}/periods/{period}/entries/{orgCode}/approve",
  return: "/api/forms/{code}/periods/{period}/entries/{orgCode}/return",
  accept: "/api/forms/{code}/periods/{period}/entries/{orgCode}/accept",
  reopen: "/api/forms/{code}/periods/{period}/entries/{orgCode}/reopen",
} as const;
const key = (element: string, combo = "") => (combo ? `${element}:${combo}` : element);

/** One value's control; Form.Item hands it `value` and `onChange`, passed on to the control. */
function ValueInput({
  el,
  disabled,
  ...bound
}: {
  el: Element;
  disabled: boolean;
  value?: unknown;
  onChange?: (v: unknown) => void;
}) {
  const rest = bound as Record<string, never>;
  if (el.valueType === "boolean")
    return (
      <Radio.Group {...rest} disabled={disabled} id={el.code} aria-label={el.name}>
        <Radio value={true}>是</Radio>
        <Radio value={false}>否</Radio>
      </Radio.Group>
    );
  if (el.valueType === "choice")
    return (
      <Radio.Group {...rest} disabled={disabled} id={el.code} aria-label={el.name}>
        {el.options.map((o) => (
          <Radio key={o.code} value={o.code}>
            {o.name}
          </Radio>
        ))}
      </Radio.Group>
    );
  if (el.valueType === "text")
    return <Input {...rest} disabled={disabled} maxLength={2000} id={el.code} aria-label={el.name} />;
  return (
    <InputNumber
      {...rest}
      id={el.code}
      aria-label={el.name}
      disabled={disabled}
      style={{ width: 180 }}
      min={el.valueType === "percentage" ? 0 : undefined}
      max={el.valueType === "percentage" ? 100 : undefined}
      precision={el.valueType === "integer" ? 0 : undefined}
      suffix={el.unit ?? (el.valueType === "percentage" ? "%" : undefined)}
    />
  );
}

/** One org unit's return: the values by section, issues, actions allowed to the user, trail and history. */
export function EntryForm({ form, period, org }: { form: FormDetail; period: string; org: string }) {
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [antForm] = Form.useForm();
  const [commentFor, setCommentFor] = useState<Action | null>(null);
  const [comment, setComment] = useState("");
  const [error, setError] = useState<string | null>(null);
  const params = { path: { code: form.code, period, orgCode: org } };
  const entryKey = ["forms", "entry", form.code, period, org];
  const entry = useQuery({
    queryKey: entryKey,
    queryFn: () => call(api.GET("/api/forms/{code}/periods/{period}/entries/{orgCode}", { params })),
  });
  const history = useQuery({
    queryKey: [...entryKey, "history"],
    queryFn: () => call(api.GET("/api/forms/{code}/periods/{period}/entries/{orgCode}/history", { params })),
  });
  const initial = useMemo(
    () =>
      Object.fromEntries((entry.data?.values ?? []).map((v) => [key(v.element, v.disaggregation), v.value])),
    [entry.data],
  );
  const done = (e: Entry, text: string) => {
    setError(null);
    message.success(text);
    queryClient.setQueryData(entryKey, e);
    void queryClient.invalidateQueries({ queryKey: ["forms"] });
  };
  const fail = (e: unknown) => setError(e instanceof ApiError ? e.message : String(e));
  const save = useMutation({
    mutationFn: (submit: boolean) => {
      const v = antForm.getFieldsValue(true) as Record<string, unknown>;
      const values = form.elements.flatMap((el) =>
        (el.disaggregation.length ? el.disaggregation.map((c) => c.code) : [""]).map((combo) => ({
          element: el.code,
          disaggregation: combo,
          value: (v[key(el.code, combo)] ?? null) as number | boolean | string | null,
        })),
      );
      return call(
        api.PUT("/api/forms/{code}/periods/{period}/entries/{orgCode}", { params, body: { values, submit } }),
      );
    },
    onSuccess: (e, submit) => done(e, submit ? "已上报" : "已保存"),
    onError: fail,
  });
  const act = useMutation({
    mutationFn: ({ action, text }: { action: Action | "submit"; text?: string }) =>
      call(
        api.POST(actionPaths[action], {
          params,
          body: { comment: text ?? null },
        }),
      ),
    onSuccess: (e) => {
      setCommentFor(null);
      setComment("");
      done(e, `${e.statusLabel}`);
    },
    onError: fail,
  });

  if (entry.isLoading) return <PageLoading />;
  if (entry.error || !entry.data) return <LoadError error={entry.error} onRetry={() => entry.refetch()} />;
  const e = entry.data;
  const editable = e.can.save;
  const sections = [...new Set(form.elements.map((el) => el.section ?? ""))];

  return (
    <Card
      key={`${form.code}/${period}/${org}/${e.updatedAt ?? ""}`}
      title={
        <Space>
          <span>{e.orgUnit.name}</span>
          <Typography.Text type="secondary">
            {e.form.name} · {e.period.label}
          </Typography.Text>
          <StatusTag status={e.status} />
        </Space>
      }
      extra={
        <Space wrap>
          {e.can.approve && (
            <Button type="primary" onClick={() => act.mutate({ action: "approve" })} loading={act.isPending}>
              审核通过
            </Button>
          )}
          {e.can.return && (
            <Button danger onClick={() => setCommentFor("return")}>
              退回
            </Button>
          )}
          {e.can.accept && (
            <Button type="primary" onClick={() => act.mutate({ action: "accept" })} loading={act.isPending}>
              确认
            </Button>
          )}
          {e.can.reopen && <Button onClick={() => setCommentFor("reopen")}>重新打开</Button>}
        </Space>
      }
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      {e.status === "returned" && e.comment && (
        <Alert type="warning" showIcon title={`已退回：${e.comment}`} style={{ marginBottom: 12 }} />
      )}
      {e.status === "accepted" && (
        <Alert type="success" showIcon title="市级已确认，数据已锁定" style={{ marginBottom: 12 }} />
      )}
      {e.period.locked && !["approved", "accepted"].includes(e.status) && (
        <Alert
          type="info"
          showIcon
          title={`已过截止日期（${e.period.dueDate}），报表已锁定`}
          style={{ marginBottom: 12 }}
        />
      )}
      {e.issues.length > 0 && e.status !== "none" && (
        <Alert
          type="warning"
          showIcon
          title="以下问题需在上报前解决"
          description={
            <ul style={{ margin: 0, paddingLeft: 18 }}>
              {e.issues.map((i) => (
                <li key={`${i.element}:${i.disaggregation ?? ""}:${i.message}`}>{i.message}</li>
              ))}
            </ul>
          }
          style={{ marginBottom: 12 }}
        />
      )}
      <Form
        form={antForm}
        layout="horizontal"
        labelCol={{ span: 8 }}
        wrapperCol={{ span: 16 }}
        initialValues={initial}
      >
        {sections.map((s) => (
          <div key={s}>
            {s && <Divider titlePlacement="start">{s}</Divider>}
            {form.elements
              .filter((el) => (el.section ?? "") === s)
              .map((el) =>
                el.disaggregation.length ? (
                  <Form.Item
                    key={el.code}
                    label={el.name}
                    required={el.required}
                    tooltip={el.description ?? undefined}
                  >
                    <Space wrap>
                      {el.disaggregation.map((c) => (
                        <Form.Item key={c.code} name={key(el.code, c.code)} noStyle>
                          <InputNumber
                            disabled={!editable}
                            prefix={c.name}
                            suffix={el.unit ?? undefined}
                            style={{ width: 190 }}
                            precision={el.valueType === "integer" ? 0 : undefined}
                            aria-label={`${el.name}${c.name}`}
                          />
                        </Form.Item>
                      ))}
                      <Typography.Text type="secondary">
                        合计 {initial[key(el.code)] == null ? "—" : String(initial[key(el.code)])}
                      </Typography.Text>
                    </Space>
                  </Form.Item>
                ) : (
                  <Form.Item
                    key={el.code}
                    name={key(el.code)}
                    label={el.name}
                    required={el.required}
                    tooltip={el.description ?? undefined}
                  >
                    <ValueInput el={el} disabled={!editable} />
                  </Form.Item>
                ),
              )}
          </div>
        ))}
        {form.ruleTexts.length > 0 && (
          <Typography.Paragraph type="secondary" style={{ marginLeft: "33%" }}>
            校验规则：{form.ruleTexts.join("；")}
          </Typography.Paragraph>
        )}
        {editable && (
          <Form.Item wrapperCol={{ offset: 8 }}>
            <Space>
              <Button onClick={() => save.mutate(false)} loading={save.isPending && !save.variables}>
                保存草稿
              </Button>
              {e.can.submit && (
                <Button
                  type="primary"
                  onClick={() => save.mutate(true)}
                  loading={save.isPending && save.variables}
                >
                  上报
                </Button>
              )}
            </Space>
          </Form.Item>
        )}
      </Form>
      <Collapse
        items={[
          {
            key: "trail",
            label: `审核记录（${e.events.length}）`,
            children: (
              <Timeline
                items={e.events.map((ev) => ({
                  content: `${fmtTime(ev.at)} ${ev.actorName} ${ev.actionLabel}${
                    ev.comment ? `：${ev.comment}` : ""
                  }`,
                }))}
              />
            ),
          },
          {
            key: "history",
            label: "数据修改记录",
            children: (
              <Table
                size="small"
                rowKey={(r) => `${r.changedAt}${r.element}${r.disaggregation}`}
                dataSource={history.data ?? []}
                pagination={{ pageSize: 10 }}
                columns={[
                  {
                    title: "时间",
                    dataIndex: "changedAt",
                    render: (v: string) => fmtTime(v),
                  },
                  { title: "修改人", dataIndex: "changedBy" },
                  {
                    title: "数据项",
                    render: (_, r) => `${r.elementName}${r.disaggregation ? `·${r.disaggregation}` : ""}`,
                  },
                  { title: "原值", dataIndex: "oldValue", render: (v) => v ?? "—" },
                  { title: "新值", dataIndex: "newValue", render: (v) => v ?? "—" },
                  { title: "方式", dataIndex: "via", render: (v) => (v === "import" ? "导入" : "填报") },
                ]}
              />
            ),
          },
        ]}
      />
      <Descriptions size="small" style={{ marginTop: 12 }} column={3}>
        <Descriptions.Item label="截止日期">{e.period.dueDate}</Descriptions.Item>
        <Descriptions.Item label="最后更新">{fmtTime(e.updatedAt)}</Descriptions.Item>
      </Descriptions>
      <Modal
        open={commentFor !== null}
        title={commentFor === "return" ? "退回意见" : "重新打开的原因"}
        okText={commentFor === "return" ? "退回" : "重新打开"}
        onCancel={() => setCommentFor(null)}
        onOk={() => commentFor && act.mutate({ action: commentFor, text: comment })}
        confirmLoading={act.isPending}
      >
        <Input.TextArea
          rows={3}
          value={comment}
          onChange={(ev) => setComment(ev.target.value)}
          maxLength={1000}
        />
      </Modal>
    </Card>
  );
}
