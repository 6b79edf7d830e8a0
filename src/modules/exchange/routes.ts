import { PassThrough } from "node:stream";
import multipart from "@fastify/multipart";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { actorOf } from "../../server/plugins/auth.js";
import { AppError } from "../../shared/errors.js";
import { XLSX_MIME } from "../registry/xlsx-reply.js";
import { kinds } from "./kinds.js";
import {
  errorPage,
  importJob,
  jobListQuery,
  jobPage,
  jobParams,
  kindParam,
  templateQuery,
  uploadQuery,
} from "./schemas.js";
import type { ImportService } from "./service.js";
import { templateCsv, templateXlsx } from "./template.js";

const tags = ["exchange"];
const attachment = (name: string) => `attachment; filename*=UTF-8''${encodeURIComponent(name)}`;

/** Import endpoints: templates, upload (dry run), progress, errors, commit, history. */
export function importRoutes(service: ImportService, maxUploadBytes: number): FastifyPluginAsyncZod {
  return async (app) => {
    await app.register(multipart, { limits: { fileSize: maxUploadBytes, files: 1, fields: 5 } });
    service.setLogger(app.log);
    app.addHook("onClose", () => service.idle());

    app.get(
      "/api/imports/templates/:kind",
      {
        schema: {
          tags,
          summary: "导入模板 (xlsx with 填写说明 sheet, or CSV)",
          params: kindParam,
          querystring: templateQuery,
        },
      },
      async (request, reply) => {
        actorOf(request);
        const def = kinds[request.params.kind];
        if (request.query.format === "csv")
          return reply
            .header("content-type", "text/csv; charset=utf-8")
            .header("content-disposition", attachment(`${def.label}导入模板.csv`))
            .send(templateCsv(def));
        return reply
          .header("content-type", XLSX_MIME)
          .header("content-disposition", attachment(`${def.label}导入模板.xlsx`))
          .send(await templateXlsx(def));
      },
    );

    app.post(
      "/api/imports",
      {
        schema: {
          tags,
          summary: "上传导入文件 (multipart field `file`, .xlsx or .csv); starts the dry run",
          description:
            "Answers 202 with the job at once; poll GET /api/imports/{id} until status leaves `validating`. " +
            "The file is decided by its content (magic bytes), not its name. Permissions: exchange.import plus " +
            "registry.write (schools) or people.write (students, staff, class-groups).",
          consumes: ["multipart/form-data"],
          querystring: uploadQuery,
          response: { 202: importJob },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        service.check(actor, request.query.kind);
        if (!request.isMultipart())
          throw new AppError("BAD_REQUEST", "请以 multipart/form-data 上传文件（字段名 file）");
        const file = await request.file();
        if (!file) throw new AppError("BAD_REQUEST", "没有收到文件（字段名 file）");
        const job = await service.upload(actor, request.query.kind, file.filename || "upload", file.file);
        return reply.status(202).send(job);
      },
    );

    app.get(
      "/api/imports",
      {
        schema: {
          tags,
          summary: "导入记录 (history in the caller's area: who, when, kind, counts)",
          querystring: jobListQuery,
          response: { 200: jobPage },
        },
      },
      (request) => service.list(actorOf(request), request.query),
    );

    app.get(
      "/api/imports/:id",
      {
        schema: {
          tags,
          summary: "导入任务 (status, progress, counts)",
          params: jobParams,
          response: { 200: importJob },
        },
      },
      (request) => service.get(actorOf(request), request.params.id),
    );

    app.get(
      "/api/imports/:id/errors",
      {
        schema: {
          tags,
          summary: "导入错误清单 (row as Excel shows it, column, value, reason)",
          params: jobParams,
          querystring: jobListQuery.omit({ kind: true }),
          response: { 200: errorPage },
        },
      },
      (request) => service.errors(actorOf(request), request.params.id, request.query),
    );

    app.get(
      "/api/imports/:id/errors.xlsx",
      {
        schema: {
          tags,
          summary: "下载错误数据 (the rows with errors as uploaded, plus 错误原因; fix and upload again)",
          params: jobParams,
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const job = await service.get(actor, request.params.id);
        const out = new PassThrough();
        service.errorsWorkbook(actor, job.id, out).catch((err: Error) => {
          request.log.error({ err }, "errors workbook failed");
          out.destroy(err);
        });
        return reply
          .header("content-type", XLSX_MIME)
          .header("content-disposition", attachment(`${job.fileName.replace(/\.[^.]+$/, "")}-错误数据.xlsx`))
          .send(out);
      },
    );

    app.post(
      "/api/imports/:id/commit",
      {
        schema: {
          tags,
          summary: "提交导入 (only a job whose dry run found no errors; all or nothing)",
          description:
            "Answers 202; poll the job until status is committed (or invalid/failed: nothing written).",
          params: jobParams,
          response: { 202: importJob },
        },
      },
      async (request, reply) =>
        reply.status(202).send(await service.commit(actorOf(request), request.params.id)),
    );
  };
}
