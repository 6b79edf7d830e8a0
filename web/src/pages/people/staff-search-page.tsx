import { Card } from "antd";
import { useI18n } from "../../i18n/i18n";
import { PeopleTable } from "./people-table";

export default function StaffSearchPage() {
  const { t } = useI18n();
  return (
    <Card title={t("nav.staff")}>
      <PeopleTable kind="staff" />
    </Card>
  );
}
