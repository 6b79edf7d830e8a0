import { type Kysely, sql } from "kysely";
import type { DB } from "../../db/types.js";

/**
 * A read model of the registry and people tables, for the indicator engine only: whole-city
 * aggregates per org unit (students by stage, grade and gender; staff by posts and level), never
 * single persons. Read-only by construction (no method writes), and it is the one place where this
 * module reads another module's tables: the registry and people services page and scope lists of
 * people, which is not what an aggregate over the whole city needs. Scope is applied afterwards,
 * when results are shown (IndicatorService), because a city figure is the sum of every county's.
 */
export interface UnitRow {
  id: number;
  code: string;
  name: string;
  kind: "city" | "county" | "school" | "department";
  path: string;
  county_code: string | null;
  school_type: string | null;
  ownership: "public" | "private" | null;
  inclusive: boolean | null;
  urban_rural: string | null;
  boarding: boolean | null;
  valid_from: string;
  valid_to: string | null;
  end_reason: string | null;
}

export interface StudentCountRow {
  school_id: number;
  stage: string;
  grade: number;
  gender: string;
  n: number;
}

export interface StaffCountRow {
  school_id: number;
  posts: string[];
  key_level: string | null;
  title: string | null;
  education: string | null;
  n: number;
}

export class RegistryReadModel {
  constructor(private readonly db: Kysely<DB>) {}

  async units(): Promise<UnitRow[]> {
    const rows = await this.db
      .selectFrom("org_unit")
      .select([
        "id",
        "code",
        "name",
        "kind",
        "path",
        "county_code",
        "school_type",
        "ownership",
        "inclusive",
        "urban_rural",
        "boarding",
        sql<string>`to_char(valid_from, 'YYYY-MM-DD')`.as("valid_from"),
        sql<string | null>`to_char(valid_to, 'YYYY-MM-DD')`.as("valid_to"),
        "end_reason",
      ])
      .orderBy("path")
      .execute();
    return rows.map((r) => ({ ...r, id: Number(r.id) })) as UnitRow[];
  }

  /** Enrolled students per school, stage, grade and gender. */
  /** Enrolled students per school, stage, grade and gender: every school, or only `schoolIds`. */
  async studentCounts(schoolIds?: readonly number[]): Promise<StudentCountRow[]> {
    let q = this.db
      .selectFrom("student")
      .select(["school_id", "stage", "grade", "gender", sql<string>`count(*)`.as("n")])
      .where("status", "=", "enrolled")
      .where("deleted_at", "is", null);
    if (schoolIds) q = q.where("school_id", "=", sql<number>`any(${[...schoolIds]}::bigint[])`);
    const rows = await q.groupBy(["school_id", "stage", "grade", "gender"]).execute();
    return rows.map((r) => ({ ...r, school_id: Number(r.school_id), n: Number(r.n) }));
  }

  /** Active staff per unit and combination of posts, 骨干 level, title and education (all, or `schoolIds`). */
  async staffCounts(schoolIds?: readonly number[]): Promise<StaffCountRow[]> {
    let q = this.db
      .selectFrom("staff")
      .select(["school_id", "posts", "key_level", "title", "education", sql<string>`count(*)`.as("n")])
      .where("status", "=", "active")
      .where("deleted_at", "is", null);
    if (schoolIds) q = q.where("school_id", "=", sql<number>`any(${[...schoolIds]}::bigint[])`);
    const rows = await q.groupBy(["school_id", "posts", "key_level", "title", "education"]).execute();
    return rows.map((r) => ({ ...r, school_id: Number(r.school_id), n: Number(r.n) }));
  }

  /**
   * The schools of students and staff stamped after a people fingerprint (see fingerprint(); served
   * by the updated_at indexes). Strictly after: rows stamped at the fingerprint itself were committed
   * before it was read, and a bulk load stamps every row with one time. A row's former school (a
   * transfer) is not among them.
   */
  async schoolsChangedSince(peopleFingerprint: string): Promise<number[]> {
    const [s, t] = peopleFingerprint.split("|");
    const r = await sql<{ school_id: string }>`
      select school_id from student where updated_at > ${s || "-infinity"}::timestamptz
      union select school_id from staff where updated_at > ${t || "-infinity"}::timestamptz`.execute(this.db);
    return r.rows.map((x) => Number(x.school_id));
  }

  /**
   * A cheap fingerprint of the registry and people tables: the newest change time of each (served by
   * the updated_at indexes). A cached aggregate is recomputed when it moves.
   */
  async fingerprint(): Promise<{ registry: string; people: string }> {
    const r = await sql<{ o: string | null; s: string | null; t: string | null }>`
      select (select max(updated_at)::text from org_unit) as o,
             (select max(updated_at)::text from student) as s,
             (select max(updated_at)::text from staff) as t`.execute(this.db);
    const row = r.rows[0];
    return { registry: row.o ?? "", people: `${row.s ?? ""}|${row.t ?? ""}` };
  }
}
