import type { Logger } from "pino";
import type { Database } from "../db/connect.js";

/** Loads the demo city into an empty database (being written; see issue 2). */
export async function ensureDemoCity(_database: Database, log: Logger): Promise<void> {
  log.warn("demo city generator not yet written");
}
