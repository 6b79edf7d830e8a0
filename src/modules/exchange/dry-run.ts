import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { CsvEncoder } from "../../db/connect.js";
import type { Actor } from "../../shared/actor.js";
import { schoolYearOf } from "../registry/calendar.js";
import type { ImportKindDef } from "./kind.js";
import type { ImportRepository } from "./repository.js";
import { type ImportIssue, SheetValidator } from "./sheet-validator.js";
import { type FileFormat, openTable, type TableReader } from "./table-source.js";

/** Staged rows are copied in batches of this many (one short transaction each). */
export const STAGE_BATCH_ROWS = 20_000;
/** Rows validated between two turns of the event loop. */
export const YIELD_ROWS = 1000;
/** import_job.rows_done is written at least this often (rows), between staging batches too. */
export const PROGRESS_ROWS = 5000;
/** Errors kept per job; more are counted but not stored (a wrong file can have millions). */
export const MAX_STORED_ERRORS = 100_000;

export interface DryRunInput {
  jobId: string;
  def: ImportKindDef;
  filePath: string;
  format: FileFormat;
  stageTable: string;
  actor: Actor;
  today: string;
  inflateLimit?: number;
}

export interface DryRunResult {
  rowsTotal: number;
  errorCount: number;
  errorsStored: number;
  sheetName: string | null;
  headerRow: number | null;
}

/** Issues of a job: written with each batch, stored up to MAX_STORED_ERRORS, all counted. */
class IssueSink {
  pending: ImportIssue[] = [];
  count = 0;
  stored = 0;
  readonly rows = new Set<number>();

  add = (issue: ImportIssue) => {
    this.count++;
    if (this.stored + this.pending.length < MAX_STORED_ERRORS) this.pending.push(issue);
  };

  take(): ImportIssue[] {
    const out = this.pending;
    this.stored += out.length;
    this.pending = [];
    return out;
  }
}

/**
 * The dry run of one file: stream the rows, validate each, copy the valid ones into the job's
 * staging table and every problem into import_error, batch by batch, then let the database check
 * what only it knows. Each valid row is encoded for COPY as soon as it is validated (its values die
 * young instead of thousands of them waiting for the batch), and a batch is copied while the next
 * one is validated (at most one in flight, so progress never goes backwards). The event loop gets
 * a turn every YIELD_ROWS rows, so the server keeps answering.
 */
export async function dryRun(repo: ImportRepository, input: DryRunInput): Promise<DryRunResult> {
  const { jobId, def, stageTable } = input;
  const lookups = await repo.loadLookups(def, input.actor.scopePaths, input.today, schoolYearOf(input.today));
  await repo.createStage(stageTable, def.stage);
  const sink = new IssueSink();
  const validator = new SheetValidator(def, lookups, sink.add);
  const staged = new CsvEncoder();
  let inFlight: Promise<void> | null = null;
  let progress = 0;
  let reported = 0;
  const flush = async () => {
    reported = validator.dataRows;
    const batch = staged.take();
    const issues = sink.take();
    const done = {
      rowsDone: validator.dataRows,
      progress,
      errorCount: sink.count,
      errorsStored: sink.stored,
    };
    if (inFlight) await inFlight;
    const write = repo.writeBatch(jobId, stageTable, def.stage, batch, issues, done);
    // Awaited before the next batch or at the end; marked handled now, so a failure while the
    // next rows are validated is not an unhandled rejection.
    write.catch(() => {});
    inFlight = write;
  };
  let reader: TableReader | null = null;
  try {
    reader = await openTable(input.filePath, input.format, { inflateLimit: input.inflateLimit });
    for await (const batch of reader.rows((p) => {
      progress = p;
    })) {
      for (let k = 0; k < batch.length; k++) {
        const row = batch[k];
        const values = validator.accept(row);
        if (values) staged.add(values, String(row.n));
        // Other requests get a turn every YIELD_ROWS rows (a few tens of milliseconds of work).
        if (k % YIELD_ROWS === YIELD_ROWS - 1) await yieldToEventLoop();
      }
      if (staged.rows >= STAGE_BATCH_ROWS || sink.pending.length >= 5000) await flush();
      else if (validator.dataRows - reported >= PROGRESS_ROWS) {
        reported = validator.dataRows;
        await repo.updateJob(jobId, { rows_done: reported, progress, error_count: sink.count });
      }
      if (validator.headerFailed) break;
      await yieldToEventLoop();
    }
    validator.finish();
    validator.reportMerged(reader.merged());
    await checkSheets(reader, validator, sink.add);
    progress = 1;
    await flush();
    await inFlight;
  } finally {
    await (inFlight as Promise<void> | null)?.catch(() => {});
    await reader?.close();
  }
  if (validator.headerRow !== null && !validator.headerFailed) {
    const dbErrors = await repo.runChecks(def.kind, jobId, stageTable, input.actor.scopePaths, input.today);
    sink.count += dbErrors;
    sink.stored += dbErrors;
  }
  return {
    rowsTotal: validator.dataRows,
    errorCount: sink.count,
    errorsStored: sink.stored,
    sheetName: reader?.sheetName ?? null,
    headerRow: validator.headerRow,
  };
}

/** Empty files and sheets, a header without data, and import data left on other sheets. */
async function checkSheets(reader: TableReader, validator: SheetValidator, add: (i: ImportIssue) => void) {
  const where = reader.sheetName ? `工作表“${reader.sheetName}”` : "文件";
  const others: { name: string; position: number; templateLike: boolean }[] = [];
  for await (const s of reader.otherSheets()) {
    if (s.firstRows.length === 0) continue;
    others.push({
      name: s.name,
      position: s.position,
      templateLike: s.firstRows.some((r) => validator.headerScore(r) >= 2),
    });
  }
  if (validator.headerRow === null) {
    const elsewhere = others.find((o) => o.templateLike) ?? others[0];
    add({
      row: 0,
      column: "文件",
      value: null,
      reason: elsewhere
        ? `${where}是空的，数据在第${elsewhere.position}个工作表“${elsewhere.name}”上。请把数据放到第一个工作表（或删除前面的空白工作表）后重新上传`
        : `${where}是空的，没有可导入的数据`,
    });
    return;
  }
  if (!validator.headerFailed && validator.dataRows === 0)
    add({ row: validator.headerRow, column: "文件", value: null, reason: `${where}只有表头，没有数据行` });
  for (const o of others.filter((x) => x.templateLike))
    add({
      row: 0,
      column: "文件",
      value: null,
      reason: `第${o.position}个工作表“${o.name}”也有导入数据，但只导入第一个工作表“${reader.sheetName}”。请把数据合并到第一个工作表，或分成多个文件分别导入`,
    });
}
