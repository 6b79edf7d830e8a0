import os from "node:os";
import { loadConfig } from "../config.js";
import { connect, type Database } from "../db/connect.js";
import { migrate } from "../db/migrate.js";
import { syncBuiltinRoles } from "../modules/access/bootstrap.js";
import { type Actor, systemActor } from "../shared/actor.js";

/**
 * Opens the configured database (DATABASE_URL, else the PGlite folder under DATA_DIR), migrated,
 * runs `fn`, and closes it. Every CLI command runs inside this.
 */
export async function withDatabase<T>(
  fn: (database: Database) => Promise<T>,
  opts: { migrate?: boolean } = {},
): Promise<T> {
  const config = loadConfig();
  const database = await connect({ url: config.DATABASE_URL, pgliteDir: config.pgliteDir });
  try {
    if (opts.migrate !== false) {
      await migrate(database);
      await syncBuiltinRoles(database.db);
    }
    return await fn(database);
  } finally {
    await database.close();
  }
}

/** Prints a one-line failure in Chinese and sets a non-zero exit code. */
export function fail(message: string): void {
  console.error(`错误：${message}`);
  process.exitCode = 1;
}

/** The CLI acts as the system, named after the operating-system account that ran it (for the audit log). */
export function cliActor(): Actor {
  let who = "unknown";
  try {
    who = os.userInfo().username;
  } catch {
    // Some containers run as a uid without a passwd entry.
  }
  return systemActor(`cli:${who}`);
}
