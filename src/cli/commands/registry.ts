import fs from "node:fs";
import type { Command } from "commander";
import { loadOrgUnitPack } from "../../modules/registry/org-unit-pack.js";
import { cliActor, withDatabase } from "../context.js";

export function registerRegistryCommands(program: Command) {
  const org = program.command("org").description("组织机构 (org units)");
  org
    .command("init <file>")
    .description(
      "载入市、县和科室（CSV：机构代码,机构名称,简称,机构类型,上级机构代码）；吕梁：packs/lvliang/org-units.csv",
    )
    .action((file: string) =>
      withDatabase(async (database) => {
        const r = await loadOrgUnitPack(database.db, cliActor(), fs.readFileSync(file, "utf8"));
        console.log(`已载入 ${r.inserted} 个组织机构，${r.unchanged} 个已存在未改动`);
      }),
    );
}
