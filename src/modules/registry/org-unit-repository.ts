import { type Insertable, type Kysely, type RawBuilder, type SqlBool, sql, type Updateable } from "kysely";
import { underPaths } from "../../db/scope.js";
import type { DB, OrgUnitTable } from "../../db/types.js";
import { COUNT_CAP } from "../../shared/paging.js";
import { type FeedPosition, feedCondition, feedTimestamp } from "./feed-sql.js";
import type { OrgUnitVersionView, OrgUnitView } from "./presenters.js";

export interface OrgUnitFilter {
  kind?: string;
  parentCode?: string;
  countyCode?: string;
  schoolType?: string;
  ownership?: string;
  inclusive?: boolean;
  urbanRural?: string;
  boarding?: boolean;
  status?: "current" | "ended" | "all";
  q?: string;
  /** The units valid on this date, with the attributes of their version then. */
  asOf?: string;
  /** Today (China time), for status current/ended. */
  today: string;
}

const ref = (c: string) => sql.ref(c);

/**
 * Read one of two sources through the same columns: the units as they are now (org_unit u), or the
 * versions valid on a date (org_unit_version v joined to its unit). Names, parents, paths and the
 * typed attributes are versioned; code, kind, county, address and coordinates are the unit's.
 */
function source(asOf: string | undefined) {
  const a = asOf ? "v" : "u";
  const from = asOf ? sql`org_unit_version v join org_unit u on u.id = v.org_unit_id` : sql`org_unit u`;
  const col = {
    name: ref(`${a}.name`),
    parent_id: ref(`${a}.parent_id`),
    path: ref(`${a}.path`),
    school_type: ref(`${a}.school_type`),
    ownership: ref(`${a}.ownership`),
    inclusive: ref(`${a}.inclusive`),
    urban_rural: ref(`${a}.urban_rural`),
    boarding: ref(`${a}.boarding`),
    valid_from: ref(`${a}.valid_from`),
    valid_to: ref(`${a}.valid_to`),
    successor_id: ref(`${a}.successor_id`),
    end_reason: ref(`${a}.end_reason`),
  };
  const select = sql`u.id, u.code, u.kind, ${col.name} as name, u.short_name, ${col.parent_id} as parent_id,
    p.code as parent_code, ${col.path} as path, u.county_code, cty.name as county_name,
    ${col.school_type} as school_type, ${col.ownership} as ownership, ${col.inclusive} as inclusive,
    ${col.urban_rural} as urban_rural, ${col.boarding} as boarding, u.address, u.lng, u.lat,
    ${col.valid_from}::text as valid_from, ${col.valid_to}::text as valid_to,
    ${col.successor_id} as successor_id, s.code as successor_code, ${col.end_reason} as end_reason,
    u.updated_at`;
  const joins = sql`left join org_unit p on p.id = ${col.parent_id}
    left join org_unit s on s.id = ${col.successor_id}
    left join org_unit cty on cty.code = u.county_code and cty.kind = 'county'`;
  return { alias: a, from, col, select, joins };
}

function conditions(f: OrgUnitFilter, scopePaths: string[], s: ReturnType<typeof source>) {
  const col = s.col;
  const c: RawBuilder<SqlBool>[] = [sql<SqlBool>`${underPaths(`${s.alias}.path`, scopePaths)}`];
  if (f.asOf)
    c.push(
      sql`${col.valid_from} <= ${f.asOf}::date and (${col.valid_to} is null or ${col.valid_to} > ${f.asOf}::date)`,
    );
  else if (f.status === "current") c.push(sql`(u.valid_to is null or u.valid_to > ${f.today}::date)`);
  else if (f.status === "ended") c.push(sql`u.valid_to <= ${f.today}::date`);
  if (f.kind) c.push(sql`u.kind = ${f.kind}`);
  if (f.parentCode) c.push(sql`${col.parent_id} = (select id from org_unit where code = ${f.parentCode})`);
  if (f.countyCode) c.push(sql`u.county_code = ${f.countyCode}`);
  if (f.schoolType) c.push(sql`${col.school_type} = ${f.schoolType}`);
  if (f.ownership) c.push(sql`${col.ownership} = ${f.ownership}`);
  if (f.inclusive !== undefined) c.push(sql`${col.inclusive} = ${f.inclusive}`);
  if (f.urbanRural) c.push(sql`${col.urban_rural} = ${f.urbanRural}`);
  if (f.boarding !== undefined) c.push(sql`${col.boarding} = ${f.boarding}`);
  if (f.q)
    c.push(sql`(strpos(${col.name}, ${f.q}) > 0 or left(u.code, ${f.q.length}) = ${f.q.toUpperCase()})`);
  return sql.join(c, sql` and `);
}

/** SQL of the org registry. Every read takes the actor's scope paths (db/scope.ts). */
export class OrgUnitRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async list(f: OrgUnitFilter, scopePaths: string[], limit: number, offset: number) {
    const s = source(f.asOf);
    const where = conditions(f, scopePaths, s);
    const [rows, count] = await Promise.all([
      sql<OrgUnitView>`select ${s.select} from ${s.from} ${s.joins} where ${where}
        order by ${s.col.path} limit ${limit} offset ${offset}`.execute(this.db),
      sql<{ n: number }>`select count(*)::int as n from
        (select 1 from ${s.from} where ${where} limit ${COUNT_CAP + 1}) x`.execute(this.db),
    ]);
    return { rows: rows.rows, total: count.rows[0].n };
  }

  /** The next `limit` units after `afterPath` in path order (exports read in these batches). */
  async batchAfter(f: OrgUnitFilter, scopePaths: string[], afterPath: string, limit: number) {
    const s = source(f.asOf);
    const r = await sql<OrgUnitView>`select ${s.select} from ${s.from} ${s.joins}
      where ${conditions(f, scopePaths, s)} and ${s.col.path} > ${afterPath}
      order by ${s.col.path} limit ${limit}`.execute(this.db);
    return r.rows;
  }

  /** Units changed after `after`, in (updated_at, id) order, ended ones included (change feed). */
  async changedSince(scopePaths: string[], after: FeedPosition, limit: number) {
    const s = source(undefined);
    const r = await sql<
      OrgUnitView & { feed_ts: string }
    >`select ${s.select}, ${feedTimestamp("u")} as feed_ts
      from ${s.from} ${s.joins}
      where ${underPaths("u.path", scopePaths)} and ${feedCondition("u", after)}
      order by u.updated_at, u.id limit ${limit}`.execute(this.db);
    return r.rows;
  }

  /** Tree nodes valid on `date`, in path order. */
  async treeNodes(date: string, scopePaths: string[]) {
    const r = await sql<{
      id: number;
      parent_id: number | null;
      code: string;
      name: string;
      kind: OrgUnitView["kind"];
      school_type: string | null;
    }>`select u.id, v.parent_id, u.code, v.name, u.kind, v.school_type
       from org_unit_version v join org_unit u on u.id = v.org_unit_id
       where ${underPaths("v.path", scopePaths)} and v.valid_from <= ${date}::date
         and (v.valid_to is null or v.valid_to > ${date}::date)
       order by v.path`.execute(this.db);
    return r.rows;
  }

  /** One unit by code, if it lies in scope; `forUpdate` locks the row for a change. */
  async findByCode(code: string, scopePaths: string[], forUpdate = false) {
    const s = source(undefined);
    const r = await sql<OrgUnitView>`select ${s.select} from ${s.from} ${s.joins}
      where u.code = ${code} and ${underPaths("u.path", scopePaths)}
      ${forUpdate ? sql`for update of u` : sql``}`.execute(this.db);
    return r.rows[0];
  }

  async codeExists(code: string) {
    const r = await this.db.selectFrom("org_unit").select("id").where("code", "=", code).executeTakeFirst();
    return r !== undefined;
  }

  async versions(unitId: number) {
    const r =
      await sql<OrgUnitVersionView>`select v.valid_from::text as valid_from, v.valid_to::text as valid_to,
        v.name, p.code as parent_code, v.school_type, v.ownership, v.inclusive, v.urban_rural, v.boarding,
        v.end_reason, s.code as successor_code, v.note, v.recorded_at
      from org_unit_version v left join org_unit p on p.id = v.parent_id left join org_unit s on s.id = v.successor_id
      where v.org_unit_id = ${unitId} order by v.valid_from, v.id`.execute(this.db);
    return r.rows;
  }

  /** Units merged into this one. */
  predecessors(unitId: number) {
    return this.db
      .selectFrom("org_unit")
      .select(["code", "name", sql<string>`valid_to::text`.as("date")])
      .where("successor_id", "=", unitId)
      .orderBy("valid_to")
      .orderBy("code")
      .execute();
  }

  async countCurrentChildren(unitId: number, today: string) {
    const r = await sql<{ n: number }>`select count(*)::int as n from org_unit
      where parent_id = ${unitId} and (valid_to is null or valid_to > ${today}::date)`.execute(this.db);
    return r.rows[0].n;
  }

  insert(row: Insertable<OrgUnitTable>) {
    return this.db.insertInto("org_unit").values(row).returning(["id", "path"]).executeTakeFirstOrThrow();
  }

  /** The version open now (valid_to null), locked. */
  currentVersion(unitId: number) {
    return this.db
      .selectFrom("org_unit_version")
      .selectAll()
      .where("org_unit_id", "=", unitId)
      .where("valid_to", "is", null)
      .forUpdate()
      .executeTakeFirst();
  }

  insertVersion(v: {
    org_unit_id: number;
    valid_from: string;
    name: string;
    parent_id: number | null;
    path: string;
    school_type: string | null;
    ownership: string | null;
    inclusive: boolean | null;
    urban_rural: string | null;
    boarding: boolean | null;
    note?: string | null;
  }) {
    return this.db.insertInto("org_unit_version").values(v).execute();
  }

  /** Ends a version on `validTo`, recording how it ended. */
  endVersion(
    versionId: number,
    end: { validTo: string; successorId?: number | null; endReason?: string | null; note?: string | null },
  ) {
    return this.db
      .updateTable("org_unit_version")
      .set({
        valid_to: end.validTo,
        successor_id: end.successorId ?? null,
        end_reason: end.endReason ?? null,
        ...(end.note !== undefined ? { note: end.note } : {}),
      })
      .where("id", "=", versionId)
      .execute();
  }

  /** Corrects the open version in place when a change takes effect on the day it began. */
  updateVersion(versionId: number, set: Updateable<DB["org_unit_version"]>) {
    return this.db.updateTable("org_unit_version").set(set).where("id", "=", versionId).execute();
  }

  updateUnit(unitId: number, set: Updateable<OrgUnitTable>) {
    return this.db
      .updateTable("org_unit")
      .set({ ...set, updated_at: sql`now()` })
      .where("id", "=", unitId)
      .execute();
  }
}
