import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Database } from "../db/connect.js";
import type { DB } from "../db/types.js";
import { recordAudit } from "../modules/audit/record.js";
import { loadCasesDemo } from "../modules/cases/demo.js";
import { loadDemoScreenings } from "../modules/health/demo-screenings.js";
import { loadPlan2022Demo } from "../modules/indicators/demo.js";
import { systemActor } from "../shared/actor.js";

/**
 * Demo data of the capabilities built on the core city (census forms, screenings, the plan package,
 * cases …). Each capability adds one entry here; `ensureDemoCity` runs the entries that have not run
 * yet, in this order, after the core city and the demo accounts. An entry must be all or nothing
 * (one `database.bulkTransaction`) and must write its marker with `markDemoExtra` inside that
 * transaction, so a crash half-way leaves nothing and the next start tries again.
 */
export interface DemoExtra {
  /** Stable name, e.g. "forms.census"; the audit marker's entity key. */
  name: string;
  load(database: Database, log: Logger): Promise<void>;
}

export const demoExtras: DemoExtra[] = [
  // 办学条件年报 2021 and 2022 (imported when run: src/modules/forms imports this file)
  {
    name: "forms.census",
    load: async (database, log) => {
      await (await import("../modules/forms/demo.js")).loadCensusDemo(database, log);
    },
  },
  // health: a 2021 and a 2022 vision screening of every student
  { name: "health.screening", load: (database, log) => loadDemoScreenings(database, log) },
  // hazards, supervision plans and findings, 平安校园 inspections (src/modules/cases/demo.ts)
  { name: "cases.demo", load: loadCasesDemo },
  // keep after forms.census and health.screening: the plan's indicators read their data
  { name: "indicators.plan-2022", load: (database) => loadPlan2022Demo(database) },
  // 在校生、教职工统计快照 of 2019–2021: the people-based indicators' earlier years
  {
    name: "indicators.people-census",
    load: async (database) => (await import("../modules/indicators/demo-census.js")).loadCensusDemo(database),
  },
  // 监督举报 and 校外培训: institutions, inspections, enforcement cases, reports with receipts
  {
    name: "reports.demo",
    load: async (database, log) =>
      (await import("../modules/reports/demo.js")).reportsDemo.load(database, log),
  },
];

const MARKER_ACTION = "seed-demo-extra";

/** Records, inside the entry's own transaction, that a demo extra has been loaded. */
export async function markDemoExtra(
  db: Kysely<DB>,
  name: string,
  summary: Record<string, unknown>,
): Promise<void> {
  await recordAudit(db, systemActor(), {
    action: MARKER_ACTION,
    entity: "demo_city",
    entityKey: name,
    orgPath: "/141100/",
    after: summary,
  });
}

/** Runs every demo extra that has no marker yet, in order. */
/** Runs of this process, one after another (two starts racing in one process load each extra once). */
let queue: Promise<void> = Promise.resolve();

/**
 * Runs every demo extra that has no marker yet, in order. Runs in one process are serialised, and
 * each run reads the markers afresh, so a second run finds what the first loaded and skips it.
 */
export function runDemoExtras(
  database: Database,
  log: Logger,
  extras: DemoExtra[] = demoExtras,
): Promise<void> {
  const run = queue.then(() => runPending(database, log, extras));
  queue = run.catch(() => {});
  return run;
}

async function runPending(database: Database, log: Logger, extras: DemoExtra[]): Promise<void> {
  const done = await database.db
    .selectFrom("audit_log")
    .select("entity_key")
    .where("action", "=", MARKER_ACTION)
    .execute();
  const loaded = new Set(done.map((r) => r.entity_key));
  for (const extra of extras) {
    if (loaded.has(extra.name)) continue;
    const t0 = performance.now();
    await extra.load(database, log);
    log.info({ extra: extra.name, seconds: Math.round(performance.now() - t0) / 1000 }, "demo data loaded");
  }
}
