import { KeyOutlined, LogoutOutlined, TranslationOutlined, UserOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Layout, Menu, Space, Tag, Tooltip, Typography, theme } from "antd";
import { Suspense, useEffect, useState } from "react";
import { Link, Outlet, useLocation } from "react-router";
import { api, call } from "../api/client";
import { useSession } from "../auth/session";
import { ChangePassword } from "../components/change-password";
import { PageLoading } from "../components/page-state";
import type { MessageKey } from "../i18n/dict";
import { useI18n } from "../i18n/i18n";
import { navItems } from "../nav";

const { Header, Sider, Content } = Layout;

/** The signed-in frame: the menu by capability on the left, who and where in the header. */
export function AppLayout() {
  const { user, can, signOut } = useSession();
  const { t, lang, setLang } = useI18n();
  const location = useLocation();
  const { token } = theme.useToken();
  const [passwordOpen, setPasswordOpen] = useState(false);
  if (!user) return null;

  const items = navItems
    .filter((i) => can(i.permission) || (i.anyOf ?? []).some(can))
    .map((i) => ({ key: i.path, icon: i.icon, label: <Link to={i.path}>{t(i.label)}</Link> }));
  const selected =
    navItems
      .map((i) => i.path)
      .filter((p) => (p === "/" ? location.pathname === "/" : location.pathname.startsWith(p)))
      .sort((a, b) => b.length - a.length)[0] ?? "";
  const roleNames = user.roles.map((r) => t(`role.${r}` as MessageKey));
  const areaNames = user.scope.map((s) => s.name);

  return (
    <Layout style={{ minHeight: "100vh" }}>
      <Sider breakpoint="lg" collapsedWidth={56} width={200} theme="dark">
        <div
          style={{
            height: 56,
            display: "flex",
            alignItems: "center",
            justifyContent: "center",
            color: "#fff",
            fontWeight: 600,
            fontSize: 16,
            overflow: "hidden",
            whiteSpace: "nowrap",
          }}
        >
          {t("app.short")}
        </div>
        <Menu theme="dark" mode="inline" selectedKeys={[selected]} items={items} />
      </Sider>
      <Layout>
        <Header
          style={{
            background: token.colorBgContainer,
            padding: "0 20px",
            display: "flex",
            alignItems: "center",
            justifyContent: "space-between",
            gap: 16,
            borderBottom: `1px solid ${token.colorBorderSecondary}`,
          }}
        >
          <Typography.Title level={4} style={{ margin: 0, whiteSpace: "nowrap" }}>
            {t("app.title")}
          </Typography.Title>
          <Space size="middle" wrap={false} data-testid="user-info">
            <Space size={4}>
              <UserOutlined />
              <strong data-testid="user-name">{user.displayName}</strong>
            </Space>
            <Tooltip title={t("header.role")}>
              <span data-testid="user-roles">
                {roleNames.map((r) => (
                  <Tag key={r} color="blue">
                    {r}
                  </Tag>
                ))}
              </span>
            </Tooltip>
            <Tooltip title={t("header.area")}>
              <span data-testid="user-area">
                {areaNames.map((a) => (
                  <Tag key={a} color="green">
                    {a}
                  </Tag>
                ))}
              </span>
            </Tooltip>
            <Button
              size="small"
              icon={<TranslationOutlined />}
              onClick={() => setLang(lang === "zh" ? "en" : "zh")}
              data-testid="lang-switch"
            >
              {t("lang.switch")}
            </Button>
            <Tooltip title={t("header.changePassword")}>
              <Button
                size="small"
                icon={<KeyOutlined />}
                onClick={() => setPasswordOpen(true)}
                aria-label={t("header.changePassword")}
                data-testid="change-password"
              />
            </Tooltip>
            <Button
              size="small"
              icon={<LogoutOutlined />}
              onClick={() => void signOut()}
              data-testid="sign-out"
            >
              {t("header.signOut")}
            </Button>
          </Space>
        </Header>
        <ChangePassword
          open={passwordOpen || user.mustChangePassword}
          forced={user.mustChangePassword}
          onClose={() => setPasswordOpen(false)}
        />
        <Content style={{ margin: 16, minWidth: 0 }}>
          <DemoLoadingBanner />
          <Suspense fallback={<PageLoading />}>
            <Outlet />
          </Suspense>
        </Content>
      </Layout>
    </Layout>
  );
}

/**
 * "示范数据载入中": in demo mode the capabilities' demo data loads after the server starts
 * (/api/health says demo: "loading"); asked again every 3 s until it is in, then the page's data
 * is read afresh.
 */
function DemoLoadingBanner() {
  const { t } = useI18n();
  const [wasLoading, setWasLoading] = useState(false);
  const health = useQuery({
    queryKey: ["health"],
    queryFn: () => call(api.GET("/api/health")),
    refetchInterval: (q) => (q.state.data?.demo === "loading" ? 3000 : false),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const demo = health.data?.demo;
  const queryClient = useQueryClient();
  useEffect(() => {
    if (demo === "loading") setWasLoading(true);
    else if (wasLoading && demo === "ready") {
      setWasLoading(false);
      void queryClient.invalidateQueries({ predicate: (q) => q.queryKey[0] !== "health" });
    }
  }, [demo, wasLoading, queryClient]);
  if (demo !== "loading" && demo !== "failed") return null;
  return (
    <Alert
      type={demo === "loading" ? "info" : "warning"}
      showIcon
      style={{ marginBottom: 16 }}
      data-testid="demo-loading"
      title={demo === "loading" ? t("demo.loading") : t("demo.failed")}
    />
  );
}
