import pino from "pino";
import type { Config } from "../config.js";
import { connect } from "../db/connect.js";
import { migrate } from "../db/migrate.js";
import { runDemoExtras } from "../demo/extras.js";
import { demoStatus } from "../demo/status.js";
import { syncBuiltinRoles } from "../modules/access/bootstrap.js";
import { type DataTopic, dataEvents } from "../shared/data-events.js";
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
  const demo = config.DEMO ? await import("../demo/load.js") : null;
  const demoExtrasDue = demo ? await demo.ensureDemoCore(database, log) : false;
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
  if (demoExtrasDue) void loadDemoExtrasInBackground(database, log, t0);
  return app;
}

/** Every data topic (a record, so that a new topic fails to compile until it is listed here). */
const everyTopic: Record<DataTopic, true> = {
  registry: true,
  people: true,
  forms: true,
  health: true,
  cases: true,
  safety: true,
  plan: true,
};

/**
 * The capabilities' demo data (src/demo/extras.ts), loaded after the server listens; /api/health
 * says "loading" meanwhile (the web app shows 示范数据载入中). Each extra commits on its own with
 * its marker, so a failure or a stop leaves nothing half-loaded and the next start tries again.
 * Every figure cached before is stale afterwards: all data topics are announced.
 */
async function loadDemoExtrasInBackground(
  database: Awaited<ReturnType<typeof connect>>,
  log: pino.Logger,
  t0: number,
) {
  demoStatus.state = "loading";
  try {
    await runDemoExtras(database, log);
    demoStatus.state = "ready";
    log.info({ seconds: (Date.now() - t0) / 1000 }, "demo extras loaded");
  } catch (e) {
    demoStatus.state = "failed";
    log.error(
      { err: e },
      "demo extras failed to load (nothing of the failed one was kept; restart to retry)",
    );
  } finally {
    for (const topic of Object.keys(everyTopic) as DataTopic[]) dataEvents.changed(topic);
  }
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
