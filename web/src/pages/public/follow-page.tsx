import { LockOutlined, UploadOutlined } from "@ant-design/icons";
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
  Typography,
  Upload,
} from "antd";
import type { UploadFile } from "antd/es/upload/interface";
import { useState } from "react";
import { Link } from "react-router";
import { type ApiCreated, type ApiData, ApiError, api, call, upload } from "../../api/client";
import { PublicLayout } from "./public-layout";

type Followed = ApiData<"/api/public/follow", "post">;
type Uploaded = ApiCreated<"/api/public/attachments", "post">;
interface Credentials {
  code: string;
  secret: string;
}

const time = (iso: string | null) => (iso ? new Date(iso).toLocaleString("zh-CN", { hour12: false }) : "");

/**
 * 查询办理情况: the receipt's code and secret show the report's status, the conclusion's reply and
 * the officer's questions, each answered once. The secret is sent in a POST body, never in the URL.
 */
export default function PublicFollowPage() {
  const [creds, setCreds] = useState<Credentials | null>(null);
  const [view, setView] = useState<Followed | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const follow = async (c: Credentials) => {
    setBusy(true);
    setError(null);
    try {
      setView(await call(api.POST("/api/public/follow", { body: c })));
      setCreds(c);
    } catch (e) {
      setView(null);
      setError(e instanceof ApiError ? e : new ApiError(0, "UNKNOWN", String(e)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <PublicLayout>
      <Card title="查询办理情况" extra={<Link to="/public/report">我要举报</Link>}>
        <Form<Credentials> layout="inline" onFinish={follow} disabled={busy} style={{ rowGap: 12 }}>
          <Form.Item
            name="code"
            label="查询码"
            rules={[{ required: true, whitespace: true, message: "请填写查询码" }]}
          >
            <Input
              placeholder="XXXX-XXXX-XXXX"
              style={{ width: 200 }}
              autoComplete="off"
              data-testid="follow-code"
            />
          </Form.Item>
          <Form.Item
            name="secret"
            label="查询密码"
            rules={[{ required: true, whitespace: true, message: "请填写查询密码" }]}
          >
            <Input.Password
              placeholder="XXXX-XXXX-XXXX-XXXX"
              style={{ width: 240 }}
              autoComplete="off"
              data-testid="follow-secret"
            />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="follow-submit">
            查询
          </Button>
        </Form>
        {error && (
          <Alert
            style={{ marginTop: 16 }}
            type="error"
            showIcon
            icon={error.code === "ACCOUNT_LOCKED" ? <LockOutlined /> : undefined}
            title="查询失败"
            description={error.message}
            data-testid="follow-error"
          />
        )}
      </Card>
      {view && creds && <ReportView view={view} creds={creds} onChange={setView} />}
    </PublicLayout>
  );
}

function ReportView({
  view,
  creds,
  onChange,
}: {
  view: Followed;
  creds: Credentials;
  onChange: (v: Followed) => void;
}) {
  return (
    <Card style={{ marginTop: 16 }} title="办理情况" data-testid="follow-view">
      <Descriptions column={1} bordered size="small">
        <Descriptions.Item label="查询码">{view.code}</Descriptions.Item>
        <Descriptions.Item label="事项">{view.title}</Descriptions.Item>
        <Descriptions.Item label="提交时间">{time(view.filedAt)}</Descriptions.Item>
        <Descriptions.Item label="办理状态">
          <Tag color={view.closed ? "green" : "blue"} data-testid="follow-status">
            {view.status}
          </Tag>
        </Descriptions.Item>
        {view.reply && (
          <Descriptions.Item label="答复">
            <Typography.Paragraph style={{ whiteSpace: "pre-wrap", margin: 0 }}>
              {view.reply}
            </Typography.Paragraph>
          </Descriptions.Item>
        )}
      </Descriptions>
      <Typography.Title level={5} style={{ marginTop: 24 }}>
        工作人员的提问
      </Typography.Title>
      {view.questions.length === 0 ? (
        <Empty description="暂无提问" image={Empty.PRESENTED_IMAGE_SIMPLE} />
      ) : (
        <div>
          {view.questions.map((q) => (
            <div
              key={q.id}
              style={{ padding: "12px 0", borderBottom: "1px solid #f0f0f0" }}
              data-testid={`question-${q.id}`}
            >
              <div style={{ width: "100%" }}>
                <Typography.Text type="secondary">{time(q.askedAt)}</Typography.Text>
                <Typography.Paragraph strong style={{ whiteSpace: "pre-wrap" }}>
                  {q.question}
                </Typography.Paragraph>
                {q.answeredAt ? (
                  <Alert
                    type="success"
                    title={`您已于 ${time(q.answeredAt)} 答复`}
                    description={
                      <>
                        <div style={{ whiteSpace: "pre-wrap" }}>{q.answer}</div>
                        {q.answerAttachments.length > 0 && (
                          <div>附件：{q.answerAttachments.map((a) => a.name).join("、")}</div>
                        )}
                      </>
                    }
                  />
                ) : view.closed ? (
                  <Typography.Text type="secondary">事项已办结，无需答复</Typography.Text>
                ) : (
                  <AnswerForm questionId={q.id} creds={creds} onAnswered={onChange} />
                )}
              </div>
            </div>
          ))}
        </div>
      )}
    </Card>
  );
}

function AnswerForm({
  questionId,
  creds,
  onAnswered,
}: {
  questionId: number;
  creds: Credentials;
  onAnswered: (v: Followed) => void;
}) {
  const { message } = App.useApp();
  const [files, setFiles] = useState<(UploadFile & { uploadId?: string })[]>([]);
  const [busy, setBusy] = useState(false);
  const submit = async (v: { answer: string }) => {
    setBusy(true);
    try {
      const r = await call(
        api.POST("/api/public/answer", {
          body: {
            ...creds,
            questionId,
            answer: v.answer,
            attachments: files.flatMap((f) => (f.uploadId ? [f.uploadId] : [])),
          },
        }),
      );
      message.success("答复已提交");
      onAnswered(r);
    } catch (e) {
      message.error(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form layout="vertical" onFinish={submit} disabled={busy}>
      <Form.Item name="answer" rules={[{ required: true, whitespace: true, message: "请填写答复内容" }]}>
        <Input.TextArea
          rows={3}
          maxLength={5000}
          placeholder="您的答复"
          data-testid={`answer-${questionId}`}
        />
      </Form.Item>
      <Space>
        <Upload
          accept=".jpg,.jpeg,.png,.pdf"
          fileList={files}
          onRemove={(f) => setFiles((xs) => xs.filter((x) => x.uid !== f.uid))}
          customRequest={async ({ file, onSuccess, onError }) => {
            const f = file as File & { uid: string };
            setFiles((xs) => [...xs, { uid: f.uid, name: f.name, status: "uploading" }]);
            try {
              const up = await upload<Uploaded>("/api/public/attachments", f);
              setFiles((xs) =>
                xs.map((x) =>
                  x.uid === f.uid ? { ...x, status: "done", uploadId: up.id, name: up.name } : x,
                ),
              );
              onSuccess?.(up);
            } catch (e) {
              message.error(e instanceof ApiError ? e.message : String(e));
              setFiles((xs) => xs.filter((x) => x.uid !== f.uid));
              onError?.(e as Error);
            }
          }}
        >
          <Button icon={<UploadOutlined />}>补充材料</Button>
        </Upload>
        <Button type="primary" htmlType="submit" loading={busy} data-testid={`answer-submit-${questionId}`}>
          提交答复
        </Button>
      </Space>
    </Form>
  );
}
