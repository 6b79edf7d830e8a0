import fs from "node:fs";
import type { Command } from "commander";
import { migrate } from "../../db/migrate.js";
import { fail, withDatabase } from "../context.js";

export function registerCoreCommands(program: Command) {
  program
    .command("migrate")
    .description("执行数据库迁移 (apply pending migrations)")
    .action(() =>
      withDatabase(
        async (database) => {
          const applied = await migrate(database);
          console.log(applied.length ? `已执行：${applied.join(", ")}` : "数据库已是最新 (up to date)");
        },
        { migrate: false },
      ),
    );

  program
    .command("backup <file>")
    .description("备份嵌入式数据库到 .tar.gz 文件 (PGlite only; for PostgreSQL use pg_dump)")
    .action((file: string) =>
      withDatabase(async (database) => {
        if (!database.dumpDataDir) {
          fail("当前使用 PostgreSQL 服务器，请用 pg_dump 备份（见 docs/operations.md）");
          return;
        }
        const blob = await database.dumpDataDir("gzip");
        fs.writeFileSync(file, Buffer.from(await blob.arrayBuffer()));
        console.log(`已备份到 ${file} (${(blob.size / 1048576).toFixed(1)} MB)`);
      }),
    );
}
