import { PlusOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag } from "antd";
import { useState } from "react";
import { type ApiData, ApiError, api, call } from "../../api/client";
import { ScopePicker } from "../../components/scope-picker";
import { useUrlFilters } from "../../components/url-state";
import type { MessageKey } from "../../i18n/dict";
import { useI18n } from "../../i18n/i18n";

type User = ApiData<"/api/users", "get">["items"][number];
interface NewUser {
  username: string;
  displayName: string;
  password: string;
  roles: string[];
  scopeCodes: string[];
}

/** 用户管理: users within the admin's scope; create with roles and a scope, disable, reset password. */
export default function UsersPage() {
  const { t } = useI18n();
  const { message, modal } = App.useApp();
  const queryClient = useQueryClient();
  const { filters, page, pageSize, setFilter, setPage } = useUrlFilters(["q"] as const);
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm<NewUser>();
  const [createError, setCreateError] = useState<string | null>(null);

  const users = useQuery({
    queryKey: ["users", filters, page, pageSize],
    queryFn: () => call(api.GET("/api/users", { params: { query: { ...filters, page, pageSize } } })),
    placeholderData: (p) => p,
  });
  const roles = useQuery({ queryKey: ["roles"], queryFn: () => call(api.GET("/api/roles")) });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["users"] });

  const create = useMutation({
    mutationFn: (v: NewUser) => call(api.POST("/api/users", { body: { ...v, mustChangePassword: true } })),
    onSuccess: (u) => {
      message.success(t("users.created", { name: u.username }));
      setCreating(false);
      form.resetFields();
      void refresh();
    },
    onError: (e) => setCreateError(e instanceof ApiError ? e.message : String(e)),
  });
  const toggle = useMutation({
    mutationFn: (u: User) =>
      u.disabled
        ? call(api.POST("/api/users/{username}/enable", { params: { path: { username: u.username } } }))
        : call(api.POST("/api/users/{username}/disable", { params: { path: { username: u.username } } })),
    onSuccess: () => void refresh(),
    onError: (e) => message.error((e as Error).message),
  });
  const resetPassword = (u: User) => {
    let password = "";
    modal.confirm({
      title: t("users.resetTitle", { name: u.displayName }),
      content: (
        <Input.Password
          placeholder={t("users.tempPassword")}
          onChange={(e) => {
            password = e.target.value;
          }}
          aria-label={t("users.tempPassword")}
        />
      ),
      onOk: async () => {
        try {
          await call(
            api.POST("/api/users/{username}/reset-password", {
              params: { path: { username: u.username } },
              body: { password },
            }),
          );
          message.success(t("users.resetDone"));
          void refresh();
        } catch (e) {
          message.error((e as Error).message);
          throw e;
        }
      },
    });
  };

  const roleName = (code: string) =>
    roles.data?.items.find((r) => r.code === code)?.name ?? t(`role.${code}` as MessageKey);

  return (
    <Card
      title={t("nav.users")}
      extra={
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => setCreating(true)}
          data-testid="user-create"
        >
          {t("users.create")}
        </Button>
      }
    >
      <Space orientation="vertical" style={{ width: "100%" }}>
        <Input.Search
          allowClear
          placeholder={t("users.search")}
          defaultValue={filters.q}
          onSearch={(v) => setFilter("q", v.trim())}
          style={{ width: 280 }}
          aria-label={t("users.search")}
        />
        <Table<User>
          size="small"
          rowKey="username"
          loading={users.isFetching}
          dataSource={users.data?.items}
          data-testid="users-table"
          scroll={{ x: 900 }}
          pagination={{ current: page, pageSize, total: users.data?.total ?? 0, onChange: setPage }}
          columns={[
            { title: t("login.username"), dataIndex: "username", width: 130 },
            { title: t("users.displayName"), dataIndex: "displayName", width: 150 },
            {
              title: t("header.role"),
              dataIndex: "roles",
              render: (rs: string[]) =>
                rs.map((r) => (
                  <Tag key={r} color="blue">
                    {roleName(r)}
                  </Tag>
                )),
            },
            {
              title: t("header.area"),
              dataIndex: "scope",
              render: (sc: User["scope"]) =>
                sc.map((s) => (
                  <Tag key={s.code} color="green">
                    {s.name}
                  </Tag>
                )),
            },
            {
              title: t("people.status"),
              width: 120,
              render: (_, u) => (
                <Space size={2}>
                  {u.disabled ? (
                    <Tag>{t("users.disabled")}</Tag>
                  ) : (
                    <Tag color="green">{t("users.active")}</Tag>
                  )}
                  {u.locked && <Tag color="red">{t("users.locked")}</Tag>}
                </Space>
              ),
            },
            {
              title: t("users.lastLogin"),
              dataIndex: "lastLoginAt",
              width: 160,
              render: (v: string | null) => (v ? new Date(v).toLocaleString("zh-CN") : "—"),
            },
            {
              title: t("users.actions"),
              width: 170,
              render: (_, u) => (
                <Space size={0}>
                  <Popconfirm
                    title={u.disabled ? t("users.enableConfirm") : t("users.disableConfirm")}
                    onConfirm={() => toggle.mutate(u)}
                  >
                    <Button type="link" size="small">
                      {u.disabled ? t("users.enable") : t("users.disable")}
                    </Button>
                  </Popconfirm>
                  <Button type="link" size="small" onClick={() => resetPassword(u)}>
                    {t("users.reset")}
                  </Button>
                </Space>
              ),
            },
          ]}
        />
      </Space>
      <Modal
        open={creating}
        title={t("users.create")}
        onCancel={() => setCreating(false)}
        onOk={() => {
          setCreateError(null);
          void form.validateFields().then((v) => create.mutate(v));
        }}
        confirmLoading={create.isPending}
        okText={t("users.createOk")}
        destroyOnHidden
        width={560}
      >
        {createError && (
          <Alert
            type="error"
            showIcon
            title={createError}
            style={{ marginBottom: 16 }}
            data-testid="user-create-error"
          />
        )}
        <Form form={form} layout="vertical" requiredMark={false} data-testid="user-form">
          <Form.Item
            name="username"
            label={t("login.username")}
            rules={[{ required: true, whitespace: true, message: t("login.usernameRequired") }]}
          >
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item
            name="displayName"
            label={t("users.displayName")}
            rules={[{ required: true, whitespace: true, message: t("users.displayNameRequired") }]}
          >
            <Input />
          </Form.Item>
          <Form.Item
            name="password"
            label={t("users.initialPassword")}
            extra={t("users.initialPasswordHint")}
            rules={[{ required: true, message: t("login.passwordRequired") }]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item
            name="roles"
            label={t("header.role")}
            rules={[{ required: true, message: t("users.rolesRequired") }]}
          >
            <Select
              mode="multiple"
              options={(roles.data?.items ?? []).map((r) => ({ value: r.code, label: r.name }))}
              data-testid="user-roles-select"
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
