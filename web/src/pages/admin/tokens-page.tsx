import { PlusOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  Modal,
  Popconfirm,
  Table,
  Tag,
  Typography,
} from "antd";
import { useState } from "react";
import { type ApiCreated, type ApiData, ApiError, api, call } from "../../api/client";
import { ScopePicker } from "../../components/scope-picker";
import { useI18n } from "../../i18n/i18n";

type Token = ApiData<"/api/tokens", "get">["items"][number];
type Created = ApiCreated<"/api/tokens", "post">;
interface NewToken {
  name: string;
  permissions: string[];
  scopeCodes: string[];
}

/** 接口令牌 for other platforms: create (the secret is shown once), list with last use, revoke. */
export default function TokensPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [form] = Form.useForm<NewToken>();
  const tokens = useQuery({
    queryKey: ["tokens", page],
    queryFn: () => call(api.GET("/api/tokens", { params: { query: { page, pageSize: 20 } } })),
  });
  const roles = useQuery({ queryKey: ["roles"], queryFn: () => call(api.GET("/api/roles")) });
  const create = useMutation({
    mutationFn: (v: NewToken) => call(api.POST("/api/tokens", { body: v })),
    onSuccess: (c: Created) => {
      setCreating(false);
      form.resetFields();
      setSecret(c.token);
      void queryClient.invalidateQueries({ queryKey: ["tokens"] });
    },
    onError: (e) => setError(e instanceof ApiError ? e.message : String(e)),
  });
  const revoke = useMutation({
    mutationFn: (id: number) => call(api.POST("/api/tokens/{id}/revoke", { params: { path: { id } } })),
    onSuccess: () => {
      message.success(t("tokens.revoked"));
      void queryClient.invalidateQueries({ queryKey: ["tokens"] });
    },
    onError: (e) => message.error((e as Error).message),
  });
  const labels = new Map((roles.data?.permissions ?? []).map((p) => [p.code, p.label]));

  return (
    <Card
      title={t("nav.tokens")}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
          {t("tokens.create")}
        </Button>
      }
    >
      {secret && (
        <Alert
          type="warning"
          showIcon
          closable={{ onClose: () => setSecret(null) }}
          title={t("tokens.secretOnce")}
          description={
            <Typography.Text copyable code>
              {secret}
            </Typography.Text>
          }
          style={{ marginBottom: 16 }}
          data-testid="token-secret"
        />
      )}
      <Table<Token>
        size="small"
        rowKey="id"
        loading={tokens.isFetching}
        dataSource={tokens.data?.items}
        scroll={{ x: 900 }}
        pagination={{ current: page, pageSize: 20, total: tokens.data?.total ?? 0, onChange: setPage }}
        columns={[
          { title: t("tokens.name"), dataIndex: "name" },
          { title: t("tokens.prefix"), dataIndex: "prefix", render: (p: string) => <code>edu_{p}_…</code> },
          {
            title: t("tokens.permissions"),
            dataIndex: "permissions",
            render: (ps: string[]) => ps.map((p) => <Tag key={p}>{labels.get(p) ?? p}</Tag>),
          },
          {
            title: t("header.area"),
            dataIndex: "scope",
            render: (sc: Token["scope"]) =>
              sc.map((s) => (
                <Tag key={s.code} color="green">
                  {s.name}
                </Tag>
              )),
          },
          {
            title: t("tokens.lastUsed"),
            dataIndex: "lastUsedAt",
            width: 160,
            render: (v: string | null) => (v ? new Date(v).toLocaleString("zh-CN") : "—"),
          },
          {
            title: t("people.status"),
            width: 140,
            render: (_, tk) =>
              tk.revoked ? (
                <Tag>{t("tokens.revokedTag")}</Tag>
              ) : (
                <Popconfirm title={t("tokens.revokeConfirm")} onConfirm={() => revoke.mutate(tk.id)}>
                  <Button type="link" size="small" danger>
                    {t("tokens.revoke")}
                  </Button>
                </Popconfirm>
              ),
          },
        ]}
      />
      <Modal
        open={creating}
        title={t("tokens.create")}
        onCancel={() => setCreating(false)}
        onOk={() => {
          setError(null);
          void form.validateFields().then((v) => create.mutate(v));
        }}
        confirmLoading={create.isPending}
        destroyOnHidden
        width={560}
      >
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
        <Form form={form} layout="vertical" requiredMark={false}>
          <Form.Item
            name="name"
            label={t("tokens.name")}
            rules={[{ required: true, whitespace: true, message: t("tokens.nameRequired") }]}
          >
            <Input placeholder={t("tokens.namePlaceholder")} />
          </Form.Item>
          <Form.Item
            name="permissions"
            label={t("tokens.permissions")}
            rules={[{ required: true, message: t("tokens.permissionsRequired") }]}
          >
            <Checkbox.Group
              options={(roles.data?.permissions ?? []).map((p) => ({ value: p.code, label: p.label }))}
            />
          </Form.Item>
          <Form.Item
            name="scopeCodes"
            label={t("header.area")}
            rules={[{ required: true, message: t("users.scopeRequired") }]}
          >
            <ScopePicker />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
