import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Logger } from "pino";
import { type Actor, requirePermission } from "../../shared/actor.js";
import { dataEvents } from "../../shared/data-events.js";
import { AppError, notFound } from "../../shared/errors.js";
import type { Page } from "../../shared/paging.js";
import { recordAudit } from "../audit/record.js";
import { todayInChina } from "../registry/calendar.js";
import { dryRun } from "./dry-run.js";
import { writeErrorsWorkbook } from "./errors-workbook.js";
import type { ImportKind } from "./kind.js";
import { kinds } from "./kinds.js";
import { type ImportJobView, presentJob } from "./presenters.js";
import { CommitRefused, type ImportJobRow, type ImportRepository, stageTableOf } from "./repository.js";
import { type FileFormat, sniffFormat } from "./table-source.js";

export interface ImportServiceOptions {
  uploadDir: string;
  /** Largest upload in bytes. */
  maxUploadBytes: number;
  /** Cap on inflated bytes of one xlsx (zip-bomb guard). */
  inflateLimit?: number;
  /** A validated job not committed within this time expires. */
  validatedTtlMs?: number;
  /** Uploaded files and errors are kept this long. */
  retentionMs?: number;
  log?: Pick<Logger, "error" | "warn">;
  /** Told after each commit (list caches, indicators …). */
  onCommitted?: (kind: ImportKind) => void;
  now?: () => Date;
}

const DAY = 86_400_000;

/**
 * Imports of schools, students, staff and class groups: upload → dry run (every row validated,
 * every problem listed) → commit (all or nothing). Jobs run in the background of this process and
 * report progress in import_job; a job interrupted by a restart is marked failed at start-up.
 */
export class ImportService {
  private readonly running = new Set<Promise<unknown>>();
  private readonly now: () => Date;

  constructor(
    private readonly repo: ImportRepository,
    private readonly opts: ImportServiceOptions,
  ) {
    this.now = opts.now ?? (() => new Date());
  }

  /** The HTTP app hands its logger over when the routes are registered. */
  setLogger(log: Pick<Logger, "error" | "warn">) {
    this.opts.log ??= log;
  }

  /** Permission to import `kind` (checked again by each operation; the route asks before reading a body). */
  check(actor: Actor, kind: ImportKind) {
    requirePermission(actor, "exchange.import");
    requirePermission(actor, kinds[kind].permission);
  }

  /** Stores an upload under the upload folder and starts its dry run. */
  async upload(actor: Actor, kind: ImportKind, fileName: string, content: Readable): Promise<ImportJobView> {
    this.check(actor, kind);
    await this.sweep();
    const id = crypto.randomUUID();
    await fs.promises.mkdir(this.opts.uploadDir, { recursive: true });
    const ext = path
      .extname(fileName)
      .toLowerCase()
      .replace(/[^.a-z0-9]/g, "")
      .slice(0, 8);
    const filePath = path.join(this.opts.uploadDir, `${id}${ext}`);
    try {
      await pipeline(content, fs.createWriteStream(filePath));
      if ((content as Readable & { truncated?: boolean }).truncated) throw tooLarge(this.opts.maxUploadBytes);
    } catch (e) {
      await fs.promises.rm(filePath, { force: true });
      const err = e as { code?: string; statusCode?: number };
      if (err.code === "FST_REQ_FILE_TOO_LARGE" || err.statusCode === 413)
        throw tooLarge(this.opts.maxUploadBytes);
      throw e;
    }
    return this.startJob(actor, kind, id, fileName, filePath);
  }

  /** A file already on this machine (the CLI): validated in place, never deleted by the platform. */
  async importLocalFile(actor: Actor, kind: ImportKind, filePath: string) {
    this.check(actor, kind);
    await this.sweep();
    const id = crypto.randomUUID();
    return this.startJob(actor, kind, id, path.basename(filePath), path.resolve(filePath));
  }

  private async startJob(actor: Actor, kind: ImportKind, id: string, fileName: string, filePath: string) {
    let format: FileFormat;
    const size = (await fs.promises.stat(filePath)).size;
    try {
      format = await sniffFormat(filePath, fileName);
    } catch (e) {
      if (this.ownsFile(filePath)) await fs.promises.rm(filePath, { force: true });
      throw e;
    }
    await this.repo.insertJob({
      id,
      kind,
      file_name: fileName.slice(0, 255),
      file_size: size,
      file_path: filePath,
      created_by: actor.type === "user" ? actor.id : null,
      created_by_name: actor.name,
      actor_type: actor.type,
      scope_paths: await this.jobScope(actor),
    });
    this.track(this.runDryRun(id, kind, filePath, format, actor));
    return this.get(actor, id);
  }

  /** The system's scope "/" is stored as the tree's roots, so a city admin sees CLI imports too. */
  private async jobScope(actor: Actor): Promise<string[]> {
    if (!actor.scopePaths.includes("/")) return actor.scopePaths;
    const roots = await this.repo.rootPaths();
    return roots.length ? roots : ["/"];
  }

  private async runDryRun(id: string, kind: ImportKind, filePath: string, format: FileFormat, actor: Actor) {
    const stageTable = stageTableOf(id);
    try {
      const r = await dryRun(this.repo, {
        jobId: id,
        def: kinds[kind],
        filePath,
        format,
        stageTable,
        actor,
        today: todayInChina(this.now()),
        inflateLimit: this.opts.inflateLimit,
      });
      const invalid = r.errorCount > 0;
      const badRows = invalid ? await this.repo.rowsWithErrors(id) : 0;
      await this.repo.updateJob(id, {
        status: invalid ? "invalid" : "validated",
        rows_total: r.rowsTotal,
        rows_done: r.rowsTotal,
        rows_valid: Math.max(0, r.rowsTotal - badRows),
        error_count: r.errorCount,
        errors_stored: r.errorsStored,
        sheet_name: r.sheetName,
        header_row: r.headerRow,
        progress: 1,
        finished_at: this.now(),
        stage_table: invalid ? null : stageTable,
        message: invalid
          ? `发现 ${r.errorCount} 处问题${r.errorsStored < r.errorCount ? `（保存了前 ${r.errorsStored} 条）` : ""}，请下载错误清单，修改后重新上传`
          : `校验通过：${r.rowsTotal} 行数据均无问题，可以提交导入`,
      });
      if (invalid) await this.repo.dropStage(stageTable);
    } catch (e) {
      await this.repo.dropStage(stageTable).catch(() => {});
      const known = e instanceof AppError;
      if (!known) this.opts.log?.error({ err: e, importJob: id }, "import dry run failed");
      // A file refused as a whole: the row errors found before the refusal are noise now.
      await this.repo.clearErrors(id);
      if (known)
        await this.repo.insertIssues(id, [{ row: 0, column: "文件", value: null, reason: e.message }]);
      await this.repo.updateJob(id, {
        status: known ? "invalid" : "failed",
        error_count: known ? 1 : 0,
        errors_stored: known ? 1 : 0,
        progress: 1,
        finished_at: this.now(),
        stage_table: null,
        message: known ? e.message : "校验时发生内部错误，未写入任何数据，请稍后重试或联系管理员",
      });
    }
  }

  /** Starts the commit of a validated job; the job reports its progress and result. */
  async commit(actor: Actor, id: string): Promise<ImportJobView> {
    const job = await this.visible(actor, id);
    this.check(actor, job.kind as ImportKind);
    if (job.status !== "validated")
      throw new AppError(
        "CONFLICT",
        job.status === "committed"
          ? "该导入已提交，不能重复提交"
          : "只有校验通过（没有任何错误）的导入才能提交；请修改文件后重新上传",
      );
    if (!(await this.repo.claimForCommit(id, actor.name)))
      throw new AppError("CONFLICT", "该导入正在提交或已提交");
    this.track(this.runCommit(actor, job));
    return this.get(actor, id);
  }

  private async runCommit(actor: Actor, job: ImportJobRow) {
    const kind = job.kind as ImportKind;
    const today = todayInChina(this.now());
    const table = job.stage_table ?? stageTableOf(job.id);
    const context = JSON.stringify({ importJob: job.id, file: job.file_name });
    try {
      await this.repo.commit(
        kind,
        table,
        actor.scopePaths,
        { actorType: actor.type, actorId: actor.id, actorName: actor.name, context, today },
        async (db, counts) => {
          await recordAudit(db, actor, {
            action: "import",
            entity: "import_job",
            entityKey: job.id,
            orgPath: job.scope_paths[0] ?? null,
            context: { kind, file: job.file_name, ...counts },
          });
          await this.repo.updateJob(
            job.id,
            {
              status: "committed",
              inserted: counts.inserted,
              updated: counts.updated,
              unchanged: counts.unchanged,
              progress: 1,
              committed_at: this.now(),
              finished_at: this.now(),
              stage_table: null,
              message: `导入完成：新增 ${counts.inserted} 条，更新 ${counts.updated} 条，无变化 ${counts.unchanged} 条`,
            },
            db,
          );
        },
      );
      dataEvents.changed(kinds[kind].topic ?? (kind === "schools" ? "registry" : "people"));
      this.opts.onCommitted?.(kind);
      if (this.ownsFile(job.file_path)) {
        await fs.promises.rm(job.file_path as string, { force: true });
        await this.repo.updateJob(job.id, { file_path: null });
      }
    } catch (e) {
      await this.repo.dropStage(table).catch(() => {});
      if (e instanceof CommitRefused) {
        await this.repo.insertIssues(job.id, e.issues);
        await this.repo.updateJob(job.id, {
          status: "invalid",
          error_count: e.issues.length,
          errors_stored: e.issues.length,
          stage_table: null,
          finished_at: this.now(),
          message: `提交时发现数据已变化（${e.issues.length} 行不能导入），未写入任何数据。请下载错误清单，修改后重新上传`,
        });
        return;
      }
      this.opts.log?.error({ err: e, importJob: job.id }, "import commit failed");
      await this.repo.updateJob(job.id, {
        status: "failed",
        stage_table: null,
        finished_at: this.now(),
        message: `提交失败，未写入任何数据${e instanceof AppError ? `：${e.message}` : ""}。请重新上传后再试`,
      });
    }
  }

  async get(actor: Actor, id: string): Promise<ImportJobView> {
    return presentJob(await this.visible(actor, id));
  }

  async list(
    actor: Actor,
    q: { kind?: ImportKind; page: number; pageSize: number },
  ): Promise<Page<ImportJobView>> {
    requirePermission(actor, "exchange.import");
    const { rows, total } = await this.repo.listJobs(
      actor.scopePaths,
      q.kind,
      q.pageSize,
      (q.page - 1) * q.pageSize,
    );
    return { items: rows.map(presentJob), page: q.page, pageSize: q.pageSize, total, totalExact: true };
  }

  async errors(actor: Actor, id: string, q: { page: number; pageSize: number }) {
    const job = await this.visible(actor, id);
    const rows = await this.repo.errors(id, q.pageSize, (q.page - 1) * q.pageSize);
    return {
      items: rows.map((r) => ({
        row: r.row_number,
        column: r.column_name,
        value: r.value,
        reason: r.reason,
      })),
      page: q.page,
      pageSize: q.pageSize,
      total: job.errors_stored,
      totalExact: true,
    };
  }

  /** The rows with errors, as uploaded, with a 错误原因 column: fix them and upload again. */
  async errorsWorkbook(actor: Actor, id: string, out: Writable) {
    const job = await this.visible(actor, id);
    const errors = await this.repo.allErrors(id);
    await writeErrorsWorkbook(out, job, errors, this.opts.inflateLimit);
  }

  private async visible(actor: Actor, id: string) {
    requirePermission(actor, "exchange.import");
    const job = await this.repo.findJob(id, actor.scopePaths);
    if (!job) throw notFound("导入任务");
    return job;
  }

  private ownsFile(filePath: string | null): boolean {
    return !!filePath && path.resolve(filePath).startsWith(path.resolve(this.opts.uploadDir) + path.sep);
  }

  private track(p: Promise<unknown>) {
    const t: Promise<unknown> = p
      .catch((err) => this.opts.log?.error({ err }, "import job bookkeeping failed"))
      .finally(() => this.running.delete(t));
    this.running.add(t);
  }

  /** Resolves when every background job of this process has finished (tests, shutdown). */
  async idle() {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  /**
   * Housekeeping, run before each new upload: staging tables left by jobs that ended (a restart
   * marks running jobs failed) are dropped; validated jobs not committed in time expire; uploaded
   * files past their retention are deleted.
   */
  async sweep() {
    const now = this.now().getTime();
    for (const j of await this.repo.leftoverStages()) {
      await this.repo.dropStage(j.stage_table);
      await this.repo.updateJob(j.id, { stage_table: null });
    }
    for (const j of await this.repo.expiredJobs(
      new Date(now - (this.opts.validatedTtlMs ?? DAY)),
      "validated",
    )) {
      await this.repo.dropStage(j.stage_table);
      await this.repo.updateJob(j.id, {
        status: "failed",
        stage_table: null,
        message: "校验结果超过有效期未提交，已失效，请重新上传",
      });
    }
    for (const j of await this.repo.expiredJobs(new Date(now - (this.opts.retentionMs ?? 7 * DAY)))) {
      await this.repo.dropStage(j.stage_table);
      if (this.ownsFile(j.file_path)) await fs.promises.rm(j.file_path as string, { force: true });
      await this.repo.updateJob(j.id, { stage_table: null, file_path: null });
    }
  }
}

function tooLarge(max: number) {
  return new AppError(
    "FILE_TOO_LARGE",
    `文件超过 ${Math.round(max / (1 << 20))} MB 的上限，请拆分为多个文件后分别导入`,
  );
}
