import { PaperClipOutlined, QuestionCircleOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Empty,
  Form,
  Input,
  Space,
  Tag,
  Timeline,
  Typography,
} from "antd";
import { useState } from "react";
import { useParams } from "react-router";
import { type ApiData, ApiError, api, call } from "../../api/client";
import { LoadError, PageLoading } from "../../components/page-state";
import { StepForm, type StepValues } from "./step-form";

type Detail = ApiData<"/api/cases/{id}", "get">;
type Step = Detail["steps"][number];

const time = (iso: string | null) => (iso ? new Date(iso).toLocaleString("zh-CN", { hour12: false }) : "");

/**
 * One report (or training enforcement case): what was reported, the timeline with attachments, the
 * steps the officer may take, and — for a report filed with a receipt — the questions to the
 * reporter and their answers. All text is rendered as text.
 */
export default function CaseViewPage() {
  const id = Number(useParams().id);
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [step, setStep] = useState<Step | null>(null);
  const [stepError, setStepError] = useState<string | null>(null);
  const detail = useQuery({
    queryKey: ["case", id],
    queryFn: () => call(api.GET("/api/cases/{id}", { params: { path: { id } } })),
  });
  const isReport = detail.data?.kind === "report" || detail.data?.kind === "training";
  const extra = useQuery({
    queryKey: ["case", id, "extra"],
    queryFn: () => call(api.GET("/api/reports/{caseId}/extra", { params: { path: { caseId: id } } })),
    enabled: isReport,
  });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ["case", id] });
  const take = useMutation({
    mutationFn: (v: StepValues) =>
      call(
        api.POST("/api/cases/{id}/steps", {
          params: { path: { id } },
          body: { step: v.step, fields: v.fields, comment: v.comment, attachments: v.attachments },
        }),
      ),
    onSuccess: () => {
      setStep(null);
      setStepError(null);
      message.success("已办理");
      refresh();
      void queryClient.invalidateQueries({ queryKey: ["cases"] });
    },
    onError: (e) => setStepError(e instanceof ApiError ? e.message : String(e)),
  });
  const ask = useMutation({
    mutationFn: (question: string) =>
      call(
        api.POST("/api/reports/{caseId}/questions", { params: { path: { caseId: id } }, body: { question } }),
      ),
    onSuccess: () => {
      message.success("已向举报人提问，举报人凭查询码查看并答复");
      refresh();
    },
    onError: (e) => message.error(e instanceof ApiError ? e.message : String(e)),
  });
  const [askForm] = Form.useForm<{ question: string }>();

  if (detail.isLoading) return <PageLoading />;
  if (detail.isError || !detail.data)
    return <LoadError error={detail.error} onRetry={() => void detail.refetch()} />;
  const d = detail.data;

  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <Card
        title={
          <Space>
            <Typography.Text type="secondary">{d.ref}</Typography.Text>
            <span data-testid="case-title">{d.title}</span>
          </Space>
        }
        extra={
          <Space wrap>
            {d.steps.map((s) => (
              <Button
                key={s.code}
                type="primary"
                ghost
                onClick={() => setStep(s)}
                data-testid={`step-${s.code}`}
              >
                {s.label}
              </Button>
            ))}
          </Space>
        }
      >
        <Descriptions column={{ xs: 1, md: 3 }} size="small" bordered>
          <Descriptions.Item label="类型">{d.kindName}</Descriptions.Item>
          <Descriptions.Item label="状态">
            <Tag color={d.stateColor ?? undefined} data-testid="case-state">
              {d.stateLabel}
            </Tag>
            {d.overdue && <Tag color="red">逾期</Tag>}
          </Descriptions.Item>
          <Descriptions.Item label="办理期限">{time(d.dueAt)}</Descriptions.Item>
          <Descriptions.Item label="涉及单位">{d.orgUnitName}</Descriptions.Item>
          <Descriptions.Item label="类别">{d.categoryLabel}</Descriptions.Item>
          <Descriptions.Item label="来源">{d.sourceLabel}</Descriptions.Item>
          {d.data.map((f) => (
            <Descriptions.Item key={f.name} label={f.label} span={f.value.length > 40 ? 3 : 1}>
              <span style={{ whiteSpace: "pre-wrap" }}>{f.value}</span>
            </Descriptions.Item>
          ))}
        </Descriptions>
      </Card>
      {isReport && extra.data?.viaReceipt && (
        <Card
          title={
            <Space>
              <QuestionCircleOutlined />
              与举报人沟通
              {extra.data.anonymous ? <Tag>匿名</Tag> : <Tag color="blue">实名</Tag>}
            </Space>
          }
        >
          {extra.data.contact && (
            <Alert
              style={{ marginBottom: 12 }}
              type="warning"
              showIcon
              title={`实名举报人：${extra.data.contact.name}　${extra.data.contact.phone ?? ""}　${extra.data.contact.email ?? ""}`}
              description="举报人信息严格保密，不得向被举报人或无关人员透露。"
            />
          )}
          {extra.data.questions.length === 0 ? (
            <Empty description="尚未提问" image={Empty.PRESENTED_IMAGE_SIMPLE} />
          ) : (
            <div>
              {extra.data.questions.map((q) => (
                <div
                  key={q.id}
                  style={{ padding: "12px 0", borderBottom: "1px solid #f0f0f0" }}
                  data-testid={`q-${q.id}`}
                >
                  <div style={{ width: "100%" }}>
                    <Typography.Text type="secondary">问（{time(q.askedAt)}）：</Typography.Text>
                    <span style={{ whiteSpace: "pre-wrap" }}>{q.question}</span>
                    <div style={{ marginTop: 4 }}>
                      {q.answeredAt ? (
                        <>
                          <Typography.Text type="success">答（{time(q.answeredAt)}）：</Typography.Text>
                          <span style={{ whiteSpace: "pre-wrap" }} data-testid={`a-${q.id}`}>
                            {q.answer}
                          </span>
                        </>
                      ) : (
                        <Tag color="orange">待举报人答复</Tag>
                      )}
                    </div>
                  </div>
                </div>
              ))}
            </div>
          )}
          {!d.closed && (
            <Form
              form={askForm}
              layout="inline"
              style={{ marginTop: 12 }}
              onFinish={(v) => ask.mutate(v.question, { onSuccess: () => askForm.resetFields() })}
            >
              <Form.Item
                name="question"
                style={{ flex: 1 }}
                rules={[{ required: true, whitespace: true, message: "请填写问题" }]}
              >
                <Input.TextArea
                  rows={2}
                  maxLength={2000}
                  placeholder="向举报人提问（举报人凭查询码查看）"
                  data-testid="ask-input"
                />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={ask.isPending} data-testid="ask-submit">
                提问
              </Button>
            </Form>
          )}
        </Card>
      )}
      <Card title="办理过程">
        <Timeline
          items={d.events.map((e) => ({
            key: e.id,
            content: (
              <div>
                <Space wrap>
                  <Typography.Text strong>{e.stepLabel}</Typography.Text>
                  {e.toLabel && <Tag>{e.toLabel}</Tag>}
                  <Typography.Text type="secondary">
                    {e.actorName} · {time(e.at)}
                  </Typography.Text>
                </Space>
                {e.comment && <div style={{ whiteSpace: "pre-wrap" }}>{e.comment}</div>}
                {e.fields.map((f) => (
                  <div key={f.name}>
                    <Typography.Text type="secondary">{f.label}：</Typography.Text>
                    <span style={{ whiteSpace: "pre-wrap" }}>{f.value}</span>
                  </div>
                ))}
                {e.attachments.map((a) => (
                  <div key={a.sha256}>
                    <a href={a.url} target="_blank" rel="noreferrer" data-testid="attachment-link">
                      <PaperClipOutlined /> {a.name}
                    </a>
                  </div>
                ))}
              </div>
            ),
          }))}
        />
      </Card>
      <StepForm
        step={step}
        busy={take.isPending}
        error={stepError}
        onCancel={() => {
          setStep(null);
          setStepError(null);
        }}
        onSubmit={(v) => take.mutate(v)}
      />
    </Space>
  );
}
