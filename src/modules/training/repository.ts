import { type Kysely, sql } from "kysely";
import { underPaths } from "../../db/scope.js";
import type { DB } from "../../db/types.js";
import { COUNT_CAP } from "../../shared/paging.js";
import type { Finding, TrainingRule } from "./rules.js";
import type { InspectionQuery, InstitutionInput, InstitutionPatch, InstitutionQuery } from "./schemas.js";

/**
 * Institutions, rules, inspections and findings. Every read and write takes the caller's scope paths;
 * an institution belongs to its county (org_path = the county's path), so a county sees its own.
 */
export class TrainingRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** The county org unit with this code, if inside the scope. */
  county(scope: string[], code: string) {
    return this.db
      .selectFrom("org_unit")
      .select(["id", "code", "name", "path", "county_code"])
      .where("kind", "=", "county")
      .where("code", "=", code)
      .where(underPaths("path", scope))
      .executeTakeFirst();
  }

  private institutions(scope: string[]) {
    return this.db
      .selectFrom("training_institution as i")
      .leftJoin("org_unit as c", (j) => j.onRef("c.code", "=", "i.county_code").on("c.kind", "=", "county"))
      .where(underPaths("i.org_path", scope))
      .select([
        "i.id",
        "i.name",
        "i.credit_code",
        "i.category",
        "i.subjects",
        "i.licence_no",
        "i.licence_valid_to",
        "i.online",
        "i.address",
        "i.county_code",
        "c.name as county_name",
        "i.prepay_bank",
        "i.prepay_account",
        "i.status",
        "i.org_path",
        "i.updated_at",
        sql<
          string | null
        >`(select max(inspected_on)::text from training_inspection t where t.institution_id = i.id)`.as(
          "last_inspected_on",
        ),
        sql<number>`(select count(*)::int from case_record r where r.kind = 'training'
          and (r.data->>'institutionId')::bigint = i.id and r.closed_at is null)`.as("open_cases"),
      ]);
  }

  async list(scope: string[], q: InstitutionQuery) {
    let base = this.db.selectFrom("training_institution as i").where(underPaths("i.org_path", scope));
    if (q.countyCode) base = base.where("i.county_code", "=", q.countyCode);
    if (q.category) base = base.where("i.category", "=", q.category);
    if (q.status) base = base.where("i.status", "=", q.status);
    if (q.q) {
      const like = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      base = base.where((eb) =>
        eb.or([
          eb("i.name", "like", like),
          eb("i.licence_no", "like", like),
          eb("i.credit_code", "like", like),
        ]),
      );
    }
    const ids = await base
      .select("i.id")
      .orderBy("i.county_code")
      .orderBy("i.id")
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute();
    const counted = await base
      .select("i.id")
      .limit(COUNT_CAP + 1)
      .execute();
    const rows = ids.length
      ? await this.institutions(scope)
          .where(
            "i.id",
            "in",
            ids.map((r) => r.id),
          )
          .orderBy("i.county_code")
          .orderBy("i.id")
          .execute()
      : [];
    return { rows, total: Math.min(counted.length, COUNT_CAP), totalExact: counted.length <= COUNT_CAP };
  }

  /** Every institution in scope, for the export (a few thousand at most city-wide). */
  all(scope: string[]) {
    return this.institutions(scope).orderBy("i.county_code").orderBy("i.id").execute();
  }

  get(scope: string[], id: number) {
    return this.institutions(scope).where("i.id", "=", id).executeTakeFirst();
  }

  async insert(tx: Kysely<DB>, input: InstitutionInput, orgPath: string) {
    return tx
      .insertInto("training_institution")
      .values({
        name: input.name,
        credit_code: input.creditCode,
        category: input.category,
        subjects: input.subjects,
        licence_no: input.licenceNo,
        licence_valid_to: input.licenceValidTo,
        online: input.online,
        address: input.address,
        county_code: input.countyCode,
        org_path: orgPath,
        prepay_bank: input.prepayBank,
        prepay_account: input.prepayAccount,
        status: input.status,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
  }

  async update(tx: Kysely<DB>, id: number, patch: InstitutionPatch) {
    const set: Record<string, unknown> = { updated_at: new Date() };
    const columns: Record<keyof InstitutionPatch, string> = {
      name: "name",
      creditCode: "credit_code",
      category: "category",
      subjects: "subjects",
      licenceNo: "licence_no",
      licenceValidTo: "licence_valid_to",
      online: "online",
      address: "address",
      prepayBank: "prepay_bank",
      prepayAccount: "prepay_account",
      status: "status",
    };
    for (const [k, col] of Object.entries(columns)) {
      const v = patch[k as keyof InstitutionPatch];
      if (v !== undefined) set[col] = v;
    }
    await tx.updateTable("training_institution").set(set).where("id", "=", id).execute();
  }

  async rules(): Promise<TrainingRule[]> {
    const rows = await this.db.selectFrom("training_rule").selectAll().orderBy("code").execute();
    return rows.map((r) => ({
      code: r.code as TrainingRule["code"],
      label: r.label,
      value: r.value === null ? null : Number(r.value),
      unit: r.unit,
      appliesTo: r.applies_to,
      basis: r.basis,
    }));
  }

  async setRuleValue(tx: Kysely<DB>, code: string, value: number) {
    return tx
      .updateTable("training_rule")
      .set({ value: String(value) })
      .where("code", "=", code)
      .where("value", "is not", null)
      .returning(["code", "value"])
      .executeTakeFirst();
  }

  async insertInspection(
    tx: Kysely<DB>,
    row: {
      institutionId: number;
      orgPath: string;
      countyCode: string;
      inspectedOn: string;
      inspectors: string;
      note: string | null;
      createdBy: string;
    },
    findings: Finding[],
  ) {
    const { id } = await tx
      .insertInto("training_inspection")
      .values({
        institution_id: row.institutionId,
        org_path: row.orgPath,
        county_code: row.countyCode,
        inspected_on: row.inspectedOn,
        inspectors: row.inspectors,
        note: row.note,
        created_by: row.createdBy,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    if (findings.length)
      await tx
        .insertInto("training_finding")
        .values(
          findings.map((f) => ({
            inspection_id: id,
            rule_code: f.ruleCode,
            measured: f.measured === null ? null : String(f.measured),
            detail: f.detail,
          })),
        )
        .execute();
    return id;
  }

  async setFindingsCase(tx: Kysely<DB>, inspectionId: number, caseId: number) {
    await tx
      .updateTable("training_finding")
      .set({ case_id: caseId })
      .where("inspection_id", "=", inspectionId)
      .execute();
  }

  async inspections(scope: string[], q: InspectionQuery) {
    let base = this.db.selectFrom("training_inspection as t").where(underPaths("t.org_path", scope));
    if (q.countyCode) base = base.where("t.county_code", "=", q.countyCode);
    if (q.institutionId) base = base.where("t.institution_id", "=", q.institutionId);
    if (q.withFindings === "1")
      base = base.where(({ exists, selectFrom }) =>
        exists(selectFrom("training_finding as f").select("f.id").whereRef("f.inspection_id", "=", "t.id")),
      );
    const rows = await base
      .innerJoin("training_institution as i", "i.id", "t.institution_id")
      .select([
        "t.id",
        "t.institution_id",
        "i.name as institution_name",
        "t.county_code",
        sql<string>`t.inspected_on::text`.as("inspected_on"),
        "t.inspectors",
        "t.note",
        "t.created_by",
      ])
      .orderBy("t.inspected_on", "desc")
      .orderBy("t.id", "desc")
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute();
    const counted = await base
      .select("t.id")
      .limit(COUNT_CAP + 1)
      .execute();
    return {
      rows,
      findings: await this.findingsOf(rows.map((r) => r.id)),
      total: Math.min(counted.length, COUNT_CAP),
      totalExact: counted.length <= COUNT_CAP,
    };
  }

  findingsOf(inspectionIds: number[]) {
    if (inspectionIds.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom("training_finding as f")
      .innerJoin("training_rule as r", "r.code", "f.rule_code")
      .select([
        "f.id",
        "f.inspection_id",
        "f.rule_code",
        "r.label as rule_label",
        "f.measured",
        "f.detail",
        "f.case_id",
      ])
      .where("f.inspection_id", "in", inspectionIds)
      .orderBy("f.id")
      .execute();
  }

  /** Enforcement cases of an institution (the case engine's rows, read for the detail page). */
  casesOf(institutionId: number) {
    return this.db
      .selectFrom("case_record as r")
      .select(["r.id", "r.title", "r.state", "r.created_at"])
      .where("r.kind", "=", "training")
      .where(sql<boolean>`(r.data->>'institutionId')::bigint = ${institutionId}`)
      .orderBy("r.id", "desc")
      .execute();
  }
}
