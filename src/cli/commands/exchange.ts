import fs from "node:fs";
import { finished } from "node:stream/promises";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { loadConfig } from "../../config.js";
import type { Database } from "../../db/connect.js";
import type { Permission } from "../../modules/access/permissions.js";
import { AccessRepository } from "../../modules/access/repository.js";
import { exportKind } from "../../modules/exchange/export.js";
import { type ImportKind, importKinds } from "../../modules/exchange/kind.js";
import type { ImportJobView } from "../../modules/exchange/presenters.js";
import { ImportRepository } from "../../modules/exchange/repository.js";
import { ImportService } from "../../modules/exchange/service.js";
import type { Actor } from "../../shared/actor.js";
import { AppError, notFound } from "../../shared/errors.js";
import { cliActor, withDatabase } from "../context.js";

/** The named user as an actor (their roles and scope), or the CLI's system actor. */
export async function actorFor(database: Database, username: string | undefined): Promise<Actor> {
  if (!username) return cliActor();
  const repo = new AccessRepository(database.db);
  const u = await repo.findUserByUsername(username);
  if (!u) throw notFound(`用户 ${username} `);
  if (u.disabled) throw new AppError("ACCOUNT_DISABLED", `用户 ${username} 已停用`);
  const scope = await repo.scopeOf(u.id);
  return {
    type: "user",
    id: u.id,
    name: u.username,
    displayName: u.display_name,
    roles: u.roles,
    permissions: new Set((await repo.permissionsOf(u.roles)) as Permission[]),
    scopePaths: scope.map((s) => s.path),
  };
}

function checkKind(kind: string): ImportKind {
  if (!(importKinds as readonly string[]).includes(kind))
    throw new AppError("BAD_REQUEST", `未知的导入类型 ${kind}（可选：${importKinds.join("、")}）`);
  return kind as ImportKind;
}

/** Waits for a job, drawing a progress bar on a terminal. */
async function follow(
  service: ImportService,
  actor: Actor,
  id: string,
  phase: string,
): Promise<ImportJobView> {
  const bar = new cliProgress.SingleBar(
    { format: `${phase} [{bar}] {percentage}% | {rows} 行 | {errors} 处问题`, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(100, 0, { rows: 0, errors: 0 });
  let done = false;
  const idle = service.idle().then(() => {
    done = true;
  });
  while (!done) {
    await Promise.race([idle, new Promise((r) => setTimeout(r, 250))]);
    const j = await service.get(actor, id);
    bar.update(Math.round(j.progress * 100), { rows: j.rowsDone, errors: j.errorCount });
  }
  const job = await service.get(actor, id);
  bar.update(100, { rows: job.rowsTotal, errors: job.errorCount });
  bar.stop();
  return job;
}

export interface ImportOptions {
  commit?: boolean;
  user?: string;
}

/** `import <kind> <file>`: dry run (errors listed, errors workbook written beside the file), then optionally commit. */
export async function importFile(
  database: Database,
  kind: string,
  file: string,
  opts: ImportOptions,
  log = console.log,
): Promise<ImportJobView> {
  const k = checkKind(kind);
  if (!fs.existsSync(file)) throw new AppError("NOT_FOUND", `文件不存在：${file}`);
  const actor = await actorFor(database, opts.user);
  const config = loadConfig();
  const service = new ImportService(new ImportRepository(database), {
    uploadDir: config.uploadDir,
    maxUploadBytes: Number.POSITIVE_INFINITY,
  });
  const started = await service.importLocalFile(actor, k, file);
  let job = await follow(service, actor, started.id, "校验");
  log(
    `${job.fileName}${job.sheetName ? `（工作表“${job.sheetName}”）` : ""}：${job.rowsTotal} 行。${job.message ?? ""}`,
  );
  if (job.status === "invalid") {
    const errors = await service.errors(actor, job.id, { page: 1, pageSize: 20 });
    for (const e of errors.items)
      log(`  第${e.row}行 ${e.column}${e.value ? `「${e.value}」` : ""}：${e.reason}`);
    if (job.errorCount > errors.items.length) log(`  ……共 ${job.errorCount} 处`);
    const out = `${file.replace(/\.[^./\\]+$/, "")}-错误数据.xlsx`;
    const stream = fs.createWriteStream(out);
    await Promise.all([service.errorsWorkbook(actor, job.id, stream), finished(stream)]);
    log(`错误数据已写入 ${out}：修改后可直接重新导入`);
    return job;
  }
  if (job.status !== "validated") return job;
  if (!opts.commit) {
    log(`未提交（加 --commit 提交导入）。任务编号 ${job.id}`);
    return job;
  }
  await service.commit(actor, job.id);
  job = await follow(service, actor, job.id, "提交");
  log(job.message ?? job.statusLabel);
  return job;
}

/** `export <kind> <file.xlsx>`: the kind in its import template's shape. */
export async function exportFile(
  database: Database,
  kind: string,
  file: string,
  opts: { county?: string; user?: string },
  log = console.log,
): Promise<number> {
  const k = checkKind(kind);
  const actor = await actorFor(database, opts.user);
  const out = fs.createWriteStream(file);
  const [n] = await Promise.all([
    exportKind(database.db, actor, k, out, { county: opts.county }),
    finished(out),
  ]);
  log(`已导出 ${n} 条到 ${file}`);
  return n;
}

export function registerExchangeCommands(program: Command) {
  program
    .command("import <kind> <file>")
    .description(`导入 .xlsx 或 .csv（${importKinds.join(" | ")}）：先校验，加 --commit 提交`)
    .option("--commit", "校验通过后提交导入（全部成功或全部不写入）")
    .option("--user <username>", "以该用户的权限和数据范围导入（默认：系统）")
    .action((kind: string, file: string, opts: ImportOptions) =>
      withDatabase(async (database) => {
        const job = await importFile(database, kind, file, opts);
        const ok = job.status === "committed" || (job.status === "validated" && !opts.commit);
        if (!ok) process.exitCode = 1;
      }),
    );
  program
    .command("export <kind> <file>")
    .description(`导出为导入模板格式的 .xlsx（${importKinds.join(" | ")}）`)
    .option("--county <code>", "只导出该县（市、区），如 141102")
    .option("--user <username>", "以该用户的权限和数据范围导出（默认：系统）")
    .action((kind: string, file: string, opts: { county?: string; user?: string }) =>
      withDatabase(async (database) => {
        await exportFile(database, kind, file, opts);
      }),
    );
}
