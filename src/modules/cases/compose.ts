import fs from "node:fs";
import type { FastifyPluginAsync } from "fastify";
import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import type { DataEvents } from "../../shared/data-events.js";
import type { FileService } from "../files/service.js";
import { CountCache } from "../people/count-cache.js";
import { OrgDirectory } from "../registry/org-directory.js";
import { caseRoutes } from "./routes.js";
import { safetySupervisionRoutes } from "./routes-safety-supervision.js";
import { SafetyService } from "./safety.js";
import { CaseService } from "./service.js";
import { SupervisionService } from "./supervision-plans.js";
import { CaseSweeper } from "./sweep.js";

export interface CasesOptions {
  files?: FileService | null;
  /** The deadline clock (tests move it). */
  now?: () => Date;
  /** Testing only: a file with milliseconds to add to the clock (config CASES_CLOCK_FILE). */
  clockFile?: string;
  /** How often the deadline sweep runs in-process; 0 turns it off (tests call sweep()). */
  sweepEveryMs?: number;
  countCacheMs?: number;
  /** Where 平安校园 inspections are announced (topic "safety"); the process's dataEvents by default. */
  events?: DataEvents;
}

/** A clock that adds the offset written in `file` (read at most once a second). */
export function fileClock(file: string): () => Date {
  let offset = 0;
  let readAt = 0;
  return () => {
    const t = Date.now();
    if (t - readAt > 1000) {
      readAt = t;
      try {
        offset = Number(fs.readFileSync(file, "utf8").trim()) || 0;
      } catch {
        offset = 0;
      }
    }
    return new Date(t + offset);
  };
}

/**
 * Builds the case engine's services (cases, 平安校园 inspections, 督导 plans, the deadline sweep) and
 * their routes, for the composition root.
 */
export function casesModule(db: Kysely<DB>, opts: CasesOptions = {}) {
  const now = opts.now ?? (opts.clockFile ? fileClock(opts.clockFile) : () => new Date());
  const cases = new CaseService(
    db,
    new OrgDirectory(db),
    new CountCache(opts.countCacheMs ?? 5000),
    opts.files ?? null,
    now,
  );
  const safety = new SafetyService(db, cases, opts.events);
  const supervision = new SupervisionService(db, cases);
  const sweeper = new CaseSweeper(db, cases);
  const everyMs = opts.sweepEveryMs ?? 60_000;
  const routes: FastifyPluginAsync[] = [
    caseRoutes(cases, sweeper),
    safetySupervisionRoutes(safety, supervision),
    async (app) => {
      app.addHook("onReady", async () =>
        sweeper.start(everyMs, (err) => app.log.error({ err }, "case sweep failed")),
      );
      app.addHook("onClose", async () => sweeper.stop());
    },
  ];
  return { cases, safety, supervision, sweeper, routes };
}
