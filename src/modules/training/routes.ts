import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../server/plugins/auth.js";
import { sendXlsx } from "../registry/xlsx-reply.js";
import type { Institution } from "./schemas.js";
import {
  idParams,
  inspection,
  inspectionInput,
  inspectionPage,
  inspectionQuery,
  institution,
  institutionCategories,
  institutionDetail,
  institutionInput,
  institutionPage,
  institutionPatch,
  institutionQuery,
  institutionStatuses,
  ruleParams,
  rulePatch,
  trainingRule,
} from "./schemas.js";
import type { TrainingService } from "./service.js";

const tags = ["training"];
const label = (list: readonly { code: string; label: string }[], code: string) =>
  list.find((x) => x.code === code)?.label ?? code;

/** 校外培训: institutions, rules, inspections (enforcement cases are under /api/cases). */
export function trainingRoutes(service: TrainingService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      "/api/training/institutions",
      {
        schema: {
          tags,
          summary: "校外培训机构（按数据范围：县级看本县）",
          querystring: institutionQuery,
          response: { 200: institutionPage },
        },
      },
      (request) => service.list(actorOf(request), request.query),
    );

    app.get(
      "/api/training/institutions/export.xlsx",
      { schema: { tags, summary: "导出校外培训机构 (xlsx)" } },
      async (request, reply) => {
        const rows = await service.all(actorOf(request));
        return sendXlsx<Institution>(
          reply,
          "校外培训机构.xlsx",
          "校外培训机构",
          [
            { header: "机构名称", width: 30, value: (r) => r.name },
            { header: "统一社会信用代码", width: 22, value: (r) => r.creditCode },
            { header: "类别", value: (r) => label(institutionCategories, r.category) },
            { header: "培训项目", width: 20, value: (r) => r.subjects.join("、") },
            { header: "办学许可证号", width: 22, value: (r) => r.licenceNo },
            { header: "许可证有效期至", width: 14, value: (r) => r.licenceValidTo },
            { header: "线上", value: (r) => (r.online ? "是" : "否") },
            { header: "县（市、区）", value: (r) => r.countyName },
            { header: "地址", width: 30, value: (r) => r.address },
            { header: "预收费监管银行", width: 18, value: (r) => r.prepayBank },
            { header: "预收费监管账户", width: 22, value: (r) => r.prepayAccount },
            { header: "状态", value: (r) => label(institutionStatuses, r.status) },
            { header: "最近检查", width: 12, value: (r) => r.lastInspectedOn },
            { header: "在办执法案件", value: (r) => r.openCases },
          ],
          (async function* () {
            yield* rows;
          })(),
        );
      },
    );

    app.get(
      "/api/training/institutions/:id",
      {
        schema: {
          tags,
          summary: "培训机构详情（含检查记录和执法案件）",
          params: idParams,
          response: { 200: institutionDetail },
        },
      },
      (request) => service.get(actorOf(request), request.params.id),
    );

    app.post(
      "/api/training/institutions",
      {
        schema: { tags, summary: "登记培训机构", body: institutionInput, response: { 201: institution } },
      },
      async (request, reply) => reply.status(201).send(await service.create(actorOf(request), request.body)),
    );

    app.patch(
      "/api/training/institutions/:id",
      {
        schema: {
          tags,
          summary: "修改培训机构",
          params: idParams,
          body: institutionPatch,
          response: { 200: institution },
        },
      },
      (request) => service.update(actorOf(request), request.params.id, request.body),
    );

    app.post(
      "/api/training/institutions/:id/inspections",
      {
        schema: {
          tags,
          summary: "录入检查（规则按阈值判定问题；可同时立案）",
          params: idParams,
          body: inspectionInput,
          response: { 201: inspection },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await service.inspect(actorOf(request), request.params.id, request.body)),
    );

    app.get(
      "/api/training/inspections",
      {
        schema: {
          tags,
          summary: "检查记录",
          querystring: inspectionQuery,
          response: { 200: inspectionPage },
        },
      },
      (request) => service.inspections(actorOf(request), request.query),
    );

    app.get(
      "/api/training/rules",
      {
        schema: {
          tags,
          summary: "检查规则与阈值（每项注明依据）",
          response: { 200: z.object({ items: z.array(trainingRule) }) },
        },
      },
      async (request) => ({ items: await service.rules(actorOf(request)) }),
    );

    app.patch(
      "/api/training/rules/:code",
      {
        schema: {
          tags,
          summary: "修改规则阈值（市级）",
          params: ruleParams,
          body: rulePatch,
          response: { 200: trainingRule },
        },
      },
      (request) => service.setRule(actorOf(request), request.params.code, request.body.value),
    );
  };
}
