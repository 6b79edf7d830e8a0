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
  Modal,
  Radio,
  Space,
  Table,
  Timeline,
  Typography,
} from "antd";
import { type ReactNode, useMemo, useState } from "react";
import { ApiError, api, call } from "../../api/client";
import { LoadError, PageLoading } from "../../components/page-state";
import { type Entry, type FormDetail, fmtTime, StatusTag } from "./common";
import { checkReturn, type FormRule, type FormValue, isNumeric, missingRequired, valueKey } from "./engine";

type Element = FormDetail["elements"][number];
type Action = "approve" | "return" | "accept" | "reopen";
const actionPaths = {
  submit: "/api/forms/{code}/periods/{period}/entries/{orgCode}/submit",
  approve: "/api/forms/{code}/periods/{period}/entries/{orgCode}/approve",
  return: "/api/forms/{code}/periods/{period}/entries/{orgCode}/return",
  accept: "/api/forms/{code}/periods/{period}/entries/{orgCode}/accept",
  reopen: "/api/forms/{code}/periods/{period}/entries/{orgCode}/reopen",
} as const;
const key = valueKey;
/** What a number looks like half-typed ("-", "12.", "1,"): not flagged while its field has the focus. */
const partialNumber = /^[-+]?(\d[\d,，]*[.．]?)?$/;

/** The keys (element, element:combo) of an element's controls. */
const combosOf = (el: Element) => (el.disaggregation.length ? el.disaggregation.map((c) => c.code) : [""]);

/**
 * One value's control; Form.Item hands it `value` and `onChange`, passed on to the control. A
 * number is typed as text (and read by the engine as the server reads it), so that "1.5" in an
 * integer field or "abc" stays visible with its error instead of being rounded or dropped.
 */
function ValueInput({
  el,
  disabled,
  invalid,
  prefix,
  label,
  onFocus,
  onBlur,
  ...bound
}: {
  el: Element;
  disabled: boolean;
  invalid?: boolean;
  prefix?: string;
  label: string;
  onFocus?: () => void;
  onBlur?: () => void;
  id?: string;
  value?: unknown;
  onChange?: (v: unknown) => void;
}) {
  const rest = bound as Record<string, never>;
  if (el.valueType === "boolean")
    return (
      <Radio.Group {...rest} disabled={disabled} id={el.code} aria-label={label}>
        <Radio value={true}>是</Radio>
        <Radio value={false}>否</Radio>
      </Radio.Group>
    );
  if (el.valueType === "choice")
    return (
      <Radio.Group {...rest} disabled={disabled} id={el.code} aria-label={label}>
        {el.options.map((o) => (
          <Radio key={o.code} value={o.code}>
            {o.name}
          </Radio>
        ))}
      </Radio.Group>
    );
  if (el.valueType === "text")
    return (
      <Input
        {...rest}
        disabled={disabled}
        maxLength={2000}
        prefix={prefix}
        id={bound.id ?? el.code}
        aria-label={label}
        status={invalid ? "error" : undefined}
      />
    );
  return (
    <Input
      {...rest}
      id={bound.id ?? el.code}
      aria-label={label}
      aria-invalid={invalid || undefined}
      disabled={disabled}
      inputMode={el.valueType === "integer" ? "numeric" : "decimal"}
      autoComplete="off"
      status={invalid ? "error" : undefined}
      style={{ width: prefix ? 190 : 180 }}
      prefix={prefix}
      suffix={el.unit ?? (el.valueType === "percentage" ? "%" : undefined)}
      onFocus={onFocus}
      onBlur={onBlur}
    />
  );
}

/** Messages under a field, one a line. */
const helpOf = (messages: string[]): ReactNode =>
  messages.length ? messages.map((m) => <div key={m}>{m}</div>) : undefined;

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
  const byCode = useMemo(() => new Map(form.elements.map((el) => [el.code, el])), [form.elements]);
  // the controls' values: a number as the text a person would type
  const initial = useMemo(
    () =>
      Object.fromEntries(
        (entry.data?.values ?? []).map((v) => {
          const el = byCode.get(v.element);
          const shown =
            el && isNumeric(el.valueType) && typeof v.value === "number" ? String(v.value) : v.value;
          return [key(v.element, v.disaggregation), shown];
        }),
      ),
    [entry.data, byCode],
  );
  // the return as typed, checked on every change with the server's engine and the form's own rules
  const typed = Form.useWatch([], antForm) as Record<string, unknown> | undefined;
  const [focused, setFocused] = useState<string | null>(null);
  const [submitTried, setSubmitTried] = useState(false);
  const rules = form.rules as FormRule[];
  const check = useMemo(
    () => checkReturn(form.elements, rules, typed ?? initial),
    [form.elements, rules, typed, initial],
  );
  const fieldErrors = useMemo(() => {
    const m = new Map<string, string[]>();
    const add = (k: string, msg: string) => m.set(k, [...(m.get(k) ?? []), msg]);
    const raw = typed ?? initial;
    for (const i of check.badValues) {
      const k = key(i.element, i.disaggregation);
      // a number half-typed in the field being edited is not yet wrong
      if (
        k === focused &&
        partialNumber.test(
          String(raw[k] ?? "")
            .normalize("NFKC")
            .trim(),
        )
      )
        continue;
      add(k, i.message);
    }
    for (const i of check.brokenRules) add(key(i.element, i.disaggregation), i.message);
    if (submitTried)
      for (const i of missingRequired(form.elements, check.values))
        add(key(i.element, i.disaggregation), i.message);
    return m;
  }, [check, focused, typed, initial, submitTried, form.elements]);
  const errorsOf = (el: Element) => [
    ...(fieldErrors.get(key(el.code)) ?? []),
    ...el.disaggregation.flatMap((c) => fieldErrors.get(key(el.code, c.code)) ?? []),
  ];
  const focusProps = (k: string) => ({
    onFocus: () => setFocused(k),
    onBlur: () => setFocused((f) => (f === k ? null : f)),
  });
  const done = (e: Entry, text: string) => {
    setError(null);
    message.success(text);
    queryClient.setQueryData(entryKey, e);
    void queryClient.invalidateQueries({ queryKey: ["forms"] });
  };
  const fail = (e: unknown) => setError(e instanceof ApiError ? e.message : String(e));
  const save = useMutation({
    mutationFn: ({ submit, values: read }: { submit: boolean; values: Map<string, FormValue> }) => {
      const values = form.elements.flatMap((el) =>
        combosOf(el).map((combo) => ({
          element: el.code,
          disaggregation: combo,
          value: read.get(key(el.code, combo)) ?? null,
        })),
      );
      return call(
        api.PUT("/api/forms/{code}/periods/{period}/entries/{orgCode}", { params, body: { values, submit } }),
      );
    },
    onSuccess: (e, { submit }) => {
      setSubmitTried(false);
      done(e, submit ? "已上报" : "已保存");
    },
    onError: fail,
  });
  /**
   * Saves (or submits) what is typed. What the server would refuse is shown on the fields first and
   * not sent: a value it cannot read refuses any save; a broken rule or a missing required value
   * refuses a submission (a draft keeps them as issues). The server checks again either way.
   */
  const trySave = (submit: boolean) => {
    const now = checkReturn(form.elements, rules, antForm.getFieldsValue(true) as Record<string, unknown>);
    setFocused(null);
    const blocking = submit
      ? [...now.badValues, ...now.brokenRules, ...missingRequired(form.elements, now.values)]
      : now.badValues;
    if (submit) setSubmitTried(true);
    if (blocking.length) {
      setError(null);
      message.error(
        `有 ${blocking.length} 处需要更正（见标红的数据项），更正后再${submit ? "上报" : "保存"}`,
      );
      antForm.scrollToField(key(blocking[0].element, blocking[0].disaggregation), { block: "center" });
      return;
    }
    save.mutate({ submit, values: now.values });
  };
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
          title="已保存的数据有以下问题，需在上报前解决"
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
                    validateStatus={errorsOf(el).length ? "error" : undefined}
                    help={helpOf(errorsOf(el))}
                  >
                    <Space wrap>
                      {el.disaggregation.map((c) => (
                        <Form.Item key={c.code} name={key(el.code, c.code)} noStyle>
                          <ValueInput
                            el={el}
                            disabled={!editable}
                            prefix={c.name}
                            label={`${el.name}${c.name}`}
                            invalid={
                              (fieldErrors.get(key(el.code, c.code))?.length ?? 0) > 0 ||
                              (fieldErrors.get(key(el.code))?.length ?? 0) > 0
                            }
                            {...focusProps(key(el.code, c.code))}
                          />
                        </Form.Item>
                      ))}
                      {isNumeric(el.valueType) && (
                        <Typography.Text type="secondary" data-testid={`total-${el.code}`}>
                          合计 {check.values.get(key(el.code)) ?? "—"}
                          {check.values.get(key(el.code)) != null && el.unit ? ` ${el.unit}` : ""}
                        </Typography.Text>
                      )}
                    </Space>
                  </Form.Item>
                ) : (
                  <Form.Item
                    key={el.code}
                    name={key(el.code)}
                    label={el.name}
                    required={el.required}
                    tooltip={el.description ?? undefined}
                    validateStatus={errorsOf(el).length ? "error" : undefined}
                    help={helpOf(errorsOf(el))}
                  >
                    <ValueInput
                      el={el}
                      disabled={!editable}
                      label={el.name}
                      invalid={errorsOf(el).length > 0}
                      {...focusProps(key(el.code))}
                    />
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
              <Button onClick={() => trySave(false)} loading={save.isPending && !save.variables?.submit}>
                保存草稿
              </Button>
              {e.can.submit && (
                <Button
                  type="primary"
                  onClick={() => trySave(true)}
                  loading={save.isPending && save.variables?.submit}
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
