import { type Kysely, sql } from "kysely";
import { underPaths } from "../../db/scope.js";
import type { DB } from "../../db/types.js";
import type { Actor } from "../../shared/actor.js";
import type { Period } from "../../shared/period.js";
import type { SheetRow } from "../exchange/values.js";
import { clean } from "../exchange/values.js";
import type { FormDef } from "./definition-repository.js";
import type { ImportResult } from "./schemas.js";
import { SubmissionRepository, storedValue, valueColumns } from "./submission-repository.js";
import {
  headerKey,
  ORG_CODE_HEADER,
  ORG_NAME_HEADER,
  STATUS_HEADER,
  type TemplateColumn,
  templateColumns,
} from "./template.js";
import { checkValue, type FormValue, valueKey } from "./validation.js";
import { diffValues, issuesOf, type ValueChange } from "./values.js";
import { type Status, statusNames } from "./workflow.js";

export interface ImportReporter {
  id: number;
  code: string;
  name: string;
  path: string;
  county_code: string;
  status: Status;
  submissionId: number | null;
  values: Map<string, FormValue>;
}

export interface PlannedRow {
  reporter: ImportReporter;
  changes: ValueChange[];
  /** the status after the import */
  to: Status;
}

export interface ImportError {
  row: number;
  field: string;
  message: string;
}

/** Which file column is which template column; unknown headers are errors (a typo would lose data). */
export function mapHeader(form: FormDef, header: SheetRow) {
  const byHeader = new Map<string, TemplateColumn>();
  for (const c of templateColumns(form)) {
    byHeader.set(headerKey(c.header), c);
    byHeader.set(c.key, c);
  }
  const errors: ImportError[] = [];
  const columns: (TemplateColumn | null)[] = [];
  let orgIndex = -1;
  header.cells.forEach((raw, i) => {
    const h = headerKey(clean(raw));
    if (h === headerKey(ORG_CODE_HEADER)) orgIndex = i;
    const col = byHeader.get(h) ?? null;
    columns.push(col);
    if (
      !col &&
      h !== "" &&
      h !== headerKey(ORG_CODE_HEADER) &&
      h !== headerKey(ORG_NAME_HEADER) &&
      h !== headerKey(STATUS_HEADER)
    )
      errors.push({
        row: header.n,
        field: raw,
        message: `“${raw}”不是${form.name}的列，请使用下载的模板，不要修改列名`,
      });
  });
  if (orgIndex < 0) errors.push({ row: header.n, field: ORG_CODE_HEADER, message: "缺少“单位代码”列" });
  const seen = new Set<string>();
  columns.forEach((c, i) => {
    if (!c) return;
    if (seen.has(c.key)) errors.push({ row: header.n, field: header.cells[i], message: "列重复" });
    seen.add(c.key);
  });
  return { orgIndex, columns, errors };
}

/**
 * Checks every row of a county's file against the form, the caller's area and each org unit's
 * return, and plans the writes. Pure: the caller supplies the reporters in its area with their
 * values. Every problem is listed with its row, column and reason.
 */
export function planImport(
  form: FormDef,
  rows: SheetRow[],
  header: SheetRow,
  reporters: Map<string, ImportReporter>,
  opts: { submit: boolean; roundLocked: boolean },
): { planned: PlannedRow[]; errors: ImportError[]; dataRows: number } {
  const { orgIndex, columns, errors } = mapHeader(form, header);
  const planned: PlannedRow[] = [];
  if (errors.length) return { planned, errors, dataRows: 0 };
  const seen = new Map<string, number>();
  let dataRows = 0;
  for (const row of rows) {
    const code = clean(row.cells[orgIndex] ?? "");
    const filled = columns.some((c, i) => c && clean(row.cells[i] ?? "") !== "");
    if (code === "" && !filled) continue;
    dataRows++;
    const err = (field: string, message: string) => errors.push({ row: row.n, field, message });
    if (code === "") {
      err(ORG_CODE_HEADER, "单位代码不能为空");
      continue;
    }
    const first = seen.get(code);
    if (first !== undefined) {
      err(ORG_CODE_HEADER, `单位 ${code} 在第 ${first} 行已出现`);
      continue;
    }
    seen.set(code, row.n);
    const reporter = reporters.get(code);
    if (!reporter) {
      err(ORG_CODE_HEADER, `单位代码 ${code} 不在您的管辖范围内，或不填报${form.name}`);
      continue;
    }
    const incoming = new Map<string, FormValue>();
    let bad = false;
    columns.forEach((c, i) => {
      if (!c) return;
      if (c.combo === "" && c.el.disaggregation.length) return;
      const r = checkValue(c.el, clean(row.cells[i] ?? ""));
      if ("error" in r) {
        err(c.header, r.error);
        bad = true;
      } else incoming.set(c.key, r.value);
    });
    if (bad) continue;
    if (!filled && reporter.status === "none") continue; // a school the county has not filled in
    const { after, changes } = diffValues(form, reporter.values, incoming);
    const startable = ["none", "draft", "returned"].includes(reporter.status);
    const submitting = opts.submit && startable;
    if (changes.length === 0 && !submitting) continue;
    if (reporter.status === "approved" || reporter.status === "accepted") {
      err(
        ORG_CODE_HEADER,
        `${reporter.name}的报表${statusNames[reporter.status]}，不能通过导入修改（需上级退回）`,
      );
      continue;
    }
    if (opts.roundLocked) {
      err(ORG_CODE_HEADER, "已过截止日期，报表已锁定");
      continue;
    }
    const header = (element: string) =>
      columns.find((c) => c?.el.code === element)?.header ??
      form.elements.find((e) => e.code === element)?.name ??
      element;
    const issues = issuesOf(form, after).filter((i) => submitting || !i.message.endsWith("必须填写"));
    for (const i of issues) err(header(i.element), i.message);
    if (issues.length) continue;
    planned.push({
      reporter,
      changes,
      to: submitting ? "submitted" : reporter.status === "none" ? "draft" : reporter.status,
    });
  }
  return { planned, errors, dataRows };
}

const CHUNK = 500;
const chunks = <T>(xs: T[]) =>
  Array.from({ length: Math.ceil(xs.length / CHUNK) }, (_, i) => xs.slice(i * CHUNK, (i + 1) * CHUNK));

/** Writes a checked plan in the caller's transaction: submissions, values, history, trail, audit. */
export async function writePlan(
  db: Kysely<DB>,
  actor: Actor,
  form: FormDef,
  periodCode: string,
  planned: PlannedRow[],
): Promise<ImportResult["changedValues"]> {
  const fresh = planned.filter((p) => p.reporter.submissionId === null);
  for (const part of chunks(fresh)) {
    const ids = await db
      .insertInto("form_submission")
      .values(
        part.map((p) => ({
          form_id: form.id,
          period_code: periodCode,
          org_unit_id: p.reporter.id,
          org_path: p.reporter.path,
          county_code: p.reporter.county_code,
          status: "draft" as const,
        })),
      )
      .returning(["id", "org_unit_id"])
      .execute();
    const byOrg = new Map(ids.map((r) => [r.org_unit_id, r.id]));
    for (const p of part) p.reporter.submissionId = byOrg.get(p.reporter.id)!;
  }
  const upserts = [];
  const deletes: [number, number, string][] = [];
  const history = [];
  for (const p of planned) {
    const r = p.reporter;
    const sid = r.submissionId!;
    for (const c of p.changes) {
      if (c.after === null) deletes.push([sid, c.el.id, c.combo]);
      else
        upserts.push({
          submission_id: sid,
          element_id: c.el.id,
          disaggregation: c.combo,
          ...valueColumns(c.el.valueType, c.after),
          period_code: periodCode,
          org_unit_id: r.id,
          org_path: r.path,
          county_code: r.county_code,
          updated_by: actor.name,
        });
      history.push({
        submission_id: sid,
        element_id: c.el.id,
        disaggregation: c.combo,
        old_value: c.oldText,
        new_value: c.newText,
        changed_by: actor.name,
        via: "import",
        org_path: r.path,
        county_code: r.county_code,
      });
    }
  }
  for (const part of chunks(upserts))
    await db
      .insertInto("form_value")
      .values(part)
      .onConflict((oc) =>
        oc.columns(["submission_id", "element_id", "disaggregation"]).doUpdateSet((eb) => ({
          num_value: eb.ref("excluded.num_value"),
          bool_value: eb.ref("excluded.bool_value"),
          text_value: eb.ref("excluded.text_value"),
          updated_by: eb.ref("excluded.updated_by"),
          updated_at: sql`now()`,
        })),
      )
      .execute();
  for (const part of chunks(deletes))
    await sql`delete from form_value where (submission_id, element_id, disaggregation) in
      (${sql.join(part.map(([s, e, d]) => sql`(${s}, ${e}, ${d})`))})`.execute(db);
  for (const part of chunks(history)) await db.insertInto("form_value_history").values(part).execute();
  const submitted = planned.filter((p) => p.to === "submitted" && p.reporter.status !== "submitted");
  for (const part of chunks(submitted)) {
    await db
      .updateTable("form_submission")
      .set({
        status: "submitted",
        submitted_at: sql`now()`,
        submitted_by: actor.name,
        updated_at: sql`now()`,
      })
      .where(
        "id",
        "in",
        part.map((p) => p.reporter.submissionId!),
      )
      .execute();
    await db
      .insertInto("form_submission_event")
      .values(
        part.map((p) => ({
          submission_id: p.reporter.submissionId!,
          action: "import",
          from_status: p.reporter.status === "none" ? "draft" : p.reporter.status,
          to_status: "submitted",
          comment: "县级批量导入并代为上报",
          actor_name: actor.name,
          org_path: p.reporter.path,
          county_code: p.reporter.county_code,
        })),
      )
      .execute();
  }
  const touched = planned.filter((p) => !submitted.includes(p)).map((p) => p.reporter.submissionId!);
  for (const part of chunks(touched))
    await db.updateTable("form_submission").set({ updated_at: sql`now()` }).where("id", "in", part).execute();
  // one audit row per changed return, in the same transaction (as recordAudit writes them)
  for (const part of chunks(planned))
    await db
      .insertInto("audit_log")
      .values(
        part.map((p) => ({
          actor_type: actor.type,
          actor_id: actor.id,
          actor_name: actor.name,
          action: "import",
          entity: "form_submission",
          entity_key: `${form.code}/${periodCode}/${p.reporter.code}`,
          org_path: p.reporter.path,
          before: JSON.stringify({
            status: p.reporter.status,
            values: Object.fromEntries(p.changes.map((c) => [c.key, c.oldText])),
          }),
          after: JSON.stringify({
            status: p.to,
            values: Object.fromEntries(p.changes.map((c) => [c.key, c.newText])),
          }),
          context: null,
        })),
      )
      .execute();
  return history.length;
}

/** The round's reporters in the caller's area with their values; their returns locked for the transaction. */
export async function reportersForImport(
  db: Kysely<DB>,
  form: FormDef,
  period: Period,
  scopePaths: string[],
): Promise<Map<string, ImportReporter>> {
  await sql`select id from form_submission where form_id = ${form.id} and period_code = ${period.code}
    and ${underPaths("org_path", scopePaths)} for update`.execute(db);
  const { reporters, values } = await new SubmissionRepository(db).reportersWithValues(
    form.id,
    period,
    form.reporterTypes,
    scopePaths,
  );
  const byId = new Map(form.elements.map((e) => [e.id, e]));
  const bySub = new Map<number, Map<string, FormValue>>();
  for (const v of values) {
    const el = byId.get(v.element_id);
    if (!el) continue;
    const m = bySub.get(v.submission_id) ?? new Map<string, FormValue>();
    m.set(valueKey(el.code, v.disaggregation), storedValue(v));
    bySub.set(v.submission_id, m);
  }
  return new Map(
    reporters.map((r) => [
      r.code,
      {
        id: r.id,
        code: r.code,
        name: r.name,
        path: r.path,
        county_code: r.county_code,
        status: (r.status ?? "none") as Status,
        submissionId: r.submission_id,
        values: r.submission_id ? (bySub.get(r.submission_id) ?? new Map()) : new Map(),
      },
    ]),
  );
}
