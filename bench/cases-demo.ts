/**
 * Seconds the demo extras add to a first start (issue 5: the "cases.demo" entry):
 *   npx tsx bench/cases-demo.ts [pglite-dir | postgres://…]   (default: a fresh PGlite folder in /tmp)
 * Loads the demo city with every extra into a fresh database and prints each extra's time as
 * runDemoExtras logs it, plus the total.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { connect } from "../src/db/connect.js";
import { migrate } from "../src/db/migrate.js";
import { ensureDemoCity } from "../src/demo/load.js";
import { syncBuiltinRoles } from "../src/modules/access/bootstrap.js";

const target = process.argv[2] ?? fs.mkdtempSync(path.join(os.tmpdir(), "edu-cases-demo-"));
const database = await connect(target.startsWith("postgres") ? { url: target } : { pgliteDir: target });
await migrate(database);
await syncBuiltinRoles(database.db);
const timings: string[] = [];
const log = pino(
  { level: process.env.LOG_LEVEL ?? "info" },
  {
    write(line: string) {
      const e = JSON.parse(line) as { msg: string; extra?: string; seconds?: number };
      if (e.msg === "demo data loaded") timings.push(`${e.extra}: ${e.seconds} s`);
      if (e.msg === "demo city loaded") timings.push(`core city: ${e.seconds} s`);
      if (process.env.LOG_LEVEL === "debug" && e.msg === "cases.demo") timings.push(`  ${line.trim()}`);
    },
  },
);
const t0 = performance.now();
await ensureDemoCity(database, log);
console.log(timings.join("\n"));
console.log(
  `total: ${((performance.now() - t0) / 1000).toFixed(1)} s (load average ${os.loadavg()[0].toFixed(1)})`,
);
await database.close();
if (!process.argv[2]) fs.rmSync(target, { recursive: true, force: true });
