import { type Kysely, sql } from "kysely";
import { z } from "zod";
import { underPaths } from "../../db/scope.js";
import type { DB } from "../../db/types.js";
import { type Actor, requirePermission } from "../../shared/actor.js";
import { AppError, invalid, notFound } from "../../shared/errors.js";
import { recordAudit } from "../audit/record.js";
import { relationsOf } from "./engine/transition.js";
import { registerCaseHooks } from "./kinds/hooks.js";
import { actorFacts, type CaseService } from "./service.js";

/**
 * 督导 plans (专项督导, 综合督导, 小切口 topics) with their targets and assigned inspectors, the 问责
 * measures and records. Findings are cases of kind "supervision" (kinds/supervision.ts); the hooks
 * below tie them to a plan target and write the 问责 record.
 */

export const planTypes = { special: "专项督导", comprehensive: "综合督导", focused: "小切口督导" } as const;
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "日期格式为 YYYY-MM-DD");

export const planBody = z.object({
  title: z.string().trim().min(1, "请填写督导名称").max(100),
  planType: z.enum(["special", "comprehensive", "focused"], { message: "请选择督导类型" }),
  topic: z.string().trim().max(100).optional().nullable(),
  description: z.string().trim().max(2000).optional().nullable(),
  startsOn: date,
  endsOn: date,
  issuerCode: z.string().trim().min(1).describe("the issuing city or county (in the actor's scope)"),
  targets: z
    .array(
      z.object({
        orgUnitCode: z.string().trim().min(1),
        inspectors: z.array(z.string().trim().min(1)).min(1, "每个督导对象至少指派一名督学").max(10),
      }),
    )
    .min(1, "至少选择一个督导对象")
    .max(500),
});
export type PlanBody = z.infer<typeof planBody>;

interface PlanVisibility {
  scopePaths: string[];
  canReadAll: boolean;
  userId: number | null;
}

export class SupervisionService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly cases: CaseService,
  ) {
    registerCaseHooks("supervision", {
      beforeCreate: async (tx, actor, { orgUnit, form }) => {
        const targetId = Number(form.targetId);
        const t = await tx
          .selectFrom("supervision_target as t")
          .innerJoin("supervision_plan as p", "p.id", "t.plan_id")
          .select(["t.id", "t.org_unit_id", "p.id as planId", "p.title", "p.status"])
          .where("t.id", "=", Number.isSafeInteger(targetId) ? targetId : -1)
          .executeTakeFirst();
        if (!t || t.org_unit_id !== orgUnit.id)
          throw invalid([{ field: "targetId", message: "督导对象与所选单位不符" }]);
        if (t.status !== "active") throw new AppError("CONFLICT", "该督导计划已结束");
        const inspectors = await tx
          .selectFrom("supervision_inspector")
          .select("user_id")
          .where("target_id", "=", t.id)
          .execute();
        const me = actorFacts(actor).id;
        return {
          actorRoles: inspectors.some((i) => i.user_id === me) ? ["assigned"] : [],
          participants: inspectors.map((i) => ({ userId: i.user_id, role: "assigned" })),
          data: { planId: t.planId, planTitle: t.title, targetIdLabel: orgUnit.name },
        };
      },
      afterStep: async (tx, actor, { row, decision }) => {
        if (decision.step.code !== "hold_accountable") return;
        const f = decision.fields;
        const m = await tx
          .selectFrom("accountability_measure")
          .selectAll()
          .where("code", "=", String(f.measure))
          .where("active", "=", true)
          .executeTakeFirst();
        if (!m || m.subject_type !== f.subjectType)
          throw invalid([{ field: "measure", message: "问责方式无效或与问责对象类型不符" }]);
        decision.fields.measureLabel = m.name;
        decision.fields.subjectTypeLabel = f.subjectType === "unit" ? "单位" : "个人";
        await tx
          .insertInto("accountability_record")
          .values({
            case_id: row.id,
            subject_type: m.subject_type,
            subject_name: String(f.subjectName),
            measure_code: m.code,
            basis: String(f.basis),
            decided_by: actorFacts(actor).id,
            decided_by_name: actor.displayName,
            org_path: row.org_path,
            county_code: row.county_code,
          })
          .execute();
      },
    });
  }

  private visibility(actor: Actor): PlanVisibility {
    return {
      scopePaths: actor.scopePaths,
      canReadAll: actor.permissions.has("supervision.read"),
      userId: actorFacts(actor).id,
    };
  }

  /** Plans issued in scope or targeting it (readers), or where the actor inspects (督学). */
  private planVisibleSql(v: PlanVisibility) {
    const mine = sql`exists (select 1 from supervision_target t join supervision_inspector si on si.target_id = t.id
      where t.plan_id = p.id and si.user_id = ${v.userId ?? -1})`;
    if (!v.canReadAll) return mine;
    return sql`(${underPaths("p.org_path", v.scopePaths)} or exists (select 1 from supervision_target t
      where t.plan_id = p.id and ${underPaths("t.org_path", v.scopePaths)}) or ${mine})`;
  }

  async list(actor: Actor, q: { page: number; pageSize: number; status?: "active" | "closed" }) {
    const v = this.visibility(actor);
    const status = q.status ? sql`and p.status = ${q.status}` : sql``;
    const r = await sql<{
      id: number;
      title: string;
      plan_type: keyof typeof planTypes;
      topic: string | null;
      starts_on: string;
      ends_on: string;
      status: string;
      issuer: string;
      targets: number;
      findings: number;
      open: number;
      total: number;
    }>`select p.id, p.title, p.plan_type, p.topic, p.starts_on::text, p.ends_on::text, p.status, o.name as issuer,
        (select count(*)::int from supervision_target t where t.plan_id = p.id) as targets,
        (select count(*)::int from case_record c where c.kind = 'supervision' and (c.data->>'planId')::bigint = p.id) as findings,
        (select count(*)::int from case_record c where c.kind = 'supervision' and (c.data->>'planId')::bigint = p.id
          and c.closed_at is null) as open,
        count(*) over ()::int as total
      from supervision_plan p join org_unit o on o.id = p.org_unit_id
      where ${this.planVisibleSql(v)} ${status}
      order by p.starts_on desc, p.id desc limit ${q.pageSize} offset ${(q.page - 1) * q.pageSize}`.execute(
      this.db,
    );
    return {
      items: r.rows.map(({ total, plan_type, starts_on, ends_on, ...x }) => ({
        ...x,
        planType: plan_type,
        planTypeLabel: planTypes[plan_type],
        startsOn: starts_on,
        endsOn: ends_on,
      })),
      page: q.page,
      pageSize: q.pageSize,
      total: r.rows[0]?.total ?? 0,
      totalExact: true,
    };
  }

  async get(actor: Actor, id: number) {
    const v = this.visibility(actor);
    const plan = (
      await sql<{
        id: number;
        title: string;
        plan_type: keyof typeof planTypes;
        topic: string | null;
        description: string | null;
        starts_on: string;
        ends_on: string;
        status: string;
        issuer: string;
        created_by_name: string;
      }>`select p.id, p.title, p.plan_type, p.topic, p.description, p.starts_on::text, p.ends_on::text, p.status,
          o.name as issuer, p.created_by_name
        from supervision_plan p join org_unit o on o.id = p.org_unit_id
        where p.id = ${id} and ${this.planVisibleSql(v)}`.execute(this.db)
    ).rows[0];
    if (!plan) throw notFound("督导计划");
    // an inspector sees only the targets assigned to them
    const onlyMine = v.canReadAll
      ? sql`(${underPaths("t.org_path", v.scopePaths)} or si_me.user_id is not null or ${underPaths("p.org_path", v.scopePaths)})`
      : sql`si_me.user_id is not null`;
    const targets = await sql<{
      id: number;
      org_unit_code: string;
      org_unit_name: string;
      county_code: string | null;
      inspectors: string[];
      findings: number;
      open: number;
      overdue: number;
      mine: boolean;
    }>`select t.id, o.code as org_unit_code, o.name as org_unit_name, t.county_code,
        coalesce((select array_agg(u.display_name order by u.display_name) from supervision_inspector si
          join app_user u on u.id = si.user_id where si.target_id = t.id), '{}') as inspectors,
        (select count(*)::int from case_record c where c.kind = 'supervision' and (c.data->>'targetId')::bigint = t.id) as findings,
        (select count(*)::int from case_record c where c.kind = 'supervision' and (c.data->>'targetId')::bigint = t.id
          and c.closed_at is null) as open,
        (select count(*)::int from case_record c where c.kind = 'supervision' and (c.data->>'targetId')::bigint = t.id
          and c.closed_at is null and c.overdue_since is not null) as overdue,
        si_me.user_id is not null as mine
      from supervision_target t join supervision_plan p on p.id = t.plan_id join org_unit o on o.id = t.org_unit_id
      left join supervision_inspector si_me on si_me.target_id = t.id and si_me.user_id = ${v.userId ?? -1}
      where t.plan_id = ${id} and ${onlyMine} order by o.code`.execute(this.db);
    const { plan_type, starts_on, ends_on, created_by_name, ...rest } = plan;
    return {
      ...rest,
      planType: plan_type,
      planTypeLabel: planTypes[plan_type],
      startsOn: starts_on,
      endsOn: ends_on,
      createdByName: created_by_name,
      targets: targets.rows.map((t) => ({
        id: t.id,
        orgUnitCode: t.org_unit_code,
        orgUnitName: t.org_unit_name,
        countyCode: t.county_code,
        inspectors: t.inspectors,
        findings: t.findings,
        open: t.open,
        overdue: t.overdue,
        mine: t.mine,
      })),
    };
  }

  /** Issues a plan: the issuer is a city or county in scope; targets lie under it; inspectors hold 督学. */
  async create(actor: Actor, body: PlanBody) {
    requirePermission(actor, "supervision.plan");
    if (body.endsOn < body.startsOn)
      throw invalid([{ field: "endsOn", message: "结束日期不能早于开始日期" }]);
    const repo = this.cases.repo;
    const issuer = await repo.orgUnitByCode(body.issuerCode);
    const rel = issuer ? relationsOf(actorFacts(actor), issuer.path) : new Set();
    if (!issuer || !["city", "county"].includes(issuer.kind) || (!rel.has("target") && !rel.has("city")))
      throw notFound(`发文单位 ${body.issuerCode}`);
    const usernames = [...new Set(body.targets.flatMap((t) => t.inspectors))];
    const users = await this.db
      .selectFrom("app_user")
      .select(["id", "username", "roles", "disabled"])
      .where("username", "in", usernames)
      .execute();
    const byName = new Map(users.map((u) => [u.username, u]));
    const badUsers = usernames.filter((n) => {
      const u = byName.get(n);
      return !u || u.disabled || !u.roles.includes("inspector");
    });
    if (badUsers.length)
      throw invalid([
        { field: "targets", message: `以下账号不存在、已停用或不是督学：${badUsers.join("、")}` },
      ]);
    const id = await this.db.transaction().execute(async (tx) => {
      const plan = await tx
        .insertInto("supervision_plan")
        .values({
          title: body.title,
          plan_type: body.planType,
          topic: body.topic ?? null,
          description: body.description ?? null,
          starts_on: body.startsOn,
          ends_on: body.endsOn,
          org_unit_id: issuer.id,
          org_path: issuer.path,
          county_code: issuer.county_code,
          created_by: actorFacts(actor).id,
          created_by_name: actor.displayName,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      for (const [i, t] of body.targets.entries()) {
        const org = await repo.orgUnitByCode(t.orgUnitCode, tx);
        if (!org?.current || org.path === issuer.path || !org.path.startsWith(issuer.path))
          throw invalid([{ field: `targets.${i}`, message: `督导对象 ${t.orgUnitCode} 不在发文单位辖区内` }]);
        const target = await tx
          .insertInto("supervision_target")
          .values({ plan_id: plan.id, org_unit_id: org.id, org_path: org.path, county_code: org.county_code })
          .onConflict((oc) => oc.doNothing())
          .returning("id")
          .executeTakeFirst();
        if (!target) throw invalid([{ field: `targets.${i}`, message: `督导对象 ${t.orgUnitCode} 重复` }]);
        await tx
          .insertInto("supervision_inspector")
          .values(
            [...new Set(t.inspectors)].map((n) => ({ target_id: target.id, user_id: byName.get(n)!.id })),
          )
          .execute();
      }
      await recordAudit(tx, actor, {
        action: "create",
        entity: "supervision_plan",
        entityKey: String(plan.id),
        orgPath: issuer.path,
        after: body,
      });
      return plan.id;
    });
    this.cases.changed();
    return this.get(actor, id);
  }

  /** Active accounts holding the 督学 role, for assigning them to targets. */
  inspectors(actor: Actor) {
    requirePermission(actor, "supervision.plan");
    return this.db
      .selectFrom("app_user")
      .select(["username", "display_name as displayName"])
      .where(sql<boolean>`'inspector' = any(roles)`)
      .where("disabled", "=", false)
      .orderBy("username")
      .execute();
  }

  measures() {
    return this.db
      .selectFrom("accountability_measure")
      .select(["code", "name", "subject_type as subjectType"])
      .where("active", "=", true)
      .orderBy("sort")
      .execute();
  }

  /** 问责 records within scope (readers of supervision), newest first. */
  async accountability(actor: Actor, q: { page: number; pageSize: number }) {
    requirePermission(actor, "supervision.read");
    const r = await sql<{
      id: number;
      case_id: number;
      subject_type: "unit" | "person";
      subject_name: string;
      measure: string;
      basis: string;
      decided_by_name: string;
      decided_at: Date;
      org_name: string;
      total: number;
    }>`select a.id, a.case_id, a.subject_type, a.subject_name, m.name as measure, a.basis, a.decided_by_name,
        a.decided_at, o.name as org_name, count(*) over ()::int as total
      from accountability_record a join accountability_measure m on m.code = a.measure_code
      join case_record c on c.id = a.case_id left join org_unit o on o.id = c.org_unit_id
      where ${underPaths("a.org_path", actor.scopePaths)}
      order by a.decided_at desc, a.id desc limit ${q.pageSize} offset ${(q.page - 1) * q.pageSize}`.execute(
      this.db,
    );
    return {
      items: r.rows.map((x) => ({
        id: x.id,
        caseId: x.case_id,
        subjectType: x.subject_type,
        subjectName: x.subject_name,
        measure: x.measure,
        basis: x.basis,
        decidedByName: x.decided_by_name,
        decidedAt: new Date(x.decided_at).toISOString(),
        orgUnitName: x.org_name ?? "",
      })),
      page: q.page,
      pageSize: q.pageSize,
      total: r.rows[0]?.total ?? 0,
      totalExact: true,
    };
  }
}
