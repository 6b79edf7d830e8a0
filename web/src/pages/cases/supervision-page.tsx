import { PlusOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, DatePicker, Form, Input, Modal, Select, Space, Table, Tabs, Tag } from "antd";
import type dayjs from "dayjs";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { type ApiData, api, call } from "../../api/client";
import { useSession } from "../../auth/session";
import { LoadError, PageLoading } from "../../components/page-state";
import { fmtTime, SchemaFields, SchoolSelect, useKinds } from "./case-common";
import { CaseList } from "./case-list";

type Plan = ApiData<"/api/supervision/plans", "get">["items"][number];
type PlanDetail = ApiData<"/api/supervision/plans/{id}", "get">;
type Target = PlanDetail["targets"][number];
type Record_ = ApiData<"/api/supervision/accountability", "get">["items"][number];

/** 教育督导: plans, findings (督导问题) and 问责 records. */
export default function SupervisionPage() {
  const { can } = useSession();
  const navigate = useNavigate();
  const [tab, setTab] = useState("plans");
  const [creating, setCreating] = useState(false);
  const plans = useQuery({
    queryKey: ["supervision-plans"],
    queryFn: () => call(api.GET("/api/supervision/plans", { params: { query: { pageSize: 100 } as never } })),
  });
  const records = useQuery({
    queryKey: ["accountability"],
    queryFn: () =>
      call(api.GET("/api/supervision/accountability", { params: { query: { pageSize: 100 } as never } })),
    enabled: tab === "accountability" && can("supervision.read"),
  });
  return (
    <Card
      title="教育督导"
      extra={
        can("supervision.plan") && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            制定督导计划
          </Button>
        )
      }
    >
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          {
            key: "plans",
            label: "督导计划",
            children: plans.isError ? (
              <LoadError error={plans.error} />
            ) : (
              <Table<Plan>
                size="small"
                rowKey="id"
                data-testid="plan-table"
                loading={plans.isFetching}
                dataSource={plans.data?.items}
                onRow={(r) => ({
                  onClick: () => navigate(`/supervision/plans/${r.id}`),
                  style: { cursor: "pointer" },
                })}
                pagination={false}
                columns={[
                  { title: "督导名称", dataIndex: "title" },
                  {
                    title: "类型",
                    dataIndex: "planTypeLabel",
                    width: 100,
                    render: (v: string) => <Tag>{v}</Tag>,
                  },
                  { title: "主题", dataIndex: "topic", width: 100 },
                  { title: "发文单位", dataIndex: "issuer", width: 120 },
                  {
                    title: "起止日期",
                    width: 190,
                    render: (_: unknown, p: Plan) => `${p.startsOn} 至 ${p.endsOn}`,
                  },
                  { title: "督导对象", dataIndex: "targets", width: 80 },
                  { title: "问题", dataIndex: "findings", width: 70 },
                  { title: "未办结", dataIndex: "open", width: 70 },
                ]}
              />
            ),
          },
          { key: "findings", label: "督导问题", children: <CaseList kind="supervision" /> },
          ...(can("supervision.read")
            ? [
                {
                  key: "accountability",
                  label: "问责记录",
                  children: (
                    <Table<Record_>
                      size="small"
                      rowKey="id"
                      loading={records.isFetching}
                      dataSource={records.data?.items}
                      pagination={false}
                      columns={[
                        { title: "问责对象", dataIndex: "subjectName" },
                        {
                          title: "类型",
                          dataIndex: "subjectType",
                          width: 70,
                          render: (v: string) => (v === "unit" ? "单位" : "个人"),
                        },
                        { title: "问责方式", dataIndex: "measure", width: 160 },
                        { title: "依据和事实", dataIndex: "basis", ellipsis: true },
                        { title: "决定人", dataIndex: "decidedByName", width: 130 },
                        {
                          title: "时间",
                          width: 140,
                          render: (_: unknown, r: Record_) => fmtTime(r.decidedAt),
                        },
                        {
                          title: "事项",
                          width: 80,
                          render: (_: unknown, r: Record_) => <Link to={`/cases/${r.caseId}`}>查看</Link>,
                        },
                      ]}
                    />
                  ),
                },
              ]
            : []),
        ]}
      />
      {creating && <CreatePlan onClose={() => setCreating(false)} />}
    </Card>
  );
}

function CreatePlan({ onClose }: { onClose: () => void }) {
  const [form] = Form.useForm();
  const { user } = useSession();
  const { message } = App.useApp();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [schools, setSchools] = useState<string[]>([]);
  const inspectors = useQuery({
    queryKey: ["inspectors"],
    queryFn: () => call(api.GET("/api/supervision/inspectors")),
  });
  const create = useMutation({
    mutationFn: (v: {
      title: string;
      planType: "special" | "comprehensive" | "focused";
      topic?: string;
      description?: string;
      range: [dayjs.Dayjs, dayjs.Dayjs];
      inspectors: string[];
    }) =>
      call(
        api.POST("/api/supervision/plans", {
          body: {
            title: v.title,
            planType: v.planType,
            topic: v.topic,
            description: v.description,
            startsOn: v.range[0].format("YYYY-MM-DD"),
            endsOn: v.range[1].format("YYYY-MM-DD"),
            issuerCode: user?.scope[0]?.code ?? "",
            targets: schools.map((orgUnitCode) => ({ orgUnitCode, inspectors: v.inspectors })),
          },
        }),
      ),
    onSuccess: (p) => {
      message.success("督导计划已下达");
      void client.invalidateQueries({ queryKey: ["supervision-plans"] });
      navigate(`/supervision/plans/${p.id}`);
    },
    onError: (e: Error) => message.error(e.message),
  });
  return (
    <Modal
      open
      title="制定督导计划"
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={create.isPending}
      width={640}
    >
      <Form form={form} layout="vertical" onFinish={(v) => create.mutate(v)}>
        <Form.Item name="title" label="督导名称" rules={[{ required: true, message: "请填写督导名称" }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Space style={{ width: "100%" }} size={16}>
          <Form.Item name="planType" label="督导类型" rules={[{ required: true, message: "请选择" }]}>
            <Select
              style={{ width: 160 }}
              options={[
                { value: "special", label: "专项督导" },
                { value: "comprehensive", label: "综合督导" },
                { value: "focused", label: "小切口督导" },
              ]}
            />
          </Form.Item>
          <Form.Item name="topic" label="主题">
            <Input maxLength={100} style={{ width: 200 }} />
          </Form.Item>
        </Space>
        <Form.Item name="range" label="起止日期" rules={[{ required: true, message: "请选择起止日期" }]}>
          <DatePicker.RangePicker />
        </Form.Item>
        <Form.Item label="督导对象（学校）" required>
          <Space orientation="vertical" style={{ width: "100%" }}>
            <SchoolSelect onChange={(v) => setSchools((s) => (s.includes(v) ? s : [...s, v]))} />
            <Space wrap>
              {schools.map((s) => (
                <Tag key={s} closable onClose={() => setSchools((xs) => xs.filter((x) => x !== s))}>
                  {s}
                </Tag>
              ))}
            </Space>
          </Space>
        </Form.Item>
        <Form.Item name="inspectors" label="督学" rules={[{ required: true, message: "请指派督学" }]}>
          <Select
            mode="multiple"
            options={(inspectors.data ?? []).map((i) => ({
              value: i.username,
              label: `${i.displayName}（${i.username}）`,
            }))}
          />
        </Form.Item>
        <Form.Item name="description" label="说明">
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** A plan: its targets with their inspectors and findings; an assigned inspector records findings here. */
export function PlanPage() {
  const id = Number(useParams().id);
  const { can } = useSession();
  const [target, setTarget] = useState<Target | null>(null);
  const plan = useQuery({
    queryKey: ["supervision-plan", id],
    queryFn: () => call(api.GET("/api/supervision/plans/{id}", { params: { path: { id } } })),
  });
  if (plan.isPending) return <PageLoading />;
  if (plan.isError) return <LoadError error={plan.error} />;
  const p = plan.data;
  const mayRecord = (t: Target) => t.mine || can("supervision.review");
  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <Card
        title={
          <Space>
            <Link to="/supervision">教育督导</Link>/<span>{p.title}</span>
            <Tag>{p.planTypeLabel}</Tag>
          </Space>
        }
      >
        <Space size={32} wrap>
          <span>发文单位：{p.issuer}</span>
          <span>
            起止日期：{p.startsOn} 至 {p.endsOn}
          </span>
          {p.topic && <span>主题：{p.topic}</span>}
        </Space>
        <Table<Target>
          style={{ marginTop: 16 }}
          size="small"
          rowKey="id"
          data-testid="target-table"
          dataSource={p.targets}
          pagination={{ pageSize: 20 }}
          columns={[
            { title: "督导对象", dataIndex: "orgUnitName" },
            { title: "督学", dataIndex: "inspectors", render: (v: string[]) => v.join("、") },
            { title: "问题", dataIndex: "findings", width: 70 },
            { title: "未办结", dataIndex: "open", width: 80 },
            {
              title: "逾期",
              dataIndex: "overdue",
              width: 70,
              render: (v: number) => (v ? <Tag color="red">{v}</Tag> : 0),
            },
            {
              title: "操作",
              width: 110,
              render: (_: unknown, t: Target) =>
                mayRecord(t) && (
                  <Button size="small" onClick={() => setTarget(t)} data-testid={`record-${t.orgUnitCode}`}>
                    记录问题
                  </Button>
                ),
            },
          ]}
        />
      </Card>
      <Card title="本计划的督导问题">
        <CaseList kind="supervision" fixed={{ planId: id }} />
      </Card>
      {target && <RecordFinding target={target} onClose={() => setTarget(null)} />}
    </Space>
  );
}

function RecordFinding({ target, onClose }: { target: Target; onClose: () => void }) {
  const [form] = Form.useForm();
  const kinds = useKinds();
  const kind = kinds.data?.find((k) => k.code === "supervision");
  const { message } = App.useApp();
  const navigate = useNavigate();
  const create = useMutation({
    mutationFn: (v: { form: Record<string, unknown> }) =>
      call(
        api.POST("/api/cases", {
          body: {
            kind: "supervision",
            orgUnitCode: target.orgUnitCode,
            form: { ...v.form, targetId: target.id },
          },
        }),
      ),
    onSuccess: (c) => {
      message.success(`已记录 ${c.ref}`);
      navigate(`/cases/${c.id}`);
    },
    onError: (e: Error) => message.error(e.message),
  });
  return (
    <Modal
      open
      title={`记录督导问题：${target.orgUnitName}`}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={create.isPending}
      width={600}
    >
      <Form form={form} layout="vertical" onFinish={(v) => create.mutate(v)}>
        {kind && (
          <SchemaFields
            schema={kind.create.fields}
            labels={kind.create.fieldLabels}
            kind={kind}
            skip={["targetId"]}
            prefix="form"
          />
        )}
      </Form>
    </Modal>
  );
}
