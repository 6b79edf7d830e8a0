import fs from "node:fs";
import path from "node:path";
import type { Database } from "../../db/connect.js";
import { markDemoExtra } from "../../demo/extras.js";
import { systemActor } from "../../shared/actor.js";
import { indicators } from "./compose.js";
import { loadIndicatorPackage } from "./package.js";

/** The 2022 plan package in the repository: packs/lvliang/plan-2022.json. */
export const PLAN_2022_FILE = path.resolve(import.meta.dirname, "../../../packs/lvliang/plan-2022.json");

/**
 * Demo data of the indicators: the 2022 plan's key-task groups, indicators and targets, loaded like
 * any package (validated whole, one transaction, audited) with the demo marker in the same
 * transaction. The figures come from the demo city's registry, census forms and screenings.
 */
export async function loadPlan2022Demo(database: Database): Promise<void> {
  const pkg = JSON.parse(fs.readFileSync(PLAN_2022_FILE, "utf8"));
  const mod = indicators(database.db);
  await loadIndicatorPackage(database.db, systemActor("demo"), mod.definitions, pkg, (tx, result) =>
    markDemoExtra(tx, "indicators.plan-2022", result),
  );
}
