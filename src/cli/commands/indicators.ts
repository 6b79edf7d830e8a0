import fs from "node:fs";
import type { Command } from "commander";
import { indicators } from "../../modules/indicators/compose.js";
import { loadIndicatorPackage } from "../../modules/indicators/package.js";
import { cliActor, withDatabase } from "../context.js";

export function registerIndicatorCommands(program: Command) {
  const cmd = program.command("indicators").description("指标、目标和重点工作 (indicators)");
  cmd
    .command("load <file>")
    .description(
      "载入指标包（重点工作分组、指标、目标；整体校验，全部成功或不改动）；吕梁2022：packs/lvliang/plan-2022.json",
    )
    .action((file: string) =>
      withDatabase(async (database) => {
        const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
        const mod = indicators(database.db);
        const r = await loadIndicatorPackage(database.db, cliActor(), mod.definitions, pkg);
        const line = (what: string, c: { inserted: number; updated: number; unchanged: number }) =>
          `${what}：新增 ${c.inserted}，修改 ${c.updated}，未变 ${c.unchanged}`;
        console.log(`已载入指标包 ${r.code}`);
        console.log(line("重点工作分组", r.groups));
        console.log(line("指标", r.indicators));
        console.log(line("目标", r.targets));
      }),
    );
}
