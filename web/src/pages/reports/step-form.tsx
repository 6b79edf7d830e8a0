import { UploadOutlined } from "@ant-design/icons";
import { Alert, Button, Form, Input, Modal, Select, Upload } from "antd";
import type { UploadFile } from "antd/es/upload/interface";
import { useState } from "react";
import { type ApiCreated, type ApiData, ApiError, upload } from "../../api/client";

type Step = ApiData<"/api/cases/{id}", "get">["steps"][number];
type Uploaded = ApiCreated<"/api/files", "post">;
interface JsonSchema {
  type?: string;
  enum?: string[];
  maxLength?: number;
  pattern?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

export interface StepValues {
  step: string;
  fields: Record<string, unknown>;
  comment?: string;
  attachments: string[];
}

/**
 * The form of one step of a case, drawn from the step's JSON Schema (the kind's zod schema on the
 * server): text, long text, choice, date. The server validates again and names every bad field.
 */
export function StepForm({
  step,
  busy,
  error,
  onCancel,
  onSubmit,
}: {
  step: Step | null;
  busy: boolean;
  error: string | null;
  onCancel: () => void;
  onSubmit: (v: StepValues) => void;
}) {
  const [form] = Form.useForm();
  const [files, setFiles] = useState<(UploadFile & { uploadId?: string })[]>([]);
  const schema = (step?.fields ?? null) as JsonSchema | null;
  const props = Object.entries(schema?.properties ?? {});
  return (
    <Modal
      open={step !== null}
      title={step?.label}
      okText="确定"
      confirmLoading={busy}
      onCancel={onCancel}
      onOk={() => form.submit()}
      destroyOnHidden
      afterClose={() => {
        form.resetFields();
        setFiles([]);
      }}
    >
      {error && (
        <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="step-error" />
      )}
      <Form
        form={form}
        layout="vertical"
        onFinish={(v: Record<string, unknown>) => {
          const { comment, ...fields } = v;
          onSubmit({
            step: step!.code,
            fields: Object.fromEntries(Object.entries(fields).filter(([, x]) => x !== undefined && x !== "")),
            comment: (comment as string | undefined) || undefined,
            attachments: files.flatMap((f) => (f.uploadId ? [f.uploadId] : [])),
          });
        }}
      >
        {props.map(([name, p]) => {
          const label = step?.fieldLabels[name] ?? name;
          const required = schema?.required?.includes(name) ?? false;
          const rules = required ? [{ required: true, whitespace: true, message: `请填写${label}` }] : [];
          return (
            <Form.Item key={name} name={name} label={label} rules={rules} extra={p.description}>
              {p.enum ? (
                <Select options={p.enum.map((x) => ({ value: x, label: x }))} data-testid={`field-${name}`} />
              ) : p.pattern?.includes("\\d{4}-\\d{2}-\\d{2}") ? (
                <Input placeholder="YYYY-MM-DD" data-testid={`field-${name}`} />
              ) : (p.maxLength ?? 0) > 200 ? (
                <Input.TextArea rows={3} maxLength={p.maxLength} data-testid={`field-${name}`} />
              ) : (
                <Input maxLength={p.maxLength} data-testid={`field-${name}`} />
              )}
            </Form.Item>
          );
        })}
        {step?.comment && (
          <Form.Item
            name="comment"
            label="意见或说明"
            rules={
              step.comment === "required"
                ? [{ required: true, whitespace: true, message: "请填写意见或说明" }]
                : []
            }
          >
            <Input.TextArea rows={3} maxLength={5000} data-testid="field-comment" />
          </Form.Item>
        )}
        {step?.evidence && (
          <Form.Item label={`${step.evidence.label}（至少 ${step.evidence.min} 个）`}>
            <Upload
              accept=".jpg,.jpeg,.png,.pdf"
              fileList={files}
              onRemove={(f) => setFiles((xs) => xs.filter((x) => x.uid !== f.uid))}
              customRequest={async ({ file, onSuccess, onError }) => {
                const f = file as File & { uid: string };
                setFiles((xs) => [...xs, { uid: f.uid, name: f.name, status: "uploading" }]);
                try {
                  const up = await upload<Uploaded>("/api/files", f);
                  setFiles((xs) =>
                    xs.map((x) => (x.uid === f.uid ? { ...x, status: "done", uploadId: up.id } : x)),
                  );
                  onSuccess?.(up);
                } catch (e) {
                  setFiles((xs) =>
                    xs.map((x) =>
                      x.uid === f.uid
                        ? { ...x, status: "error", response: e instanceof ApiError ? e.message : String(e) }
                        : x,
                    ),
                  );
                  onError?.(e as Error);
                }
              }}
            >
              <Button icon={<UploadOutlined />}>上传</Button>
            </Upload>
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
