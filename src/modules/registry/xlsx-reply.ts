import { PassThrough } from "node:stream";
import type { FastifyReply } from "fastify";
import { writeXlsx, type XlsxColumn } from "../../shared/xlsx.js";

export const XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/**
 * Streams rows into an xlsx download. The rows come from an async generator that reads the database
 * in keyset batches, so neither the table nor the workbook is ever whole in memory. A failure half
 * way ends the download with an error instead of a truncated file that looks complete.
 */
export function sendXlsx<T>(
  reply: FastifyReply,
  fileName: string,
  sheetName: string,
  columns: XlsxColumn<T>[],
  rows: AsyncIterable<T>,
) {
  const out = new PassThrough();
  writeXlsx(out, sheetName, columns, rows).catch((err: Error) => {
    reply.log.error({ err }, "xlsx export failed");
    out.destroy(err);
  });
  return reply
    .header("content-type", XLSX_MIME)
    .header("content-disposition", `attachment; filename*=UTF-8''${encodeURIComponent(fileName)}`)
    .send(out);
}

/** 是 / 否 for a boolean cell; empty when unknown. */
export const yesNo = (v: boolean | null | undefined) => (v == null ? null : v ? "是" : "否");
