import rateLimit from "@fastify/rate-limit";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Kysely } from "kysely";
import { sql } from "kysely";
import type { DB } from "../../db/types.js";
import { AppError } from "../../shared/errors.js";
import { receiveUpload, registerAttachmentParsing } from "../files/routes.js";
import { uploadResponse } from "../files/schemas.js";
import type { FileService } from "../files/service.js";
import { trainingCaseCategories } from "../training/kind.js";
import { reportCategories } from "./kind.js";
import {
  answerInput,
  followInput,
  followOut,
  publicCategories,
  publicInstitutionList,
  publicOrgList,
  publicOrgQuery,
  publicReportInput,
  receiptOut,
} from "./schemas.js";
import type { ReportService } from "./service.js";

const tags = ["public"];

/** Per-client (in memory only: the address is never stored) request budgets of the public routes. */
const limits = {
  lookup: { max: 120, timeWindow: "1 minute" },
  upload: { max: 20, timeWindow: "10 minutes" },
  file: { max: 5, timeWindow: "10 minutes" },
  follow: { max: 30, timeWindow: "10 minutes" },
};

/**
 * The public page's API (no sign-in): options and look-ups for the form, attachment upload, filing
 * with a receipt, following and answering with the receipt's secret. Rate-limited per client in
 * memory; nothing identifying the client is read into the report or written to the log (the request
 * serializer of server/plugins/request-log.ts logs method and path only here), and a session cookie
 * sent along is not read (server/plugins/auth.ts).
 */
export function publicReportRoutes(
  service: ReportService,
  files: FileService,
  db: Kysely<DB>,
): FastifyPluginAsyncZod {
  return async (app) => {
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (request, ctx) => {
        request.log.warn({ route: request.routeOptions.url, limit: ctx.max }, "public route rate-limited");
        return new AppError("RATE_LIMITED", `请求过于频繁，请 ${Math.ceil(ctx.ttl / 1000)} 秒后再试`);
      },
    });
    await registerAttachmentParsing(app, files.store.maxBytes);
    const base = { public: true as const };

    app.get(
      "/api/public/report-options",
      {
        config: { ...base, rateLimit: limits.lookup },
        schema: { tags, summary: "举报表单选项（县、类别、附件大小）", response: { 200: publicCategories } },
      },
      async () => {
        const counties = await db
          .selectFrom("org_unit")
          .select(["code", "name"])
          .where("kind", "=", "county")
          .where("valid_to", "is", null)
          .orderBy("code")
          .execute();
        return {
          counties,
          school: [...reportCategories],
          institution: [...trainingCaseCategories],
          maxAttachmentMb: Math.round(files.store.maxBytes / 1024 / 1024),
        };
      },
    );

    app.get(
      "/api/public/org-units",
      {
        config: { ...base, rateLimit: limits.lookup },
        schema: {
          tags,
          summary: "查找学校或县教育局（当前在办，最多 20 条）",
          querystring: publicOrgQuery,
          response: { 200: publicOrgList },
        },
      },
      async (request) => {
        const { q, countyCode } = request.query;
        let query = db
          .selectFrom("org_unit")
          .select(["code", "name", "kind", "county_code"])
          .where("kind", "in", ["school", "county"])
          .where("valid_to", "is", null);
        if (countyCode) query = query.where("county_code", "=", countyCode);
        if (q) query = query.where("name", "like", `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
        const rows = await query.orderBy(sql`kind = 'county'`, "desc").orderBy("code").limit(20).execute();
        return {
          items: rows.map((r) => ({ code: r.code, name: r.name, kind: r.kind, countyCode: r.county_code })),
        };
      },
    );

    app.get(
      "/api/public/institutions",
      {
        config: { ...base, rateLimit: limits.lookup },
        schema: {
          tags,
          summary: "查找校外培训机构（最多 20 条）",
          querystring: publicOrgQuery,
          response: { 200: publicInstitutionList },
        },
      },
      async (request) => {
        const { q, countyCode } = request.query;
        let query = db
          .selectFrom("training_institution as i")
          .leftJoin("org_unit as c", (j) =>
            j.onRef("c.code", "=", "i.county_code").on("c.kind", "=", "county"),
          )
          .select(["i.id", "i.name", "c.name as county_name"])
          .where("i.status", "!=", "closed");
        if (countyCode) query = query.where("i.county_code", "=", countyCode);
        if (q) query = query.where("i.name", "like", `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
        const rows = await query.orderBy("i.id").limit(20).execute();
        return { items: rows.map((r) => ({ id: r.id, name: r.name, countyName: r.county_name })) };
      },
    );

    app.post(
      "/api/public/attachments",
      {
        config: { ...base, rateLimit: limits.upload },
        schema: {
          tags,
          summary:
            "上传举报附件 (multipart `file`: JPEG/PNG/PDF; location, camera and author metadata removed, encrypted PDFs refused)",
          consumes: ["multipart/form-data"],
          response: { 201: uploadResponse },
        },
      },
      async (request, reply) => reply.status(201).send(await receiveUpload(request, files, null)),
    );

    app.post(
      "/api/public/reports",
      {
        config: { ...base, rateLimit: limits.file },
        schema: {
          tags,
          summary: "提交举报（可匿名）；返回查询码和查询密码（只显示一次）",
          body: publicReportInput,
          response: { 201: receiptOut },
        },
      },
      async (request, reply) => reply.status(201).send(await service.file(request.body)),
    );

    app.post(
      "/api/public/follow",
      {
        config: { ...base, rateLimit: limits.follow },
        schema: {
          tags,
          summary: "凭查询码和查询密码查看办理情况（密码错误 5 次锁定 15 分钟）",
          body: followInput,
          response: { 200: followOut },
        },
      },
      async (request) => service.follow(request.body.code, request.body.secret),
    );

    app.post(
      "/api/public/answer",
      {
        config: { ...base, rateLimit: limits.follow },
        schema: {
          tags,
          summary: "答复纪检人员的提问（每个问题只能答复一次）",
          body: answerInput,
          response: { 200: followOut },
        },
      },
      async (request) => service.answer(request.body),
    );
  };
}
