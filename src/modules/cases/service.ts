import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import { type Actor, requirePermission } from "../../shared/actor.js";
import { dataEvents } from "../../shared/data-events.js";
import { AppError, type FieldIssue, notFound } from "../../shared/errors.js";
import { COUNT_CAP, type Page } from "../../shared/paging.js";
import { recordAudit } from "../audit/record.js";
import type { FileService } from "../files/service.js";
import type { StoredFile } from "../files/store.js";
import type { CountCache } from "../people/count-cache.js";
import type { OrgDirectory, OrgName } from "../registry/org-directory.js";
import { type CaseKindDefinition, stepLabel } from "./engine/kind.js";
import { type ActorFacts, availableSteps, decide, decideCreate, type Refusal } from "./engine/transition.js";
import { hooksOf } from "./kinds/hooks.js";
import { caseKinds, kindOf } from "./kinds/index.js";
import {
  caseRef,
  jsonSchemaOf,
  labelledFields,
  type Names,
  namesFrom,
  presentCase,
  presentEvent,
  presentStep,
} from "./presenters.js";
import { CaseRepository, type CaseRow, type Visibility } from "./repository.js";
import type {
  CaseCommentBody,
  CaseCreateBody,
  CaseDetailOut,
  CaseFilter,
  CaseOut,
  CaseStepBody,
} from "./schemas.js";

const columnsOfForm = ["title", "severity", "category", "source"] as const;

export const actorFacts = (actor: Actor): ActorFacts => ({
  id: actor.type === "user" ? actor.id : null,
  permissions: actor.permissions as ReadonlySet<string>,
  scopePaths: actor.scopePaths,
});

/** The permissions any step or filing of a kind needs: holding one makes the actor a worker of it. */
export function workPermissions(kind: CaseKindDefinition): Set<string> {
  const out = new Set<string>();
  const add = (w: CaseKindDefinition["create"]["who"]) => {
    for (const x of "permission" in w ? [w] : w) out.add(x.permission);
  };
  add(kind.create.who);
  for (const t of kind.transitions) add(t.who);
  return out;
}

/**
 * Cases of every kind: scoped lists and exports, the case with its timeline, filing, steps and
 * comments (each in one transaction with its audit row and its claimed attachments), and the owner
 * check that serves a case's attachments only to those who see the case.
 */
export class CaseService {
  readonly repo: CaseRepository;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly directory: OrgDirectory,
    private readonly counts: CountCache,
    private readonly files: FileService | null,
    readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new CaseRepository(db);
    files?.registerOwner("cases", (actor, ownerId, sha256) =>
      this.attachment(actor, Number(ownerId), sha256),
    );
  }

  /** What the actor sees (no query: participation is a subquery of each statement). */
  visibility(actor: Actor): Visibility {
    const kinds = Object.values(caseKinds)
      .filter((k) => actor.permissions.has(k.readPermission))
      .map((k) => k.code);
    return { kinds, scopePaths: actor.scopePaths, userId: actor.type === "user" ? actor.id : null };
  }

  /** Names of the directory's current load, built once per load (not per page). */
  private readonly namesByLoad = new WeakMap<Map<number, OrgName>, Names>();

  async names(ids: (number | null)[]): Promise<Names> {
    const byId = await this.directory.names(ids.filter((x): x is number => x !== null));
    let names = this.namesByLoad.get(byId);
    if (!names) {
      names = namesFrom(byId);
      this.namesByLoad.set(byId, names);
    }
    return names;
  }

  kinds(actor: Actor) {
    return Object.values(caseKinds).map((k) => ({
      code: k.code,
      name: k.name,
      refPrefix: k.refPrefix,
      states: Object.entries(k.states).map(([code, s]) => ({
        code,
        label: s.label,
        color: s.color ?? null,
        final: s.final === true,
      })),
      severities: [...(k.severities ?? [])],
      categories: [...(k.categories ?? [])],
      sources: [...(k.sources ?? [])],
      steps: k.transitions.map((t) => ({ code: t.code, label: t.label })),
      create: {
        label: k.create.label,
        orgKinds: [...k.create.orgKinds],
        fields: jsonSchemaOf(k.create.fields) ?? {},
        fieldLabels: k.create.fieldLabels ?? {},
        evidence: k.create.evidence ?? null,
        allowed: [...workPermissions(k)].some((p) => actor.permissions.has(p as never)),
      },
    }));
  }

  async list(actor: Actor, q: CaseFilter & { page: number; pageSize: number }): Promise<Page<CaseOut>> {
    const { page, pageSize, ...filter } = q;
    const v = this.visibility(actor);
    const { rows, total } = await this.repo.list(filter, v, pageSize, (page - 1) * pageSize, this.counts);
    const names = await this.names(rows.map((r) => r.org_unit_id));
    return {
      items: rows.map((r) => presentCase(r, kindOf(r.kind), names)),
      page,
      pageSize,
      total: Math.min(total, COUNT_CAP),
      totalExact: total <= COUNT_CAP,
    };
  }

  async exportRows(actor: Actor, filter: CaseFilter): Promise<AsyncIterable<CaseOut>> {
    requirePermission(actor, "exchange.export");
    const v = this.visibility(actor);
    await recordAudit(this.db, actor, { action: "export", entity: "case", context: { filters: filter } });
    const self = this;
    return (async function* () {
      let before = Number.MAX_SAFE_INTEGER;
      for (;;) {
        const rows = await self.repo.batchBefore(filter, v, before, 2000);
        const names = await self.names(rows.map((r) => r.org_unit_id));
        for (const r of rows) yield presentCase(r, kindOf(r.kind), names);
        if (rows.length < 2000) return;
        before = rows[rows.length - 1].id;
      }
    })();
  }

  async get(actor: Actor, id: number): Promise<CaseDetailOut> {
    const v = this.visibility(actor);
    const row = await this.repo.find(id, v);
    if (!row) throw notFound("事项");
    const kind = kindOf(row.kind);
    const [events, links, roles, names] = await Promise.all([
      this.repo.events(id),
      this.repo.links(id, v),
      this.repo.actorRoles(this.db, id, actorFacts(actor).id),
      this.names([row.org_unit_id]),
    ]);
    const facts = this.caseFacts(row, roles);
    const steps = kind ? availableSteps(kind, facts, actorFacts(actor)) : [];
    return {
      ...presentCase(row, kind, names),
      data: labelledFields(row.data, kind?.create.fieldLabels),
      events: events.map((e) => presentEvent(e, kind, id)),
      steps: steps.map(presentStep),
      canComment: kind ? [...workPermissions(kind)].some((p) => actor.permissions.has(p as never)) : false,
      links: links.map((l) => ({
        id: l.id,
        ref: caseRef(kindOf(l.kind), l.id),
        title: l.title,
        relation: l.relation,
      })),
    };
  }

  /** Files a new case about an org unit; the form is the kind's, validated by its zod schema. */
  async create(actor: Actor, body: CaseCreateBody, opts: { tx?: Kysely<DB>; quiet?: boolean } = {}) {
    const kind = kindOf(body.kind);
    if (!kind) throw new AppError("VALIDATION_FAILED", `未知的事项类型：${body.kind}`);
    const run = async (tx: Kysely<DB>) => {
      const org = await this.repo.orgUnitByCode(body.orgUnitCode, tx);
      if (!org?.current) throw notFound(`单位 ${body.orgUnitCode}`);
      const hooks = hooksOf(kind.code);
      const before = hooks.beforeCreate
        ? await hooks.beforeCreate(tx, actor, { orgUnit: org, form: body.form })
        : {};
      const now = this.now();
      const d = decideCreate(
        kind,
        org.path,
        org.kind,
        actorFacts(actor),
        { fields: body.form, comment: body.comment, attachmentCount: body.attachments?.length ?? 0 },
        now,
        before.actorRoles ?? [],
      );
      if (!d.ok) return d;
      const data: Record<string, unknown> = { ...before.data };
      for (const [k, val] of Object.entries(d.form))
        if (!(columnsOfForm as readonly string[]).includes(k)) data[k] = val;
      const str = (k: string) => (typeof d.form[k] === "string" ? (d.form[k] as string) : null);
      const userId = actorFacts(actor).id;
      const inserted = await tx
        .insertInto("case_record")
        .values({
          kind: kind.code,
          title: String(d.form.title),
          org_unit_id: org.id,
          org_path: org.path,
          county_code: org.county_code,
          state: d.state,
          severity: str("severity"),
          category: str("category"),
          source: str("source"),
          reporter_id: userId,
          reporter_name: actor.displayName,
          due_at: d.dueAt,
          data: JSON.stringify(data),
          created_at: now,
          updated_at: now,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const id = inserted.id;
      const participants = [...(before.participants ?? [])];
      if (userId !== null) participants.push({ userId, role: "reporter" });
      if (participants.length)
        await tx
          .insertInto("case_participant")
          .values(participants.map((p) => ({ case_id: id, user_id: p.userId, role: p.role })))
          .onConflict((oc) => oc.doNothing())
          .execute();
      const files = await this.claim(tx, actor, body.attachments, id);
      await this.addEvent(
        tx,
        actor,
        { id, kind: kind.code },
        "create",
        null,
        d.state,
        d.comment,
        d.form,
        files,
        now,
      );
      await recordAudit(tx, actor, {
        action: "create",
        entity: "case",
        entityKey: String(id),
        orgPath: org.path,
        after: { kind: kind.code, state: d.state, ...d.form, dueAt: d.dueAt },
      });
      return { ok: true as const, id };
    };
    const result = opts.tx ? await run(opts.tx) : await this.db.transaction().execute(run);
    // inside a caller's transaction the refusal is written there (PGlite has one connection)
    if (!result.ok) throw await this.refused(actor, null, kind.create.label, result, opts.tx);
    if (!opts.quiet) this.changed();
    return result.id;
  }

  /** Takes one step of a case's workflow: decided by the engine, written in one transaction. */
  async step(actor: Actor, id: number, body: CaseStepBody): Promise<void> {
    const v = this.visibility(actor);
    const result = await this.db.transaction().execute(async (tx) => {
      const row = await this.repo.find(id, v, true, tx);
      if (!row) throw notFound("事项");
      const kind = kindOf(row.kind);
      if (!kind) throw new AppError("CONFLICT", `事项类型 ${row.kind} 未注册`);
      const now = this.now();
      const roles = await this.repo.actorRoles(tx, id, actorFacts(actor).id);
      const d = decide(
        kind,
        this.caseFacts(row, roles),
        body.step,
        actorFacts(actor),
        { fields: body.fields, comment: body.comment, attachmentCount: body.attachments?.length ?? 0 },
        now,
      );
      if (!d.ok) return { d, row };
      await hooksOf(kind.code).afterStep?.(tx, actor, { row, decision: d });
      const files = await this.claim(tx, actor, body.attachments, id);
      const stillLate =
        kind.states[d.to]?.clockRuns === true && d.dueAt !== null && d.dueAt.getTime() < now.getTime();
      await tx
        .updateTable("case_record")
        .set({
          state: d.to,
          due_at: d.dueAt,
          closed_at: d.closes ? now : null,
          updated_at: now,
          ...(stillLate ? {} : { overdue_since: null, escalation_level: 0 }),
        })
        .where("id", "=", id)
        .execute();
      await this.addEvent(tx, actor, row, d.step.code, d.from, d.to, d.comment, d.fields, files, now);
      await recordAudit(tx, actor, {
        action: `step.${d.step.code}`,
        entity: "case",
        entityKey: String(id),
        orgPath: row.org_path,
        before: { state: row.state, dueAt: row.due_at },
        after: { state: d.to, dueAt: d.dueAt, fields: d.fields, attachments: files.length },
        context: { kind: kind.code },
      });
      return { d, row };
    });
    if (!result.d.ok) throw await this.refused(actor, result.row, body.step, result.d);
    this.changed();
  }

  /** A comment on the timeline (no state change), by anyone who sees the case and works on its kind. */
  async comment(actor: Actor, id: number, body: CaseCommentBody): Promise<void> {
    const v = this.visibility(actor);
    await this.db.transaction().execute(async (tx) => {
      const row = await this.repo.find(id, v, true, tx);
      if (!row) throw notFound("事项");
      const kind = kindOf(row.kind);
      if (!kind || ![...workPermissions(kind)].some((p) => actor.permissions.has(p as never)))
        throw new AppError("FORBIDDEN", "您只能查看此事项，不能批注");
      const files = await this.claim(tx, actor, body.attachments, id);
      const now = this.now();
      await this.addEvent(tx, actor, row, "comment", null, null, body.comment, null, files, now);
      await tx.updateTable("case_record").set({ updated_at: now }).where("id", "=", id).execute();
      await recordAudit(tx, actor, {
        action: "comment",
        entity: "case",
        entityKey: String(id),
        orgPath: row.org_path,
        after: { comment: body.comment, attachments: files.length },
      });
    });
    this.changed();
  }

  /** Owner check of the files module: a case's attachment, to those who see the case. */
  private async attachment(actor: Actor, id: number, sha256: string): Promise<StoredFile | null> {
    if (!Number.isSafeInteger(id) || id <= 0) return null;
    const row = await this.repo.find(id, this.visibility(actor));
    if (!row) return null;
    for (const e of await this.repo.events(id)) {
      const f = (e.attachments ?? []).find((a) => a.sha256 === sha256);
      if (f) return f as StoredFile;
    }
    return null;
  }

  caseFacts(row: CaseRow, actorRoles: string[]) {
    return {
      state: row.state,
      orgPath: row.org_path,
      severity: row.severity,
      dueAt: row.due_at ? new Date(row.due_at) : null,
      reporterId: row.reporter_id,
      actorRoles,
    };
  }

  /** After a committed write: list totals may be wrong, and indicators that read cases recompute. */
  changed() {
    this.counts.clear();
    dataEvents.changed("cases");
  }

  private async claim(tx: Kysely<DB>, actor: Actor, ids: string[] | undefined, caseId: number) {
    if (!ids?.length) return [];
    if (!this.files) throw new AppError("BAD_REQUEST", "附件存储未启用");
    return this.files.claim(tx, actor, ids, `cases:${caseId}`);
  }

  /**
   * One timeline entry. `step` must have a label in the case's kind (engine/kind.ts stepLabel): a
   * step without one would show its code on the timeline, so recording it is a programming error.
   */
  async addEvent(
    tx: Kysely<DB>,
    actor: Pick<Actor, "type" | "id" | "name" | "displayName">,
    target: { id: number; kind: string },
    step: string,
    from: string | null,
    to: string | null,
    comment: string | null,
    data: Record<string, unknown> | null,
    attachments: StoredFile[],
    at: Date,
  ) {
    const kind = kindOf(target.kind);
    if (!kind || stepLabel(kind, step) === undefined)
      throw new Error(`case step "${step}" has no label in kind "${target.kind}" (engine/kind.ts)`);
    await tx
      .insertInto("case_event")
      .values({
        case_id: target.id,
        at,
        step,
        from_state: from,
        to_state: to,
        actor_type: actor.type,
        actor_id: actor.type === "user" ? actor.id : null,
        actor_name: actor.displayName,
        comment,
        data: data && Object.keys(data).length ? JSON.stringify(data) : null,
        attachments: JSON.stringify(attachments),
      })
      .execute();
  }

  /** A refused filing or step: logged (audit and server log), nothing else changed; the error to throw. */
  private async refused(
    actor: Actor,
    row: CaseRow | null,
    step: string,
    r: Refusal,
    db: Kysely<DB> = this.db,
  ): Promise<AppError> {
    await recordAudit(db, actor, {
      action: "step.refused",
      entity: "case",
      entityKey: row ? String(row.id) : null,
      orgPath: row?.org_path ?? null,
      context: { step, reason: r.reason, message: r.message, state: row?.state ?? null },
    });
    const issues: FieldIssue[] | undefined = r.issues;
    switch (r.reason) {
      case "not_allowed":
        return new AppError("FORBIDDEN", r.message);
      case "wrong_state":
        return new AppError("CONFLICT", r.message);
      case "unknown_step":
        return new AppError("BAD_REQUEST", r.message);
      default:
        return new AppError("VALIDATION_FAILED", r.message, { issues });
    }
  }
}
