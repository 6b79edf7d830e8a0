import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import { type Actor, requirePermission } from "../../shared/actor.js";
import { dataEvents } from "../../shared/data-events.js";
import { AppError, type FieldIssue, invalid, notFound } from "../../shared/errors.js";
import { parsePeriod } from "../../shared/period.js";
import { recordAudit } from "../audit/record.js";
import { schoolTypeByCode } from "../registry/codes.js";
import { DefinitionRepository, type ElementRow, type FormDef } from "./definition-repository.js";
import type {
  ElementBody,
  ElementOut,
  ElementPatchBody,
  FormBody,
  FormOut,
  FormPatchBody,
  FormSummaryOut,
} from "./schemas.js";
import { SubmissionRepository, storedValue } from "./submission-repository.js";
import {
  type CodeName,
  describeRule,
  type FormRule,
  ruleDefinitionIssues,
  type ValueType,
} from "./validation.js";
import { roundLocked } from "./workflow.js";

/** One reported value, for the indicators engine. */
export interface FormValueRow {
  orgUnitId: number;
  orgPath: string;
  countyCode: string;
  elementCode: string;
  /** '' = total (for a disaggregated numeric element, the sum of its combos) */
  disaggregation: string;
  value: number | boolean | string | null;
  status: "submitted" | "approved" | "accepted";
}

const today = () => new Date().toISOString().slice(0, 10);

export function presentElement(e: ElementRow): ElementOut {
  return {
    code: e.code,
    name: e.name,
    valueType: e.valueType,
    unit: e.unit,
    options: e.options,
    disaggregation: e.disaggregation,
    description: e.description,
    updatedAt: e.updatedAt,
  };
}

export function presentRound(r: FormDef["rounds"][number], now: string) {
  return {
    periodCode: r.periodCode,
    periodLabel: parsePeriod(r.periodCode).label,
    dueDate: r.dueDate,
    lockAfterDue: r.lockAfterDue,
    locked: roundLocked({ due_date: r.dueDate, lock_after_due: r.lockAfterDue }, now),
  };
}

function presentForm(f: FormDef, now: string): FormOut {
  const byCode = new Map(f.elements.map((e) => [e.code, e]));
  return {
    code: f.code,
    name: f.name,
    description: f.description,
    periodType: f.periodType,
    reporterTypes: f.reporterTypes,
    elementCount: f.elements.length,
    rounds: f.rounds.map((r) => presentRound(r, now)),
    updatedAt: f.updatedAt,
    elements: f.elements.map((e) => ({ ...presentElement(e), section: e.section, required: e.required })),
    rules: f.rules as FormOut["rules"],
    ruleTexts: f.rules.map((r) => describeRule(r, byCode)),
  };
}

const formSnapshot = (f: FormDef) => ({
  code: f.code,
  name: f.name,
  periodType: f.periodType,
  reporterTypes: f.reporterTypes,
  elements: f.elements.map((e) => ({ code: e.code, section: e.section, required: e.required })),
  rules: f.rules,
});

function checkCodeNames(list: CodeName[], field: string): FieldIssue[] {
  const seen = new Set<string>();
  const issues: FieldIssue[] = [];
  for (const o of list) {
    if (seen.has(o.code)) issues.push({ field, message: `编码“${o.code}”重复` });
    seen.add(o.code);
  }
  return issues;
}

/**
 * Data elements (数据项) and forms (报表): definitions kept by city staff, and the two reads the
 * indicators engine uses. Entry and approval are in EntryService; a round's reporters, their
 * export and completeness in RoundProgress; the county template in FormTemplates.
 */
export class FormsService {
  private readonly defs: DefinitionRepository;

  constructor(
    private readonly db: Kysely<DB>,
    readonly now: () => Date = () => new Date(),
  ) {
    this.defs = new DefinitionRepository(db);
  }

  /** Unscoped read for the indicators engine: every value of these elements in this period whose submission is not a draft or returned. */
  async valuesForIndicators(periodCode: string, elementCodes: string[]): Promise<FormValueRow[]> {
    const rows = await new SubmissionRepository(this.db).valuesForIndicators(periodCode, elementCodes);
    return rows.map((r) => ({
      orgUnitId: r.org_unit_id,
      orgPath: r.org_path,
      countyCode: r.county_code,
      elementCode: r.code,
      disaggregation: r.disaggregation,
      value: storedValue(r),
      status: r.status,
    }));
  }

  /** The element catalogue, for checking names in indicator expressions. */
  async listElements(): Promise<{ code: string; name: string; valueType: string; unit: string | null }[]> {
    const rows = await this.defs.elements();
    return rows.map((e) => ({ code: e.code, name: e.name, valueType: e.valueType, unit: e.unit }));
  }

  // --- data elements ---

  async elements(actor: Actor): Promise<ElementOut[]> {
    requirePermission(actor, "forms.read");
    return (await this.defs.elements()).map(presentElement);
  }

  async createElement(actor: Actor, body: ElementBody): Promise<ElementOut> {
    requirePermission(actor, "forms.define");
    this.checkElement(body.valueType, body.options, body.disaggregation);
    const created = await this.db.transaction().execute(async (tx) => {
      const repo = new DefinitionRepository(tx);
      if (await repo.element(body.code)) throw new AppError("CONFLICT", `数据项编码“${body.code}”已存在`);
      await repo.insertElement({
        code: body.code,
        name: body.name,
        valueType: body.valueType,
        unit: body.unit ?? null,
        options: body.options,
        disaggregation: body.disaggregation,
        description: body.description ?? null,
      });
      const e = (await repo.element(body.code))!;
      await recordAudit(tx, actor, {
        action: "create",
        entity: "data_element",
        entityKey: e.code,
        after: presentElement(e),
      });
      return e;
    });
    dataEvents.changed("forms");
    return presentElement(created);
  }

  async updateElement(actor: Actor, code: string, patch: ElementPatchBody): Promise<ElementOut> {
    requirePermission(actor, "forms.define");
    const updated = await this.db.transaction().execute(async (tx) => {
      const repo = new DefinitionRepository(tx);
      const e = await repo.element(code);
      if (!e) throw notFound(`数据项 ${code} `);
      const next = {
        name: patch.name ?? e.name,
        unit: patch.unit === undefined ? e.unit : patch.unit,
        options: patch.options ?? e.options,
        disaggregation: patch.disaggregation ?? e.disaggregation,
        description: patch.description === undefined ? e.description : patch.description,
      };
      this.checkElement(e.valueType, next.options, next.disaggregation);
      const combosChanged =
        JSON.stringify(next.disaggregation.map((c) => c.code)) !==
        JSON.stringify(e.disaggregation.map((c) => c.code));
      if (combosChanged && (await repo.elementHasValues(e.id)))
        throw new AppError("CONFLICT", `数据项“${e.name}”已有填报数据，不能修改分组（可新建一个数据项）`);
      await repo.updateElement(e.id, {
        ...next,
        unit: next.unit ?? null,
        description: next.description ?? null,
      });
      const after = (await repo.element(code))!;
      await recordAudit(tx, actor, {
        action: "update",
        entity: "data_element",
        entityKey: code,
        before: presentElement(e),
        after: presentElement(after),
      });
      return after;
    });
    dataEvents.changed("forms");
    return presentElement(updated);
  }

  private checkElement(type: ValueType, options: CodeName[], disaggregation: CodeName[]) {
    const issues = [
      ...checkCodeNames(options, "options"),
      ...checkCodeNames(disaggregation, "disaggregation"),
    ];
    if (type === "choice" && options.length < 2)
      issues.push({ field: "options", message: "选项型数据项至少需要两个选项" });
    if (type !== "choice" && options.length)
      issues.push({ field: "options", message: "只有选项型数据项可以设置选项" });
    if (disaggregation.some((c) => c.code === ""))
      issues.push({ field: "disaggregation", message: "分组编码不能为空" });
    if (issues.length) throw invalid(issues);
  }

  // --- forms ---

  /**
   * The forms with their rounds and, for each, who of the caller's area reports it (in its latest
   * round; today for a form without one), so that 数据填报 offers the caller's own forms first.
   */
  async forms(actor: Actor): Promise<FormSummaryOut[]> {
    requirePermission(actor, "forms.read");
    const now = today();
    const subs = new SubmissionRepository(this.db);
    const out: FormSummaryOut[] = [];
    for (const code of await this.defs.formCodes()) {
      const f = (await this.defs.form(code))!;
      const { elements: _e, rules: _r, ruleTexts: _t, ...summary } = presentForm(f, now);
      const period = f.rounds[0] ? parsePeriod(f.rounds[0].periodCode) : { start: now, end: now };
      const reporting = await subs.reportersInScope(f.reporterTypes, period, actor.scopePaths);
      out.push({ ...summary, reporting });
    }
    return out;
  }

  async form(actor: Actor, code: string): Promise<FormOut> {
    requirePermission(actor, "forms.read");
    return presentForm(await this.formDef(code), today());
  }

  /** The definition, for the other form services (no permission check). */
  async formDef(code: string, db: Kysely<DB> = this.db): Promise<FormDef> {
    const f = await new DefinitionRepository(db).form(code);
    if (!f) throw notFound(`报表 ${code} `);
    return f;
  }

  async createForm(actor: Actor, body: FormBody): Promise<FormOut> {
    requirePermission(actor, "forms.define");
    const created = await this.db.transaction().execute(async (tx) => {
      const repo = new DefinitionRepository(tx);
      if (await repo.form(body.code)) throw new AppError("CONFLICT", `报表编码“${body.code}”已存在`);
      const items = await this.resolveDefinition(repo, body.elements, body.rules, body.reporterTypes);
      const id = await repo.insertForm({
        code: body.code,
        name: body.name,
        description: body.description ?? null,
        periodType: body.periodType,
        reporterTypes: body.reporterTypes,
        rules: body.rules as FormRule[],
      });
      await repo.setFormElements(id, items);
      const f = (await repo.form(body.code))!;
      await recordAudit(tx, actor, {
        action: "create",
        entity: "form",
        entityKey: f.code,
        after: formSnapshot(f),
      });
      return f;
    });
    dataEvents.changed("forms");
    return presentForm(created, today());
  }

  async updateForm(actor: Actor, code: string, patch: FormPatchBody): Promise<FormOut> {
    requirePermission(actor, "forms.define");
    const updated = await this.db.transaction().execute(async (tx) => {
      const repo = new DefinitionRepository(tx);
      const f = await repo.form(code);
      if (!f) throw notFound(`报表 ${code} `);
      if (patch.periodType && patch.periodType !== f.periodType && f.rounds.length)
        throw new AppError("CONFLICT", "报表已开启填报，不能修改报告期类型");
      const elements =
        patch.elements ?? f.elements.map((e) => ({ code: e.code, section: e.section, required: e.required }));
      const rules = (patch.rules as FormRule[] | undefined) ?? f.rules;
      const reporterTypes = patch.reporterTypes ?? f.reporterTypes;
      const items = await this.resolveDefinition(repo, elements, rules, reporterTypes);
      await repo.updateForm(f.id, {
        name: patch.name ?? f.name,
        description: patch.description === undefined ? f.description : patch.description,
        periodType: patch.periodType ?? f.periodType,
        reporterTypes,
        rules,
      });
      await repo.setFormElements(f.id, items);
      const after = (await repo.form(code))!;
      await recordAudit(tx, actor, {
        action: "update",
        entity: "form",
        entityKey: code,
        before: formSnapshot(f),
        after: formSnapshot(after),
      });
      return after;
    });
    dataEvents.changed("forms");
    return presentForm(updated, today());
  }

  /** Checks the element codes, reporter types and rules of a definition; the form_element rows. */
  private async resolveDefinition(
    repo: DefinitionRepository,
    elements: { code: string; section?: string | null; required?: boolean }[],
    rules: FormRule[],
    reporterTypes: string[],
  ) {
    const issues: FieldIssue[] = [];
    for (const t of reporterTypes)
      if (t !== "county" && !schoolTypeByCode.has(t))
        issues.push({ field: "reporterTypes", message: `“${t}”不是办学类型代码，也不是 county` });
    const codes = elements.map((e) => e.code);
    const dup = codes.filter((c, i) => codes.indexOf(c) !== i);
    if (dup.length)
      issues.push({ field: "elements", message: `数据项重复：${[...new Set(dup)].join("、")}` });
    const found = new Map((await repo.elementsByCode(codes)).map((e) => [e.code, e]));
    for (const c of codes)
      if (!found.has(c)) issues.push({ field: "elements", message: `数据项“${c}”不存在` });
    for (const i of ruleDefinitionIssues(rules, found)) issues.push({ field: "rules", message: i.message });
    if (issues.length) throw invalid(issues);
    return elements.map((e) => ({
      elementId: found.get(e.code)!.id,
      section: e.section ?? null,
      required: e.required ?? false,
    }));
  }

  /** Opens a reporting round (or changes its due date and lock). */
  async openRound(
    actor: Actor,
    code: string,
    body: { periodCode: string; dueDate?: string; lockAfterDue?: boolean },
    existing = false,
  ): Promise<FormOut> {
    requirePermission(actor, "forms.define");
    const period = parsePeriod(body.periodCode);
    const updated = await this.db.transaction().execute(async (tx) => {
      const repo = new DefinitionRepository(tx);
      const f = await repo.form(code);
      if (!f) throw notFound(`报表 ${code} `);
      if (period.type !== f.periodType)
        throw invalid([
          {
            field: "periodCode",
            message: `“${f.name}”按${f.periodType}报告，统计期“${period.code}”类型不符`,
          },
        ]);
      const before = f.rounds.find((r) => r.periodCode === period.code);
      if (existing && !before) throw notFound(`${f.name} ${period.label}的填报 `);
      if (!existing && before) throw new AppError("CONFLICT", `${f.name} ${period.label}已开启填报`);
      const round = {
        periodCode: period.code,
        dueDate: body.dueDate ?? before?.dueDate ?? period.end,
        lockAfterDue: body.lockAfterDue ?? before?.lockAfterDue ?? true,
      };
      await repo.upsertRound(f.id, round, actor.name);
      await recordAudit(tx, actor, {
        action: existing ? "update" : "create",
        entity: "form_period",
        entityKey: `${code}/${period.code}`,
        before: before ?? undefined,
        after: round,
      });
      return (await repo.form(code))!;
    });
    dataEvents.changed("forms");
    return presentForm(updated, today());
  }
}
