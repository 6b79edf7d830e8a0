import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import { systemActor } from "../../shared/actor.js";
import { recordAudit } from "../audit/record.js";
import { sweepDecision } from "./engine/deadline.js";
import { kindOf } from "./kinds/index.js";
import type { CaseService } from "./service.js";

export interface SweepResult {
  overdue: number;
  escalated: number;
  cleared: number;
}

const levelName = (level: number) => (level >= 2 ? "市级" : "县级");

/**
 * The deadline sweep: marks open cases overdue when their deadline has passed in a state whose clock
 * runs, escalates them as their kind says (to the county, then the city), and clears markers that no
 * longer hold. Each case changes in its own transaction with its timeline events and audit rows, as
 * the system. Runs every minute in-process and on demand; the clock is the service's `now()`.
 */
export class CaseSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<SweepResult> | null = null;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly service: CaseService,
  ) {}

  /** One pass; concurrent calls share the pass under way. */
  sweep(): Promise<SweepResult> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  start(everyMs: number, onError: (e: unknown) => void) {
    if (everyMs <= 0 || this.timer) return;
    this.timer = setInterval(() => this.sweep().catch(onError), everyMs);
    this.timer.unref();
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async pass(): Promise<SweepResult> {
    const now = this.service.now();
    const out: SweepResult = { overdue: 0, escalated: 0, cleared: 0 };
    const system = systemActor("deadline-sweep");
    let after = 0;
    for (;;) {
      const rows = await this.service.repo.sweepCandidates(now, after, 500);
      if (rows.length === 0) break;
      after = rows[rows.length - 1].id;
      for (const r of rows) {
        const kind = kindOf(r.kind);
        if (!kind) continue;
        const facts = {
          state: r.state,
          orgPath: r.org_path,
          dueAt: r.due_at ? new Date(r.due_at) : null,
          overdueSince: r.overdue_since,
          escalationLevel: r.escalation_level,
        };
        const d = sweepDecision(kind, facts, now);
        if (!d.becameOverdue && !d.clearOverdue && d.escalateTo === null) continue;
        await this.db.transaction().execute(async (tx) => {
          // re-read under lock: a step may have moved the case since the candidates were read
          const cur = await tx
            .selectFrom("case_record")
            .selectAll()
            .where("id", "=", r.id)
            .forUpdate()
            .executeTakeFirst();
          if (!cur || cur.state !== r.state || cur.closed_at !== null) return;
          if (d.clearOverdue) {
            await tx
              .updateTable("case_record")
              .set({ overdue_since: null, escalation_level: 0 })
              .where("id", "=", r.id)
              .execute();
            out.cleared++;
            return;
          }
          if (d.becameOverdue) {
            await this.service.addEvent(
              tx,
              system,
              r,
              "overdue",
              null,
              null,
              `已超过期限（${facts.dueAt?.toISOString().slice(0, 10)}）`,
              null,
              [],
              now,
            );
            out.overdue++;
          }
          if (d.escalateTo !== null) {
            await this.service.addEvent(
              tx,
              system,
              r,
              "escalate",
              null,
              null,
              `逾期未办，升级至${levelName(d.escalateTo)}督办`,
              { level: d.escalateTo },
              [],
              now,
            );
            out.escalated++;
          }
          await tx
            .updateTable("case_record")
            .set({
              overdue_since: cur.overdue_since ?? now,
              escalation_level: d.escalateTo ?? cur.escalation_level,
              ...(d.escalateTo !== null ? { escalated_at: now } : {}),
            })
            .where("id", "=", r.id)
            .execute();
          await recordAudit(tx, system, {
            action: d.escalateTo !== null ? "escalate" : "overdue",
            entity: "case",
            entityKey: String(r.id),
            orgPath: r.org_path,
            before: { escalationLevel: cur.escalation_level, overdueSince: cur.overdue_since },
            after: { escalationLevel: d.escalateTo ?? cur.escalation_level, dueAt: facts.dueAt },
          });
        });
      }
    }
    if (out.overdue || out.escalated || out.cleared) this.service.changed();
    return out;
  }
}
