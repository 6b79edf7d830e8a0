import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../server/plugins/auth.js";
import { AppError } from "../../shared/errors.js";
import { pageOf, pageQuery } from "../../shared/paging.js";
import { inspectionBody, type SafetyService } from "./safety.js";
import { planBody, type SupervisionService } from "./supervision-plans.js";

const id = z.object({ id: z.coerce.number().int().positive() });
const sourceEnum = z.enum(["self_check", "county_inspection", "city_spot_check"]);

const inspectionRow = z.object({
  id: z.number(),
  schoolCode: z.string(),
  schoolName: z.string(),
  countyCode: z.string().nullable(),
  periodCode: z.string(),
  inspectedOn: z.string(),
  source: sourceEnum,
  sourceLabel: z.string(),
  inspectorName: z.string(),
  passed: z.boolean(),
});
const inspectionOut = inspectionRow.extend({
  notes: z.string().nullable(),
  results: z.array(
    z.object({
      itemCode: z.string(),
      name: z.string(),
      required: z.boolean(),
      passed: z.boolean(),
      note: z.string().nullable(),
      hazardId: z.number().nullable(),
    }),
  ),
});

const planRow = z.object({
  id: z.number(),
  title: z.string(),
  planType: z.string(),
  planTypeLabel: z.string(),
  topic: z.string().nullable(),
  startsOn: z.string(),
  endsOn: z.string(),
  status: z.string(),
  issuer: z.string(),
  targets: z.number(),
  findings: z.number(),
  open: z.number(),
});
const planOut = planRow.omit({ targets: true, findings: true, open: true }).extend({
  description: z.string().nullable(),
  createdByName: z.string(),
  targets: z.array(
    z.object({
      id: z.number(),
      orgUnitCode: z.string(),
      orgUnitName: z.string(),
      countyCode: z.string().nullable(),
      inspectors: z.array(z.string()),
      findings: z.number(),
      open: z.number(),
      overdue: z.number(),
      mine: z.boolean().describe("the signed-in inspector is assigned to this target"),
    }),
  ),
});

export function safetySupervisionRoutes(
  safety: SafetyService,
  supervision: SupervisionService,
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      "/api/safety/checklist",
      {
        schema: {
          tags: ["safety"],
          summary: "平安校园检查表 (items marked required must pass)",
          response: {
            200: z.array(
              z.object({
                code: z.string(),
                name: z.string(),
                description: z.string().nullable(),
                category: z.string(),
                required: z.boolean(),
                sort: z.number(),
              }),
            ),
          },
        },
      },
      () => safety.checklist(),
    );

    app.get(
      "/api/safety/inspections",
      {
        schema: {
          tags: ["safety"],
          summary: "平安校园检查记录 (scoped)",
          querystring: pageQuery.extend({
            schoolCode: z.string().trim().optional(),
            periodCode: z.string().trim().optional(),
          }),
          response: { 200: pageOf(inspectionRow) },
        },
      },
      (request) => safety.list(actorOf(request), request.query),
    );

    app.get(
      "/api/safety/inspections/:id",
      { schema: { tags: ["safety"], summary: "检查记录详情", params: id, response: { 200: inspectionOut } } },
      (request) => safety.get(actorOf(request), request.params.id),
    );

    app.post(
      "/api/safety/inspections",
      {
        schema: {
          tags: ["safety"],
          summary: "录入检查 (a failed item files a hazard; the source follows the inspector's level)",
          body: inspectionBody,
          response: { 201: inspectionOut },
        },
      },
      async (request, reply) => reply.status(201).send(await safety.record(actorOf(request), request.body)),
    );

    app.get(
      "/api/safety/status",
      {
        schema: {
          tags: ["safety"],
          summary: "平安校园达标情况 by school in scope for a period",
          querystring: z.object({
            periodCode: z.string().trim().min(4),
            countyCode: z.string().trim().optional(),
          }),
          response: {
            200: z.object({
              schools: z.number(),
              inspected: z.number(),
              passed: z.number(),
              counties: z.array(
                z.object({
                  countyCode: z.string(),
                  schools: z.number(),
                  inspected: z.number(),
                  passed: z.number(),
                }),
              ),
            }),
          },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        if (!actor.permissions.has("hazard.read")) throw new AppError("FORBIDDEN");
        const rows = (await safety.safeCampusBySchool(request.query.periodCode)).filter(
          (r) =>
            actor.scopePaths.some((p) => r.orgPath.startsWith(p)) &&
            (!request.query.countyCode || r.countyCode === request.query.countyCode),
        );
        const counties = new Map<
          string,
          { countyCode: string; schools: number; inspected: number; passed: number }
        >();
        for (const r of rows) {
          const c = counties.get(r.countyCode ?? "") ?? {
            countyCode: r.countyCode ?? "",
            schools: 0,
            inspected: 0,
            passed: 0,
          };
          c.schools++;
          if (r.inspected) c.inspected++;
          if (r.passed) c.passed++;
          counties.set(c.countyCode, c);
        }
        return {
          schools: rows.length,
          inspected: rows.filter((r) => r.inspected).length,
          passed: rows.filter((r) => r.passed).length,
          counties: [...counties.values()].sort((a, b) => a.countyCode.localeCompare(b.countyCode)),
        };
      },
    );

    app.get(
      "/api/supervision/plans",
      {
        schema: {
          tags: ["supervision"],
          summary:
            "督导计划 (issued in or targeting the scope; an inspector sees only plans assigned to them)",
          querystring: pageQuery.extend({ status: z.enum(["active", "closed"]).optional() }),
          response: { 200: pageOf(planRow) },
        },
      },
      (request) => supervision.list(actorOf(request), request.query),
    );

    app.get(
      "/api/supervision/plans/:id",
      {
        schema: {
          tags: ["supervision"],
          summary: "督导计划详情与督导对象",
          params: id,
          response: { 200: planOut },
        },
      },
      (request) => supervision.get(actorOf(request), request.params.id),
    );

    app.post(
      "/api/supervision/plans",
      {
        schema: {
          tags: ["supervision"],
          summary: "制定督导计划 (targets under the issuer; inspectors by username, role 督学)",
          body: planBody,
          response: { 201: planOut },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await supervision.create(actorOf(request), request.body)),
    );

    app.get(
      "/api/supervision/inspectors",
      {
        schema: {
          tags: ["supervision"],
          summary: "督学 accounts to assign (supervision.plan)",
          response: { 200: z.array(z.object({ username: z.string(), displayName: z.string() })) },
        },
      },
      (request) => supervision.inspectors(actorOf(request)),
    );

    app.get(
      "/api/supervision/measures",
      {
        schema: {
          tags: ["supervision"],
          summary: "问责方式 (configurable list, after 《教育督导问责办法》)",
          response: {
            200: z.array(
              z.object({ code: z.string(), name: z.string(), subjectType: z.enum(["unit", "person"]) }),
            ),
          },
        },
      },
      () => supervision.measures(),
    );

    app.get(
      "/api/supervision/accountability",
      {
        schema: {
          tags: ["supervision"],
          summary: "问责记录 (scoped)",
          querystring: pageQuery,
          response: {
            200: pageOf(
              z.object({
                id: z.number(),
                caseId: z.number(),
                subjectType: z.enum(["unit", "person"]),
                subjectName: z.string(),
                measure: z.string(),
                basis: z.string(),
                decidedByName: z.string(),
                decidedAt: z.string(),
                orgUnitName: z.string(),
              }),
            ),
          },
        },
      },
      (request) => supervision.accountability(actorOf(request), request.query),
    );
  };
}
