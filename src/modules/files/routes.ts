import multipart from "@fastify/multipart";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { actorOf } from "../../server/plugins/auth.js";
import type { Actor } from "../../shared/actor.js";
import { AppError } from "../../shared/errors.js";
import { fileParams, fileQuery, uploadResponse } from "./schemas.js";
import type { FileService, Upload } from "./service.js";
import type { StoredFile } from "./store.js";

const tags = ["files"];

/** Registers multipart parsing for attachment uploads in the calling plugin's scope. */
export async function registerAttachmentParsing(app: FastifyInstance, maxBytes: number) {
  // One byte over the limit so that the store, not busboy's silent cut, reports "too large".
  // preservePath: busboy would quietly cut "../../x.jpg" to "x.jpg"; we want to see and refuse it.
  await app.register(multipart, {
    preservePath: true,
    limits: { fileSize: maxBytes + 1, files: 1, fields: 2, parts: 3 },
  });
}

/**
 * Reads the multipart field `file` of `request` and stores it as an upload of `uploader` (null: the
 * public page). A refusal is logged with its code and reason only: never the name or the sender.
 */
export async function receiveUpload(
  request: FastifyRequest,
  files: FileService,
  uploader: Actor | null,
): Promise<Upload> {
  if (!request.isMultipart())
    throw new AppError("BAD_REQUEST", "请以 multipart/form-data 上传文件（字段名 file）");
  const file = await request.file();
  if (file?.fieldname !== "file") throw new AppError("BAD_REQUEST", "没有收到文件（字段名 file）");
  try {
    return await files.upload(uploader, file.file, file.filename ?? "");
  } catch (e) {
    if (e instanceof AppError) request.log.warn({ code: e.code, reason: e.message }, "attachment refused");
    throw e;
  }
}

/**
 * Sends a stored attachment. Images are shown inline, PDFs downloaded; either way the browser may
 * not sniff another type, and the response runs no script (CSP sandbox) even if opened directly.
 */
export function sendAttachment(reply: FastifyReply, files: FileService, file: StoredFile, download = false) {
  const disposition = download || file.mime === "application/pdf" ? "attachment" : "inline";
  return reply
    .header("content-type", file.mime)
    .header("content-length", file.size)
    .header("content-disposition", `${disposition}; filename*=UTF-8''${encodeURIComponent(file.name)}`)
    .header("x-content-type-options", "nosniff")
    .header("content-security-policy", "default-src 'none'; sandbox")
    .header("cache-control", "private, no-cache")
    .send(files.store.open(file.sha256));
}

/** POST /api/files (signed-in upload) and GET /api/files/:owner/:ownerId/:sha256 (owner decides). */
export function fileRoutes(files: FileService): FastifyPluginAsyncZod {
  return async (app) => {
    await registerAttachmentParsing(app, files.store.maxBytes);

    app.post(
      "/api/files",
      {
        schema: {
          tags,
          summary: "上传附件 (multipart field `file`: JPEG, PNG or PDF, decided by content)",
          description:
            "Returns an upload id to send with the record the file belongs to (a case step, a report); " +
            "the owning module claims it. Metadata (EXIF/GPS, PNG text, PDF document information, XMP and " +
            "older revisions) is removed, encrypted PDFs are refused (415); the name is " +
            "sanitised and its extension set from the real type. Unclaimed uploads are forgotten after 24 h, with their bytes unless a record holds the same content.",
          consumes: ["multipart/form-data"],
          response: { 201: uploadResponse },
        },
      },
      async (request, reply) => {
        const upload = await receiveUpload(request, files, actorOf(request));
        return reply.status(201).send(upload);
      },
    );

    app.get(
      "/api/files/:owner/:ownerId/:sha256",
      {
        schema: {
          tags,
          summary: "附件内容（由所属模块判断能否查看）",
          description: "Answers 404 alike for a file that does not exist and one the caller may not see.",
          params: fileParams,
          querystring: fileQuery,
        },
      },
      async (request, reply) => {
        const { owner, ownerId, sha256 } = request.params;
        const file = await files.resolve(actorOf(request), owner, ownerId, sha256);
        return sendAttachment(reply, files, file, request.query.download === "1");
      },
    );
  };
}
