import type { FastifyInstance } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { AppError, errorCodes } from "../../shared/errors.js";

/** Chinese names of common request fields, for validation messages. */
const fieldNames: Record<string, string> = {
  username: "用户名",
  password: "密码",
  page: "页码",
  pageSize: "每页条数",
};

/**
 * Maps every error to `{ code, message, details? }` with the code's HTTP status. Unknown errors are
 * logged and answered as INTERNAL without internals.
 */
export function registerErrorHandler(app: FastifyInstance) {
  app.setErrorHandler((err, request, reply) => {
    if (err instanceof AppError) {
      return reply.status(err.status).send({ code: err.code, message: err.message, details: err.details });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issues = err.validation.map((v) => {
        const issuePath = (v.params as { issue?: { path?: unknown[] } } | undefined)?.issue?.path;
        const field = String(v.instancePath || issuePath?.join(".") || "").replace(/^\//, "");
        const name = fieldNames[field] ?? field;
        return { field, message: `${name ? `${name}：` : ""}${v.message ?? "格式不正确"}` };
      });
      return reply.status(400).send({
        code: "VALIDATION_FAILED",
        message: `输入有误：${issues.map((i) => i.message).join("；")}`,
        details: { issues },
      });
    }
    const e = err as { statusCode?: number; code?: string; message?: string };
    if (e.code === "FST_REQ_FILE_TOO_LARGE" || e.statusCode === 413) {
      return reply.status(413).send({ code: "FILE_TOO_LARGE", message: errorCodes.FILE_TOO_LARGE.message });
    }
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      return reply
        .status(e.statusCode)
        .send({ code: "BAD_REQUEST", message: `请求无效：${e.message ?? ""}` });
    }
    request.log.error({ err }, "unhandled error");
    return reply.status(500).send({ code: "INTERNAL", message: errorCodes.INTERNAL.message });
  });
  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .send({ code: "NOT_FOUND", message: `未找到：${request.method} ${request.url.split("?")[0]}` });
  });
}
