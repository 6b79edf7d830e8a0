import { type Kysely, type Selectable, sql, type Updateable } from "kysely";
import type { Database } from "../../db/connect.js";
import { underPaths } from "../../db/scope.js";
import type { DB, ImportJobTable } from "../../db/types.js";
import { type CommitContext, kindSql } from "./commit-sql.js";
import { BULK_MIN_ROWS, deferIndexes, tablesWorthDeferring } from "./deferred-indexes.js";
import type { ImportKind, ImportKindDef, StageColumn } from "./kind.js";
import { loadLookups } from "./lookups.js";
import type { ImportIssue } from "./sheet-validator.js";

export type ImportJobRow = Selectable<ImportJobTable>;

/**
 * Settings of the transactions that run a job's large statements: compiling them (JIT) cost
 * seconds and saved nothing (measured: 2.8 s of a 100,000-row commit), and their sorts and hashes
 * of a whole file belong in memory rather than in temporary files (PostgreSQL's default is 4 MB).
 */
const COMMIT_SETTINGS = "set local jit = off; set local work_mem = '64MB'";

const STAGE_NAME = /^import_stage\.j_[0-9a-f]{32}$/;

/** The staging table of a job: import_stage.j_<uuid without dashes>. */
export function stageTableOf(jobId: string): string {
  const name = `import_stage.j_${jobId.replaceAll("-", "")}`;
  if (!STAGE_NAME.test(name)) throw new Error(`bad job id ${jobId}`);
  return name;
}

/** A job is visible to an actor whose scope covers every subtree the job was made in. */
function jobVisible(scopePaths: string[]) {
  return sql<boolean>`not exists (select 1 from unnest(j.scope_paths) as p(path) where not ${underPaths("p.path", scopePaths)})`;
}

export interface ImportRepositoryOptions {
  /** From how many written rows a commit rebuilds indexes instead of updating them (tests lower it). */
  bulkMinRows?: number;
  /** Told how long each database step of a job took (the benches print it). */
  onPhase?: (phase: ImportPhase, seconds: number) => void;
}

export type ImportPhase = "stage" | "prepare" | "checks" | "unchanged" | "upsert" | "indexes";

/** SQL of import jobs, their errors, the lookups of a file's validation and the staging tables. */
export class ImportRepository {
  private readonly bulkMinRows: number;
  private readonly onPhase: (phase: ImportPhase, seconds: number) => void;

  constructor(
    private readonly database: Database,
    opts: ImportRepositoryOptions = {},
  ) {
    this.bulkMinRows = opts.bulkMinRows ?? BULK_MIN_ROWS;
    this.onPhase = opts.onPhase ?? (() => {});
  }

  /** Runs `fn` and reports its time as `phase`. */
  private async timed<T>(phase: ImportPhase, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.onPhase(phase, (performance.now() - t0) / 1000);
    }
  }

  private get db(): Kysely<DB> {
    return this.database.db;
  }

  async insertJob(row: {
    id: string;
    kind: string;
    file_name: string;
    file_size: number;
    file_path: string;
    created_by: number | null;
    created_by_name: string;
    actor_type: string;
    scope_paths: string[];
  }) {
    await this.db
      .insertInto("import_job")
      .values({ ...row, status: "validating", stage_table: stageTableOf(row.id) })
      .execute();
  }

  async findJob(id: string, scopePaths: string[]): Promise<ImportJobRow | undefined> {
    const r =
      await sql<ImportJobRow>`select * from import_job j where j.id = ${id} and ${jobVisible(scopePaths)}`.execute(
        this.db,
      );
    return r.rows[0];
  }

  async listJobs(scopePaths: string[], kind: string | undefined, limit: number, offset: number) {
    const kindFilter = kind ? sql`and j.kind = ${kind}` : sql``;
    const rows = await sql<ImportJobRow>`select * from import_job j
      where ${jobVisible(scopePaths)} ${kindFilter}
      order by j.created_at desc, j.id limit ${limit} offset ${offset}`.execute(this.db);
    const total = await sql<{ n: number }>`select count(*)::int as n from import_job j
      where ${jobVisible(scopePaths)} ${kindFilter}`.execute(this.db);
    return { rows: rows.rows, total: total.rows[0].n };
  }

  updateJob(id: string, set: Updateable<ImportJobTable>, db: Kysely<DB> = this.db) {
    return db.updateTable("import_job").set(set).where("id", "=", id).execute();
  }

  /** Moves a validated job to committing; false when another request got there first. */
  async claimForCommit(id: string, by: string): Promise<boolean> {
    const r = await this.db
      .updateTable("import_job")
      .set({ status: "committing", committed_by_name: by, progress: 0, message: null })
      .where("id", "=", id)
      .where("status", "=", "validated")
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async errors(jobId: string, limit: number, offset: number) {
    return this.db
      .selectFrom("import_error")
      .select(["row_number", "column_name", "value", "reason"])
      .where("job_id", "=", jobId)
      .orderBy("row_number")
      .orderBy("column_name")
      .limit(limit)
      .offset(offset)
      .execute();
  }

  /** Every stored error of a job, ordered by row (for the errors workbook). */
  async allErrors(jobId: string) {
    return this.db
      .selectFrom("import_error")
      .select(["row_number", "column_name", "value", "reason"])
      .where("job_id", "=", jobId)
      .orderBy("row_number")
      .execute();
  }

  /** Writes issues (stored up to `room` of them) outside any staging batch. */
  async insertIssues(jobId: string, issues: ImportIssue[]) {
    if (!issues.length) return;
    await this.database.bulkTransaction((tx) =>
      tx.copyRows(
        "import_error",
        ["job_id", "row_number", "column_name", "value", "reason"],
        issueRows(jobId, issues),
      ),
    );
  }

  /** Everything a kind's validator looks up, loaded once inside the actor's scope. */
  loadLookups(def: ImportKindDef, scopePaths: string[], today: string, schoolYear: number) {
    return loadLookups(this.db, def, scopePaths, today, schoolYear);
  }

  async createStage(table: string, columns: readonly StageColumn[]) {
    await this.database.exec(
      `drop table if exists ${checked(table)};
       create unlogged table ${checked(table)} (row_no int not null, ${columns.map(([n, t]) => `${n} ${t}`).join(", ")})`,
    );
  }

  async dropStage(table: string | null) {
    if (table) await this.database.exec(`drop table if exists ${checked(table)}`);
  }

  /**
   * One batch of a dry run, in one short transaction: staged rows and issues copied in, progress
   * written. Short, so that on the embedded database other requests get their turn in between.
   */
  async writeBatch(
    jobId: string,
    table: string,
    columns: readonly StageColumn[],
    csv: Uint8Array,
    issues: ImportIssue[],
    progress: { rowsDone: number; progress: number; errorCount: number; errorsStored: number },
  ) {
    await this.timed("stage", () =>
      this.database.bulkTransaction(async (tx) => {
        await tx.copyCsv(checked(table), ["row_no", ...columns.map((c) => c[0])], csv);
        if (issues.length)
          await tx.copyRows(
            "import_error",
            ["job_id", "row_number", "column_name", "value", "reason"],
            issueRows(jobId, issues),
          );
        await this.updateJob(
          jobId,
          {
            rows_done: progress.rowsDone,
            progress: progress.progress,
            error_count: progress.errorCount,
            errors_stored: progress.errorsStored,
          },
          tx.db,
        );
      }),
    );
  }

  /**
   * The database's checks of a dry run (keys held outside the scope, ID numbers in use …): each
   * refused row is written to import_error. Returns how many were written.
   */
  async runChecks(kind: ImportKind, jobId: string, table: string, scopePaths: string[], today: string) {
    const stage = sql.raw(checked(table));
    return this.timed("checks", () =>
      this.database.bulkTransaction(async (tx) => {
        await tx.exec(COMMIT_SETTINGS);
        let n = 0;
        for (const check of kindSql[kind].checks(stage, scopePaths, today, false)) {
          const r = await sql<{ n: number }>`with i as (
              insert into import_error (job_id, row_number, column_name, value, reason)
              select ${jobId}::uuid, x.row_no, x.column_name, x.value, x.reason
              from (${check}) as x(row_no, column_name, value, reason) returning 1)
            select count(*)::int as n from i`.execute(tx.db);
          n += r.rows[0].n;
        }
        return n;
      }),
    );
  }

  /**
   * The commit, all or nothing in one transaction: the checks again (the database may have changed
   * since the dry run; any refused row aborts with CommitRefused), unchanged rows set aside, one
   * upsert with its audit and history rows (a large one with the written tables' secondary indexes
   * set aside and rebuilt after: deferred-indexes.ts), then `finish` (the job's own audit row and
   * status) and the staging table dropped.
   */
  async commit(
    kind: ImportKind,
    table: string,
    scopePaths: string[],
    ctx: CommitContext,
    finish: (db: Kysely<DB>, counts: CommitCounts) => Promise<void>,
  ): Promise<CommitCounts> {
    const stage = sql.raw(checked(table));
    const ks = kindSql[kind];
    return this.database.bulkTransaction(async (tx) => {
      await tx.exec(COMMIT_SETTINGS);
      await this.timed("prepare", async () => {
        for (const q of ks.prepare?.(stage, scopePaths, ctx.today) ?? []) await q.execute(tx.db);
      });
      const refused = await this.timed("checks", () =>
        sql<{ row_no: number; column_name: string; value: string | null; reason: string }>`
          select * from (${sql.join(
            ks.checks(stage, scopePaths, ctx.today, true).map((c) => sql`(${c})`),
            sql` union all `,
          )}) as x(row_no, column_name, value, reason)
          order by row_no limit 1000`.execute(tx.db),
      );
      if (refused.rows.length)
        throw new CommitRefused(
          refused.rows.map((r) => ({
            row: r.row_no,
            column: r.column_name,
            value: r.value,
            reason: r.reason,
          })),
        );
      const { total, unchanged } = await this.timed("unchanged", async () => {
        const n = await sql<{ n: number }>`select count(*)::int as n from ${stage}`.execute(tx.db);
        const d = await sql<{ n: number }>`with d as (${ks.unchanged(stage)} returning 1)
          select count(*)::int as n from d`.execute(tx.db);
        await tx.exec(`analyze ${checked(table)}`);
        return { total: n.rows[0].n, unchanged: d.rows[0].n };
      });
      const rebuild = await deferIndexes(
        tx,
        await tablesWorthDeferring(tx, ks.bulkTables ?? [], total - unchanged, this.bulkMinRows),
      );
      const around = ks.aroundUpsert?.(total - unchanged);
      const r = await this.timed("upsert", async () => {
        if (around) await around.before.execute(tx.db);
        const counts = (await ks.upsert(stage, ctx).execute(tx.db)).rows[0];
        if (around) await around.after.execute(tx.db);
        return counts;
      });
      if (rebuild) await this.timed("indexes", rebuild);
      const counts = { total, inserted: r.inserted, updated: r.updated, unchanged };
      await finish(tx.db, counts);
      await tx.exec(`drop table ${checked(table)}`);
      return counts;
    });
  }

  /** Jobs created before `before` that still hold a staging table or a file (of `status`, if given). */
  async expiredJobs(before: Date, status?: "validated") {
    let q = this.db
      .selectFrom("import_job")
      .select(["id", "status", "stage_table", "file_path"])
      .where("created_at", "<", before)
      .where((eb) => eb.or([eb("stage_table", "is not", null), eb("file_path", "is not", null)]));
    q = status
      ? q.where("status", "=", status)
      : q.where("status", "not in", ["validating", "committing", "validated"]);
    return q.execute();
  }

  async clearErrors(jobId: string) {
    await this.db.deleteFrom("import_error").where("job_id", "=", jobId).execute();
  }

  /** Jobs that ended but still name a staging table (interrupted by a restart). */
  leftoverStages() {
    return this.db
      .selectFrom("import_job")
      .select(["id", "stage_table"])
      .where("stage_table", "is not", null)
      .where("status", "in", ["failed", "invalid", "committed"])
      .execute();
  }

  /** Rows with at least one stored error. */
  async rowsWithErrors(jobId: string): Promise<number> {
    const r = await sql<{ n: number }>`select count(distinct row_number)::int as n from import_error
      where job_id = ${jobId} and row_number > 0`.execute(this.db);
    return r.rows[0].n;
  }

  /** Paths of the tree's roots (the cities). */
  async rootPaths(): Promise<string[]> {
    const r = await this.db.selectFrom("org_unit").select("path").where("parent_id", "is", null).execute();
    return r.map((x) => x.path);
  }
}

export interface CommitCounts {
  total: number;
  inserted: number;
  updated: number;
  unchanged: number;
}

/** The database refused rows at commit time: nothing was written. */
export class CommitRefused extends Error {
  constructor(readonly issues: ImportIssue[]) {
    super("commit refused");
  }
}

function issueRows(jobId: string, issues: ImportIssue[]): (string | null)[][] {
  return issues.map((i) => [jobId, String(i.row), i.column, i.value, i.reason]);
}

/** Staging table names are made by stageTableOf; anything else never reaches SQL text. */
export function checked(table: string): string {
  if (!STAGE_NAME.test(table)) throw new Error(`not a staging table: ${table}`);
  return table;
}
