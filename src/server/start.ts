import pino from "pino";
import type { Config } from "../config.js";
import { connect } from "../db/connect.js";
import { migrate } from "../db/migrate.js";
import { syncBuiltinRoles } from "../modules/access/bootstrap.js";
import { buildApp } from "./app.js";

/** Connects, migrates, (in demo mode) loads the demo city, and listens. */
export async function startPlatform(config: Config) {
  const log = pino({ level: config.LOG_LEVEL });
  const t0 = Date.now();
  const database = await connect({ url: config.DATABASE_URL, pgliteDir: config.pgliteDir });
  log.info({ engine: database.engine }, "database connected");
  const applied = await migrate(database);
  if (applied.length) log.info({ applied }, "migrations applied");
  await syncBuiltinRoles(database.db);
  await failInterruptedJobs(database);
  if (config.DEMO) {
    const { ensureDemoCity } = await import("../demo/load.js");
    await ensureDemoCity(database, log);
  }
  const app = await buildApp({ config, database, logger: log });
  const close = async () => {
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.once("SIGINT", close);
  process.once("SIGTERM", close);
  await app.listen({ port: config.PORT, host: config.HOST });
  log.info(
    { url: `http://${config.HOST}:${config.PORT}`, seconds: (Date.now() - t0) / 1000 },
    "platform serving",
  );
  return app;
}

/**
 * Jobs that were running when the process died are marked failed. Each import commits in one
 * transaction, so nothing of theirs was applied.
 */
async function failInterruptedJobs(database: Awaited<ReturnType<typeof connect>>) {
  await database.db
    .updateTable("import_job")
    .set({
      status: "failed",
      message: "服务重启，任务中断，未写入任何数据，请重新导入",
      finished_at: new Date(),
    })
    .where("status", "in", ["validating", "committing"])
    .execute();
}
