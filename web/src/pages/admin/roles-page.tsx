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
  Space,
  Table,
  Tag,
  Tooltip,
} from "antd";
import { useState } from "react";
import { type ApiData, api, call } from "../../api/client";
import { useSession } from "../../auth/session";
import { LoadError } from "../../components/page-state";
import { showServerIssues } from "../../components/server-issues";
import { useI18n } from "../../i18n/i18n";

type RoleList = ApiData<"/api/roles", "get">;
type Role = RoleList["items"][number];

interface Values {
  code: string;
  name: string;
  description?: string;
  permissions: string[];
}

/** Roles are city-wide: only a user whose scope is a whole tree (the city) may define them. */
const coversWholeTree = (paths: string[]) => paths.some((p) => p === "/" || /^\/[^/]+\/$/.test(p));

/**
 * 角色与权限: each role and the permissions it grants. Built-in roles are read-only; a city admin
 * creates, edits and deletes custom roles, granting only permissions they hold themselves (the
 * others are shown but cannot be ticked; the server refuses them too, and audits every change).
 */
export default function RolesPage() {
  const { t } = useI18n();
  const { user, can } = useSession();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const roles = useQuery({ queryKey: ["roles"], queryFn: () => call(api.GET("/api/roles")) });
  const [editing, setEditing] = useState<Role | "new" | null>(null);
  const mayDefine = can("users.manage") && coversWholeTree((user?.scope ?? []).map((s) => s.path));
  const remove = useMutation({
    mutationFn: (code: string) => call(api.DELETE("/api/roles/{code}", { params: { path: { code } } })),
    onSuccess: () => {
      message.success(t("roles.deleted"));
      void queryClient.invalidateQueries({ queryKey: ["roles"] });
    },
    onError: (e) => message.error(e instanceof Error ? e.message : String(e)),
  });
  if (roles.isError) return <LoadError error={roles.error} onRetry={() => void roles.refetch()} />;
  return (
    <Card
      title={t("nav.roles")}
      extra={
        mayDefine && (
          <Button type="primary" onClick={() => setEditing("new")} data-testid="role-new">
            {t("roles.new")}
          </Button>
        )
      }
    >
      <Table<Role>
        size="small"
        rowKey="code"
        loading={roles.isPending}
        dataSource={roles.data?.items}
        pagination={false}
        data-testid="roles-table"
        columns={[
          {
            title: t("roles.name"),
            dataIndex: "name",
            width: 150,
            render: (n: string, r) => (
              <>
                {n} {r.builtin && <Tag>{t("roles.builtin")}</Tag>}
              </>
            ),
          },
          { title: t("roles.code"), dataIndex: "code", width: 130, render: (c: string) => <code>{c}</code> },
          { title: t("roles.description"), dataIndex: "description", width: 200 },
          { title: t("roles.holders"), dataIndex: "holders", width: 80, align: "right" },
          {
            title: t("tokens.permissions"),
            dataIndex: "permissions",
            render: (ps: Role["permissions"]) =>
              ps.map((p) => (
                <Tag key={p.code} color="blue">
                  {p.label}
                </Tag>
              )),
          },
          ...(mayDefine
            ? [
                {
                  title: t("roles.actions"),
                  key: "actions",
                  width: 130,
                  render: (_: unknown, r: Role) =>
                    r.builtin ? (
                      <Tooltip title={t("roles.builtinReadOnly")}>
                        <span style={{ color: "#999" }}>{t("roles.readOnly")}</span>
                      </Tooltip>
                    ) : (
                      <Space size={4}>
                        <Button
                          size="small"
                          onClick={() => setEditing(r)}
                          data-testid={`role-edit-${r.code}`}
                        >
                          {t("edit.edit")}
                        </Button>
                        <Popconfirm
                          title={t("roles.confirmDelete", { name: r.name })}
                          description={r.holders > 0 ? t("roles.heldBy", { n: r.holders }) : undefined}
                          okText={t("roles.delete")}
                          cancelText={t("import.cancel")}
                          okButtonProps={{ danger: true, disabled: r.holders > 0 }}
                          onConfirm={() => remove.mutate(r.code)}
                        >
                          <Button size="small" danger data-testid={`role-delete-${r.code}`}>
                            {t("roles.delete")}
                          </Button>
                        </Popconfirm>
                      </Space>
                    ),
                },
              ]
            : []),
        ]}
      />
      {editing && roles.data && (
        <RoleForm
          role={editing === "new" ? null : editing}
          catalogue={roles.data.permissions}
          held={new Set(user?.permissions ?? [])}
          onClose={() => setEditing(null)}
        />
      )}
    </Card>
  );
}

function RoleForm({
  role,
  catalogue,
  held,
  onClose,
}: {
  role: Role | null;
  catalogue: RoleList["permissions"];
  held: Set<string>;
  onClose(): void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (v: Values) =>
      role
        ? call(
            api.PATCH("/api/roles/{code}", {
              params: { path: { code: role.code } },
              body: { name: v.name, description: v.description?.trim() || null, permissions: v.permissions },
            }),
          )
        : call(
            api.POST("/api/roles", {
              body: {
                code: v.code.trim(),
                name: v.name,
                description: v.description?.trim() || null,
                permissions: v.permissions,
              },
            }),
          ),
    onSuccess: () => {
      message.success(t("edit.saved"));
      void queryClient.invalidateQueries({ queryKey: ["roles"] });
      onClose();
    },
    onError: (e) =>
      setError(
        showServerIssues(form, e, ["code", "name", "description", "permissions"], t("edit.fixFields")),
      ),
  });
  return (
    <Modal
      open
      title={role ? `${t("roles.edit")} · ${role.name}` : t("roles.new")}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t("edit.save")}
      cancelText={t("import.cancel")}
      confirmLoading={save.isPending}
      width={640}
      okButtonProps={{ "data-testid": "role-save" } as Record<string, string>}
    >
      <Form<Values>
        form={form}
        layout="vertical"
        requiredMark={false}
        data-testid="role-form"
        initialValues={
          role
            ? {
                code: role.code,
                name: role.name,
                description: role.description ?? undefined,
                permissions: role.permissions.map((p) => p.code),
              }
            : { permissions: [] }
        }
        onFinish={(v) => {
          setError(null);
          save.mutate(v);
        }}
      >
        {error && (
          <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="role-error" />
        )}
        <Form.Item
          name="code"
          label={t("roles.code")}
          extra={role ? undefined : t("roles.codeHint")}
          rules={[
            { required: true, message: t("roles.codeRequired") },
            { pattern: /^[a-z][a-z0-9_]{1,31}$/, message: t("roles.codeHint") },
          ]}
        >
          <Input disabled={role !== null} autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="name"
          label={t("roles.name")}
          rules={[{ required: true, whitespace: true, message: t("roles.nameRequired") }]}
        >
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="description" label={t("roles.description")}>
          <Input maxLength={500} />
        </Form.Item>
        <Form.Item
          name="permissions"
          label={t("tokens.permissions")}
          extra={t("roles.onlyHeld")}
          rules={[{ required: true, type: "array", min: 1, message: t("tokens.permissionsRequired") }]}
        >
          <Checkbox.Group style={{ display: "grid", gridTemplateColumns: "1fr 1fr", gap: 6 }}>
            {catalogue.map((p) => (
              <Checkbox key={p.code} value={p.code} disabled={!held.has(p.code)}>
                {p.label} <code style={{ color: "#999", fontSize: 11 }}>{p.code}</code>
              </Checkbox>
            ))}
          </Checkbox.Group>
        </Form.Item>
      </Form>
    </Modal>
  );
}
