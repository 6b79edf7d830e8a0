import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import { type Actor, requirePermission } from "../../shared/actor.js";
import { COUNT_CAP, type Page } from "../../shared/paging.js";
import { recordAudit } from "../audit/record.js";
import type { EntryService } from "./entry-service.js";
import type { SubmissionFilterQuery, SubmissionListQuery, SubmissionRow } from "./schemas.js";
import { type ReporterStatusRow, SubmissionRepository } from "./submission-repository.js";
import { type Status, statusNames } from "./workflow.js";

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const EXPORT_BATCH = 2000;

/** One reporter of the round's list (and of its xlsx export). */
function presentReporter(r: ReporterStatusRow): SubmissionRow {
  const status: Status = r.status ?? "none";
  return {
    orgCode: r.code,
    orgName: r.name,
    countyCode: r.county_code,
    countyName: r.county_name,
    schoolType: r.school_type,
    status,
    statusLabel: statusNames[status],
    comment: r.comment,
    submittedAt: iso(r.submitted_at),
    updatedAt: iso(r.updated_at),
  };
}

/**
 * A round's progress (填报进度): its reporters with their status, the same list as an xlsx export
 * for chasing late units, and the completeness (上报率) by county. Limited to the actor's area.
 */
export class RoundProgress {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly entries: EntryService,
  ) {}

  async list(
    actor: Actor,
    formCode: string,
    periodCode: string,
    q: SubmissionListQuery,
  ): Promise<Page<SubmissionRow>> {
    requirePermission(actor, "forms.read");
    const ctx = await this.entries.context(actor, formCode, periodCode);
    const { page, pageSize, ...filter } = q;
    const { rows, total } = await new SubmissionRepository(this.db).list(
      ctx.form.id,
      ctx.period,
      ctx.form.reporterTypes,
      actor.scopePaths,
      filter,
      pageSize,
      (page - 1) * pageSize,
    );
    return {
      items: rows.map(presentReporter),
      page,
      pageSize,
      total: Math.min(total, COUNT_CAP),
      totalExact: total <= COUNT_CAP,
    };
  }

  /**
   * The list's reporters for the xlsx export (the chase list of who has not submitted), by county
   * then unit code, read in keyset batches. Permissions are checked and the export audited before
   * the first row is read.
   */
  async exportRows(actor: Actor, formCode: string, periodCode: string, filter: SubmissionFilterQuery) {
    requirePermission(actor, "forms.read");
    requirePermission(actor, "exchange.export");
    const ctx = await this.entries.context(actor, formCode, periodCode);
    await recordAudit(this.db, actor, {
      action: "export",
      entity: "form_submission",
      entityKey: `${ctx.form.code}/${ctx.period.code}`,
      context: { filters: filter },
    });
    const repo = new SubmissionRepository(this.db);
    const rows = (async function* () {
      let after: [string, string] = ["", ""];
      for (;;) {
        const batch = await repo.batchAfter(
          ctx.form.id,
          ctx.period,
          ctx.form.reporterTypes,
          actor.scopePaths,
          filter,
          after,
          EXPORT_BATCH,
        );
        for (const r of batch) yield presentReporter(r);
        if (batch.length < EXPORT_BATCH) return;
        const last = batch[batch.length - 1];
        after = [last.county_code, last.code];
      }
    })();
    return { fileName: `${ctx.form.name}-${ctx.period.label}-填报情况.xlsx`, rows };
  }

  /**
   * 上报率 by county as an xlsx sheet (one row per county, then 合计): what the progress page's
   * table shows. Needs exchange.export too, and is audited like the reporters' export.
   */
  async completenessExport(actor: Actor, formCode: string, periodCode: string) {
    requirePermission(actor, "exchange.export");
    const c = await this.completeness(actor, formCode, periodCode);
    await recordAudit(this.db, actor, {
      action: "export",
      entity: "form_submission",
      entityKey: `${c.form.code}/${c.period.code}`,
      context: { sheet: "completeness" },
    });
    const rows = [...c.counties, { ...c.total, countyCode: "", countyName: "合计" }];
    return {
      fileName: `${c.form.name}-${c.period.label}-上报率.xlsx`,
      rows: (async function* () {
        yield* rows;
      })(),
    };
  }

  /** 上报率 by county: expected reporters and how many are at each status. */
  async completeness(actor: Actor, formCode: string, periodCode: string) {
    requirePermission(actor, "forms.read");
    const ctx = await this.entries.context(actor, formCode, periodCode);
    const rows = await new SubmissionRepository(this.db).completeness(
      ctx.form.id,
      ctx.period,
      ctx.form.reporterTypes,
      actor.scopePaths,
    );
    const blank = () => ({
      expected: 0,
      none: 0,
      draft: 0,
      submitted: 0,
      approved: 0,
      returned: 0,
      accepted: 0,
    });
    const total = blank();
    const counties = new Map<string, ReturnType<typeof blank> & { countyCode: string; countyName: string }>();
    for (const r of rows) {
      let c = counties.get(r.county_code);
      if (!c) {
        c = { ...blank(), countyCode: r.county_code, countyName: r.county_name };
        counties.set(r.county_code, c);
      }
      const s = r.status as keyof ReturnType<typeof blank>;
      c[s] += r.n;
      c.expected += r.n;
      total[s] += r.n;
      total.expected += r.n;
    }
    const withRate = <T extends ReturnType<typeof blank>>(c: T) => {
      const reported = c.submitted + c.approved + c.accepted;
      return { ...c, reported, rate: c.expected ? reported / c.expected : null };
    };
    return {
      form: { code: ctx.form.code, name: ctx.form.name },
      period: { code: ctx.period.code, label: ctx.period.label, dueDate: ctx.round.dueDate },
      total: withRate(total),
      counties: [...counties.values()].map(withRate),
    };
  }
}
