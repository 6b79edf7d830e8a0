import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import { type Actor, can, requirePermission } from "../../shared/actor.js";
import { dataEvents } from "../../shared/data-events.js";
import { AppError, type FieldIssue, invalid, notFound } from "../../shared/errors.js";
import { type Period, parsePeriod } from "../../shared/period.js";
import { recordAudit } from "../audit/record.js";
import type { FormDef } from "./definition-repository.js";
import type { EntryOut } from "./schemas.js";
import type { FormsService } from "./service.js";
import { type ReporterRow, type SubmissionDbRow, SubmissionRepository } from "./submission-repository.js";
import { type FormValue, isNumeric, readValue, valueKey } from "./validation.js";
import { applyValues, issuesOf, valueMap } from "./values.js";
import { type Action, actionNames, roundLocked, type Status, statusNames, transition } from "./workflow.js";

export interface EntryContext {
  form: FormDef;
  period: Period;
  round: FormDef["rounds"][number];
  locked: boolean;
  reporter: ReporterRow;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** Whether the actor's area holds the reporter from strictly above (a county for its schools). */
export const actorAbove = (actor: Actor, path: string) =>
  actor.scopePaths.some((p) => path.startsWith(p) && p !== path);

export function factsFor(actor: Actor, ctx: EntryContext, status: Status, comment?: string | null) {
  return {
    status,
    actorAbove: actorAbove(actor, ctx.reporter.path),
    can: {
      fill: can(actor, "forms.fill"),
      approve: can(actor, "forms.approve"),
      accept: can(actor, "forms.accept"),
    },
    roundLocked: ctx.locked,
    comment,
  };
}

/**
 * Entry (填报) and approval (审核) of one org unit's return. Every read and write is limited to the
 * actor's area. A round's reporters list and completeness (上报率) are in RoundProgress.
 */
export class EntryService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly forms: FormsService,
    readonly now: () => Date = () => new Date(),
  ) {}

  private today() {
    return this.now().toISOString().slice(0, 10);
  }

  /** The form, its open round for the period and the reporter in the actor's area. */
  async context(actor: Actor, formCode: string, periodCode: string, orgCode?: string, db = this.db) {
    const form = await this.forms.formDef(formCode, db);
    const period = parsePeriod(periodCode);
    const round = form.rounds.find((r) => r.periodCode === period.code);
    if (!round) throw notFound(`${form.name} ${period.label}的填报 `);
    const locked = roundLocked({ due_date: round.dueDate, lock_after_due: round.lockAfterDue }, this.today());
    let reporter: ReporterRow | undefined;
    if (orgCode !== undefined) {
      reporter = await new SubmissionRepository(db).reporter(orgCode, actor.scopePaths);
      const reports =
        reporter &&
        ((reporter.kind === "county" && form.reporterTypes.includes("county")) ||
          (reporter.kind === "school" && form.reporterTypes.includes(reporter.school_type ?? "")));
      if (!reporter || !reports) throw notFound(`${orgCode} 的${form.name}`);
    }
    return { form, period, round, locked, reporter: reporter as ReporterRow };
  }

  async get(actor: Actor, formCode: string, periodCode: string, orgCode: string): Promise<EntryOut> {
    requirePermission(actor, "forms.read");
    const ctx = await this.context(actor, formCode, periodCode, orgCode);
    return this.present(actor, ctx, new SubmissionRepository(this.db));
  }

  private async present(actor: Actor, ctx: EntryContext, repo: SubmissionRepository): Promise<EntryOut> {
    const sub = await repo.submission(ctx.form.id, ctx.period.code, ctx.reporter.id);
    const values = sub ? valueMap(ctx.form, await repo.values(sub.id)) : new Map<string, FormValue>();
    const status: Status = sub?.status ?? "none";
    const allowed = (a: Action) => transition(a, factsFor(actor, ctx, status, "-")).ok;
    return {
      form: { code: ctx.form.code, name: ctx.form.name },
      period: {
        code: ctx.period.code,
        label: ctx.period.label,
        dueDate: ctx.round.dueDate,
        locked: ctx.locked,
      },
      orgUnit: {
        code: ctx.reporter.code,
        name: ctx.reporter.name,
        countyCode: ctx.reporter.county_code,
        kind: ctx.reporter.kind,
      },
      status,
      statusLabel: statusNames[status],
      comment: sub?.comment ?? null,
      values: [...values].map(([k, value]) => {
        const [element, disaggregation = ""] = k.split(":");
        return { element, disaggregation, value };
      }),
      issues: sub ? issuesOf(ctx.form, values) : [],
      events: sub
        ? (await repo.events(sub.id)).map((e) => ({
            action: e.action,
            actionLabel: actionNames[e.action as Action] ?? (e.action === "import" ? "导入" : e.action),
            fromStatus: e.from_status,
            toStatus: e.to_status,
            comment: e.comment,
            actorName: e.actor_name,
            at: iso(e.at)!,
          }))
        : [],
      can: {
        save: allowed("save"),
        submit: allowed("submit"),
        approve: allowed("approve"),
        return: allowed("return"),
        accept: allowed("accept"),
        reopen: allowed("reopen"),
      },
      updatedAt: iso(sub?.updated_at ?? null),
    };
  }

  /** Reads JSON values against the form; every bad one is reported with its element. */
  parseValues(form: FormDef, input: { element: string; disaggregation: string; value: unknown }[]) {
    const byCode = new Map(form.elements.map((e) => [e.code, e]));
    const issues: FieldIssue[] = [];
    const out = new Map<string, FormValue>();
    for (const v of input) {
      const el = byCode.get(v.element);
      if (!el) {
        issues.push({ field: v.element, message: "不是本报表的数据项" });
        continue;
      }
      const combo = v.disaggregation ?? "";
      if (combo === "" && el.disaggregation.length && isNumeric(el.valueType)) continue; // the total is computed
      if (combo !== "" && !el.disaggregation.some((c) => c.code === combo)) {
        issues.push({ field: v.element, message: `${el.name}没有分组“${combo}”` });
        continue;
      }
      const r = readValue(el, combo, v.value);
      if ("issue" in r) issues.push({ field: valueKey(v.element, combo), message: r.issue.message });
      else out.set(valueKey(v.element, combo), r.value);
    }
    if (issues.length) throw invalid(issues);
    return out;
  }

  /** Saves values (a draft, or a correction before review); with `submit`, submits in the same step. */
  async save(
    actor: Actor,
    formCode: string,
    periodCode: string,
    orgCode: string,
    body: { values: { element: string; disaggregation: string; value: unknown }[]; submit: boolean },
  ): Promise<EntryOut> {
    requirePermission(actor, "forms.fill");
    const result = await this.db.transaction().execute(async (tx) => {
      const ctx = await this.context(actor, formCode, periodCode, orgCode, tx);
      const incoming = this.parseValues(ctx.form, body.values);
      const repo = new SubmissionRepository(tx);
      const found = await repo.submission(ctx.form.id, ctx.period.code, ctx.reporter.id, true);
      const t = transition(body.submit ? "submit" : "save", factsFor(actor, ctx, found?.status ?? "none"));
      if (!t.ok) throw new AppError("CONFLICT", t.reason);
      const sub = found ?? (await repo.createSubmission(ctx.form.id, ctx.period.code, ctx.reporter));
      const current = valueMap(ctx.form, await repo.values(sub.id));
      const full = { ...sub, period_code: ctx.period.code, org_unit_id: ctx.reporter.id };
      const { after, changed } = await applyValues(
        repo,
        ctx.form,
        full,
        current,
        incoming,
        actor.name,
        "entry",
      );
      if (body.submit) {
        const issues = issuesOf(ctx.form, after);
        if (issues.length)
          throw invalid(
            issues.map((i) => ({ field: valueKey(i.element, i.disaggregation), message: i.message })),
            `不能上报：${issues.map((i) => i.message).join("；")}`,
          );
        await repo.setStatus(sub, "submitted", "submit", actor.name, null);
      } else await repo.touch(sub.id);
      if (changed.length || body.submit || !found)
        await recordAudit(tx, actor, {
          action: body.submit ? "submit" : "update",
          entity: "form_submission",
          entityKey: `${formCode}/${ctx.period.code}/${orgCode}`,
          orgPath: sub.org_path,
          before: {
            status: found?.status ?? "none",
            values: Object.fromEntries(changed.map((c) => [c.key, c.old])),
          },
          after: {
            status: body.submit ? "submitted" : sub.status,
            values: Object.fromEntries(changed.map((c) => [c.key, c.new])),
          },
        });
      return this.present(actor, ctx, repo);
    });
    dataEvents.changed("forms");
    return result;
  }

  /** submit, approve, return, accept or reopen: the state machine decides, the audit records it. */
  async act(
    actor: Actor,
    action: Exclude<Action, "save">,
    formCode: string,
    periodCode: string,
    orgCode: string,
    comment?: string | null,
  ): Promise<EntryOut> {
    requirePermission(actor, "forms.read");
    const result = await this.db.transaction().execute(async (tx) => {
      const ctx = await this.context(actor, formCode, periodCode, orgCode, tx);
      const repo = new SubmissionRepository(tx);
      const sub = await repo.submission(ctx.form.id, ctx.period.code, ctx.reporter.id, true);
      const t = transition(action, factsFor(actor, ctx, sub?.status ?? "none", comment));
      if (!t.ok) throw new AppError("CONFLICT", t.reason);
      if (!sub) throw new AppError("CONFLICT", "尚未填报");
      if (action === "submit") {
        const issues = issuesOf(ctx.form, valueMap(ctx.form, await repo.values(sub.id)));
        if (issues.length)
          throw invalid(
            issues.map((i) => ({ field: valueKey(i.element, i.disaggregation), message: i.message })),
            `不能上报：${issues.map((i) => i.message).join("；")}`,
          );
      }
      await repo.setStatus(sub, t.to, action, actor.name, comment?.trim() || null);
      await recordAudit(tx, actor, {
        action,
        entity: "form_submission",
        entityKey: `${formCode}/${ctx.period.code}/${orgCode}`,
        orgPath: sub.org_path,
        before: { status: sub.status },
        after: { status: t.to, comment: comment ?? null },
      });
      return this.present(actor, ctx, repo);
    });
    dataEvents.changed("forms");
    return result;
  }

  async history(actor: Actor, formCode: string, periodCode: string, orgCode: string) {
    requirePermission(actor, "forms.read");
    const ctx = await this.context(actor, formCode, periodCode, orgCode);
    const repo = new SubmissionRepository(this.db);
    const sub = await repo.submission(ctx.form.id, ctx.period.code, ctx.reporter.id);
    if (!sub) return [];
    return (await repo.history(sub.id)).map((h) => ({
      element: h.code,
      elementName: h.name,
      disaggregation: h.disaggregation,
      oldValue: h.old_value,
      newValue: h.new_value,
      changedAt: iso(h.changed_at)!,
      changedBy: h.changed_by,
      via: h.via,
    }));
  }
}

export type { SubmissionDbRow };
