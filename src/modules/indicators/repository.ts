import { type Kysely, type Selectable, sql } from "kysely";
import { underPaths } from "../../db/scope.js";
import type { DB, IndicatorGroupTable, IndicatorTable, IndicatorTargetTable } from "../../db/types.js";

export type GroupRow = Selectable<IndicatorGroupTable>;
export type IndicatorRow = Selectable<IndicatorTable>;
export type TargetRow = Selectable<IndicatorTargetTable> & { org_unit_code: string; org_unit_name: string };

/**
 * SQL of the indicator definitions: key-task groups, indicators and targets. Definitions are city-
 * wide (not scoped: every user reads the same definitions); targets carry their org unit's path and
 * are read within a scope where a list is asked for. Writes take the caller's transaction so that the
 * change and its audit row commit together.
 */
export class IndicatorRepository {
  constructor(private readonly db: Kysely<DB>) {}

  groups(db: Kysely<DB> = this.db) {
    return db.selectFrom("indicator_group").selectAll().orderBy("ordinal").orderBy("code").execute();
  }

  group(code: string, db: Kysely<DB> = this.db) {
    return db.selectFrom("indicator_group").selectAll().where("code", "=", code).executeTakeFirst();
  }

  indicators(includeInactive: boolean, db: Kysely<DB> = this.db) {
    return db
      .selectFrom("indicator")
      .selectAll()
      .$if(!includeInactive, (q) => q.where("active", "=", true))
      .orderBy("ordinal")
      .orderBy("code")
      .execute();
  }

  indicator(code: string, db: Kysely<DB> = this.db) {
    return db.selectFrom("indicator").selectAll().where("code", "=", code).executeTakeFirst();
  }

  async insertGroup(db: Kysely<DB>, g: Omit<GroupRow, "created_at" | "updated_at">) {
    return db.insertInto("indicator_group").values(g).returningAll().executeTakeFirstOrThrow();
  }

  async updateGroup(db: Kysely<DB>, code: string, patch: Partial<GroupRow>) {
    return db
      .updateTable("indicator_group")
      .set({ ...patch, updated_at: sql`now()` })
      .where("code", "=", code)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async deleteGroup(db: Kysely<DB>, code: string) {
    await db.deleteFrom("indicator_group").where("code", "=", code).execute();
  }

  async countIndicatorsOf(groupCode: string, db: Kysely<DB> = this.db) {
    const r = await db
      .selectFrom("indicator")
      .select(sql<string>`count(*)`.as("n"))
      .where("group_code", "=", groupCode)
      .where("active", "=", true)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async insertIndicator(db: Kysely<DB>, row: Omit<IndicatorRow, "created_at" | "updated_at" | "version">) {
    return db.insertInto("indicator").values(row).returningAll().executeTakeFirstOrThrow();
  }

  async updateIndicator(db: Kysely<DB>, code: string, patch: Partial<IndicatorRow>) {
    return db
      .updateTable("indicator")
      .set({ ...patch, version: sql`version + 1`, updated_at: sql`now()` })
      .where("code", "=", code)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  private targetQuery(db: Kysely<DB>) {
    return db
      .selectFrom("indicator_target as t")
      .innerJoin("org_unit as u", "u.id", "t.org_unit_id")
      .selectAll("t")
      .select(["u.code as org_unit_code", "u.name as org_unit_name"]);
  }

  /** Targets, optionally of one indicator / period / unit, of units within or above the scope. */
  targets(
    f: { indicator?: string; period?: string; orgUnitId?: number },
    visiblePaths: { scope: string[]; ancestors: string[] } | null,
    db: Kysely<DB> = this.db,
  ): Promise<TargetRow[]> {
    return this.targetQuery(db)
      .$if(f.indicator !== undefined, (q) => q.where("t.indicator_code", "=", f.indicator!))
      .$if(f.period !== undefined, (q) => q.where("t.period_code", "=", f.period!))
      .$if(f.orgUnitId !== undefined, (q) => q.where("t.org_unit_id", "=", f.orgUnitId!))
      .$if(visiblePaths !== null, (q) =>
        q.where((eb) =>
          visiblePaths!.ancestors.length
            ? eb.or([
                underPaths("t.org_path", visiblePaths!.scope),
                eb("t.org_path", "in", visiblePaths!.ancestors),
              ])
            : underPaths("t.org_path", visiblePaths!.scope),
        ),
      )
      .orderBy("t.indicator_code")
      .orderBy("t.period_code")
      .orderBy("t.org_path")
      .execute() as Promise<TargetRow[]>;
  }

  target(id: number, db: Kysely<DB> = this.db) {
    return this.targetQuery(db).where("t.id", "=", id).executeTakeFirst() as Promise<TargetRow | undefined>;
  }

  targetAt(indicator: string, orgUnitId: number, period: string, db: Kysely<DB> = this.db) {
    return this.targetQuery(db)
      .where("t.indicator_code", "=", indicator)
      .where("t.org_unit_id", "=", orgUnitId)
      .where("t.period_code", "=", period)
      .executeTakeFirst() as Promise<TargetRow | undefined>;
  }

  async upsertTarget(
    db: Kysely<DB>,
    t: Omit<Selectable<IndicatorTargetTable>, "id" | "created_at" | "updated_at">,
  ): Promise<number> {
    const r = await db
      .insertInto("indicator_target")
      .values(t)
      .onConflict((oc) =>
        oc.columns(["indicator_code", "org_unit_id", "period_code"]).doUpdateSet({
          kind: t.kind,
          direction: t.direction,
          value: t.value,
          note: t.note,
          source: t.source,
          updated_at: sql`now()`,
        }),
      )
      .returning("id")
      .executeTakeFirstOrThrow();
    return Number(r.id);
  }

  async deleteTarget(db: Kysely<DB>, id: number) {
    await db.deleteFrom("indicator_target").where("id", "=", id).execute();
  }

  orgUnit(code: string, db: Kysely<DB> = this.db) {
    return db
      .selectFrom("org_unit")
      .select(["id", "code", "name", "kind", "path", "county_code", "valid_to"])
      .where("code", "=", code)
      .executeTakeFirst();
  }

  /** Current counties under a city. */
  counties(cityPath: string, db: Kysely<DB> = this.db) {
    return db
      .selectFrom("org_unit")
      .select(["id", "code", "name", "kind", "path", "county_code", "valid_to"])
      .where("kind", "=", "county")
      .where("valid_to", "is", null)
      .where(underPaths("path", [cityPath]))
      .orderBy("code")
      .execute();
  }

  /**
   * A fingerprint of all definitions (indicators, groups, targets): changes by any process (another
   * API process, the CLI) are seen by this one within the fingerprint's polling interval.
   */
  async fingerprint(): Promise<string> {
    const r = await sql<{ f: string }>`
      select concat_ws('|',
        (select max(updated_at)::text || count(*) from indicator),
        (select max(updated_at)::text || count(*) from indicator_group),
        (select max(updated_at)::text || count(*) from indicator_target)) as f`.execute(this.db);
    return r.rows[0]?.f ?? "";
  }
}
