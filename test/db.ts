import crypto from "node:crypto";
import fs from "node:fs";
import { inject } from "vitest";
import { connect, type Database } from "../src/db/connect.js";
import { withDatabase } from "../src/db/url.js";

/** The engine the tests run on: PostgreSQL when TEST_DATABASE_URL is set, otherwise PGlite. */
export const testEngine = process.env.TEST_DATABASE_URL ? "postgres" : "pglite";

/**
 * A fresh, migrated database for one test file: a PGlite loaded from the template dump, or a new
 * PostgreSQL database cloned from the template. `close()` drops it.
 */
export async function createTestDatabase(): Promise<Database> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const file = inject("pgliteTemplate");
    return connect({ pgliteDir: "memory://", loadDataDir: new Blob([fs.readFileSync(file)]) });
  }
  const run = inject("pgTestRun");
  const name = `edu_test_${run}_${crypto.randomBytes(5).toString("hex")}`;
  const admin = await connect({ url, poolSize: 1 });
  // Two files cloning the template at the same moment can collide ("being accessed by other users").
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.exec(`create database ${name} template edu_test_${run}_tpl`);
      break;
    } catch (e) {
      if (attempt >= 20) throw e;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  await admin.close();
  const database = await connect({ url: withDatabase(url, name), poolSize: 5 });
  return {
    ...database,
    async close() {
      await database.close();
      const a = await connect({ url, poolSize: 1 });
      await a.exec(`drop database if exists ${name} with (force)`);
      await a.close();
    },
  };
}
