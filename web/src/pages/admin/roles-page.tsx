import { useQuery } from "@tanstack/react-query";
import { Card, Table, Tag } from "antd";
import { type ApiData, api, call } from "../../api/client";
import { LoadError } from "../../components/page-state";
import { useI18n } from "../../i18n/i18n";

type Role = ApiData<"/api/roles", "get">["items"][number];

/** 角色与权限: each role and the permissions it grants (built-in roles are read-only). */
export default function RolesPage() {
  const { t } = useI18n();
  const roles = useQuery({ queryKey: ["roles"], queryFn: () => call(api.GET("/api/roles")) });
  if (roles.isError) return <LoadError error={roles.error} onRetry={() => void roles.refetch()} />;
  return (
    <Card title={t("nav.roles")}>
      <Table<Role>
        size="small"
        rowKey="code"
        loading={roles.isPending}
        dataSource={roles.data?.items}
        pagination={false}
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
          { title: t("roles.description"), dataIndex: "description", width: 240 },
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
        ]}
      />
    </Card>
  );
}
