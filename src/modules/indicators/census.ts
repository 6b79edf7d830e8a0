import { type Kysely, sql } from "kysely";
import type { DB } from "../../db/types.js";
import { type Actor, requirePermission } from "../../shared/actor.js";
import { AppError, notFound } from "../../shared/errors.js";
import { parsePeriod } from "../../shared/period.js";
import { recordAudit } from "../audit/record.js";
import { type FactsProvider, type PeopleCensusSource, type PeopleRows, peopleCodec } from "./facts.js";

/**
 * 在校生、教职工统计快照 (people census, migration 0054): a period's student and staff counts per
 * school, frozen as the annual statistics freeze them, so that past periods keep their own counts
 * while the registry moves on. The indicator engine reads them (FactsProvider.peopleOf).
 */
export interface CensusOut {
  period: string;
  students: number;
  staff: number;
  note: string | null;
  takenBy: string;
  takenAt: string;
}

export class PeopleCensusRepository implements PeopleCensusSource {
  constructor(private readonly db: Kysely<DB>) {}

  async periods(): Promise<string[]> {
    const r = await sql<{ period: string }>`select period from people_census order by period`.execute(
      this.db,
    );
    return r.rows.map((x) => x.period);
  }

  async counts(period: string): Promise<PeopleRows> {
    const r = await sql<{ data: string }>`select data from people_census where period = ${period}`.execute(
      this.db,
    );
    if (!r.rows[0]) return { students: [], staff: [] };
    return peopleCodec.decode(JSON.parse(r.rows[0].data));
  }

  async list(db: Kysely<DB> = this.db): Promise<CensusOut[]> {
    const r = await sql<{
      period: string;
      students: number;
      staff: number;
      note: string | null;
      taken_by: string;
      taken_at: Date | string;
    }>`select period, students, staff, note, taken_by, taken_at from people_census order by period`.execute(
      db,
    );
    return r.rows.map((x) => ({
      period: x.period,
      students: Number(x.students),
      staff: Number(x.staff),
      note: x.note,
      takenBy: x.taken_by,
      takenAt: new Date(x.taken_at).toISOString(),
    }));
  }

  /** Writes (or replaces) a period's census. */
  async put(db: Kysely<DB>, period: string, rows: PeopleRows, note: string | null, takenBy: string) {
    const students = rows.students.reduce((n, r) => n + Number(r.n), 0);
    const staff = rows.staff.reduce((n, r) => n + Number(r.n), 0);
    const data = JSON.stringify(peopleCodec.encode(rows));
    await sql`insert into people_census (period, students, staff, data, note, taken_by)
      values (${period}, ${students}, ${staff}, ${data}, ${note}, ${takenBy})
      on conflict (period) do update set students = excluded.students, staff = excluded.staff,
        data = excluded.data, note = excluded.note, taken_by = excluded.taken_by, taken_at = now()`.execute(
      db,
    );
  }

  async remove(db: Kysely<DB>, period: string): Promise<boolean> {
    const r = await sql`delete from people_census where period = ${period}`.execute(db);
    return Number(r.numAffectedRows ?? 0) > 0;
  }
}

/**
 * Taking and removing censuses (city staff: indicators.manage), each audited; reading the list
 * needs indicators.read. A census freezes the registry's counts as they are now.
 */
export class PeopleCensusService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly repo: PeopleCensusRepository,
    private readonly facts: FactsProvider,
  ) {}

  list(actor: Actor): Promise<CensusOut[]> {
    requirePermission(actor, "indicators.read");
    return this.repo.list();
  }

  /**
   * Freezes today's counts as the census of `periodCode`. An existing census is replaced only with
   * `replace` (it may be the only record of a past year's counts).
   */
  async take(actor: Actor, periodCode: string, opts: { replace?: boolean; note?: string | null } = {}) {
    requirePermission(actor, "indicators.manage");
    let period: ReturnType<typeof parsePeriod>;
    try {
      period = parsePeriod(periodCode);
    } catch {
      throw new AppError("VALIDATION_FAILED", `统计期“${periodCode}”无效（如 2022、2022-2023）`);
    }
    const rows = await this.facts.livePeopleRows();
    const out = await this.db.transaction().execute(async (tx) => {
      const before = (await this.repo.list(tx)).find((c) => c.period === period.code);
      if (before && !opts.replace)
        throw new AppError(
          "CONFLICT",
          `${period.code} 已有统计快照（${before.takenAt.slice(0, 10)}），如需重做请选择覆盖`,
        );
      await this.repo.put(tx, period.code, rows, opts.note ?? null, actor.name);
      const after = (await this.repo.list(tx)).find((c) => c.period === period.code) as CensusOut;
      await recordAudit(tx, actor, {
        action: before ? "update" : "create",
        entity: "people_census",
        entityKey: period.code,
        before: before ?? null,
        after,
      });
      return after;
    });
    this.facts.censusChanged();
    return out;
  }

  async remove(actor: Actor, periodCode: string): Promise<void> {
    requirePermission(actor, "indicators.manage");
    await this.db.transaction().execute(async (tx) => {
      const before = (await this.repo.list(tx)).find((c) => c.period === periodCode);
      if (!before || !(await this.repo.remove(tx, periodCode))) throw notFound("统计快照");
      await recordAudit(tx, actor, {
        action: "delete",
        entity: "people_census",
        entityKey: periodCode,
        before,
      });
    });
    this.facts.censusChanged();
  }
}
