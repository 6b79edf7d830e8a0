import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../server/plugins/auth.js";
import { AppError } from "../../shared/errors.js";
import { stringifyOnly } from "../../shared/http-json.js";
import type { XlsxColumn } from "../../shared/xlsx.js";
import { sendXlsx } from "../registry/xlsx-reply.js";
import { inbox } from "./inbox.js";
import {
  type CaseOut,
  caseCommentBody,
  caseCreateBody,
  caseDetailOut,
  caseFilterQuery,
  caseIdParams,
  caseKindOut,
  caseListQuery,
  casePage,
  caseStepBody,
  inboxOut,
  inboxQuery,
} from "./schemas.js";
import type { CaseService } from "./service.js";
import type { CaseSweeper } from "./sweep.js";

const tags = ["cases"];
const fmt = (iso: string | null) =>
  iso ? new Date(iso).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false }) : null;

const exportColumns: XlsxColumn<CaseOut>[] = [
  { header: "编号", width: 12, value: (c) => c.ref },
  { header: "类型", value: (c) => c.kindName },
  { header: "标题", width: 30, value: (c) => c.title },
  { header: "县（市、区）", width: 12, value: (c) => c.countyName },
  { header: "单位代码", width: 14, value: (c) => c.orgUnitCode },
  { header: "单位", width: 28, value: (c) => c.orgUnitName },
  { header: "状态", value: (c) => c.stateLabel },
  { header: "类别", value: (c) => c.categoryLabel },
  { header: "等级", value: (c) => c.severityLabel },
  { header: "来源", value: (c) => c.sourceLabel },
  { header: "上报人", width: 16, value: (c) => c.reporterName },
  { header: "期限", width: 20, value: (c) => fmt(c.dueAt) },
  { header: "逾期", value: (c) => (c.overdue ? "是" : "否") },
  { header: "督办层级", value: (c) => ["", "县级", "市级"][c.escalationLevel] ?? "" },
  { header: "登记时间", width: 20, value: (c) => fmt(c.createdAt) },
  { header: "办结时间", width: 20, value: (c) => fmt(c.closedAt) },
];

export function caseRoutes(service: CaseService, sweeper: CaseSweeper): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      "/api/cases/kinds",
      {
        schema: {
          tags,
          summary: "事项类型：状态、步骤、表单 (the registry of case kinds)",
          response: { 200: z.array(caseKindOut) },
        },
      },
      (request) => service.kinds(actorOf(request)),
    );

    app.get(
      "/api/cases",
      {
        schema: {
          tags,
          summary: "事项列表 (scoped: kinds the actor reads within scope, plus cases they take part in)",
          querystring: caseListQuery,
          response: { 200: casePage },
        },
        serializerCompiler: stringifyOnly,
      },
      (request) => service.list(actorOf(request), request.query),
    );

    app.get(
      "/api/cases/export.xlsx",
      {
        schema: {
          tags,
          summary: "导出事项 (xlsx, the list's filters; exchange.export)",
          querystring: caseFilterQuery,
        },
      },
      async (request, reply) => {
        const rows = await service.exportRows(actorOf(request), request.query);
        return sendXlsx(reply, "事项.xlsx", "事项", exportColumns, rows);
      },
    );

    app.get(
      "/api/cases/inbox",
      {
        schema: {
          tags,
          summary: "待办：等我处理的事项与升级给我的逾期事项",
          querystring: inboxQuery,
          response: { 200: inboxOut },
        },
      },
      (request) => inbox(service, actorOf(request), request.query),
    );

    app.post(
      "/api/cases/sweep",
      {
        schema: {
          tags,
          summary: "立即检查逾期并升级 (the sweep also runs every minute)",
          response: { 200: z.object({ overdue: z.number(), escalated: z.number(), cleared: z.number() }) },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        if (!["hazard.handle", "supervision.review"].some((p) => actor.permissions.has(p as never)))
          throw new AppError("FORBIDDEN");
        return sweeper.sweep();
      },
    );

    app.get(
      "/api/cases/:id",
      {
        schema: {
          tags,
          summary: "事项详情：时间线、附件、我可执行的步骤",
          params: caseIdParams,
          response: { 200: caseDetailOut },
        },
      },
      (request) => service.get(actorOf(request), request.params.id),
    );

    app.post(
      "/api/cases",
      {
        schema: {
          tags,
          summary: "登记事项 (the kind's form; attachments are upload ids from POST /api/files)",
          body: caseCreateBody,
          response: { 201: caseDetailOut },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const id = await service.create(actor, request.body);
        return reply.status(201).send(await service.get(actor, id));
      },
    );

    app.post(
      "/api/cases/:id/steps",
      {
        schema: {
          tags,
          summary:
            "办理一步 (refused with 403/409/400 and logged when not allowed, out of order or incomplete)",
          params: caseIdParams,
          body: caseStepBody,
          response: { 200: caseDetailOut },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        await service.step(actor, request.params.id, request.body);
        return service.get(actor, request.params.id);
      },
    );

    app.post(
      "/api/cases/:id/comments",
      {
        schema: {
          tags,
          summary: "批注 (a comment with attachments on the timeline)",
          params: caseIdParams,
          body: caseCommentBody,
          response: { 200: caseDetailOut },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        await service.comment(actor, request.params.id, request.body);
        return service.get(actor, request.params.id);
      },
    );
  };
}
