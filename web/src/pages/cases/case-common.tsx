import { PaperClipOutlined, UploadOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Button, DatePicker, Form, Input, Select, Space, Tag, Upload } from "antd";
import dayjs from "dayjs";
import { useEffect, useRef, useState } from "react";
import { type ApiData, api, call, upload } from "../../api/client";

export type CaseItem = ApiData<"/api/cases", "get">["items"][number];
export type CaseDetail = ApiData<"/api/cases/{id}", "get">;
export type CaseKind = ApiData<"/api/cases/kinds", "get">[number];
export type StepSpec = CaseDetail["steps"][number];

export function useKinds() {
  return useQuery({
    queryKey: ["case-kinds"],
    queryFn: () => call(api.GET("/api/cases/kinds")),
    staleTime: 300_000,
  });
}

export const fmtTime = (iso: string | null | undefined) =>
  iso ? dayjs(iso).format("YYYY-MM-DD HH:mm") : "—";
export const fmtDate = (iso: string | null | undefined) => (iso ? dayjs(iso).format("YYYY-MM-DD") : "—");

const escalationLabels = ["", "县级督办", "市级督办"];

/** State, overdue and escalation markers of a case. */
export function CaseTags({
  c,
}: {
  c: Pick<CaseItem, "stateLabel" | "stateColor" | "overdue" | "escalationLevel">;
}) {
  return (
    <Space size={2} wrap>
      <Tag color={c.stateColor ?? undefined}>{c.stateLabel}</Tag>
      {c.overdue && <Tag color="red">逾期</Tag>}
      {c.escalationLevel > 0 && <Tag color="volcano">{escalationLabels[c.escalationLevel]}</Tag>}
    </Space>
  );
}

/** Due date with a warning colour when close or past. */
export function DueCell({ c }: { c: Pick<CaseItem, "dueAt" | "overdue" | "closed"> }) {
  if (!c.dueAt || c.closed) return <span>—</span>;
  const days = dayjs(c.dueAt).diff(dayjs(), "day", true);
  const color = c.overdue || days < 0 ? "#cf1322" : days < 3 ? "#d48806" : undefined;
  return <span style={{ color }}>{fmtDate(c.dueAt)}</span>;
}

/** A school picker over the schools the user may see (name contains or code prefix). */
export function SchoolSelect({
  value,
  onChange,
  kind = "school",
}: {
  value?: string;
  onChange?: (v: string) => void;
  kind?: "school" | "county";
}) {
  const [q, setQ] = useState("");
  const list = useQuery({
    queryKey: ["org-pick", kind, q],
    queryFn: () =>
      call(
        api.GET("/api/org-units", { params: { query: { kind, q: q || undefined, pageSize: 30 } as never } }),
      ),
    placeholderData: (prev) => prev,
  });
  return (
    <Select
      showSearch={{ filterOption: false, onSearch: setQ }}
      value={value}
      onChange={onChange}
      placeholder={kind === "school" ? "输入学校名称或代码" : "选择县（市、区）"}
      loading={list.isFetching}
      options={(list.data?.items ?? []).map((o) => ({ value: o.code, label: `${o.name}（${o.code}）` }))}
      style={{ width: "100%" }}
      data-testid="school-select"
    />
  );
}

type JsonProp = { type?: string; enum?: string[]; pattern?: string; maxLength?: number; format?: string };

/** Options of an enum field: the kind's code lists where they apply. */
function enumOptions(name: string, values: string[], kind?: CaseKind) {
  const lists: Record<string, { code: string; label: string }[] | undefined> = {
    category: kind?.categories,
    severity: kind?.severities,
    source: kind?.sources,
    subjectType: [
      { code: "unit", label: "单位" },
      { code: "person", label: "个人" },
    ],
  };
  return values.map((v) => ({ value: v, label: lists[name]?.find((x) => x.code === v)?.label ?? v }));
}

function MeasureSelect(props: { value?: string; onChange?: (v: string) => void; subjectType?: string }) {
  const measures = useQuery({
    queryKey: ["measures"],
    queryFn: () => call(api.GET("/api/supervision/measures")),
    staleTime: 300_000,
  });
  return (
    <Select
      value={props.value}
      onChange={props.onChange}
      placeholder="选择问责方式"
      options={(measures.data ?? [])
        .filter((m) => !props.subjectType || m.subjectType === props.subjectType)
        .map((m) => ({ value: m.code, label: m.name }))}
    />
  );
}

/**
 * Form items built from a JSON Schema of a kind's form or a step's fields: enums as selects, dates
 * as date pickers (sent as YYYY-MM-DD), long text as text areas. Names are prefixed by `prefix`.
 */
export function SchemaFields({
  schema,
  labels,
  kind,
  skip = [],
  prefix,
}: {
  schema: Record<string, unknown> | null;
  labels: Record<string, string>;
  kind?: CaseKind;
  skip?: string[];
  prefix: string;
}) {
  const props = ((schema?.properties ?? {}) as Record<string, JsonProp>) ?? {};
  const required = new Set((schema?.required ?? []) as string[]);
  const subjectType = Form.useWatch([prefix, "subjectType"]);
  return (
    <>
      {Object.entries(props)
        .filter(([name]) => !skip.includes(name))
        .map(([name, p]) => {
          const label = labels[name] ?? name;
          const rules = required.has(name) ? [{ required: true, message: `请填写${label}` }] : [];
          let input: React.ReactNode = <Input maxLength={p.maxLength} />;
          if (name === "measure") input = <MeasureSelect subjectType={subjectType} />;
          else if (p.enum)
            input = <Select options={enumOptions(name, p.enum, kind)} placeholder={`选择${label}`} />;
          else if (p.pattern?.includes("\\d{4}")) {
            return (
              <Form.Item
                key={name}
                name={[prefix, name]}
                label={label}
                rules={rules}
                getValueProps={(v: string | undefined) => ({ value: v ? dayjs(v) : undefined })}
                normalize={(d: dayjs.Dayjs | null) => (d ? d.format("YYYY-MM-DD") : undefined)}
              >
                <DatePicker style={{ width: "100%" }} />
              </Form.Item>
            );
          } else if ((p.maxLength ?? 0) > 200)
            input = <Input.TextArea rows={3} maxLength={p.maxLength} showCount />;
          else if (p.type === "integer" || p.type === "number") input = <Input inputMode="numeric" />;
          return (
            <Form.Item key={name} name={[prefix, name]} label={label} rules={rules}>
              {input}
            </Form.Item>
          );
        })}
    </>
  );
}

/** Photos and PDFs uploaded to /api/files; the value is the list of upload ids. */
export function AttachmentInput({ value, onChange }: { value?: string[]; onChange?: (v: string[]) => void }) {
  type Entry = { uid: string; name: string; status: "uploading" | "done" | "error"; id?: string };
  const [files, setFiles] = useState<Entry[]>([]);
  const changed = useRef(onChange);
  changed.current = onChange;
  useEffect(() => {
    changed.current?.(files.filter((f) => f.status === "done" && f.id).map((f) => f.id!));
  }, [files]);
  return (
    <Upload
      accept="image/jpeg,image/png,application/pdf"
      multiple
      fileList={files.map((f) => ({ uid: f.uid, name: f.name, status: f.status }))}
      onRemove={(f) => setFiles((prev) => prev.filter((x) => x.uid !== f.uid))}
      customRequest={async (opts) => {
        const file = opts.file as File & { uid: string };
        setFiles((prev) => [...prev, { uid: file.uid, name: file.name, status: "uploading" }]);
        try {
          const res = await upload<{ id: string }>("/api/files", file);
          setFiles((prev) =>
            prev.map((f) => (f.uid === file.uid ? { ...f, status: "done", id: res.id } : f)),
          );
          opts.onSuccess?.(res);
        } catch (e) {
          setFiles((prev) => prev.map((f) => (f.uid === file.uid ? { ...f, status: "error" } : f)));
          opts.onError?.(e as Error);
        }
      }}
    >
      <Button icon={<UploadOutlined />} data-testid="attach">
        上传照片或 PDF
      </Button>
      {value && value.length > 0 && (
        <span style={{ marginLeft: 8 }}>
          <PaperClipOutlined /> {value.length}
        </span>
      )}
    </Upload>
  );
}
