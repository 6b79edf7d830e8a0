import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../server/plugins/auth.js";
import { type Actor, requirePermission } from "../../shared/actor.js";
import type { AuditEntity } from "../audit/labels.js";
import { recordAudit } from "../audit/record.js";
import { sendXlsx } from "../registry/xlsx-reply.js";
import type { DefinitionService } from "./definition-service.js";
import { catalogueRows, cockpitRows, exportColumns, resultRows, unitPageRows } from "./export.js";
import { aggregates, functions, unitAttributes } from "./expression/catalogue.js";
import { loadIndicatorPackage } from "./package.js";
import type { ResultService } from "./result-service.js";
import {
  checkBody,
  checkResult,
  cockpitQuery,
  cockpitResponse,
  definitionsResponse,
  groupCreateBody,
  groupOut,
  groupPatchBody,
  indicatorCreateBody,
  indicatorDetail,
  indicatorOut,
  indicatorPatchBody,
  packageResult,
  pageParams,
  pageQuery,
  resultsQuery,
  resultsResponse,
  targetOut,
  targetPutBody,
  targetQuery,
  unitPageResponse,
} from "./schemas.js";

const tags = ["indicators"];

/**
 * The cockpit's payload is built by the service from typed parts and cached whole; it is written as
 * JSON without validating it again against the response schema (which still documents it), and the
 * text of a cached payload is reused.
 */
const jsonOf = new WeakMap<object, string>();
const cachedJson = () => (data: unknown) => {
  if (typeof data !== "object" || data === null) return JSON.stringify(data);
  let text = jsonOf.get(data);
  if (text === undefined) {
    text = JSON.stringify(data);
    jsonOf.set(data, text);
  }
  return text;
};
const codeParams = z.object({ code: z.string() });
const idParams = z.object({ id: z.coerce.number().int() });

async function auditExport(
  service: DefinitionService,
  actor: Actor,
  entity: AuditEntity,
  context: Record<string, unknown>,
) {
  requirePermission(actor, "exchange.export");
  await recordAudit(service.db, actor, { action: "export", entity, context });
}

export function indicatorRoutes(defs: DefinitionService, results: ResultService): FastifyPluginAsyncZod {
  return async (app) => {
    // ---- definitions ----
    app.get(
      "/api/indicators",
      {
        schema: {
          tags,
          summary: "指标和重点工作分组（定义）",
          querystring: z.object({ includeInactive: z.coerce.boolean().default(false) }),
          response: { 200: definitionsResponse },
        },
      },
      (req) => defs.list(actorOf(req), req.query.includeInactive),
    );
    app.get(
      "/api/indicators/catalogue",
      {
        schema: {
          tags,
          summary: "表达式可用的统计函数、函数、属性和数据项（编辑器帮助）",
          response: {
            200: z.object({
              aggregates: z.array(
                z.object({
                  name: z.string(),
                  aliases: z.array(z.string()),
                  label: z.string(),
                  source: z.string(),
                  attributes: z.array(
                    z.object({
                      name: z.string(),
                      aliases: z.array(z.string()),
                      label: z.string(),
                      type: z.string(),
                    }),
                  ),
                }),
              ),
              functions: z.array(
                z.object({ name: z.string(), aliases: z.array(z.string()), label: z.string() }),
              ),
              unitAttributes: z.array(
                z.object({
                  name: z.string(),
                  aliases: z.array(z.string()),
                  label: z.string(),
                  type: z.string(),
                }),
              ),
              elements: z
                .array(z.object({ code: z.string(), name: z.string(), valueType: z.string() }))
                .nullable(),
            }),
          },
        },
      },
      async (req) => {
        requirePermission(actorOf(req), "indicators.read");
        return catalogueRows(aggregates, functions, unitAttributes, await defs.elements());
      },
    );
    app.post(
      "/api/indicators/check",
      {
        schema: {
          tags,
          summary: "检查分子、分母表达式（不保存），返回每处错误的位置",
          body: checkBody,
          response: { 200: checkResult },
        },
      },
      async (req) => {
        requirePermission(actorOf(req), "indicators.read");
        return defs.checkFormula(req.body.numerator, req.body.denominator);
      },
    );
    app.post(
      "/api/indicators",
      {
        schema: {
          tags,
          summary: "新建指标（表达式保存前检查）",
          body: indicatorCreateBody,
          response: { 201: indicatorOut },
        },
      },
      async (req, reply) => reply.code(201).send(await defs.create(actorOf(req), req.body)),
    );
    app.get(
      "/api/indicators/:code",
      {
        schema: {
          tags,
          summary: "一个指标的定义及其目标（按数据范围）",
          params: codeParams,
          response: { 200: indicatorDetail },
        },
      },
      (req) => defs.get(actorOf(req), req.params.code),
    );
    app.patch(
      "/api/indicators/:code",
      {
        schema: {
          tags,
          summary: "修改指标（表达式保存前检查）",
          params: codeParams,
          body: indicatorPatchBody,
          response: { 200: indicatorOut },
        },
      },
      (req) => defs.update(actorOf(req), req.params.code, req.body),
    );
    app.delete(
      "/api/indicators/:code",
      {
        schema: {
          tags,
          summary: "停用指标（保留其目标和历史）",
          params: codeParams,
          response: { 200: indicatorOut },
        },
      },
      (req) => defs.retire(actorOf(req), req.params.code),
    );

    app.get(
      "/api/indicator-groups",
      { schema: { tags, summary: "重点工作分组", response: { 200: z.array(groupOut) } } },
      async (req) => (await defs.list(actorOf(req))).groups,
    );
    app.post(
      "/api/indicator-groups",
      { schema: { tags, summary: "新建重点工作分组", body: groupCreateBody, response: { 201: groupOut } } },
      async (req, reply) =>
        reply.code(201).send(
          await defs.createGroup(actorOf(req), {
            ...req.body,
            description: req.body.description ?? null,
            source: req.body.source ?? null,
          }),
        ),
    );
    app.patch(
      "/api/indicator-groups/:code",
      {
        schema: {
          tags,
          summary: "修改重点工作分组",
          params: codeParams,
          body: groupPatchBody,
          response: { 200: groupOut },
        },
      },
      (req) => defs.updateGroup(actorOf(req), req.params.code, req.body),
    );
    app.delete(
      "/api/indicator-groups/:code",
      { schema: { tags, summary: "删除重点工作分组（须无指标）", params: codeParams } },
      async (req, reply) => {
        await defs.deleteGroup(actorOf(req), req.params.code);
        return reply.code(204).send();
      },
    );

    app.get(
      "/api/indicator-targets",
      {
        schema: {
          tags,
          summary: "目标值（本人数据范围内及上级机构的）",
          querystring: targetQuery,
          response: { 200: z.array(targetOut) },
        },
      },
      (req) => defs.targets(actorOf(req), req.query),
    );
    app.put(
      "/api/indicator-targets",
      {
        schema: {
          tags,
          summary: "设定某指标在某机构某统计期的目标（新建或替换）",
          body: targetPutBody,
          response: { 200: targetOut },
        },
      },
      (req) => defs.putTarget(actorOf(req), req.body),
    );
    app.delete(
      "/api/indicator-targets/:id",
      { schema: { tags, summary: "删除目标", params: idParams } },
      async (req, reply) => {
        await defs.deleteTarget(actorOf(req), req.params.id);
        return reply.code(204).send();
      },
    );

    app.post(
      "/api/indicator-packages",
      {
        schema: {
          tags,
          summary:
            "载入指标包（分组、指标、目标；整体校验，全部成功或不改动），如 packs/lvliang/plan-2022.json",
          body: z.unknown(),
          response: { 200: packageResult },
        },
        bodyLimit: 2 * 1024 * 1024,
      },
      async (req) => {
        const r = await loadIndicatorPackage(defs.db, actorOf(req), defs, req.body);
        results.invalidate();
        return r;
      },
    );

    // ---- results ----
    app.get(
      "/api/cockpit",
      {
        schema: {
          tags,
          summary:
            "驾驶舱：每个指标 × 市及各县（市、区）的值、分子、分母、目标、状态、差距、趋势、排名（按数据范围）",
          querystring: cockpitQuery,
          response: { 200: cockpitResponse },
        },
        serializerCompiler: cachedJson,
      },
      (req) => results.cockpit(actorOf(req), req.query),
    );
    app.get(
      "/api/cockpit/export.xlsx",
      { schema: { tags, summary: "导出驾驶舱 (xlsx)", querystring: cockpitQuery } },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await results.cockpit(actor, req.query);
        await auditExport(defs, actor, "cockpit", { ...req.query });
        return sendXlsx(reply, `驾驶舱-${data.period.code}.xlsx`, "驾驶舱", exportColumns, cockpitRows(data));
      },
    );
    app.get(
      "/api/indicator-results",
      {
        schema: {
          tags,
          summary: "指标结果：某机构及其下级（或全部学校）的值、分子、分母、目标和状态（下钻）",
          querystring: resultsQuery,
          response: { 200: resultsResponse },
        },
        serializerCompiler: cachedJson,
      },
      (req) => results.results(actorOf(req), req.query),
    );
    app.get(
      "/api/indicator-results/export.xlsx",
      { schema: { tags, summary: "导出指标结果 (xlsx)", querystring: resultsQuery } },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await results.results(actor, req.query);
        await auditExport(defs, actor, "indicator_results", { ...req.query });
        return sendXlsx(
          reply,
          `${data.indicator.name}-${data.orgUnit.name}-${data.period.code}.xlsx`,
          "指标结果",
          exportColumns,
          resultRows(data),
        );
      },
    );
    app.get(
      "/api/indicator-pages/:code",
      {
        schema: {
          tags,
          summary: "一个机构（如学校）自己的指标页：全部指标的本机构值，与县、市对照",
          params: pageParams,
          querystring: pageQuery,
          response: { 200: unitPageResponse },
        },
        serializerCompiler: cachedJson,
      },
      (req) => results.unitPage(actorOf(req), req.params.code, req.query),
    );
    app.get(
      "/api/indicator-pages/:code/export.xlsx",
      { schema: { tags, summary: "导出机构指标页 (xlsx)", params: pageParams, querystring: pageQuery } },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await results.unitPage(actor, req.params.code, req.query);
        await auditExport(defs, actor, "indicator_page", { code: req.params.code, ...req.query });
        return sendXlsx(
          reply,
          `${data.orgUnit.name}-指标-${data.period.code}.xlsx`,
          "指标",
          exportColumns,
          unitPageRows(data),
        );
      },
    );
  };
}
