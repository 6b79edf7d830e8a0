import { DownloadOutlined, PlusOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Form, Input, Modal, Select, Space, Table } from "antd";
import { useState } from "react";
import { useNavigate } from "react-router";
import { api, call } from "../../api/client";
import { useCountyStats } from "../../api/queries";
import { useSession } from "../../auth/session";
import { LoadError } from "../../components/page-state";
import { toQueryString, useUrlFilters } from "../../components/url-state";
import {
  AttachmentInput,
  type CaseItem,
  type CaseKind,
  CaseTags,
  DueCell,
  fmtDate,
  SchemaFields,
  SchoolSelect,
  useKinds,
} from "./case-common";

const keys = ["q", "status", "state", "severity", "category", "countyCode", "orgUnitCode"] as const;

/**
 * Cases of one kind within the user's scope: filters in the URL, server-side paging, xlsx export,
 * and filing a new case with the kind's form.
 */
export function CaseList({ kind, fixed = {} }: { kind: string; fixed?: Record<string, string | number> }) {
  const kinds = useKinds();
  const def = kinds.data?.find((k) => k.code === kind);
  const { filters, page, pageSize, setFilter, setPage } = useUrlFilters(keys);
  const counties = useCountyStats();
  const countyOptions = (counties.data?.counties ?? []).map((c) => ({ value: c.code, label: c.name }));
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const query = { ...filters, ...fixed, kind };
  const list = useQuery({
    queryKey: ["cases", query, page, pageSize],
    queryFn: () => call(api.GET("/api/cases", { params: { query: { ...query, page, pageSize } as never } })),
    placeholderData: (prev) => prev,
  });
  const opts = (xs?: { code: string; label: string }[]) =>
    (xs ?? []).map((x) => ({ value: x.code, label: x.label }));

  return (
    <Space orientation="vertical" size={12} style={{ width: "100%" }}>
      <Space wrap>
        <Input.Search
          allowClear
          placeholder="标题文字或编号"
          defaultValue={filters.q}
          onSearch={(v) => setFilter("q", v.trim())}
          style={{ width: 220 }}
          aria-label="搜索"
        />
        <Select
          allowClear
          placeholder="办理情况"
          value={filters.status}
          onChange={(v) => setFilter("status", v)}
          options={[
            { value: "open", label: "未办结" },
            { value: "overdue", label: "逾期" },
            { value: "closed", label: "已办结" },
          ]}
          style={{ width: 110 }}
          aria-label="办理情况"
          data-testid="filter-status"
        />
        <Select
          allowClear
          placeholder="状态"
          value={filters.state}
          onChange={(v) => setFilter("state", v)}
          options={(def?.states ?? []).map((s) => ({ value: s.code, label: s.label }))}
          style={{ width: 110 }}
          aria-label="状态"
        />
        {def?.severities.length ? (
          <Select
            allowClear
            placeholder="等级"
            value={filters.severity}
            onChange={(v) => setFilter("severity", v)}
            options={opts(def.severities)}
            style={{ width: 110 }}
            aria-label="等级"
          />
        ) : null}
        {def?.categories.length ? (
          <Select
            allowClear
            placeholder="类别"
            value={filters.category}
            onChange={(v) => setFilter("category", v)}
            options={opts(def.categories)}
            style={{ width: 110 }}
            aria-label="类别"
          />
        ) : null}
        {countyOptions.length > 1 && (
          <Select
            allowClear
            placeholder="县（市、区）"
            value={filters.countyCode}
            onChange={(v) => setFilter("countyCode", v)}
            options={countyOptions}
            style={{ width: 120 }}
            aria-label="县（市、区）"
          />
        )}
        <a href={`/api/cases/export.xlsx${toQueryString(query)}`} download>
          <Button icon={<DownloadOutlined />}>导出 Excel</Button>
        </a>
        {def?.create.allowed && kind === "hazard" && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setCreating(true)}
            data-testid="create-case"
          >
            {def.create.label}
          </Button>
        )}
      </Space>
      {list.isError ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Table<CaseItem>
          size="small"
          rowKey="id"
          loading={list.isFetching}
          dataSource={list.data?.items}
          data-testid="case-table"
          scroll={{ x: 1000 }}
          onRow={(r) => ({ onClick: () => navigate(`/cases/${r.id}`), style: { cursor: "pointer" } })}
          pagination={{
            current: page,
            pageSize,
            total: list.data?.total ?? 0,
            showSizeChanger: true,
            showTotal: (n) => (list.data?.totalExact === false ? `超过 ${n} 条` : `共 ${n} 条`),
            onChange: setPage,
          }}
          columns={[
            { title: "编号", dataIndex: "ref", width: 110 },
            { title: "标题", dataIndex: "title", ellipsis: true },
            { title: "单位", dataIndex: "orgUnitName", width: 200, ellipsis: true },
            { title: "县（市、区）", dataIndex: "countyName", width: 90 },
            ...(def?.categories.length ? [{ title: "类别", dataIndex: "categoryLabel", width: 80 }] : []),
            ...(def?.severities.length ? [{ title: "等级", dataIndex: "severityLabel", width: 80 }] : []),
            { title: "状态", width: 170, render: (_: unknown, c: CaseItem) => <CaseTags c={c} /> },
            { title: "期限", width: 100, render: (_: unknown, c: CaseItem) => <DueCell c={c} /> },
            { title: "登记日期", width: 100, render: (_: unknown, c: CaseItem) => fmtDate(c.createdAt) },
          ]}
        />
      )}
      {def && creating && <CreateCase kind={def} onClose={() => setCreating(false)} />}
    </Space>
  );
}

/** The source a new hazard gets from the user's level (a school's own check, a county's, the city's). */
function sourceFor(scopePaths: string[]) {
  const depth = Math.min(...scopePaths.map((p) => p.split("/").filter(Boolean).length));
  return depth >= 3 ? "self_check" : depth === 2 ? "county_inspection" : "city_spot_check";
}

function CreateCase({ kind, onClose }: { kind: CaseKind; onClose: () => void }) {
  const [form] = Form.useForm();
  const { user } = useSession();
  const { message } = App.useApp();
  const client = useQueryClient();
  const navigate = useNavigate();
  const scope = user?.scope ?? [];
  const ownSchool =
    scope.length === 1 && scope[0].path.split("/").filter(Boolean).length >= 3 ? scope[0].code : undefined;
  const create = useMutation({
    mutationFn: (v: {
      orgUnitCode: string;
      form: Record<string, unknown>;
      comment?: string;
      attachments?: string[];
    }) =>
      call(
        api.POST("/api/cases", {
          body: {
            kind: kind.code,
            orgUnitCode: v.orgUnitCode,
            form: { ...v.form, source: sourceFor(scope.map((s) => s.path)) },
            comment: v.comment,
            attachments: v.attachments,
          },
        }),
      ),
    onSuccess: (c) => {
      message.success(`已登记 ${c.ref}`);
      void client.invalidateQueries({ queryKey: ["cases"] });
      onClose();
      navigate(`/cases/${c.id}`);
    },
    onError: (e: Error) => message.error(e.message),
  });
  return (
    <Modal
      open
      title={kind.create.label}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText="提交"
      confirmLoading={create.isPending}
      destroyOnHidden
      width={640}
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{ orgUnitCode: ownSchool }}
        onFinish={(v) => create.mutate(v)}
      >
        <Form.Item name="orgUnitCode" label="学校" rules={[{ required: true, message: "请选择学校" }]}>
          {ownSchool ? <Input disabled /> : <SchoolSelect />}
        </Form.Item>
        <SchemaFields
          schema={kind.create.fields}
          labels={kind.create.fieldLabels}
          kind={kind}
          skip={["source"]}
          prefix="form"
        />
        <Form.Item name="attachments" label="现场照片或材料">
          <AttachmentInput />
        </Form.Item>
      </Form>
    </Modal>
  );
}
