import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import { type Actor, requirePermission } from "../../shared/actor.js";
import { dataEvents } from "../../shared/data-events.js";
import { AppError } from "../../shared/errors.js";
import { recordAudit } from "../audit/record.js";
import { openTable, sniffFormat } from "../exchange/table-source.js";
import { clean, type SheetRow } from "../exchange/values.js";
import type { EntryService } from "./entry-service.js";
import { planImport, reportersForImport, writePlan } from "./form-import.js";
import type { ImportResult } from "./schemas.js";
import { formTemplateXlsx, headerKey, ORG_CODE_HEADER } from "./template.js";

/** More rows than any city has reporting units: a file past it is not a county template. */
const MAX_ROWS = 20_000;
/** Errors listed in one answer (all are counted). */
const MAX_ERRORS = 1000;

class Rollback extends Error {
  constructor(readonly result: ImportResult) {
    super("rollback");
  }
}

/**
 * The county template of a form (xlsx, one row per reporting org unit, filled with what is
 * reported) and its import: a dry run lists every bad row; the commit writes all rows or none.
 * The file is read by the exchange module's streaming readers.
 */
export class FormTemplates {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly entries: EntryService,
    private readonly maxUploadBytes = 20 * 1024 * 1024,
  ) {}

  async template(actor: Actor, formCode: string, periodCode: string) {
    requirePermission(actor, "forms.read");
    const ctx = await this.entries.context(actor, formCode, periodCode);
    const reporters = await this.db
      .transaction()
      .execute((tx) => reportersForImport(tx, ctx.form, ctx.period, actor.scopePaths));
    const buffer = await formTemplateXlsx(
      ctx.form,
      ctx.period.label,
      [...reporters.values()].map((r) => ({
        code: r.code,
        name: r.name,
        status: r.status,
        values: r.values,
      })),
    );
    return { fileName: `${ctx.form.name}_${ctx.period.code}.xlsx`, buffer };
  }

  /** Stores the upload in a temporary file, reads it, checks (and with dryRun false, commits) it. */
  async import(
    actor: Actor,
    formCode: string,
    periodCode: string,
    upload: { fileName: string; content: Readable },
    opts: { dryRun: boolean; submit: boolean },
  ): Promise<ImportResult> {
    requirePermission(actor, "forms.fill");
    const file = path.join(os.tmpdir(), `form-import-${crypto.randomUUID()}`);
    try {
      await pipeline(upload.content, fs.createWriteStream(file));
      if ((upload.content as Readable & { truncated?: boolean }).truncated)
        throw new AppError("FILE_TOO_LARGE", `文件超过 ${Math.round(this.maxUploadBytes / 1048576)} MB`);
      const rows = await this.readRows(file, upload.fileName);
      return await this.check(actor, formCode, periodCode, rows, opts);
    } finally {
      await fs.promises.rm(file, { force: true });
    }
  }

  private async readRows(file: string, fileName: string): Promise<SheetRow[]> {
    const table = await openTable(file, await sniffFormat(file, fileName), { batchSize: 1000 });
    const rows: SheetRow[] = [];
    try {
      for await (const batch of table.rows()) {
        rows.push(...batch);
        if (rows.length > MAX_ROWS)
          throw new AppError("IMPORT_INVALID", `文件超过 ${MAX_ROWS} 行，不是报表模板`);
      }
    } finally {
      await table.close();
    }
    return rows;
  }

  /** The checked rows (rows: the file's rows, the header among the first ten). */
  async check(
    actor: Actor,
    formCode: string,
    periodCode: string,
    rows: SheetRow[],
    opts: { dryRun: boolean; submit: boolean },
  ): Promise<ImportResult> {
    requirePermission(actor, "forms.fill");
    const headerAt = rows
      .slice(0, 10)
      .findIndex((r) => r.cells.some((c) => headerKey(clean(c)) === ORG_CODE_HEADER));
    if (headerAt < 0)
      throw new AppError("IMPORT_INVALID", "找不到表头（“单位代码”列）。请使用本系统下载的填报模板");
    try {
      const result = await this.db.transaction().execute(async (tx) => {
        const ctx = await this.entries.context(actor, formCode, periodCode, undefined, tx);
        const reporters = await reportersForImport(tx, ctx.form, ctx.period, actor.scopePaths);
        const { planned, errors, dataRows } = planImport(
          ctx.form,
          rows.slice(headerAt + 1),
          rows[headerAt],
          reporters,
          {
            submit: opts.submit,
            roundLocked: ctx.locked,
          },
        );
        const result: ImportResult = {
          dryRun: opts.dryRun,
          committed: false,
          rows: dataRows,
          changedValues: planned.reduce((n, p) => n + p.changes.length, 0),
          submissions: planned.length,
          errors: errors.slice(0, MAX_ERRORS),
          errorCount: errors.length,
        };
        if (errors.length || opts.dryRun) throw new Rollback(result);
        await writePlan(tx, actor, ctx.form, ctx.period.code, planned);
        await recordAudit(tx, actor, {
          action: "import",
          entity: "form",
          entityKey: `${formCode}/${ctx.period.code}`,
          after: { rows: dataRows, submissions: planned.length, changedValues: result.changedValues },
        });
        return { ...result, committed: true };
      });
      dataEvents.changed("forms");
      return result;
    } catch (e) {
      if (e instanceof Rollback) return e.result;
      throw e;
    }
  }
}
