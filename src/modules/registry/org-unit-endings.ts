import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import { type Actor, requirePermission } from "../../shared/actor.js";
import { AppError, type FieldIssue, invalid, notFound } from "../../shared/errors.js";
import { recordAudit } from "../audit/record.js";
import { schoolYearOf, todayInChina } from "./calendar.js";
import { check, inTransaction, lockForChange } from "./change-support.js";
import type { OrgDirectory } from "./org-directory.js";
import { OrgUnitRepository } from "./org-unit-repository.js";
import { type OrgUnitView, orgUnitSnapshot, presentOrgUnit } from "./presenters.js";
import type { SchoolMembers, SchoolPlace } from "./school-members.js";

const place = (u: OrgUnitView): SchoolPlace => ({
  id: u.id,
  code: u.code,
  name: u.name,
  path: u.path,
  countyCode: u.county_code ?? "",
});

/**
 * The end of an org unit: 撤并 (merge into a successor, moving its current members) and closure.
 * The unit's last version ends on the date, with the reason and successor; nothing before changes.
 */
export class OrgUnitEndings {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly members: SchoolMembers,
    private readonly directory: OrgDirectory,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private today() {
    return todayInChina(this.now());
  }

  async merge(actor: Actor, code: string, body: { successorCode: string; date: string; note?: string }) {
    requirePermission(actor, "registry.write");
    const today = this.today();
    return inTransaction(
      this.db,
      this.directory,
      async (tx) => {
        const repo = new OrgUnitRepository(tx);
        const unit = await lockForChange(repo, actor, code);
        const successor = await repo.findByCode(
          body.successorCode.trim().toUpperCase(),
          actor.scopePaths,
          true,
        );
        if (!successor) throw notFound(`并入学校 ${body.successorCode} `);
        const issues: FieldIssue[] = [];
        if (unit.kind !== "school") issues.push({ field: "code", message: "只有学校可以撤并" });
        if (successor.kind !== "school") issues.push({ field: "successorCode", message: "并入单位应为学校" });
        if (successor.id === unit.id) issues.push({ field: "successorCode", message: "不能并入自身" });
        if (successor.valid_to !== null || successor.valid_from > body.date)
          issues.push({ field: "successorCode", message: `${successor.name} 在撤并日期不是现存学校` });
        issues.push(...this.endDateIssues(unit, body.date, today));
        check(issues);
        const note = body.note ?? `撤并，并入${successor.name}`;
        await this.endUnit(repo, unit, {
          date: body.date,
          reason: "merged",
          successorId: successor.id,
          note,
        });
        const moved = await this.members.moveAll(tx, actor, {
          from: place(unit),
          to: place(successor),
          date: body.date,
          schoolYear: schoolYearOf(body.date),
          note,
        });
        const after = (await repo.findByCode(unit.code, ["/"]))!;
        await recordAudit(tx, actor, {
          action: "merge",
          entity: "org_unit",
          entityKey: unit.code,
          orgPath: unit.path,
          before: orgUnitSnapshot(unit),
          after: orgUnitSnapshot(after),
          context: { successorCode: successor.code, date: body.date, note, moved },
        });
        return { unit: presentOrgUnit(after, today), moved };
      },
      ["registry", "people"],
    );
  }

  async close(actor: Actor, code: string, body: { date: string; note?: string }) {
    requirePermission(actor, "registry.write");
    const today = this.today();
    return inTransaction(this.db, this.directory, async (tx) => {
      const repo = new OrgUnitRepository(tx);
      const unit = await lockForChange(repo, actor, code);
      const issues: FieldIssue[] = [];
      if (unit.kind !== "school" && unit.kind !== "department")
        issues.push({ field: "code", message: "只有学校和科室可以关闭" });
      issues.push(...this.endDateIssues(unit, body.date, today));
      check(issues);
      const counts = await this.members.count(tx, unit.path, schoolYearOf(today));
      const children = await repo.countCurrentChildren(unit.id, today);
      if (counts.students || counts.staff || children)
        throw new AppError(
          "CONFLICT",
          `${unit.name} 仍有在读学生${counts.students}人、在职教职工${counts.staff}人、下级机构${children}个；请先转出，或改用撤并`,
          { counts: { ...counts, children } },
        );
      const note = body.note ?? "关闭";
      await this.endUnit(repo, unit, { date: body.date, reason: "closed", successorId: null, note });
      const after = (await repo.findByCode(unit.code, ["/"]))!;
      await recordAudit(tx, actor, {
        action: "close",
        entity: "org_unit",
        entityKey: unit.code,
        orgPath: unit.path,
        before: orgUnitSnapshot(unit),
        after: orgUnitSnapshot(after),
        context: { date: body.date, note },
      });
      return presentOrgUnit(after, today);
    });
  }

  private endDateIssues(unit: OrgUnitView, date: string, today: string): FieldIssue[] {
    if (date > today) return [{ field: "date", message: "日期不能晚于今天" }];
    if (date <= unit.valid_from)
      return [{ field: "date", message: `日期应晚于该机构的成立日期（${unit.valid_from}）` }];
    return [];
  }

  private async endUnit(
    repo: OrgUnitRepository,
    unit: OrgUnitView,
    end: { date: string; reason: "merged" | "closed"; successorId: number | null; note: string },
  ) {
    const current = await repo.currentVersion(unit.id);
    if (!current) throw new AppError("CONFLICT", `机构 ${unit.code} 没有现行版本`);
    if (end.date <= current.valid_from)
      throw invalid([{ field: "date", message: `日期应晚于现行版本的生效日期（${current.valid_from}）` }]);
    await repo.endVersion(current.id, {
      validTo: end.date,
      successorId: end.successorId,
      endReason: end.reason,
      note: end.note,
    });
    await repo.updateUnit(unit.id, {
      valid_to: end.date,
      successor_id: end.successorId,
      end_reason: end.reason,
    });
  }
}
