import { Button, Result, Spin } from "antd";
import { Link } from "react-router";
import { ApiError } from "../api/client";
import { useI18n } from "../i18n/i18n";

export function PageLoading() {
  const { t } = useI18n();
  return (
    <div style={{ display: "flex", justifyContent: "center", padding: 80 }}>
      <Spin size="large" description={t("common.loading")} />
    </div>
  );
}

export function NotFound() {
  const { t } = useI18n();
  return (
    <Result
      status="404"
      title={t("common.notFound")}
      subTitle={t("common.notFoundHint")}
      extra={
        <Link to="/">
          <Button type="primary">{t("common.home")}</Button>
        </Link>
      }
    />
  );
}

export function Forbidden() {
  const { t } = useI18n();
  return (
    <Result
      status="403"
      title={t("common.forbidden")}
      subTitle={t("common.forbiddenHint")}
      extra={
        <Link to="/">
          <Button type="primary">{t("common.home")}</Button>
        </Link>
      }
    />
  );
}

/** A failed request: 404 looks like "not found" (out of scope included), the rest shows the API's message. */
export function LoadError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  if (error instanceof ApiError && error.status === 404) return <NotFound />;
  if (error instanceof ApiError && error.status === 403) return <Forbidden />;
  return (
    <Result
      status="error"
      title={error instanceof Error ? error.message : String(error)}
      extra={onRetry && <Button onClick={onRetry}>{t("common.retry")}</Button>}
    />
  );
}
