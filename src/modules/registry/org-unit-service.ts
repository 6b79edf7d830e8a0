import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import { type Actor, requirePermission } from "../../shared/actor.js";
import { notFound } from "../../shared/errors.js";
import { COUNT_CAP, type Page } from "../../shared/paging.js";
import { recordAudit } from "../audit/record.js";
import { schoolYearOf, todayInChina } from "./calendar.js";
import type { FeedPosition, FeedRow } from "./feed-sql.js";
import { type OrgUnitFilter, OrgUnitRepository } from "./org-unit-repository.js";
import { type OrgUnitView, presentOrgUnit, presentVersion } from "./presenters.js";
import type { OrgUnitFilterQuery, OrgUnitOut, TreeNode } from "./schemas.js";
import type { SchoolMembers, SchoolPlace } from "./school-members.js";

/** Reads of the org registry: lists (now or as of a date), the tree, a unit's profile and history. */
export class OrgUnitService {
  private readonly repo: OrgUnitRepository;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly members: SchoolMembers,
    readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new OrgUnitRepository(db);
  }

  today() {
    return todayInChina(this.now());
  }

  private filter(q: OrgUnitFilterQuery): OrgUnitFilter {
    return { ...q, today: this.today() };
  }

  async list(
    actor: Actor,
    q: OrgUnitFilterQuery & { page: number; pageSize: number },
  ): Promise<Page<OrgUnitOut>> {
    requirePermission(actor, "registry.read");
    const { rows, total } = await this.repo.list(
      this.filter(q),
      actor.scopePaths,
      q.pageSize,
      (q.page - 1) * q.pageSize,
    );
    const today = this.today();
    return {
      items: rows.map((r) => presentOrgUnit(r, today)),
      page: q.page,
      pageSize: q.pageSize,
      total: Math.min(total, COUNT_CAP),
      totalExact: total <= COUNT_CAP,
    };
  }

  /**
   * Every matching unit for the xlsx export, read in path-ordered batches. Permissions are checked
   * and the export is audited before the first row is read.
   */
  async exportRows(actor: Actor, q: OrgUnitFilterQuery): Promise<AsyncIterable<OrgUnitOut>> {
    requirePermission(actor, "registry.read");
    requirePermission(actor, "exchange.export");
    await recordAudit(this.db, actor, { action: "export", entity: "org_unit", context: { filters: q } });
    return this.batches(actor, q);
  }

  private async *batches(actor: Actor, q: OrgUnitFilterQuery): AsyncGenerator<OrgUnitOut> {
    const f = this.filter(q);
    let after = "";
    for (;;) {
      const rows = await this.repo.batchAfter(f, actor.scopePaths, after, 1000);
      for (const r of rows) yield presentOrgUnit(r, f.today);
      if (rows.length < 1000) return;
      after = rows[rows.length - 1].path;
    }
  }

  /**
   * The tree valid on `asOf` (default today): city → counties → schools, cut to the actor's scope.
   * The roots are the highest units the actor may see (a county admin's tree starts at the county).
   */
  async tree(actor: Actor, q: { asOf?: string; rootCode?: string }) {
    requirePermission(actor, "registry.read");
    const asOf = q.asOf ?? this.today();
    let scope = actor.scopePaths;
    if (q.rootCode) {
      const root = await this.repo.findByCode(q.rootCode, actor.scopePaths);
      if (!root) throw notFound(`机构 ${q.rootCode} `);
      scope = [root.path];
    }
    const rows = await this.repo.treeNodes(asOf, scope);
    const byId = new Map<number, TreeNode>();
    const roots: TreeNode[] = [];
    for (const r of rows) {
      const node: TreeNode = { code: r.code, name: r.name, kind: r.kind, schoolType: r.school_type };
      byId.set(r.id, node);
      const parent = r.parent_id === null ? undefined : byId.get(r.parent_id);
      if (!parent) roots.push(node);
      else if (parent.children) parent.children.push(node);
      else parent.children = [node];
    }
    return { asOf, roots };
  }

  async get(actor: Actor, code: string) {
    requirePermission(actor, "registry.read");
    const unit = await this.visible(actor, code);
    const today = this.today();
    const [counts, children, successor] = await Promise.all([
      this.members.count(this.db, unit.path, schoolYearOf(today)),
      this.repo.countCurrentChildren(unit.id, today),
      // The successor is shown even when it lies outside the actor's scope: the merge is a fact of
      // this unit's history.
      unit.successor_code ? this.repo.findByCode(unit.successor_code, ["/"]) : Promise.resolve(undefined),
    ]);
    return {
      ...presentOrgUnit(unit, today),
      successor: successor ? { code: successor.code, name: successor.name } : null,
      counts: { ...counts, children },
    };
  }

  async history(actor: Actor, code: string) {
    requirePermission(actor, "registry.read");
    const unit = await this.visible(actor, code);
    const [versions, predecessors, successor] = await Promise.all([
      this.repo.versions(unit.id),
      this.repo.predecessors(unit.id),
      unit.successor_code ? this.repo.findByCode(unit.successor_code, ["/"]) : Promise.resolve(undefined),
    ]);
    return {
      unit: presentOrgUnit(unit, this.today()),
      versions: versions.map(presentVersion),
      end:
        unit.valid_to && unit.end_reason
          ? {
              date: unit.valid_to,
              reason: unit.end_reason,
              successor: successor ? { code: successor.code, name: successor.name } : null,
            }
          : null,
      predecessors: predecessors.map((p) => ({ code: p.code, name: p.name, date: p.date })),
    };
  }

  /** The change feed's org units: every unit changed after `after`; merged ones name their successor. */
  async changedSince(actor: Actor, after: FeedPosition, limit: number): Promise<FeedRow<OrgUnitOut>[]> {
    requirePermission(actor, "registry.read");
    const today = this.today();
    const rows = await this.repo.changedSince(actor.scopePaths, after, limit);
    return rows.map((u) => ({
      id: u.id,
      key: u.code,
      updatedAt: u.feed_ts,
      deleted: false,
      mergedInto: u.end_reason === "merged" ? u.successor_code : null,
      data: presentOrgUnit(u, today),
    }));
  }

  /** A unit in the actor's scope, or "not found" (out of scope looks the same as absent). */
  async visible(actor: Actor, code: string): Promise<OrgUnitView> {
    const unit = await this.repo.findByCode(code.trim().toUpperCase(), actor.scopePaths);
    if (!unit) throw notFound(`机构 ${code} `);
    return unit;
  }

  /**
   * A current school in the actor's scope, for the people module (a student's or class's school).
   * `field` names the request field in the error.
   */
  async schoolInScope(actor: Actor, code: string, db: Kysely<DB> = this.db): Promise<SchoolPlaceWithType> {
    const unit = await new OrgUnitRepository(db).findByCode(code.trim(), actor.scopePaths);
    if (unit?.kind !== "school") throw notFound(`学校 ${code} `);
    return {
      id: unit.id,
      code: unit.code,
      name: unit.name,
      path: unit.path,
      countyCode: unit.county_code ?? "",
      schoolType: unit.school_type,
      current: unit.valid_to === null || unit.valid_to > this.today(),
    };
  }
}

export interface SchoolPlaceWithType extends SchoolPlace {
  schoolType: string | null;
  current: boolean;
}
