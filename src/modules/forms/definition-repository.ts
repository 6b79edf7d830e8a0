import { type Kysely, sql } from "kysely";
import type { DB } from "../../db/types.js";
import type { CodeName, ElementDef, FormRule, ValueType } from "./validation.js";

/** A data element as stored. */
export interface ElementRow extends ElementDef {
  id: number;
  description: string | null;
  updatedAt: string;
}

export interface FormElementRow extends ElementRow {
  section: string | null;
  required: boolean;
  position: number;
}

export interface RoundRow {
  periodCode: string;
  dueDate: string;
  lockAfterDue: boolean;
}

export interface FormDef {
  id: number;
  code: string;
  name: string;
  description: string | null;
  periodType: "year" | "school_year" | "term" | "quarter" | "month";
  reporterTypes: string[];
  rules: FormRule[];
  elements: FormElementRow[];
  rounds: RoundRow[];
  updatedAt: string;
}

const json = <T>(v: unknown, fallback: T): T => (v === null || v === undefined ? fallback : (v as T));
const iso = (d: Date | string) => (d instanceof Date ? d.toISOString() : new Date(d).toISOString());

function presentElement(r: {
  id: number;
  code: string;
  name: string;
  value_type: string;
  unit: string | null;
  options: unknown;
  disaggregation: unknown;
  description: string | null;
  updated_at: Date | string;
}): ElementRow {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    valueType: r.value_type as ValueType,
    unit: r.unit,
    options: json<CodeName[]>(r.options, []),
    disaggregation: json<CodeName[]>(r.disaggregation, []),
    description: r.description,
    updatedAt: iso(r.updated_at),
  };
}

/** SQL of the definitions: data elements, forms, their elements and rounds. Not scoped: definitions are shared. */
export class DefinitionRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async elements(): Promise<ElementRow[]> {
    const rows = await this.db.selectFrom("data_element").selectAll().orderBy("code").execute();
    return rows.map(presentElement);
  }

  async element(code: string): Promise<ElementRow | undefined> {
    const r = await this.db
      .selectFrom("data_element")
      .selectAll()
      .where("code", "=", code)
      .executeTakeFirst();
    return r && presentElement(r);
  }

  async elementsByCode(codes: string[]): Promise<ElementRow[]> {
    if (codes.length === 0) return [];
    const rows = await this.db.selectFrom("data_element").selectAll().where("code", "in", codes).execute();
    return rows.map(presentElement);
  }

  async insertElement(e: Omit<ElementRow, "id" | "updatedAt">): Promise<number> {
    const r = await this.db
      .insertInto("data_element")
      .values({
        code: e.code,
        name: e.name,
        value_type: e.valueType,
        unit: e.unit,
        options: JSON.stringify(e.options),
        disaggregation: JSON.stringify(e.disaggregation),
        description: e.description,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return r.id;
  }

  async updateElement(id: number, e: Omit<ElementRow, "id" | "updatedAt" | "code" | "valueType">) {
    await this.db
      .updateTable("data_element")
      .set({
        name: e.name,
        unit: e.unit,
        options: JSON.stringify(e.options),
        disaggregation: JSON.stringify(e.disaggregation),
        description: e.description,
        updated_at: sql`now()`,
      })
      .where("id", "=", id)
      .execute();
  }

  /** Whether any value of the element is stored (its type and combos then cannot change freely). */
  async elementHasValues(id: number): Promise<boolean> {
    const r = await this.db
      .selectFrom("form_value")
      .select("element_id")
      .where("element_id", "=", id)
      .limit(1)
      .execute();
    return r.length > 0;
  }

  async formCodes(): Promise<string[]> {
    const rows = await this.db.selectFrom("form").select("code").orderBy("code").execute();
    return rows.map((r) => r.code);
  }

  async form(code: string): Promise<FormDef | undefined> {
    const f = await this.db.selectFrom("form").selectAll().where("code", "=", code).executeTakeFirst();
    if (!f) return undefined;
    const els = await this.db
      .selectFrom("form_element as fe")
      .innerJoin("data_element as e", "e.id", "fe.element_id")
      .selectAll("e")
      .select(["fe.section", "fe.required", "fe.position"])
      .where("fe.form_id", "=", f.id)
      .orderBy("fe.position")
      .execute();
    const rounds = await this.db
      .selectFrom("form_period")
      .selectAll()
      .where("form_id", "=", f.id)
      .orderBy("period_code", "desc")
      .execute();
    return {
      id: f.id,
      code: f.code,
      name: f.name,
      description: f.description,
      periodType: f.period_type,
      reporterTypes: f.reporter_types,
      rules: json<FormRule[]>(f.rules, []),
      elements: els.map((e) => ({
        ...presentElement(e),
        section: e.section,
        required: e.required,
        position: e.position,
      })),
      rounds: rounds.map((r) => ({
        periodCode: r.period_code,
        dueDate: r.due_date,
        lockAfterDue: r.lock_after_due,
      })),
      updatedAt: iso(f.updated_at),
    };
  }

  async insertForm(f: Omit<FormDef, "id" | "elements" | "rounds" | "updatedAt">): Promise<number> {
    const r = await this.db
      .insertInto("form")
      .values({
        code: f.code,
        name: f.name,
        description: f.description,
        period_type: f.periodType,
        reporter_types: f.reporterTypes,
        rules: JSON.stringify(f.rules),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return r.id;
  }

  async updateForm(id: number, f: Omit<FormDef, "id" | "code" | "elements" | "rounds" | "updatedAt">) {
    await this.db
      .updateTable("form")
      .set({
        name: f.name,
        description: f.description,
        period_type: f.periodType,
        reporter_types: f.reporterTypes,
        rules: JSON.stringify(f.rules),
        updated_at: sql`now()`,
      })
      .where("id", "=", id)
      .execute();
  }

  async setFormElements(
    formId: number,
    items: { elementId: number; section: string | null; required: boolean }[],
  ): Promise<void> {
    await this.db.deleteFrom("form_element").where("form_id", "=", formId).execute();
    if (items.length === 0) return;
    await this.db
      .insertInto("form_element")
      .values(
        items.map((it, i) => ({
          form_id: formId,
          element_id: it.elementId,
          position: i + 1,
          section: it.section,
          required: it.required,
        })),
      )
      .execute();
  }

  async upsertRound(formId: number, r: RoundRow, by: string): Promise<void> {
    await this.db
      .insertInto("form_period")
      .values({
        form_id: formId,
        period_code: r.periodCode,
        due_date: r.dueDate,
        lock_after_due: r.lockAfterDue,
        opened_by: by,
      })
      .onConflict((oc) =>
        oc
          .columns(["form_id", "period_code"])
          .doUpdateSet({ due_date: r.dueDate, lock_after_due: r.lockAfterDue }),
      )
      .execute();
  }
}
