import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import { type Actor, requirePermission } from "../../shared/actor.js";
import { dataEvents } from "../../shared/data-events.js";
import { AppError, type FieldIssue, invalid, notFound } from "../../shared/errors.js";
import { COUNT_CAP, type Page } from "../../shared/paging.js";
import { recordAudit } from "../audit/record.js";
import { schoolTypeByCode, stageOfGrade } from "../registry/codes.js";
import type { FeedPosition, FeedRow } from "../registry/feed-sql.js";
import type { OrgUnitService } from "../registry/org-unit-service.js";
import { ClassGroupRepository } from "./class-group-repository.js";
import type {
  ClassGroupCreateBody,
  ClassGroupFilter,
  ClassGroupOut,
  ClassGroupPatchBody,
} from "./class-group-schemas.js";
import type { CountCache } from "./count-cache.js";
import { type ClassGroupView, presentClassGroup } from "./presenters.js";
import { gradeIssue } from "./rules.js";

function check(issues: (FieldIssue | null)[]) {
  const real = issues.filter((i): i is FieldIssue => i !== null);
  if (real.length) throw invalid(real);
}

const stageFor = (grade: number, schoolType: string | null) =>
  stageOfGrade(grade, schoolType ? schoolTypeByCode.get(schoolType) : undefined);

const snapshot = (c: ClassGroupView) => ({
  id: c.id,
  schoolCode: c.school_code,
  schoolYear: c.school_year,
  grade: c.grade,
  name: c.name,
  homeroomStaffNumber: c.homeroom_staff_number,
});

/** Class groups (班级) of a school and school year: list, get, create, update, soft delete. */
export class ClassGroupService {
  private readonly repo: ClassGroupRepository;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly orgUnits: OrgUnitService,
    private readonly counts: CountCache,
    readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new ClassGroupRepository(db);
  }

  async list(
    actor: Actor,
    q: ClassGroupFilter & { page: number; pageSize: number },
  ): Promise<Page<ClassGroupOut>> {
    requirePermission(actor, "people.read");
    const { page, pageSize, ...filter } = q;
    const { rows, total } = await this.repo.list(
      filter,
      actor.scopePaths,
      pageSize,
      (page - 1) * pageSize,
      this.counts,
    );
    return {
      items: rows.map(presentClassGroup),
      page,
      pageSize,
      total: Math.min(total, COUNT_CAP),
      totalExact: total <= COUNT_CAP,
    };
  }

  async exportRows(actor: Actor, filter: ClassGroupFilter): Promise<AsyncIterable<ClassGroupOut>> {
    requirePermission(actor, "people.read");
    requirePermission(actor, "exchange.export");
    await recordAudit(this.db, actor, {
      action: "export",
      entity: "class_group",
      context: { filters: filter },
    });
    const repo = this.repo;
    return (async function* () {
      let after = 0;
      for (;;) {
        const rows = await repo.batchAfter(filter, actor.scopePaths, after, 2000);
        for (const r of rows) yield presentClassGroup(r);
        if (rows.length < 2000) return;
        after = rows[rows.length - 1].id;
      }
    })();
  }

  /** The change feed's rows: changed after `after`, soft-deleted ones included (deleted: true). */
  async changedSince(actor: Actor, after: FeedPosition, limit: number): Promise<FeedRow<ClassGroupOut>[]> {
    requirePermission(actor, "people.read");
    const rows = await this.repo.changedSince(actor.scopePaths, after, limit);
    return rows.map((r) => ({
      id: r.id,
      key: String(r.id),
      updatedAt: r.feed_ts,
      deleted: r.deleted_at !== null,
      mergedInto: null,
      data: presentClassGroup(r),
    }));
  }

  async get(actor: Actor, id: number) {
    requirePermission(actor, "people.read");
    const c = await this.repo.find(id, actor.scopePaths);
    if (!c) throw notFound(`班级 ${id} `);
    return presentClassGroup(c);
  }

  async create(actor: Actor, body: ClassGroupCreateBody) {
    requirePermission(actor, "people.write");
    const school = await this.orgUnits.schoolInScope(actor, body.schoolCode);
    check([
      school.current ? null : { field: "schoolCode", message: `${school.name} 已撤并或关闭，不能新增班级` },
      gradeIssue(body.grade, school.schoolType),
    ]);
    const created = await this.db.transaction().execute(async (tx) => {
      const repo = new ClassGroupRepository(tx);
      await this.checkHomeroom(repo, body.homeroomStaffNumber, school.id);
      const existing = await repo.findByName(school.id, body.schoolYear, body.name);
      if (existing && existing.deleted_at === null)
        throw new AppError("CONFLICT", `${school.name} ${body.schoolYear}学年已有班级“${body.name}”`);
      const fields = {
        stage: stageFor(body.grade, school.schoolType),
        grade: body.grade,
        homeroom_staff_number: body.homeroomStaffNumber ?? null,
      };
      // The name of a deleted class is taken by its row (unique per school and year): reuse it.
      let id: number;
      if (existing) {
        await repo.update(existing.id, { ...fields, deleted_at: null });
        id = existing.id;
      } else
        id = await repo.insert({
          ...fields,
          school_id: school.id,
          org_path: school.path,
          county_code: school.countyCode,
          school_year: body.schoolYear,
          name: body.name,
        });
      const c = (await repo.find(id, ["/"]))!;
      await recordAudit(tx, actor, {
        action: "create",
        entity: "class_group",
        entityKey: String(c.id),
        orgPath: c.org_path,
        after: snapshot(c),
      });
      return c;
    });
    this.counts.clear();
    dataEvents.changed("people");
    return presentClassGroup(created);
  }

  async update(actor: Actor, id: number, body: ClassGroupPatchBody) {
    requirePermission(actor, "people.write");
    const updated = await this.db.transaction().execute(async (tx) => {
      const repo = new ClassGroupRepository(tx);
      const c = await repo.find(id, actor.scopePaths, true);
      if (!c) throw notFound(`班级 ${id} `);
      const grade = body.grade ?? c.grade;
      check([body.grade === undefined ? null : gradeIssue(grade, c.school_type)]);
      if (body.homeroomStaffNumber) await this.checkHomeroom(repo, body.homeroomStaffNumber, c.school_id);
      if (body.name && body.name !== c.name) {
        const clash = await repo.findByName(c.school_id, c.school_year, body.name);
        if (clash)
          throw new AppError("CONFLICT", `${c.school_name} ${c.school_year}学年已有班级“${body.name}”`);
      }
      await repo.update(c.id, {
        name: body.name ?? c.name,
        grade,
        stage: stageFor(grade, c.school_type),
        homeroom_staff_number:
          body.homeroomStaffNumber === undefined ? c.homeroom_staff_number : body.homeroomStaffNumber,
      });
      const after = (await repo.find(c.id, ["/"]))!;
      await recordAudit(tx, actor, {
        action: "update",
        entity: "class_group",
        entityKey: String(c.id),
        orgPath: c.org_path,
        before: snapshot(c),
        after: snapshot(after),
      });
      return after;
    });
    this.counts.clear();
    dataEvents.changed("people");
    return presentClassGroup(updated);
  }

  /** Soft delete, refused while students are still assigned to the class. */
  async remove(actor: Actor, id: number) {
    requirePermission(actor, "people.write");
    await this.db.transaction().execute(async (tx) => {
      const repo = new ClassGroupRepository(tx);
      const c = await repo.find(id, actor.scopePaths, true);
      if (!c) throw notFound(`班级 ${id} `);
      const n = await repo.studentsIn(c.id);
      if (n > 0) throw new AppError("CONFLICT", `班级“${c.name}”中还有${n}名学生，请先调整学生的班级`);
      await repo.update(c.id, { deleted_at: new Date() });
      await recordAudit(tx, actor, {
        action: "delete",
        entity: "class_group",
        entityKey: String(c.id),
        orgPath: c.org_path,
        before: snapshot(c),
      });
    });
    this.counts.clear();
    dataEvents.changed("people");
  }

  private async checkHomeroom(repo: ClassGroupRepository, staffNumber: string | undefined, schoolId: number) {
    if (staffNumber && !(await repo.activeStaffOfSchool(staffNumber, schoolId)))
      throw invalid([{ field: "homeroomStaffNumber", message: `工号 ${staffNumber} 不是本校在职教职工` }]);
  }
}
