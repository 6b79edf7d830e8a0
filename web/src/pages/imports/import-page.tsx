import { useQuery } from "@tanstack/react-query";
import { Card, Space, Table, Tag } from "antd";
import { useState } from "react";
import { api, call } from "../../api/client";
import { useI18n } from "../../i18n/i18n";
import { type ImportJob, ImportWizard } from "./import-wizard";

const statusColor: Record<string, string> = {
  committed: "green",
  validated: "blue",
  invalid: "red",
  failed: "red",
  validating: "processing",
  committing: "processing",
};

/** The import wizard and the history of imports in the user's area: who, when, what, counts. */
export default function ImportPage() {
  const { t } = useI18n();
  const [page, setPage] = useState(1);
  const history = useQuery({
    queryKey: ["imports", page],
    queryFn: () => call(api.GET("/api/imports", { params: { query: { page, pageSize: 10 } } })),
    refetchInterval: 5000,
  });
  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <ImportWizard />
      <Card title={t("import.history")}>
        <Table<ImportJob>
          size="small"
          rowKey="id"
          dataSource={history.data?.items}
          loading={history.isPending}
          data-testid="import-history"
          scroll={{ x: 900 }}
          pagination={{ current: page, pageSize: 10, total: history.data?.total ?? 0, onChange: setPage }}
          columns={[
            {
              title: t("import.when"),
              dataIndex: "createdAt",
              width: 170,
              render: (v: string) => new Date(v).toLocaleString("zh-CN"),
            },
            { title: t("import.who"), dataIndex: "createdBy", width: 110 },
            { title: t("import.kind"), dataIndex: "kindLabel", width: 80 },
            { title: t("import.file"), dataIndex: "fileName" },
            {
              title: t("people.status"),
              dataIndex: "statusLabel",
              width: 90,
              render: (v: string, j) => <Tag color={statusColor[j.status]}>{v}</Tag>,
            },
            { title: t("import.rows"), dataIndex: "rowsTotal", width: 80, align: "right" },
            { title: t("import.errors"), dataIndex: "errorCount", width: 70, align: "right" },
            { title: t("import.inserted"), dataIndex: "inserted", width: 70, align: "right" },
            { title: t("import.updated"), dataIndex: "updated", width: 70, align: "right" },
          ]}
        />
      </Card>
    </Space>
  );
}
