import { Card } from "antd";
import { useI18n } from "../../i18n/i18n";
import { SchoolTable } from "./school-table";

/** 学校名录: every school in the user's scope, with filters and export. */
export default function SchoolListPage() {
  const { t } = useI18n();
  return (
    <Card title={t("nav.schools")}>
      <SchoolTable />
    </Card>
  );
}
