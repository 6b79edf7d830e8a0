import cliProgress from "cli-progress";
import type { Command } from "commander";
import type { Database } from "../../db/connect.js";
import { DEMO_PASSWORD, ensureDemoAccounts } from "../../demo/accounts.js";
import { DEFAULT_SEED } from "../../demo/generate.js";
import { type DemoCitySummary, type LoadProgress, loadDemoCity } from "../../demo/load.js";
import { invalid } from "../../shared/errors.js";
import { withDatabase } from "../context.js";

export interface SeedDemoOptions {
  seed: string;
  scale: string;
  accounts?: boolean;
}

const phaseLabels: Record<LoadProgress["phase"], string> = {
  org_units: "正在写入组织机构…",
  classes: "正在写入班级…",
  staff: "正在写入教职工…",
  students: "正在写入学生…",
  finishing: "正在重建索引、更新统计信息…",
};

/**
 * `seed-demo`: the synthetic Lüliang city into an empty database (all or nothing). Demo accounts
 * only when asked: outside demo mode no default password should exist.
 */
export async function seedDemo(
  database: Database,
  opts: SeedDemoOptions,
  log: (line: string) => void = console.log,
): Promise<DemoCitySummary> {
  const scale = Number(opts.scale);
  if (!(scale > 0 && scale <= 1))
    throw invalid([{ field: "scale", message: "规模应为大于0且不超过1的数，1为全市" }]);
  const t0 = performance.now();
  const bar =
    process.stdout.isTTY && log === console.log
      ? new cliProgress.SingleBar(
          { format: "  学生 [{bar}] {value}/{total}" },
          cliProgress.Presets.shades_classic,
        )
      : null;
  let phase: LoadProgress["phase"] | null = null;
  const summary = await loadDemoCity(database, {
    seed: opts.seed,
    scale,
    onProgress: (p) => {
      if (p.phase !== phase) {
        if (phase === "students") bar?.stop();
        log(phaseLabels[p.phase]);
        if (p.phase === "students") bar?.start(p.total, 0);
        phase = p.phase;
      }
      if (p.phase === "students") bar?.update(p.done);
    },
  });
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  log(
    `已载入示范城市（种子 ${summary.seed}，规模 ${summary.scale}）：组织机构 ${summary.orgUnits} 个（学校 ${summary.schools} 所），` +
      `班级 ${summary.classGroups} 个，教职工 ${summary.staff} 人，学生 ${summary.students} 人，用时 ${seconds} 秒`,
  );
  if (opts.accounts) {
    const created = await ensureDemoAccounts(database.db);
    log(created.length ? `已创建示范账号：${created.join("、")}（密码 ${DEMO_PASSWORD}）` : "示范账号已存在");
  }
  return summary;
}

export function registerDemoCommands(program: Command) {
  program
    .command("seed-demo")
    .description(
      "向空数据库载入示范城市（吕梁市合成数据） (load the synthetic demo city into an empty database)",
    )
    .option("--seed <seed>", "随机种子：同一种子生成同一城市", DEFAULT_SEED)
    .option("--scale <share>", "规模，0–1（1 为全市约55万学生；0.02 约1万）", "1")
    .option("--accounts", `同时创建示范账号（密码 ${DEMO_PASSWORD}），只用于演示环境`)
    .action((opts: SeedDemoOptions) =>
      withDatabase(async (database) => {
        await seedDemo(database, opts);
      }),
    );
}
