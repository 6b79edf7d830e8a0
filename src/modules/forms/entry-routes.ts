import multipart from "@fastify/multipart";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { actorOf } from "../../server/plugins/auth.js";
import { AppError } from "../../shared/errors.js";
import type { XlsxColumn } from "../../shared/xlsx.js";
import { schoolTypeByCode } from "../registry/codes.js";
import { sendXlsx, XLSX_MIME } from "../registry/xlsx-reply.js";
import type { EntryService } from "./entry-service.js";
import type { RoundProgress } from "./progress-service.js";
import {
  commentBody,
  completenessOut,
  entryOut,
  entryParams,
  historyOut,
  importQuery,
  importResult,
  roundParams,
  type SubmissionRow,
  saveBody,
  submissionFilterQuery,
  submissionListQuery,
  submissionPage,
} from "./schemas.js";
import type { FormTemplates } from "./template-service.js";
import { statusNames } from "./workflow.js";

const tags = ["forms"];
const base = "/api/forms/:code/periods/:period";
const fmt = (iso: string | null) =>
  iso ? new Date(iso).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false }) : null;

/** The reporters list as a county or the city chases late units with it (by county, then unit code). */
const exportColumns: XlsxColumn<SubmissionRow>[] = [
  { header: "县（市、区）", width: 12, value: (r) => r.countyName },
  { header: "单位代码", width: 14, value: (r) => r.orgCode },
  { header: "单位名称", width: 28, value: (r) => r.orgName },
  {
    header: "办学类型",
    width: 16,
    value: (r) => (r.schoolType ? (schoolTypeByCode.get(r.schoolType)?.label ?? r.schoolType) : null),
  },
  { header: "状态", value: (r) => r.statusLabel },
  { header: "上报时间", width: 20, value: (r) => fmt(r.submittedAt) },
  { header: "审核意见", width: 30, value: (r) => r.comment },
];

type CompletenessRow = Awaited<ReturnType<RoundProgress["completeness"]>>["total"] & { countyName: string };

/** 上报率 by county, as the progress page's table (statuses in the order of the workflow). */
const completenessColumns: XlsxColumn<CompletenessRow>[] = [
  { header: "县（市、区）", width: 12, value: (r) => r.countyName },
  { header: "应报", value: (r) => r.expected },
  ...(["none", "draft", "returned", "submitted", "approved", "accepted"] as const).map(
    (k): XlsxColumn<CompletenessRow> => ({ header: statusNames[k], value: (r) => r[k] }),
  ),
  { header: "上报数（已上报、已审核、已确认）", width: 30, value: (r) => r.reported },
  // a percentage with one decimal, as the page shows it; empty where nothing is expected
  {
    header: "上报率（%）",
    width: 12,
    value: (r) => (r.rate === null ? null : Math.round(r.rate * 1000) / 10),
  },
];

/** Entry (填报), approval (审核), the round's reporters and completeness (上报率). */
export function formEntryRoutes(
  service: EntryService,
  templates: FormTemplates,
  progress: RoundProgress,
): FastifyPluginAsyncZod {
  return async (app) => {
    await app.register(multipart, { limits: { fileSize: 20 * 1024 * 1024, files: 1, fields: 5 } });

    app.get(
      `${base}/template.xlsx`,
      {
        schema: {
          tags,
          summary:
            "县级批量填报模板 (xlsx: one row per reporting unit in the caller's area, filled with reported values)",
          params: roundParams,
        },
      },
      async (request, reply) => {
        const t = await templates.template(actorOf(request), request.params.code, request.params.period);
        return reply
          .header("content-type", XLSX_MIME)
          .header("content-disposition", `attachment; filename*=UTF-8''${encodeURIComponent(t.fileName)}`)
          .send(t.buffer);
      },
    );

    app.post(
      `${base}/import`,
      {
        schema: {
          tags,
          summary: "导入县级批量填报模板 (multipart field `file`; dryRun=true checks only)",
          description:
            "Every bad row is listed with its row number (as Excel shows it), column and reason. With dryRun=false " +
            "the rows are written only when none is bad (committed: true); otherwise nothing is written. " +
            "submit=true (default) also submits each imported unit's return on its behalf. Permission forms.fill.",
          consumes: ["multipart/form-data"],
          params: roundParams,
          querystring: importQuery,
          response: { 200: importResult },
        },
      },
      async (request) => {
        if (!request.isMultipart())
          throw new AppError("BAD_REQUEST", "请以 multipart/form-data 上传文件（字段名 file）");
        const file = await request.file();
        if (!file) throw new AppError("BAD_REQUEST", "没有收到文件（字段名 file）");
        return templates.import(
          actorOf(request),
          request.params.code,
          request.params.period,
          { fileName: file.filename || "upload.xlsx", content: file.file },
          request.query,
        );
      },
    );

    app.get(
      `${base}/submissions`,
      {
        schema: {
          tags,
          summary: "填报单位及状态 (the round's reporters in the caller's area; status none = 未填报)",
          params: roundParams,
          querystring: submissionListQuery,
          response: { 200: submissionPage },
        },
      },
      (request) => progress.list(actorOf(request), request.params.code, request.params.period, request.query),
    );

    app.get(
      `${base}/submissions.xlsx`,
      {
        schema: {
          tags,
          summary:
            "导出填报单位及状态 (xlsx, the list's filters without paging, by county then unit code; " +
            "forms.read and exchange.export)",
          params: roundParams,
          querystring: submissionFilterQuery,
        },
      },
      async (request, reply) => {
        const { fileName, rows } = await progress.exportRows(
          actorOf(request),
          request.params.code,
          request.params.period,
          request.query,
        );
        return sendXlsx(reply, fileName, "填报情况", exportColumns, rows);
      },
    );

    app.get(
      `${base}/completeness.xlsx`,
      {
        schema: {
          tags,
          summary: "导出上报率 (xlsx: by county, then 合计; forms.read and exchange.export)",
          params: roundParams,
        },
      },
      async (request, reply) => {
        const { fileName, rows } = await progress.completenessExport(
          actorOf(request),
          request.params.code,
          request.params.period,
        );
        return sendXlsx(reply, fileName, "上报率", completenessColumns, rows);
      },
    );

    app.get(
      `${base}/completeness`,
      {
        schema: {
          tags,
          summary: "上报率 by county (expected reporters and counts by status)",
          params: roundParams,
          response: { 200: completenessOut },
        },
      },
      (request) => progress.completeness(actorOf(request), request.params.code, request.params.period),
    );

    app.get(
      `${base}/entries/:orgCode`,
      {
        schema: {
          tags,
          summary: "一个单位的填报 (values, status, issues, approval trail, allowed actions)",
          params: entryParams,
          response: { 200: entryOut },
        },
      },
      (request) =>
        service.get(actorOf(request), request.params.code, request.params.period, request.params.orgCode),
    );

    app.put(
      `${base}/entries/:orgCode`,
      {
        schema: {
          tags,
          summary: "保存填报 (values; submit: true also submits; permission forms.fill)",
          description:
            "Values not sent stay as they are; value null clears one. A draft may break rules (they come back in " +
            "`issues`); a submission may not. Refused once approved or accepted, and after the due date when the " +
            "round locks.",
          params: entryParams,
          body: saveBody,
          response: { 200: entryOut },
        },
      },
      (request) =>
        service.save(
          actorOf(request),
          request.params.code,
          request.params.period,
          request.params.orgCode,
          request.body,
        ),
    );

    for (const action of ["submit", "approve", "return", "accept", "reopen"] as const) {
      const summaries = {
        submit: "上报",
        approve: "审核通过 (the level above; forms.approve)",
        return: "退回 (comment required; forms.approve)",
        accept: "确认 (the city; forms.accept) — the data is then locked",
        reopen: "重新打开已确认的报表 (comment required; forms.accept)",
      };
      app.post(
        `${base}/entries/:orgCode/${action}`,
        {
          schema: {
            tags,
            summary: summaries[action],
            params: entryParams,
            body: commentBody.nullish(),
            response: { 200: entryOut },
          },
        },
        (request) =>
          service.act(
            actorOf(request),
            action,
            request.params.code,
            request.params.period,
            request.params.orgCode,
            request.body?.comment,
          ),
      );
    }

    app.get(
      `${base}/entries/:orgCode/history`,
      {
        schema: {
          tags,
          summary: "数据修改记录 (every value change: who, when, old → new)",
          params: entryParams,
          response: { 200: historyOut },
        },
      },
      (request) =>
        service.history(actorOf(request), request.params.code, request.params.period, request.params.orgCode),
    );
  };
}
