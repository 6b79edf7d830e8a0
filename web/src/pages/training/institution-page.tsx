import { EditOutlined, FileSearchOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  DatePicker,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Modal,
  Space,
  Table,
  Tag,
  TimePicker,
} from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { type ApiData, ApiError, api, call } from "../../api/client";
import { useSession } from "../../auth/session";
import { LoadError, PageLoading } from "../../components/page-state";
import { InstitutionForm, type InstitutionValues } from "./institution-form";
import { categoryLabels, statusLabels } from "./institutions-page";

type Detail = ApiData<"/api/training/institutions/{id}", "get">;
type Inspection = Detail["inspections"][number];

interface InspectionValues {
  inspectedOn: Dayjs;
  inspectors: string;
  note?: string;
  restDayClassOn?: Dayjs | null;
  onlineSessionMinutes?: number | null;
  onlineBreakMinutes?: number | null;
  onlineEndTime?: Dayjs | null;
  prepaidMonths?: number | null;
  prepaidHours?: number | null;
  prepayOutsideAccount?: boolean;
  unlicensed?: boolean;
  openCase?: boolean;
}

/** One institution: its registration, inspections with findings, enforcement cases; record an inspection. */
export default function TrainingInstitutionPage() {
  const id = Number(useParams().id);
  const { message } = App.useApp();
  const { can } = useSession();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [inspecting, setInspecting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [form] = Form.useForm<InspectionValues>();
  const detail = useQuery({
    queryKey: ["training", "institution", id],
    queryFn: () => call(api.GET("/api/training/institutions/{id}", { params: { path: { id } } })),
  });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ["training"] });
  const update = useMutation({
    mutationFn: (body: Omit<InstitutionValues, "countyCode">) =>
      call(api.PATCH("/api/training/institutions/{id}", { params: { path: { id } }, body })),
    onSuccess: () => {
      setEditing(false);
      message.success("已保存");
      refresh();
    },
    onError: (e) => message.error(e instanceof ApiError ? e.message : String(e)),
  });
  const inspect = useMutation({
    mutationFn: (v: InspectionValues) =>
      call(
        api.POST("/api/training/institutions/{id}/inspections", {
          params: { path: { id } },
          body: {
            inspectedOn: v.inspectedOn.format("YYYY-MM-DD"),
            inspectors: v.inspectors,
            note: v.note,
            openCase: v.openCase ?? false,
            observations: {
              restDayClassOn: v.restDayClassOn ? v.restDayClassOn.format("YYYY-MM-DD") : null,
              onlineSessionMinutes: v.onlineSessionMinutes ?? null,
              onlineBreakMinutes: v.onlineBreakMinutes ?? null,
              onlineEndTime: v.onlineEndTime ? v.onlineEndTime.format("HH:mm") : null,
              prepaidMonths: v.prepaidMonths ?? null,
              prepaidHours: v.prepaidHours ?? null,
              prepayOutsideAccount: v.prepayOutsideAccount ?? false,
              unlicensed: v.unlicensed ?? false,
            },
          },
        }),
      ),
    onSuccess: (r) => {
      setInspecting(false);
      setError(null);
      form.resetFields();
      message.success(
        r.findings.length ? `检查已录入，发现 ${r.findings.length} 个问题` : "检查已录入，未发现问题",
      );
      refresh();
    },
    onError: (e) => setError(e instanceof ApiError ? e.message : String(e)),
  });

  if (detail.isLoading) return <PageLoading />;
  if (detail.isError || !detail.data)
    return <LoadError error={detail.error} onRetry={() => void detail.refetch()} />;
  const d = detail.data;

  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <Card
        title={d.name}
        extra={
          can("training.write") && (
            <Space>
              <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>
                修改
              </Button>
              <Button
                type="primary"
                icon={<FileSearchOutlined />}
                onClick={() => setInspecting(true)}
                data-testid="inspect"
              >
                录入检查
              </Button>
            </Space>
          )
        }
      >
        <Descriptions column={{ xs: 1, md: 3 }} size="small" bordered>
          <Descriptions.Item label="类别">{categoryLabels[d.category]}</Descriptions.Item>
          <Descriptions.Item label="培训项目">{d.subjects.join("、")}</Descriptions.Item>
          <Descriptions.Item label="状态">
            <Tag color={statusLabels[d.status]?.color}>{statusLabels[d.status]?.label}</Tag>
          </Descriptions.Item>
          <Descriptions.Item label="统一社会信用代码">{d.creditCode}</Descriptions.Item>
          <Descriptions.Item label="办学许可证">{d.licenceNo ?? <Tag color="red">无</Tag>}</Descriptions.Item>
          <Descriptions.Item label="有效期至">{d.licenceValidTo}</Descriptions.Item>
          <Descriptions.Item label="县（市、区）">{d.countyName}</Descriptions.Item>
          <Descriptions.Item label="地址" span={2}>
            {d.address}
          </Descriptions.Item>
          <Descriptions.Item label="预收费监管银行">{d.prepayBank}</Descriptions.Item>
          <Descriptions.Item label="监管账户">
            {d.prepayAccount ?? <Tag color="orange">未开户</Tag>}
          </Descriptions.Item>
          <Descriptions.Item label="线上培训">{d.online ? "是" : "否"}</Descriptions.Item>
        </Descriptions>
      </Card>
      <Card title="检查记录">
        <Table<Inspection>
          size="small"
          rowKey="id"
          dataSource={d.inspections}
          pagination={false}
          data-testid="inspections"
          columns={[
            { title: "检查日期", dataIndex: "inspectedOn", width: 110 },
            { title: "检查人员", dataIndex: "inspectors", width: 160 },
            {
              title: "发现问题",
              dataIndex: "findings",
              render: (fs: Inspection["findings"]) =>
                fs.length === 0 ? (
                  <Tag color="green">未发现问题</Tag>
                ) : (
                  <Space orientation="vertical" size={2}>
                    {fs.map((f) => (
                      <span key={f.id}>
                        <Tag color="red">{f.ruleLabel}</Tag>
                        {f.detail}
                        {f.caseId && (
                          <>
                            {" "}
                            <Link to={`/training/cases/${f.caseId}`}>执法案件</Link>
                          </>
                        )}
                      </span>
                    ))}
                  </Space>
                ),
            },
            { title: "检查情况", dataIndex: "note" },
          ]}
        />
      </Card>
      <Card title="执法案件">
        <Table
          size="small"
          rowKey="id"
          dataSource={d.cases}
          pagination={false}
          columns={[
            {
              title: "案由",
              dataIndex: "title",
              render: (v: string, r) => <Link to={`/training/cases/${r.id}`}>{v}</Link>,
            },
            { title: "状态", dataIndex: "state", width: 120 },
            {
              title: "立案时间",
              dataIndex: "createdAt",
              width: 180,
              render: (v: string) => new Date(v).toLocaleString("zh-CN"),
            },
          ]}
        />
      </Card>
      <InstitutionForm
        open={editing}
        title="修改培训机构"
        counties={[{ value: d.countyCode, label: d.countyName ?? d.countyCode }]}
        initial={d}
        busy={update.isPending}
        onCancel={() => setEditing(false)}
        onSubmit={({ countyCode: _c, ...rest }) => update.mutate(rest)}
      />
      <Modal
        open={inspecting}
        title={`录入检查：${d.name}`}
        width={720}
        okText="保存"
        confirmLoading={inspect.isPending}
        onCancel={() => setInspecting(false)}
        onOk={() => form.submit()}
      >
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          title="填写检查中看到的情况，系统按检查规则的阈值判定问题（如预收费超过 3 个月或 60 课时、线上每课时超过 30 分钟）。"
        />
        <Form<InspectionValues>
          form={form}
          layout="vertical"
          onFinish={(v) => inspect.mutate(v)}
          initialValues={{ inspectedOn: dayjs() }}
          style={{ display: "grid", gridTemplateColumns: "1fr 1fr", columnGap: 16 }}
        >
          <Form.Item name="inspectedOn" label="检查日期" rules={[{ required: true }]}>
            <DatePicker style={{ width: "100%" }} />
          </Form.Item>
          <Form.Item
            name="inspectors"
            label="检查人员"
            rules={[{ required: true, whitespace: true, message: "请填写检查人员" }]}
          >
            <Input maxLength={100} data-testid="inspectors" />
          </Form.Item>
          {d.category === "academic" && (
            <Form.Item name="restDayClassOn" label="在休息日/节假日/寒暑假开展学科类培训的日期">
              <DatePicker style={{ width: "100%" }} />
            </Form.Item>
          )}
          <Form.Item name="prepaidMonths" label="一次性预收费跨度（月）">
            <InputNumber min={0} max={120} style={{ width: "100%" }} data-testid="prepaid-months" />
          </Form.Item>
          <Form.Item name="prepaidHours" label="一次性预收费课时">
            <InputNumber min={0} max={2000} style={{ width: "100%" }} />
          </Form.Item>
          <Form.Item name="onlineSessionMinutes" label="线上每课时（分钟）">
            <InputNumber min={1} max={600} style={{ width: "100%" }} />
          </Form.Item>
          <Form.Item name="onlineBreakMinutes" label="线上课程间隔（分钟）">
            <InputNumber min={0} max={600} style={{ width: "100%" }} />
          </Form.Item>
          <Form.Item name="onlineEndTime" label="线上培训结束时间">
            <TimePicker format="HH:mm" style={{ width: "100%" }} />
          </Form.Item>
          <Form.Item name="prepayOutsideAccount" valuePropName="checked">
            <Checkbox>预收费未进入监管账户</Checkbox>
          </Form.Item>
          <Form.Item name="unlicensed" valuePropName="checked">
            <Checkbox>无证无照办学</Checkbox>
          </Form.Item>
          {can("training.enforce") && (
            <Form.Item name="openCase" valuePropName="checked">
              <Checkbox>发现问题时立即立案（执法案件）</Checkbox>
            </Form.Item>
          )}
          <Form.Item name="note" label="检查情况" style={{ gridColumn: "1 / span 2" }}>
            <Input.TextArea rows={3} maxLength={2000} />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
