import { PaperClipOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  App,
  Button,
  Card,
  Descriptions,
  Form,
  Image,
  Input,
  Modal,
  Space,
  Timeline,
  Typography,
} from "antd";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { api, call } from "../../api/client";
import { LoadError, PageLoading } from "../../components/page-state";
import {
  AttachmentInput,
  type CaseDetail,
  type CaseKind,
  CaseTags,
  DueCell,
  fmtTime,
  SchemaFields,
  type StepSpec,
  useKinds,
} from "./case-common";

type Event = CaseDetail["events"][number];

function EventContent({ e }: { e: Event }) {
  return (
    <Space orientation="vertical" size={4} style={{ width: "100%" }}>
      <span>
        <Typography.Text strong>{e.stepLabel}</Typography.Text>
        {e.toLabel && e.step !== "create" ? (
          <Typography.Text type="secondary"> → {e.toLabel}</Typography.Text>
        ) : null}
        <Typography.Text type="secondary" style={{ marginLeft: 12 }}>
          {e.actorName} · {fmtTime(e.at)}
        </Typography.Text>
      </span>
      {e.fields.map((f) => (
        <div key={f.name}>
          <Typography.Text type="secondary">{f.label}：</Typography.Text>
          <span style={{ whiteSpace: "pre-wrap" }}>{f.value}</span>
        </div>
      ))}
      {e.comment && <div style={{ whiteSpace: "pre-wrap" }}>{e.comment}</div>}
      {e.attachments.length > 0 && (
        <Space wrap>
          {e.attachments.map((a) =>
            a.mime.startsWith("image/") ? (
              <Image
                key={a.sha256}
                src={a.url}
                alt={a.name}
                width={96}
                height={72}
                style={{ objectFit: "cover" }}
              />
            ) : (
              <a key={a.sha256} href={a.url} download={a.name}>
                <PaperClipOutlined /> {a.name}
              </a>
            ),
          )}
        </Space>
      )}
    </Space>
  );
}

const eventColor = (step: string) =>
  step === "overdue" || step === "escalate" || step === "return" || step === "reject"
    ? "red"
    : step === "verify" || step === "approve"
      ? "green"
      : "blue";

/** One case: its facts, its timeline with comments and attachments, and the steps I may take. */
export default function CasePage() {
  const id = Number(useParams().id);
  const kinds = useKinds();
  const [step, setStep] = useState<StepSpec | null>(null);
  const detail = useQuery({
    queryKey: ["case", id],
    queryFn: () => call(api.GET("/api/cases/{id}", { params: { path: { id } } })),
  });
  if (detail.isPending) return <PageLoading />;
  if (detail.isError) return <LoadError error={detail.error} onRetry={() => void detail.refetch()} />;
  const c = detail.data;
  const kind = kinds.data?.find((k) => k.code === c.kind);
  const back =
    c.kind === "hazard" ? "/hazards" : c.kind === "supervision" ? "/supervision/findings" : "/inbox";
  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <Card
        title={
          <Space>
            <Link to={back}>{c.kindName}</Link>
            <span>/</span>
            <span data-testid="case-ref">{c.ref}</span>
            <CaseTags c={c} />
          </Space>
        }
        extra={
          <Space wrap>
            {c.steps.map((s) => (
              <Button
                key={s.code}
                type={s.comment === "required" ? "default" : "primary"}
                danger={s.code === "return" || s.code === "reject" || s.code === "hold_accountable"}
                onClick={() => setStep(s)}
                data-testid={`step-${s.code}`}
              >
                {s.label}
              </Button>
            ))}
          </Space>
        }
      >
        <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }} bordered>
          <Descriptions.Item label="标题" span={3}>
            <span data-testid="case-title">{c.title}</span>
          </Descriptions.Item>
          <Descriptions.Item label="单位">{c.orgUnitName}</Descriptions.Item>
          <Descriptions.Item label="县（市、区）">{c.countyName}</Descriptions.Item>
          <Descriptions.Item label="状态">
            <span data-testid="case-state">{c.stateLabel}</span>
          </Descriptions.Item>
          {c.categoryLabel && <Descriptions.Item label="类别">{c.categoryLabel}</Descriptions.Item>}
          {c.severityLabel && <Descriptions.Item label="等级">{c.severityLabel}</Descriptions.Item>}
          {c.sourceLabel && <Descriptions.Item label="来源">{c.sourceLabel}</Descriptions.Item>}
          <Descriptions.Item label="登记人">{c.reporterName ?? "—"}</Descriptions.Item>
          <Descriptions.Item label="登记时间">{fmtTime(c.createdAt)}</Descriptions.Item>
          <Descriptions.Item label="办理期限">
            <DueCell c={c} />
          </Descriptions.Item>
          {c.data.map((d) => (
            <Descriptions.Item key={d.name} label={d.label} span={d.value.length > 40 ? 3 : 1}>
              <span style={{ whiteSpace: "pre-wrap" }}>{d.value}</span>
            </Descriptions.Item>
          ))}
        </Descriptions>
      </Card>
      <Card title="办理记录">
        <Timeline
          data-testid="timeline"
          items={c.events.map((e) => ({
            key: e.id,
            color: eventColor(e.step),
            content: <EventContent e={e} />,
          }))}
        />
        {c.canComment && <CommentBox id={id} />}
      </Card>
      {step && <StepModal id={id} step={step} kind={kind} onClose={() => setStep(null)} />}
    </Space>
  );
}

function useCaseWrite(id: number, onDone: () => void) {
  const client = useQueryClient();
  const { message } = App.useApp();
  return {
    onSuccess: (c: CaseDetail) => {
      client.setQueryData(["case", id], c);
      void client.invalidateQueries({ queryKey: ["cases"] });
      void client.invalidateQueries({ queryKey: ["inbox"] });
      onDone();
    },
    onError: (e: Error) => message.error(e.message),
  };
}

function StepModal({
  id,
  step,
  kind,
  onClose,
}: {
  id: number;
  step: StepSpec;
  kind: CaseKind | undefined;
  onClose: () => void;
}) {
  const [form] = Form.useForm();
  const { message } = App.useApp();
  const mutation = useMutation({
    mutationFn: (v: { fields?: Record<string, unknown>; comment?: string; attachments?: string[] }) =>
      call(api.POST("/api/cases/{id}/steps", { params: { path: { id } }, body: { step: step.code, ...v } })),
    ...useCaseWrite(id, () => {
      message.success(`已${step.label}`);
      onClose();
    }),
  });
  return (
    <Modal
      open
      title={step.label}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText="确定"
      confirmLoading={mutation.isPending}
      destroyOnHidden
      width={600}
    >
      <Form form={form} layout="vertical" onFinish={(v) => mutation.mutate(v)} data-testid="step-form">
        <SchemaFields schema={step.fields} labels={step.fieldLabels} kind={kind} prefix="fields" />
        {step.evidence && (
          <Form.Item
            name="attachments"
            label={`${step.evidence.label}（至少 ${step.evidence.min} 个）`}
            rules={[
              {
                validator: (_, v?: string[]) =>
                  (v?.length ?? 0) >= step.evidence!.min
                    ? Promise.resolve()
                    : Promise.reject(new Error(`请上传${step.evidence!.label}`)),
              },
            ]}
          >
            <AttachmentInput />
          </Form.Item>
        )}
        {step.comment && (
          <Form.Item
            name="comment"
            label={step.comment === "required" ? "意见（必填）" : "意见"}
            rules={
              step.comment === "required" ? [{ required: true, whitespace: true, message: "请填写意见" }] : []
            }
          >
            <Input.TextArea rows={3} maxLength={5000} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

function CommentBox({ id }: { id: number }) {
  const [form] = Form.useForm();
  const [key, setKey] = useState(0);
  const mutation = useMutation({
    mutationFn: (v: { comment: string; attachments?: string[] }) =>
      call(api.POST("/api/cases/{id}/comments", { params: { path: { id } }, body: v })),
    ...useCaseWrite(id, () => {
      form.resetFields();
      setKey((k) => k + 1);
    }),
  });
  return (
    <Form form={form} layout="vertical" onFinish={(v) => mutation.mutate(v)} key={key}>
      <Form.Item
        name="comment"
        label="批注"
        rules={[{ required: true, whitespace: true, message: "请填写内容" }]}
      >
        <Input.TextArea rows={2} maxLength={5000} />
      </Form.Item>
      <Space>
        <Form.Item name="attachments" noStyle>
          <AttachmentInput />
        </Form.Item>
        <Button htmlType="submit" loading={mutation.isPending}>
          添加批注
        </Button>
      </Space>
    </Form>
  );
}
