import { AppError } from "../../shared/errors.js";
import { recordAudit } from "../audit/record.js";
import { registerCaseHooks } from "../cases/kinds/hooks.js";
import { todayInChina } from "../registry/calendar.js";
import type { ReportRepository } from "./repository.js";

/**
 * Side effects of the report kind, in the step's transaction: an upheld report that names a member
 * of staff (by staff number, inside the reported school or county) adds an entry to that person's
 * ethics negative list (师德负面清单). The entry carries the finding and the measure, never anything
 * about the reporter.
 */
export function registerReportHooks(repo: ReportRepository) {
  registerCaseHooks("report", {
    async afterStep(tx, actor, { row, decision }) {
      if (decision.step.code !== "uphold") return;
      const f = decision.fields as { staffNumber?: string; finding: string; measure: string };
      if (!f.staffNumber) return;
      const staff = await repo.staffUnder(tx, row.org_path, f.staffNumber);
      if (!staff)
        throw new AppError("VALIDATION_FAILED", `工号 ${f.staffNumber} 不是被举报单位的在册教职工`, {
          issues: [{ field: "staffNumber", message: "教职工工号不在被举报单位" }],
        });
      const entry = await repo.insertNegative(tx, {
        staffId: staff.id,
        orgPath: staff.org_path,
        countyCode: staff.county_code,
        category: row.category ?? "other",
        finding: f.finding,
        measure: f.measure,
        decidedOn: todayInChina(),
        caseId: row.id,
        recordedBy: actor.displayName,
      });
      await recordAudit(tx, actor, {
        action: "create",
        entity: "ethics_negative_entry",
        entityKey: String(entry.id),
        orgPath: staff.org_path,
        after: { staffId: staff.id, category: row.category, measure: f.measure, caseId: row.id },
      });
    },
  });
}
