import { type RawBuilder, type SqlBool, sql } from "kysely";
import { underPaths } from "../../db/scope.js";
import type { Actor } from "../../shared/actor.js";
import type { CaseKindDefinition, Relation, Who } from "./engine/kind.js";
import { availableSteps } from "./engine/transition.js";
import { caseKinds, kindOf } from "./kinds/index.js";
import { presentCase } from "./presenters.js";
import type { CaseService } from "./service.js";
import { actorFacts } from "./service.js";

const depth = (p: string) => p.split("/").filter(Boolean).length;
const whoList = (w: Who | readonly Who[]): readonly Who[] => ("permission" in w ? [w] : w);

interface ActorPaths {
  exact: string[];
  county: string[];
  city: string[];
}

function relationSql(r: Relation, p: ActorPaths, assignedIds: number[], userId: number | null) {
  const notSelf = (paths: string[]) => sql`c.org_path <> all(${paths}::text[])`;
  switch (r) {
    case "target":
      return p.exact.length ? sql<SqlBool>`c.org_path = any(${p.exact}::text[])` : null;
    case "county":
      return p.county.length
        ? sql<SqlBool>`(${underPaths("c.org_path", p.county)} and ${notSelf(p.county)})`
        : null;
    case "city":
      return p.city.length
        ? sql<SqlBool>`(${underPaths("c.org_path", p.city)} and ${notSelf(p.city)})`
        : null;
    case "assigned":
      return assignedIds.length ? sql<SqlBool>`c.id = any(${assignedIds}::bigint[])` : null;
    case "reporter":
      return userId === null ? null : sql<SqlBool>`c.reporter_id = ${userId}`;
  }
}

/**
 * "What waits on me" as SQL over `c`: for each kind and open state, the cases where the actor holds
 * a step's permission and stands in one of its relations; plus the overdue cases escalated to the
 * actor's level (level 1 to a county, 2 to the city) in kinds the actor reads.
 */
export function waitingSql(actor: Actor, assignedIds: number[]): RawBuilder<SqlBool> {
  const p: ActorPaths = {
    exact: [...actor.scopePaths],
    county: actor.scopePaths.filter((x) => depth(x) === 2),
    city: actor.scopePaths.filter((x) => depth(x) <= 1),
  };
  const userId = actorFacts(actor).id;
  const parts: RawBuilder<SqlBool>[] = [];
  for (const kind of Object.values(caseKinds)) {
    for (const [state, def] of Object.entries(kind.states)) {
      if (def.final) continue;
      const rels = new Set<Relation>();
      for (const t of kind.transitions)
        if (t.from.includes(state) && !t.optional)
          for (const w of whoList(t.who))
            if (actor.permissions.has(w.permission)) for (const r of w.as) rels.add(r);
      const conds = [...rels].map((r) => relationSql(r, p, assignedIds, userId)).filter((x) => x !== null);
      if (conds.length)
        parts.push(
          sql<SqlBool>`(c.kind = ${kind.code} and c.state = ${state} and (${sql.join(conds, sql` or `)}))`,
        );
    }
    if (actor.permissions.has(kind.readPermission)) {
      if (p.county.length)
        parts.push(
          sql<SqlBool>`(c.kind = ${kind.code} and c.escalation_level >= 1 and ${underPaths("c.org_path", p.county)})`,
        );
      if (p.city.length)
        parts.push(
          sql<SqlBool>`(c.kind = ${kind.code} and c.escalation_level >= 2 and ${underPaths("c.org_path", p.city)})`,
        );
    }
  }
  return parts.length ? sql<SqlBool>`(${sql.join(parts, sql` or `)})` : sql<SqlBool>`false`;
}

const DAY = 86_400_000;

/** The inbox: what waits on the actor, overdue first, with the reason for each. */
export async function inbox(
  service: CaseService,
  actor: Actor,
  q: { page: number; pageSize: number; kind?: string },
) {
  const userId = actorFacts(actor).id;
  const assignedIds = await service.repo.participantIdsByRole(userId, "assigned");
  const v = service.visibility(actor);
  const waiting = waitingSql(actor, assignedIds);
  const { rows, total, overdue, dueSoon } = await service.repo.inbox(
    v,
    waiting,
    { kind: q.kind },
    q.pageSize,
    (q.page - 1) * q.pageSize,
    new Date(service.now().getTime() + 3 * DAY),
  );
  const names = await service.names(rows.map((r) => r.org_unit_id));
  const assigned = new Set(assignedIds);
  const items = rows.map((r) => {
    const kind = kindOf(r.kind) as CaseKindDefinition | undefined;
    const steps = kind
      ? availableSteps(
          kind,
          service.caseFacts(r, assigned.has(r.id) ? ["assigned"] : []),
          actorFacts(actor),
        ).filter((s) => !s.optional)
      : [];
    const reasons = [];
    if (r.escalation_level > 0)
      reasons.push(`逾期未办，已升级至${r.escalation_level >= 2 ? "市级" : "县级"}`);
    if (steps.length) reasons.push(`待我${steps.map((s) => s.label).join("、")}`);
    return { ...presentCase(r, kind, names), reason: reasons.join("；") };
  });
  return { items, total, overdue, dueSoon };
}
