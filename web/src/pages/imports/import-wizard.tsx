import { CheckCircleOutlined, DownloadOutlined, InboxOutlined, UploadOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  Button,
  Card,
  Descriptions,
  Progress,
  Radio,
  Result,
  Space,
  Steps,
  Table,
  Typography,
  Upload,
} from "antd";
import { useState } from "react";
import { type ApiAccepted, ApiError, api, call, upload } from "../../api/client";
import { useSession } from "../../auth/session";
import { useI18n } from "../../i18n/i18n";

export type ImportJob = ApiAccepted<"/api/imports", "post">;
export type ImportKind = ImportJob["kind"];
type ImportError = { row: number; column: string; value: string | null; reason: string };

/** Which kinds a role may import: the server requires registry.write for schools, people.write for the rest. */
const kinds: { kind: ImportKind; label: string; permission: string }[] = [
  { kind: "students", label: "学生", permission: "people.write" },
  { kind: "staff", label: "教职工", permission: "people.write" },
  { kind: "class-groups", label: "班级", permission: "people.write" },
  { kind: "schools", label: "学校", permission: "registry.write" },
  { kind: "vision-screenings", label: "视力筛查", permission: "health.write" },
];

const busy = (j?: ImportJob) => j?.status === "validating" || j?.status === "committing";

/**
 * 数据导入: choose what → download the template → upload (drag and drop) → progress → the dry run's
 * bad rows (row, column, value, reason) with an xlsx of them → commit → summary. Nothing is written
 * until the commit, and the commit is all or nothing (the server's rules).
 */
export function ImportWizard() {
  const { t } = useI18n();
  const { can } = useSession();
  const queryClient = useQueryClient();
  const allowed = kinds.filter((k) => can(k.permission));
  const [kind, setKind] = useState<ImportKind>(allowed[0]?.kind ?? "students");
  const [jobId, setJobId] = useState<string | null>(null);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const [errorPage, setErrorPage] = useState(1);

  const job = useQuery({
    queryKey: ["import", jobId],
    enabled: jobId !== null,
    queryFn: () => call(api.GET("/api/imports/{id}", { params: { path: { id: jobId! } } })),
    refetchInterval: (q) => (busy(q.state.data) ? 500 : false),
  });
  const j = job.data;
  const errors = useQuery({
    queryKey: ["import-errors", jobId, errorPage],
    enabled: jobId !== null && j?.status === "invalid" && j.errorCount > 0,
    queryFn: () =>
      call(
        api.GET("/api/imports/{id}/errors", {
          params: { path: { id: jobId! }, query: { page: errorPage, pageSize: 20 } },
        }),
      ),
  });
  const commit = useMutation({
    mutationFn: () => call(api.POST("/api/imports/{id}/commit", { params: { path: { id: jobId! } } })),
    onSuccess: () => {
      void job.refetch();
    },
  });

  const send = async (file: File) => {
    setUploadError(null);
    try {
      const created = await upload<ImportJob>(`/api/imports?kind=${kind}`, file);
      setErrorPage(1);
      commit.reset();
      queryClient.setQueryData(["import", created.id], created);
      setJobId(created.id);
    } catch (e) {
      setUploadError(e instanceof ApiError ? e.message : String(e));
    }
  };
  const restart = () => {
    setJobId(null);
    setUploadError(null);
    commit.reset();
    void queryClient.invalidateQueries({ queryKey: ["imports"] });
  };

  const step = !j
    ? jobId
      ? 2
      : 1
    : j.status === "committed"
      ? 4
      : j.status === "validated" || j.status === "committing"
        ? 3
        : 2;
  const dragger = (
    <div data-testid="import-dropzone">
      <Upload.Dragger
        accept=".xlsx,.csv"
        multiple={false}
        showUploadList={false}
        beforeUpload={(file) => {
          void send(file);
          return false;
        }}
        data-testid="import-file"
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">{t("import.drop")}</p>
        <p className="ant-upload-hint">{t("import.dropHint")}</p>
      </Upload.Dragger>
    </div>
  );

  return (
    <Card title={t("nav.imports")}>
      <Steps
        current={step}
        style={{ marginBottom: 24 }}
        items={[
          { title: t("import.stepKind") },
          { title: t("import.stepUpload") },
          { title: t("import.stepCheck") },
          { title: t("import.stepCommit") },
          { title: t("import.stepDone") },
        ]}
      />
      <Space orientation="vertical" size={16} style={{ width: "100%" }}>
        <Space wrap>
          <Typography.Text strong>{t("import.kind")}</Typography.Text>
          <Radio.Group
            value={kind}
            onChange={(e) => {
              setKind(e.target.value);
              restart();
            }}
            optionType="button"
            options={allowed.map((k) => ({ value: k.kind, label: k.label }))}
            disabled={busy(j)}
            data-testid="import-kind"
          />
          <a href={`/api/imports/templates/${kind}?format=xlsx`} download>
            <Button icon={<DownloadOutlined />}>{t("import.templateXlsx")}</Button>
          </a>
          <a href={`/api/imports/templates/${kind}?format=csv`} download>
            <Button type="link">{t("import.templateCsv")}</Button>
          </a>
        </Space>
        {uploadError && <Alert type="error" showIcon title={uploadError} data-testid="import-upload-error" />}
        {!j && dragger}
        {j && busy(j) && (
          <Card size="small" data-testid="import-progress">
            <Typography.Text>
              {j.fileName} · {j.statusLabel} · {j.rowsDone.toLocaleString()} /{" "}
              {j.rowsTotal ? j.rowsTotal.toLocaleString() : "…"}
            </Typography.Text>
            <Progress percent={Math.round(j.progress * 100)} status="active" />
          </Card>
        )}
        {j?.status === "invalid" && (
          <>
            <Alert
              type="error"
              showIcon
              title={t("import.invalid", { n: j.errorCount })}
              description={j.message ?? t("import.invalidHint")}
              data-testid="import-invalid"
              action={
                j.errorCount > 0 && (
                  <a href={`/api/imports/${j.id}/errors.xlsx`} download data-testid="import-errors-xlsx">
                    <Button icon={<DownloadOutlined />}>{t("import.errorsXlsx")}</Button>
                  </a>
                )
              }
            />
            {j.errorCount > 0 && (
              <Table<ImportError>
                size="small"
                rowKey={(r) => `${r.row}:${r.column}:${r.reason}`}
                loading={errors.isFetching}
                dataSource={errors.data?.items}
                data-testid="import-errors"
                pagination={{
                  current: errorPage,
                  pageSize: 20,
                  total: errors.data?.total ?? 0,
                  onChange: setErrorPage,
                }}
                columns={[
                  {
                    title: t("import.row"),
                    dataIndex: "row",
                    width: 70,
                    render: (r: number) => (r === 0 ? "—" : r),
                  },
                  { title: t("import.column"), dataIndex: "column", width: 140 },
                  {
                    title: t("import.value"),
                    dataIndex: "value",
                    width: 200,
                    render: (v: string | null) => v ?? "",
                  },
                  { title: t("import.reason"), dataIndex: "reason" },
                ]}
              />
            )}
            <Typography.Text strong>
              <UploadOutlined /> {t("import.uploadFixed")}
            </Typography.Text>
            {dragger}
          </>
        )}
        {j && (j.status === "validated" || j.status === "committing") && (
          <Alert
            type="success"
            showIcon
            title={t("import.valid", { n: j.rowsValid })}
            description={t("import.validHint")}
            data-testid="import-valid"
            action={
              <Space>
                <Button onClick={restart} disabled={busy(j)}>
                  {t("import.cancel")}
                </Button>
                <Button
                  type="primary"
                  loading={commit.isPending || busy(j)}
                  onClick={() => commit.mutate()}
                  data-testid="import-commit"
                >
                  {t("import.commit")}
                </Button>
              </Space>
            }
          />
        )}
        {commit.isError && <Alert type="error" showIcon title={(commit.error as Error).message} />}
        {j?.status === "failed" && <Alert type="error" showIcon title={j.message ?? t("import.failed")} />}
        {j?.status === "committed" && (
          <Result
            status="success"
            icon={<CheckCircleOutlined />}
            title={t("import.done")}
            subTitle={j.fileName}
            data-testid="import-done"
            extra={
              <Button type="primary" onClick={restart}>
                {t("import.again")}
              </Button>
            }
          >
            <Descriptions size="small" bordered column={3}>
              <Descriptions.Item label={t("import.inserted")}>{j.inserted}</Descriptions.Item>
              <Descriptions.Item label={t("import.updated")}>{j.updated}</Descriptions.Item>
              <Descriptions.Item label={t("import.unchanged")}>{j.unchanged}</Descriptions.Item>
            </Descriptions>
          </Result>
        )}
      </Space>
    </Card>
  );
}
