import { PlusOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  App,
  Button,
  Card,
  DatePicker,
  Form,
  Input,
  Modal,
  Select,
  Space,
  Statistic,
  Switch,
  Table,
  Tag,
} from "antd";
import dayjs from "dayjs";
import { useState } from "react";
import { Link } from "react-router";
import { type ApiData, api, call } from "../../api/client";
import { useCountyStats } from "../../api/queries";
import { useSession } from "../../auth/session";
import { SchoolSelect } from "./case-common";

type Inspection = ApiData<"/api/safety/inspections", "get">["items"][number];
type Item = ApiData<"/api/safety/checklist", "get">[number];

const schoolYears = () => {
  const now = dayjs();
  const last = now.month() >= 8 ? now.year() : now.year() - 1;
  const out: string[] = [];
  for (let y = last; y >= 2022; y--) out.push(`${y}-${y + 1}`);
  return out;
};

/** 平安校园: status by county for a school year, the inspections, and recording one. */
export default function SafetyPage() {
  const { can } = useSession();
  const counties = useCountyStats();
  const countyName = (code: string) => counties.data?.counties.find((c) => c.code === code)?.name ?? code;
  const [period, setPeriod] = useState<string | null>(null);
  const [recording, setRecording] = useState(false);
  const inspections = useQuery({
    queryKey: ["inspections", period],
    queryFn: () =>
      call(
        api.GET("/api/safety/inspections", {
          params: { query: { periodCode: period ?? undefined, pageSize: 50 } as never },
        }),
      ),
  });
  const effective = period ?? inspections.data?.items[0]?.periodCode ?? schoolYears()[0];
  const status = useQuery({
    queryKey: ["safe-campus", effective],
    queryFn: () => call(api.GET("/api/safety/status", { params: { query: { periodCode: effective } } })),
  });
  const s = status.data;
  const pct = (a: number, b: number) => (b ? `${((a / b) * 100).toFixed(1)}%` : "—");
  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <Card
        title="平安校园"
        extra={
          <Space>
            <Select
              value={effective}
              onChange={setPeriod}
              options={schoolYears().map((y) => ({ value: y, label: `${y.replace("-", "—")}学年` }))}
              style={{ width: 150 }}
              aria-label="学年"
            />
            {can("inspection.write") && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setRecording(true)}>
                录入检查
              </Button>
            )}
          </Space>
        }
      >
        <Space size={48} wrap>
          <Statistic title="学校数" value={s?.schools ?? 0} />
          <Statistic title="已检查（县级、市级）" value={s?.inspected ?? 0} />
          <Statistic title="达标" value={s?.passed ?? 0} />
          <Statistic title="平安校园覆盖率" value={s ? pct(s.passed, s.schools) : "—"} />
        </Space>
        <p style={{ color: "#888", marginTop: 8 }}>
          覆盖率 = 本学年县级检查或市级抽查达标的学校数 ÷ 学校总数；以学年内最近一次县级检查或市级抽查为准，
          必查项（专职保安员配备、封闭化管理、一键报警与视频监控联网、护学岗、消防设施）全部合格为达标；学校自查不计入。
          全市目标 ≥ 90%（吕梁市 2022 年教育工作要点）。
        </p>
        <Table
          size="small"
          rowKey="countyCode"
          loading={status.isFetching}
          dataSource={s?.counties}
          pagination={false}
          columns={[
            { title: "县（市、区）", dataIndex: "countyCode", render: (c: string) => countyName(c) },
            { title: "学校数", dataIndex: "schools" },
            { title: "已检查", dataIndex: "inspected" },
            { title: "达标", dataIndex: "passed" },
            {
              title: "覆盖率",
              render: (_: unknown, r: { passed: number; schools: number }) => {
                const v = r.schools ? r.passed / r.schools : 0;
                return <Tag color={v >= 0.9 ? "green" : "orange"}>{pct(r.passed, r.schools)}</Tag>;
              },
            },
          ]}
        />
      </Card>
      <Card title="检查记录">
        <Table<Inspection>
          size="small"
          rowKey="id"
          loading={inspections.isFetching}
          dataSource={inspections.data?.items}
          pagination={false}
          columns={[
            { title: "学校", dataIndex: "schoolName" },
            { title: "学年", dataIndex: "periodCode", width: 100 },
            { title: "检查日期", dataIndex: "inspectedOn", width: 110 },
            { title: "方式", dataIndex: "sourceLabel", width: 90 },
            { title: "检查人", dataIndex: "inspectorName", width: 140 },
            {
              title: "结果",
              dataIndex: "passed",
              width: 80,
              render: (v: boolean) => <Tag color={v ? "green" : "red"}>{v ? "达标" : "不达标"}</Tag>,
            },
          ]}
        />
      </Card>
      {recording && <RecordInspection period={effective} onClose={() => setRecording(false)} />}
    </Space>
  );
}

function RecordInspection({ period, onClose }: { period: string; onClose: () => void }) {
  const [form] = Form.useForm();
  const { message } = App.useApp();
  const client = useQueryClient();
  const { user } = useSession();
  const scope = user?.scope ?? [];
  const ownSchool =
    scope.length === 1 && scope[0].path.split("/").filter(Boolean).length >= 3 ? scope[0].code : undefined;
  const checklist = useQuery({
    queryKey: ["checklist"],
    queryFn: () => call(api.GET("/api/safety/checklist")),
  });
  const [results, setResults] = useState<Record<string, { passed: boolean; note?: string }>>({});
  const record = useMutation({
    mutationFn: (v: { schoolCode: string; inspectedOn: dayjs.Dayjs; notes?: string }) =>
      call(
        api.POST("/api/safety/inspections", {
          body: {
            schoolCode: v.schoolCode,
            periodCode: period,
            inspectedOn: v.inspectedOn.format("YYYY-MM-DD"),
            notes: v.notes,
            fileHazards: true,
            results: (checklist.data ?? []).map((i) => ({
              itemCode: i.code,
              passed: results[i.code]?.passed ?? true,
              note: results[i.code]?.note,
            })),
          },
        }),
      ),
    onSuccess: (r) => {
      const filed = r.results.filter((x) => x.hazardId).length;
      message.success(`已录入：${r.passed ? "达标" : "不达标"}${filed ? `，已生成 ${filed} 条隐患` : ""}`);
      void client.invalidateQueries({ queryKey: ["inspections"] });
      void client.invalidateQueries({ queryKey: ["safe-campus"] });
      void client.invalidateQueries({ queryKey: ["cases"] });
      onClose();
    },
    onError: (e: Error) => message.error(e.message),
  });
  return (
    <Modal
      open
      title="录入平安校园检查"
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={record.isPending}
      width={720}
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{ schoolCode: ownSchool, inspectedOn: dayjs() }}
        onFinish={(v) => record.mutate(v)}
      >
        <Space style={{ width: "100%" }} size={16}>
          <Form.Item
            name="schoolCode"
            label="学校"
            rules={[{ required: true, message: "请选择学校" }]}
            style={{ width: 360 }}
          >
            {ownSchool ? <Input disabled /> : <SchoolSelect />}
          </Form.Item>
          <Form.Item name="inspectedOn" label="检查日期" rules={[{ required: true }]}>
            <DatePicker disabledDate={(d) => d.isAfter(dayjs(), "day")} />
          </Form.Item>
          <span>学年：{period}</span>
        </Space>
        <Table<Item>
          size="small"
          rowKey="code"
          pagination={false}
          dataSource={checklist.data}
          columns={[
            {
              title: "检查项",
              render: (_: unknown, i: Item) => (
                <span title={i.description ?? ""}>
                  {i.name} {i.required && <Tag color="blue">必查</Tag>}
                </span>
              ),
            },
            {
              title: "合格",
              width: 80,
              render: (_: unknown, i: Item) => (
                <Switch
                  checked={results[i.code]?.passed ?? true}
                  onChange={(passed) => setResults((r) => ({ ...r, [i.code]: { ...r[i.code], passed } }))}
                  data-testid={`item-${i.code}`}
                />
              ),
            },
            {
              title: "问题说明",
              render: (_: unknown, i: Item) =>
                results[i.code]?.passed === false && (
                  <Input
                    size="small"
                    maxLength={500}
                    onChange={(e) =>
                      setResults((r) => ({ ...r, [i.code]: { passed: false, note: e.target.value } }))
                    }
                  />
                ),
            },
          ]}
        />
        <p style={{ color: "#888" }}>不合格的检查项将自动生成隐患，进入整改流程。</p>
        <Form.Item name="notes" label="备注">
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        <Link to="/hazards">查看隐患</Link>
      </Form>
    </Modal>
  );
}
