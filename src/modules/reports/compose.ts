import type { FastifyPluginAsync } from "fastify";
import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import { registerCaseKind } from "../cases/kinds/index.js";
import type { CaseService } from "../cases/service.js";
import type { FileService } from "../files/service.js";
import { registerTrainingHooks } from "../training/hooks.js";
import { trainingCaseKind } from "../training/kind.js";
import { TrainingRepository } from "../training/repository.js";
import { trainingRoutes } from "../training/routes.js";
import { type OpenEnforcementCase, TrainingService } from "../training/service.js";
import { registerReportHooks } from "./hooks.js";
import { reportKind } from "./kind.js";
import { publicReportRoutes } from "./public-routes.js";
import { ReportRepository } from "./repository.js";
import { reportRoutes } from "./routes.js";
import { ReportService } from "./service.js";

/** Inspection rule → the enforcement case's category (training/kind.ts). */
const categoryOfRule: Record<string, string> = {
  academic_rest_day: "academic_rest_day",
  online_session_minutes: "online_hours",
  online_break_minutes: "online_hours",
  online_end_hour: "online_hours",
  prepay_months: "prepay",
  prepay_hours: "prepay",
  prepay_account: "prepay_account",
  unlicensed: "unlicensed",
};

/**
 * 监督举报 and 校外培训 for the composition root: the two case kinds on the case engine with their
 * hooks, the public page's routes, the inside routes, and the training registry.
 */
export function reportsModule(db: Kysely<DB>, deps: { cases: CaseService; files: FileService }) {
  registerCaseKind(reportKind);
  registerCaseKind(trainingCaseKind);
  const reportRepo = new ReportRepository(db);
  registerReportHooks(reportRepo);
  registerTrainingHooks();
  const reports = new ReportService(db, reportRepo, deps.cases, deps.files);

  const openCase: OpenEnforcementCase = async (tx, actor, c) => {
    const county = await tx
      .selectFrom("org_unit")
      .select("code")
      .where("kind", "=", "county")
      .where("code", "=", c.countyCode)
      .executeTakeFirstOrThrow();
    return deps.cases.create(
      actor,
      {
        kind: "training",
        orgUnitCode: county.code,
        form: {
          title: c.title,
          category: c.category ? (categoryOfRule[c.category] ?? "other") : "other",
          source: c.source,
          institutionId: c.institutionId,
          description: c.description,
        },
      },
      { tx, quiet: true },
    );
  };
  const training = new TrainingService(db, new TrainingRepository(db), openCase, () => deps.cases.changed());
  const routes: FastifyPluginAsync[] = [
    publicReportRoutes(reports, deps.files, db),
    reportRoutes(reports),
    trainingRoutes(training),
  ];
  return { reports, training, routes };
}
