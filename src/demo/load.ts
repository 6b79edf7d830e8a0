import type { Logger } from "pino";
import type { BulkTx, Database } from "../db/connect.js";
import { recordAudit } from "../modules/audit/record.js";
import { luliangCounties } from "../modules/registry/codes.js";
import { systemActor } from "../shared/actor.js";
import { AppError } from "../shared/errors.js";
import { ensureDemoAccounts } from "./accounts.js";
import { withIndexesDeferred } from "./bulk-indexes.js";
import { runDemoExtras } from "./extras.js";
import { DEFAULT_SEED, type DemoCity, generateDemoCity } from "./generate.js";
import { type CountyShape, loadCountyShapes } from "./geo.js";
import type { DemoStudent } from "./model.js";
import {
  classGroupRows,
  orgUnitRows,
  staffRows,
  statusHistoryRows,
  studentRows,
  versionRows,
} from "./rows.js";

export interface LoadProgress {
  phase: "org_units" | "classes" | "staff" | "students" | "finishing";
  done: number;
  total: number;
}

export interface LoadDemoOptions {
  seed?: string;
  scale?: number;
  shapes?: CountyShape[];
  onProgress?: (p: LoadProgress) => void;
}

export interface DemoCitySummary {
  seed: string;
  scale: number;
  orgUnits: number;
  schools: number;
  classGroups: number;
  staff: number;
  students: number;
  statusHistory: number;
}

/** Students per COPY: big enough to be fast, small enough that no batch is a large string. */
const STUDENT_BATCH = 20_000;
/** The large tables, loaded with their indexes set aside (bulk-indexes.ts). */
const bulkTables = ["org_unit_version", "class_group", "staff", "student", "student_status_history"];
/** The identity columns the loader fills itself; their sequences are moved past the loaded ids. */
const identityTables = ["org_unit", "class_group", "staff", "student"];

/**
 * Writes the demo city into an empty database in one transaction (all or nothing), with COPY in
 * batches, and one audit row ('seed-demo', by the system). Ids come from the generator: COPY writes
 * identity columns as given (like OVERRIDING SYSTEM VALUE), and the sequences are set after.
 */
export async function loadDemoCity(database: Database, opts: LoadDemoOptions = {}): Promise<DemoCitySummary> {
  const city = generateDemoCity({
    seed: opts.seed ?? DEFAULT_SEED,
    scale: opts.scale ?? 1,
    shapes: opts.shapes ?? loadCountyShapes(luliangCounties),
  });
  const progress = opts.onProgress ?? (() => {});
  return database.bulkTransaction(async (tx) => {
    // Two processes starting in demo mode on one PostgreSQL: the second waits, then finds the city.
    await tx.exec("select pg_advisory_xact_lock(7411002)");
    const existing = await tx.db.selectFrom("org_unit").select("id").limit(1).executeTakeFirst();
    if (existing) throw new AppError("CONFLICT", "数据库中已有组织机构数据，示范城市只能载入空数据库");
    progress({ phase: "org_units", done: 0, total: city.orgUnits.length });
    await tx.copyRows("org_unit", orgUnitRows.columns, city.orgUnits.map(orgUnitRows.row));
    const { students, history } = await withIndexesDeferred(tx, bulkTables, async () => {
      await tx.copyRows("org_unit_version", versionRows.columns, city.orgUnitVersions.map(versionRows.row));
      progress({ phase: "classes", done: 0, total: city.classGroups.length });
      await tx.copyRows("class_group", classGroupRows.columns, city.classGroups.map(classGroupRows.row));
      progress({ phase: "staff", done: 0, total: city.staff.length });
      for (let i = 0; i < city.staff.length; i += STUDENT_BATCH)
        await tx.copyRows(
          "staff",
          staffRows.columns,
          city.staff.slice(i, i + STUDENT_BATCH).map(staffRows.row),
        );
      const copied = await copyStudents(tx, city, progress);
      progress({ phase: "finishing", done: copied.students, total: city.studentCount });
      return copied;
    });
    for (const t of identityTables)
      await tx.exec(
        `select setval(pg_get_serial_sequence('${t}', 'id'), coalesce((select max(id) from ${t}), 0) + 1, false)`,
      );
    const summary: DemoCitySummary = {
      seed: city.seed,
      scale: city.scale,
      orgUnits: city.orgUnits.length,
      schools: city.orgUnits.filter((u) => u.kind === "school").length,
      classGroups: city.classGroups.length,
      staff: city.staff.length,
      students,
      statusHistory: history,
    };
    await recordAudit(tx.db, systemActor(), {
      action: "seed-demo",
      entity: "demo_city",
      entityKey: city.seed,
      orgPath: city.orgUnits[0].path,
      after: summary,
    });
    // The planner needs statistics on tables that went from empty to large (PGlite runs no autovacuum).
    // A smaller sample than the default (100 → 15,000 rows) halves the time; 13 counties, 15 grades
    // and 6 stages still fit the most-common-values lists whole.
    await tx.exec("set local default_statistics_target = 50");
    await tx.exec(`analyze org_unit, org_unit_version, class_group, staff, student, student_status_history`);
    return summary;
  });
}

async function copyStudents(tx: BulkTx, city: DemoCity, progress: (p: LoadProgress) => void) {
  let pending: DemoStudent[] = [];
  let pendingHistory: string[][] = [];
  let students = 0;
  let history = 0;
  const flush = async () => {
    await tx.copyRows("student", studentRows.columns, pending.map(studentRows.row));
    // History rows refer to students of this batch or an earlier one: copied after them.
    await tx.copyRows("student_status_history", statusHistoryRows.columns, pendingHistory);
    students += pending.length;
    history += pendingHistory.length;
    pending = [];
    pendingHistory = [];
    progress({ phase: "students", done: students, total: city.studentCount });
  };
  for (const batch of city.students()) {
    for (const s of batch.students) pending.push(s);
    for (const h of batch.history) pendingHistory.push(statusHistoryRows.row(h));
    if (pending.length >= STUDENT_BATCH) await flush();
  }
  if (pending.length) await flush();
  return { students, history };
}

/**
 * Demo mode at start-up: loads the demo city when the database has no org units, then makes sure
 * the demo accounts exist (only in a database the demo city was loaded into), then loads the
 * capabilities' demo extras. `npm start` runs the two halves apart (the extras after the server
 * listens): ensureDemoCore, then runDemoExtras.
 */
export async function ensureDemoCity(
  database: Database,
  log: Logger,
  options: Omit<LoadDemoOptions, "onProgress"> = {},
): Promise<void> {
  if (await ensureDemoCore(database, log, options)) await runDemoExtras(database, log);
}

/**
 * The core demo city and the demo accounts. Returns whether this database holds the demo city
 * (only then may the demo extras be loaded into it).
 */
export async function ensureDemoCore(
  database: Database,
  log: Logger,
  options: Omit<LoadDemoOptions, "onProgress"> = {},
): Promise<boolean> {
  const hasOrgUnits = await database.db.selectFrom("org_unit").select("id").limit(1).executeTakeFirst();
  if (!hasOrgUnits) {
    const t0 = performance.now();
    log.info("loading the demo city (吕梁市示范数据)…");
    let lastLogged = 0;
    try {
      const summary = await loadDemoCity(database, {
        ...options,
        onProgress: (p) => {
          if (p.phase === "students" && p.done - lastLogged < 100_000) return;
          lastLogged = p.done;
          log.info(p, "demo city loading");
        },
      });
      log.info({ ...summary, seconds: Math.round(performance.now() - t0) / 1000 }, "demo city loaded");
    } catch (e) {
      if (!(e instanceof AppError && e.code === "CONFLICT")) throw e;
      log.info("another process loaded the demo city first");
    }
  }
  const seeded = await database.db
    .selectFrom("audit_log")
    .select("id")
    .where("action", "=", "seed-demo")
    .limit(1)
    .executeTakeFirst();
  if (!seeded) {
    log.warn("database holds data that is not the demo city: demo accounts not created");
    return false;
  }
  const created = await ensureDemoAccounts(database.db);
  if (created.length) log.info({ created }, "demo accounts created (password demo1234)");
  return true;
}
