import type { Command } from "commander";
import { migrate } from "../../db/migrate.js";
import { withDatabase } from "../context.js";

export function registerCoreCommands(program: Command) {
  program
    .command("migrate")
    .description("执行数据库迁移 (apply pending migrations)")
    .action(() =>
      withDatabase(async (database) => {
        const applied = await migrate(database);
        console.log(applied.length ? `已执行：${applied.join(", ")}` : "数据库已是最新");
      }),
    );
}
