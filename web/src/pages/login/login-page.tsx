import { LockOutlined, TranslationOutlined, UserOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Form, Input, Typography } from "antd";
import { useState } from "react";
import { Navigate, useLocation } from "react-router";
import { ApiError } from "../../api/client";
import { useSession } from "../../auth/session";
import { useI18n } from "../../i18n/i18n";

interface LoginForm {
  username: string;
  password: string;
}

/** Sign-in. Errors are the API's own Chinese messages (wrong password with attempts left, lockout). */
export default function LoginPage() {
  const { user, notice, signIn } = useSession();
  const { t, lang, setLang } = useI18n();
  const location = useLocation();
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  if (user) {
    const from = (location.state as { from?: string } | null)?.from;
    return <Navigate to={from && from !== "/login" ? from : "/"} replace />;
  }

  const submit = async (values: LoginForm) => {
    setBusy(true);
    setError(null);
    try {
      await signIn(values.username.trim(), values.password);
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, "UNKNOWN", String(e)));
    } finally {
      setBusy(false);
    }
  };

  const locked = error?.code === "ACCOUNT_LOCKED";
  return (
    <div
      style={{
        minHeight: "100vh",
        display: "flex",
        alignItems: "center",
        justifyContent: "center",
        background: "linear-gradient(135deg, #0b3d91 0%, #1677ff 60%, #69b1ff 100%)",
        padding: 16,
      }}
    >
      <Card style={{ width: 400, maxWidth: "100%" }} styles={{ body: { padding: 32 } }}>
        <div style={{ textAlign: "center", marginBottom: 24 }}>
          <Typography.Title level={3} style={{ marginBottom: 4 }}>
            {t("app.title")}
          </Typography.Title>
          <Typography.Text type="secondary">
            {t("app.bureau")} · {t("login.subtitle")}
          </Typography.Text>
        </div>
        {notice?.kind === "expired" && !error && (
          <Alert
            type="warning"
            showIcon
            title={t("login.expired")}
            description={notice.message}
            style={{ marginBottom: 16 }}
            data-testid="login-notice"
          />
        )}
        {notice?.kind === "signedOut" && !error && (
          <Alert
            type="success"
            showIcon
            title={t("login.signedOut")}
            style={{ marginBottom: 16 }}
            data-testid="login-notice"
          />
        )}
        {error && (
          <Alert
            type="error"
            showIcon
            icon={locked ? <LockOutlined /> : undefined}
            title={locked ? t("login.locked") : t("login.failed")}
            description={error.message}
            style={{ marginBottom: 16 }}
            data-testid="login-error"
          />
        )}
        <Form<LoginForm> layout="vertical" onFinish={submit} requiredMark={false} disabled={busy}>
          <Form.Item
            name="username"
            label={t("login.username")}
            rules={[{ required: true, whitespace: true, message: t("login.usernameRequired") }]}
          >
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus size="large" />
          </Form.Item>
          <Form.Item
            name="password"
            label={t("login.password")}
            rules={[{ required: true, message: t("login.passwordRequired") }]}
          >
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" size="large" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block size="large" loading={busy}>
            {t("login.submit")}
          </Button>
        </Form>
        <div style={{ textAlign: "right", marginTop: 16 }}>
          <Button
            type="link"
            size="small"
            icon={<TranslationOutlined />}
            onClick={() => setLang(lang === "zh" ? "en" : "zh")}
          >
            {t("lang.switch")}
          </Button>
        </div>
      </Card>
    </div>
  );
}
