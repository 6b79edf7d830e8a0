import { Layout, Menu, Typography } from "antd";
import type { ReactNode } from "react";
import { Link, useLocation } from "react-router";

/**
 * The frame of the public pages (no sign-in): the bureau's name and the two things a member of the
 * public does here. Nothing here calls a signed-in API.
 */
export function PublicLayout({ children }: { children: ReactNode }) {
  const location = useLocation();
  return (
    <Layout style={{ minHeight: "100vh", background: "#f5f7fa" }}>
      <Layout.Header style={{ display: "flex", alignItems: "center", gap: 24, background: "#0b3d91" }}>
        <Typography.Title level={4} style={{ color: "#fff", margin: 0, whiteSpace: "nowrap" }}>
          吕梁市教育局 · 监督举报
        </Typography.Title>
        <Menu
          theme="dark"
          mode="horizontal"
          style={{ background: "transparent", flex: 1, minWidth: 0 }}
          selectedKeys={[location.pathname]}
          items={[
            { key: "/public/report", label: <Link to="/public/report">我要举报</Link> },
            { key: "/public/follow", label: <Link to="/public/follow">查询办理情况</Link> },
          ]}
        />
      </Layout.Header>
      <Layout.Content style={{ padding: "24px 16px", display: "flex", justifyContent: "center" }}>
        <div style={{ width: 860, maxWidth: "100%" }}>{children}</div>
      </Layout.Content>
      <Layout.Footer style={{ textAlign: "center", color: "#888" }}>
        吕梁市教育局纪检组 · 匿名举报不记录您的 IP 地址和设备信息
      </Layout.Footer>
    </Layout>
  );
}
