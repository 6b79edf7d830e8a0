import { Card } from "antd";
import { CaseList } from "./case-list";

/** 隐患排查整治: the hazards within scope. */
export default function HazardsPage() {
  return (
    <Card title="隐患排查整治">
      <CaseList kind="hazard" />
    </Card>
  );
}
