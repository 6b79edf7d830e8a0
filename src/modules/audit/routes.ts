import { PassThrough } from "node:stream";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { actorOf } from "../../server/plugins/auth.js";
import { pageOf } from "../../shared/paging.js";
import { auditEntry, auditFilterQuery, auditListQuery } from "./schemas.js";
import type { AuditService } from "./service.js";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** /api/audit: the audit viewer and its export (permission audit.read). */
export function auditRoutes(audit: AuditService): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ["audit"];
    app.get(
      "/api/audit",
      {
        schema: {
          tags,
          summary: "审计记录 (newest first; before/after as JSON)",
          querystring: auditListQuery,
          response: { 200: pageOf(auditEntry) },
        },
      },
      async (request) => {
        const { page, pageSize, ...filter } = request.query;
        return audit.list(actorOf(request), filter, { page, pageSize });
      },
    );

    app.get(
      "/api/audit/export.xlsx",
      {
        schema: {
          tags,
          summary: "导出审计记录 (xlsx, streamed; same filters; the export is itself audited)",
          querystring: auditFilterQuery,
        },
      },
      async (request, reply) => {
        const write = await audit.prepareExport(actorOf(request), request.query);
        const out = new PassThrough();
        write(out).catch((err) => {
          request.log.error({ err }, "audit export failed");
          out.destroy(err);
        });
        const name = encodeURIComponent(`审计记录-${new Date().toISOString().slice(0, 10)}.xlsx`);
        return reply
          .type(XLSX)
          .header("content-disposition", `attachment; filename="audit.xlsx"; filename*=UTF-8''${name}`)
          .send(out);
      },
    );
  };
}
