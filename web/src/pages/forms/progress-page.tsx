import { DownloadOutlined, InboxOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Progress, Space, Table, Typography, Upload } from "antd";
import { useState } from "react";
import { useSearchParams } from "react-router";
import { type ApiData, ApiError, api, call, upload } from "../../api/client";
import { useSession } from "../../auth/session";
import { LoadError } from "../../components/page-state";
import { toQueryString, useUrlFilters } from "../../components/url-state";
import { FormRoundPicker, type Status, StatusTag, statusLabels, useSetRound } from "./common";

type Completeness = ApiData<"/api/forms/{code}/periods/{period}/completeness", "get">;
type CountyRow = Completeness["counties"][number];
type ImportResult = ApiData<"/api/forms/{code}/periods/{period}/import", "post">;
const keys = ["form", "period", "countyCode", "status"] as const;

/** The county template: download, check (dry run, every bad row listed), then import all or nothing. */
function CountyImport({ form, period }: { form: string; period: string }) {
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (dryRun: boolean) => {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const r = await upload<ImportResult>(
        `/api/forms/${form}/periods/${period}/import?dryRun=${dryRun}`,
        file,
      );
      setResult(r);
      if (r.committed) {
        message.success(`已导入 ${r.submissions} 个单位、${r.changedValues} 项数据`);
        void queryClient.invalidateQueries({ queryKey: ["forms"] });
      }
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title="县级批量填报（Excel）" size="small">
      <Space orientation="vertical" style={{ width: "100%" }}>
        <Typography.Text type="secondary">
          下载本辖区的填报模板（每个单位一行，已上报的数据已填入），填好后先“检查”，全部无误再“导入”：要么全部写入，要么全部不写入；导入的单位按已上报处理。
        </Typography.Text>
        <Space>
          <Button href={`/api/forms/${form}/periods/${period}/template.xlsx`}>下载模板</Button>
        </Space>
        <Upload.Dragger
          accept=".xlsx,.csv"
          maxCount={1}
          beforeUpload={(f) => {
            setFile(f);
            setResult(null);
            return false;
          }}
          onRemove={() => setFile(null)}
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p>点击或拖入填好的模板（.xlsx）</p>
        </Upload.Dragger>
        <Space>
          <Button disabled={!file} loading={busy} onClick={() => run(true)}>
            检查
          </Button>
          <Button
            type="primary"
            disabled={!file || !result || result.errorCount > 0 || !result.dryRun}
            loading={busy}
            onClick={() => run(false)}
          >
            导入
          </Button>
        </Space>
        {error && <Alert type="error" showIcon title={error} />}
        {result && result.errorCount === 0 && (
          <Alert
            type="success"
            showIcon
            title={
              result.committed
                ? `已导入：${result.submissions} 个单位，${result.changedValues} 项数据`
                : `检查通过：共 ${result.rows} 行，将写入 ${result.submissions} 个单位、${result.changedValues} 项数据`
            }
          />
        )}
        {result && result.errorCount > 0 && (
          <>
            <Alert
              type="error"
              showIcon
              title={`有 ${result.errorCount} 处错误，未写入任何数据。请修改后重新检查。`}
            />
            <Table
              size="small"
              rowKey={(r) => `${r.row}/${r.field}/${r.message}`}
              dataSource={result.errors}
              pagination={{ pageSize: 10 }}
              columns={[
                { title: "行号", dataIndex: "row", width: 70 },
                { title: "列", dataIndex: "field", width: 220 },
                { title: "原因", dataIndex: "message" },
              ]}
            />
          </>
        )}
      </Space>
    </Card>
  );
}

/** 填报进度: 上报率 by county, and who has not submitted. */
export default function ProgressPage() {
  const { can } = useSession();
  const { filters, page, pageSize, setPage } = useUrlFilters(keys);
  const { form, period } = filters;
  const onRound = useSetRound();
  const [, setParams] = useSearchParams();
  const completeness = useQuery({
    queryKey: ["forms", "completeness", form, period],
    queryFn: () =>
      call(
        api.GET("/api/forms/{code}/periods/{period}/completeness", {
          params: { path: { code: form!, period: period! } },
        }),
      ),
    enabled: !!form && !!period,
  });
  const status = (filters.status ?? "none") as Status;
  const units = useQuery({
    queryKey: ["forms", "units", form, period, filters.countyCode, status, page, pageSize],
    queryFn: () =>
      call(
        api.GET("/api/forms/{code}/periods/{period}/submissions", {
          params: {
            path: { code: form!, period: period! },
            query: { countyCode: filters.countyCode, status, page, pageSize },
          },
        }),
      ),
    enabled: !!form && !!period,
  });
  const c = completeness.data;
  const count = (k: Status) => ({
    title: statusLabels[k],
    dataIndex: k,
    width: 80,
    render: (n: number, r: CountyRow) => (
      <Button
        type="link"
        size="small"
        onClick={() =>
          setParams(
            (p) => {
              const n = new URLSearchParams(p);
              n.set("countyCode", r.countyCode);
              n.set("status", k);
              n.delete("page");
              return n;
            },
            { replace: true },
          )
        }
      >
        {n}
      </Button>
    ),
  });

  return (
    <Space orientation="vertical" style={{ width: "100%" }} size="middle">
      <Card
        title="填报进度"
        extra={
          form &&
          period && (
            <a
              href={`/api/forms/${encodeURIComponent(form)}/periods/${encodeURIComponent(period)}/completeness.xlsx`}
              download
              data-testid="completeness-export"
            >
              <Button size="small" icon={<DownloadOutlined />}>
                导出上报率
              </Button>
            </a>
          )
        }
      >
        <Space orientation="vertical" style={{ width: "100%" }}>
          <FormRoundPicker form={form} period={period} onChange={onRound} />
          {completeness.error ? (
            <LoadError error={completeness.error} onRetry={() => completeness.refetch()} />
          ) : (
            <Table
              size="small"
              rowKey="countyCode"
              loading={completeness.isLoading}
              dataSource={c?.counties ?? []}
              pagination={false}
              summary={() =>
                c && (
                  <Table.Summary.Row>
                    <Table.Summary.Cell index={0}>合计</Table.Summary.Cell>
                    <Table.Summary.Cell index={1}>{c.total.expected}</Table.Summary.Cell>
                    {(["none", "draft", "returned", "submitted", "approved", "accepted"] as const).map(
                      (k, i) => (
                        <Table.Summary.Cell key={k} index={i + 2}>
                          {c.total[k]}
                        </Table.Summary.Cell>
                      ),
                    )}
                    <Table.Summary.Cell index={8}>
                      {c.total.rate === null ? "—" : `${(c.total.rate * 100).toFixed(1)}%`}
                    </Table.Summary.Cell>
                  </Table.Summary.Row>
                )
              }
              columns={[
                { title: "县（市、区）", dataIndex: "countyName", width: 110 },
                { title: "应报", dataIndex: "expected", width: 70 },
                count("none"),
                count("draft"),
                count("returned"),
                count("submitted"),
                count("approved"),
                count("accepted"),
                {
                  title: "上报率",
                  dataIndex: "rate",
                  render: (r: number | null) =>
                    r === null ? "—" : <Progress percent={Math.round(r * 1000) / 10} size="small" />,
                },
              ]}
            />
          )}
        </Space>
      </Card>
      <Card
        title={`${filters.countyCode ? `${c?.counties.find((x) => x.countyCode === filters.countyCode)?.countyName ?? ""} ` : ""}${statusLabels[status]}的单位`}
        size="small"
        extra={
          form &&
          period && (
            <a
              href={`/api/forms/${encodeURIComponent(form)}/periods/${encodeURIComponent(period)}/submissions.xlsx${toQueryString({ countyCode: filters.countyCode, status })}`}
              download
              data-testid="progress-export"
            >
              <Button size="small" icon={<DownloadOutlined />}>
                导出 Excel
              </Button>
            </a>
          )
        }
      >
        <Table
          size="small"
          rowKey="orgCode"
          loading={units.isLoading}
          dataSource={units.data?.items ?? []}
          pagination={{ current: page, pageSize, total: units.data?.total ?? 0, onChange: setPage }}
          columns={[
            { title: "单位代码", dataIndex: "orgCode", width: 130 },
            { title: "单位名称", dataIndex: "orgName" },
            { title: "县（市、区）", dataIndex: "countyName", width: 110 },
            {
              title: "状态",
              dataIndex: "status",
              width: 90,
              render: (s: Status) => <StatusTag status={s} />,
            },
            { title: "退回意见", dataIndex: "comment", render: (v) => v ?? "" },
          ]}
        />
      </Card>
      {form && period && can("forms.fill") && <CountyImport form={form} period={period} />}
    </Space>
  );
}
