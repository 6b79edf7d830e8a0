import { type Kysely, type RawBuilder, type SqlBool, sql } from "kysely";
import { underPaths } from "../../db/scope.js";
import type { DB, SubmissionStatus } from "../../db/types.js";
import type { Period } from "../../shared/period.js";
import type { FormValue, ValueType } from "./validation.js";
import { reportedStatuses } from "./workflow.js";

export interface ReporterRow {
  id: number;
  code: string;
  name: string;
  kind: string;
  path: string;
  county_code: string;
  school_type: string | null;
}

export interface SubmissionDbRow {
  id: number;
  status: SubmissionStatus;
  comment: string | null;
  org_path: string;
  county_code: string;
  updated_at: Date;
}

export interface StoredValue {
  element_id: number;
  disaggregation: string;
  num_value: number | null;
  bool_value: boolean | null;
  text_value: string | null;
}

/** The columns of one value, by the element's type. */
export function valueColumns(type: ValueType, v: FormValue) {
  return {
    num_value: typeof v === "number" ? v : null,
    bool_value: typeof v === "boolean" ? v : null,
    text_value: typeof v === "string" && type !== "boolean" ? v : null,
  };
}

export function storedValue(r: Pick<StoredValue, "num_value" | "bool_value" | "text_value">): FormValue {
  return r.num_value ?? r.bool_value ?? r.text_value ?? null;
}

/** The org units that report a form in a period: of the form's types and existing during the period. */
export function reporterCondition(
  alias: string,
  reporterTypes: string[],
  period: Pick<Period, "start" | "end">,
): RawBuilder<SqlBool> {
  const schoolTypes = reporterTypes.filter((t) => t !== "county");
  const kinds: RawBuilder<SqlBool>[] = [];
  if (schoolTypes.length)
    kinds.push(
      sql`(${sql.ref(`${alias}.kind`)} = 'school' and ${sql.ref(`${alias}.school_type`)} in (${sql.join(schoolTypes)}))`,
    );
  if (reporterTypes.includes("county")) kinds.push(sql`${sql.ref(`${alias}.kind`)} = 'county'`);
  if (kinds.length === 0) return sql<SqlBool>`false`;
  return sql<SqlBool>`(${sql.join(kinds, sql` or `)}) and ${sql.ref(`${alias}.valid_from`)} <= ${period.end}
    and (${sql.ref(`${alias}.valid_to`)} is null or ${sql.ref(`${alias}.valid_to`)} > ${period.start})`;
}

/** A reporter of a round with its submission's status (null when it has not started). */
export interface ReporterStatusRow {
  code: string;
  name: string;
  county_code: string;
  county_name: string;
  school_type: string | null;
  status: SubmissionStatus | null;
  comment: string | null;
  submitted_at: Date | null;
  updated_at: Date | null;
}

export interface SubmissionFilter {
  countyCode?: string;
  status?: "none" | SubmissionStatus;
  q?: string;
}

/**
 * SQL of submissions and values. Every read and write that a person asks for takes the actor's
 * scope paths (out of scope = not found); `valuesForIndicators` alone is unscoped, for the
 * indicators engine, which applies scope to its own results.
 */
export class SubmissionRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async reporter(code: string, scopePaths: string[]): Promise<ReporterRow | undefined> {
    const r =
      await sql<ReporterRow>`select id, code, name, kind, path, coalesce(county_code, '') as county_code, school_type
      from org_unit o where code = ${code} and ${underPaths("o.path", scopePaths)}`.execute(this.db);
    return r.rows[0];
  }

  async submission(formId: number, period: string, orgUnitId: number, forUpdate = false) {
    const r = await sql<SubmissionDbRow>`select id, status, comment, org_path, county_code, updated_at
      from form_submission where form_id = ${formId} and period_code = ${period} and org_unit_id = ${orgUnitId}
      ${forUpdate ? sql`for update` : sql``}`.execute(this.db);
    return r.rows[0];
  }

  async createSubmission(formId: number, period: string, o: ReporterRow): Promise<SubmissionDbRow> {
    const r = await this.db
      .insertInto("form_submission")
      .values({
        form_id: formId,
        period_code: period,
        org_unit_id: o.id,
        org_path: o.path,
        county_code: o.county_code,
        status: "draft",
      })
      .returning(["id", "status", "comment", "org_path", "county_code", "updated_at"])
      .executeTakeFirstOrThrow();
    return r as SubmissionDbRow;
  }

  async values(submissionId: number): Promise<StoredValue[]> {
    return this.db
      .selectFrom("form_value")
      .select(["element_id", "disaggregation", "num_value", "bool_value", "text_value"])
      .where("submission_id", "=", submissionId)
      .execute();
  }

  async writeValue(
    s: SubmissionDbRow & { period_code: string; org_unit_id: number },
    elementId: number,
    disaggregation: string,
    cols: ReturnType<typeof valueColumns>,
    by: string,
  ) {
    await this.db
      .insertInto("form_value")
      .values({
        submission_id: s.id,
        element_id: elementId,
        disaggregation,
        ...cols,
        period_code: s.period_code,
        org_unit_id: s.org_unit_id,
        org_path: s.org_path,
        county_code: s.county_code,
        updated_by: by,
      })
      .onConflict((oc) =>
        oc
          .columns(["submission_id", "element_id", "disaggregation"])
          .doUpdateSet({ ...cols, updated_by: by, updated_at: sql`now()` }),
      )
      .execute();
  }

  async deleteValue(submissionId: number, elementId: number, disaggregation: string) {
    await this.db
      .deleteFrom("form_value")
      .where("submission_id", "=", submissionId)
      .where("element_id", "=", elementId)
      .where("disaggregation", "=", disaggregation)
      .execute();
  }

  async addHistory(
    rows: {
      submission_id: number;
      element_id: number;
      disaggregation: string;
      old_value: string | null;
      new_value: string | null;
      changed_by: string;
      via: string;
      org_path: string;
      county_code: string;
    }[],
  ) {
    if (rows.length) await this.db.insertInto("form_value_history").values(rows).execute();
  }

  async setStatus(
    s: SubmissionDbRow,
    to: SubmissionStatus,
    action: string,
    actorName: string,
    comment: string | null,
  ): Promise<void> {
    const stamp: Record<string, unknown> = {};
    if (action === "submit" || action === "import")
      Object.assign(stamp, { submitted_at: sql`now()`, submitted_by: actorName });
    if (action === "approve") Object.assign(stamp, { approved_at: sql`now()`, approved_by: actorName });
    if (action === "accept") Object.assign(stamp, { accepted_at: sql`now()`, accepted_by: actorName });
    if (action === "return" || action === "reopen")
      Object.assign(stamp, { returned_at: sql`now()`, returned_by: actorName, comment });
    await this.db
      .updateTable("form_submission")
      .set({ ...stamp, status: to, updated_at: sql`now()` })
      .where("id", "=", s.id)
      .execute();
    if (action !== "save")
      await this.db
        .insertInto("form_submission_event")
        .values({
          submission_id: s.id,
          action,
          from_status: s.status,
          to_status: to,
          comment,
          actor_name: actorName,
          org_path: s.org_path,
          county_code: s.county_code,
        })
        .execute();
  }

  async touch(submissionId: number) {
    await this.db
      .updateTable("form_submission")
      .set({ updated_at: sql`now()` })
      .where("id", "=", submissionId)
      .execute();
  }

  async events(submissionId: number) {
    return this.db
      .selectFrom("form_submission_event")
      .select(["action", "from_status", "to_status", "comment", "actor_name", "at"])
      .where("submission_id", "=", submissionId)
      .orderBy("at")
      .orderBy("id")
      .execute();
  }

  async history(submissionId: number) {
    return this.db
      .selectFrom("form_value_history as h")
      .innerJoin("data_element as e", "e.id", "h.element_id")
      .select([
        "e.code",
        "e.name",
        "h.disaggregation",
        "h.old_value",
        "h.new_value",
        "h.changed_at",
        "h.changed_by",
        "h.via",
      ])
      .where("h.submission_id", "=", submissionId)
      .orderBy("h.changed_at", "desc")
      .orderBy("h.id", "desc")
      .limit(2000)
      .execute();
  }

  /** Reporters of the round in scope with their submission status (none when not started). */
  async list(
    formId: number,
    period: Period,
    reporterTypes: string[],
    scopePaths: string[],
    f: SubmissionFilter,
    limit: number,
    offset: number,
  ) {
    const where = this.listWhere(formId, period, reporterTypes, scopePaths, f);
    const rows = await sql<ReporterStatusRow>`${this.reporterStatusSelect(formId, period)}
      where ${where} order by o.path limit ${limit} offset ${offset}`.execute(this.db);
    const total = await sql<{ n: number }>`select count(*)::int as n from org_unit o
      left join form_submission s on s.org_unit_id = o.id and s.form_id = ${formId} and s.period_code = ${period.code}
      where ${where}`.execute(this.db);
    return { rows: rows.rows, total: total.rows[0].n };
  }

  /**
   * The next `limit` reporters of the list's filter after `after` = [county code, unit code], in
   * that order (the xlsx export reads in these batches, never the whole round at once).
   */
  async batchAfter(
    formId: number,
    period: Period,
    reporterTypes: string[],
    scopePaths: string[],
    f: SubmissionFilter,
    after: [string, string],
    limit: number,
  ) {
    const where = this.listWhere(formId, period, reporterTypes, scopePaths, f);
    const r = await sql<ReporterStatusRow>`${this.reporterStatusSelect(formId, period)}
      where ${where} and (coalesce(o.county_code, ''), o.code) > (${after[0]}, ${after[1]})
      order by coalesce(o.county_code, ''), o.code limit ${limit}`.execute(this.db);
    return r.rows;
  }

  /** The list's columns: each reporter, its county's name and its submission (null when none). */
  private reporterStatusSelect(formId: number, period: Period) {
    return sql`select o.code, o.name, coalesce(o.county_code, '') as county_code,
        coalesce(c.name, '') as county_name, o.school_type, s.status, s.comment, s.submitted_at, s.updated_at
      from org_unit o
      left join form_submission s on s.org_unit_id = o.id and s.form_id = ${formId} and s.period_code = ${period.code}
      left join org_unit c on c.code = o.county_code and c.kind = 'county'`;
  }

  /** All reporters of the round in scope (the county template has one row each), with values. */
  async reportersWithValues(formId: number, period: Period, reporterTypes: string[], scopePaths: string[]) {
    const where = this.listWhere(formId, period, reporterTypes, scopePaths, {});
    const reporters = await sql<ReporterRow & { status: string | null; submission_id: number | null }>`
      select o.id, o.code, o.name, o.kind, o.path, coalesce(o.county_code, '') as county_code, o.school_type,
        s.status, s.id as submission_id
      from org_unit o
      left join form_submission s on s.org_unit_id = o.id and s.form_id = ${formId} and s.period_code = ${period.code}
      where ${where} order by o.path`.execute(this.db);
    const values = await sql<StoredValue & { submission_id: number }>`select v.submission_id, v.element_id,
        v.disaggregation, v.num_value, v.bool_value, v.text_value
      from form_value v join form_submission s on s.id = v.submission_id
      where s.form_id = ${formId} and s.period_code = ${period.code} and ${underPaths("s.org_path", scopePaths)}`.execute(
      this.db,
    );
    return { reporters: reporters.rows, values: values.rows };
  }

  private listWhere(
    formId: number,
    period: Period,
    reporterTypes: string[],
    scopePaths: string[],
    f: SubmissionFilter,
  ): RawBuilder<SqlBool> {
    const c: RawBuilder<SqlBool>[] = [
      reporterCondition("o", reporterTypes, period),
      sql`${underPaths("o.path", scopePaths)}`,
    ];
    if (f.countyCode) c.push(sql`o.county_code = ${f.countyCode}`);
    if (f.status === "none") c.push(sql`s.id is null`);
    else if (f.status) c.push(sql`s.status = ${f.status}`);
    if (f.q) c.push(sql`(strpos(o.name, ${f.q}) > 0 or o.code = ${f.q})`);
    void formId;
    return sql.join(c, sql` and `) as RawBuilder<SqlBool>;
  }

  /**
   * How many units in scope report a form in a period, and which of them are the scope's own roots
   * (a school admin's school, a county admin's county).
   */
  async reportersInScope(
    reporterTypes: string[],
    period: Pick<Period, "start" | "end">,
    scopePaths: string[],
  ) {
    const r = await sql<{ n: number }>`select count(*)::int as n from org_unit o
      where ${reporterCondition("o", reporterTypes, period)} and ${underPaths("o.path", scopePaths)}`.execute(
      this.db,
    );
    const own = scopePaths.length
      ? await sql<{ code: string; name: string }>`select code, name from org_unit o
          where ${reporterCondition("o", reporterTypes, period)} and o.path in (${sql.join(scopePaths)})
          order by code`.execute(this.db)
      : { rows: [] };
    return { units: r.rows[0]?.n ?? 0, own: own.rows };
  }

  /** Counts by county and status of the round's reporters in scope. */
  async completeness(formId: number, period: Period, reporterTypes: string[], scopePaths: string[]) {
    const r = await sql<{ county_code: string; county_name: string; status: string; n: number }>`
      select coalesce(o.county_code, '') as county_code, coalesce(c.name, '') as county_name,
        coalesce(s.status, 'none') as status, count(*)::int as n
      from org_unit o
      left join form_submission s on s.org_unit_id = o.id and s.form_id = ${formId} and s.period_code = ${period.code}
      left join org_unit c on c.code = o.county_code and c.kind = 'county'
      where ${reporterCondition("o", reporterTypes, period)} and ${underPaths("o.path", scopePaths)}
      group by 1, 2, 3 order by 1`.execute(this.db);
    return r.rows;
  }

  /** Unscoped: every reported value of these elements in the period (the indicators engine's read). */
  async valuesForIndicators(periodCode: string, elementCodes: string[]) {
    if (elementCodes.length === 0) return [];
    const r = await sql<{
      org_unit_id: number;
      org_path: string;
      county_code: string;
      code: string;
      disaggregation: string;
      num_value: number | null;
      bool_value: boolean | null;
      text_value: string | null;
      status: "submitted" | "approved" | "accepted";
    }>`select v.org_unit_id, v.org_path, v.county_code, e.code, v.disaggregation,
        v.num_value, v.bool_value, v.text_value, s.status
      from data_element e
      join form_value v on v.element_id = e.id and v.period_code = ${periodCode}
      join form_submission s on s.id = v.submission_id
      where e.code in (${sql.join(elementCodes)}) and s.status in (${sql.join(reportedStatuses)})`.execute(
      this.db,
    );
    return r.rows;
  }
}
