import { Alert, App, Form, Input, Modal } from "antd";
import { useState } from "react";
import { ApiError, api, call } from "../api/client";
import { useSession } from "../auth/session";
import { useI18n } from "../i18n/i18n";

interface Values {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

/**
 * Changing one's own password. Opened from the header, and forced (not closable) when the account
 * must change its password (a reset by an administrator). The policy is the server's: its Chinese
 * message is shown as is.
 */
export function ChangePassword({
  open,
  forced,
  onClose,
}: {
  open: boolean;
  forced: boolean;
  onClose(): void;
}) {
  const { t } = useI18n();
  const { refresh } = useSession();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    setError(null);
    try {
      await call(
        api.POST("/api/auth/password", {
          body: { currentPassword: v.currentPassword, newPassword: v.newPassword },
        }),
      );
      message.success(t("password.changed"));
      form.resetFields();
      await refresh();
      onClose();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t("password.title")}
      okText={t("password.submit")}
      onOk={() => void submit()}
      confirmLoading={busy}
      onCancel={forced ? undefined : onClose}
      closable={!forced}
      mask={{ closable: !forced }}
      cancelButtonProps={{ style: forced ? { display: "none" } : undefined }}
      destroyOnHidden
    >
      {forced && (
        <Alert type="warning" showIcon title={t("password.mustChange")} style={{ marginBottom: 16 }} />
      )}
      {error && (
        <Alert
          type="error"
          showIcon
          title={error}
          style={{ marginBottom: 16 }}
          data-testid="password-error"
        />
      )}
      <Form form={form} layout="vertical" requiredMark={false}>
        <Form.Item
          name="currentPassword"
          label={t("password.current")}
          rules={[{ required: true, message: t("password.currentRequired") }]}
        >
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item
          name="newPassword"
          label={t("password.new")}
          rules={[{ required: true, message: t("password.newRequired") }]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t("password.confirm")}
          dependencies={["newPassword"]}
          rules={[
            { required: true, message: t("password.confirmRequired") },
            ({ getFieldValue }) => ({
              validator: (_, v) =>
                !v || v === getFieldValue("newPassword")
                  ? Promise.resolve()
                  : Promise.reject(new Error(t("password.mismatch"))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
