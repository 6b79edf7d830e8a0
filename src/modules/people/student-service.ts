import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import { type Actor, can, requirePermission } from "../../shared/actor.js";
import { dataEvents } from "../../shared/data-events.js";
import { AppError, type FieldIssue, invalid, notFound } from "../../shared/errors.js";
import { COUNT_CAP, type Page } from "../../shared/paging.js";
import { recordAudit } from "../audit/record.js";
import { todayInChina } from "../registry/calendar.js";
import { enrolmentStatusLabels, schoolTypeByCode, stageOfGrade } from "../registry/codes.js";
import type { FeedPosition, FeedRow } from "../registry/feed-sql.js";
import type { OrgDirectory } from "../registry/org-directory.js";
import type { OrgUnitService, SchoolPlaceWithType } from "../registry/org-unit-service.js";
import type { CountCache } from "./count-cache.js";
import { presentStudent, type StudentView, studentSnapshot } from "./presenters.js";
import { checkIdentity, gradeIssue, personNumberIssue } from "./rules.js";
import { StudentRepository } from "./student-repository.js";
import type {
  StudentCreateBody,
  StudentFilter,
  StudentOut,
  StudentPatchBody,
  StudentStatusBody,
} from "./student-schemas.js";

function check(issues: (FieldIssue | null)[]) {
  const real = issues.filter((i): i is FieldIssue => i !== null);
  if (real.length) throw invalid(real);
}

const stageFor = (grade: number, school: { schoolType: string | null }) =>
  stageOfGrade(grade, school.schoolType ? schoolTypeByCode.get(school.schoolType) : undefined);

/**
 * Students (学生): scoped lists and searches, the full record (audited read), create, correct, change
 * enrolment status with history (incl. 转学 to a school in scope), soft delete.
 */
export class StudentService {
  private readonly repo: StudentRepository;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly orgUnits: OrgUnitService,
    private readonly counts: CountCache,
    private readonly directory: OrgDirectory,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new StudentRepository(db);
  }

  async list(actor: Actor, q: StudentFilter & { page: number; pageSize: number }): Promise<Page<StudentOut>> {
    requirePermission(actor, "people.read");
    const { page, pageSize, ...filter } = q;
    const { rows, total } = await this.repo.list(
      filter,
      actor.scopePaths,
      pageSize,
      (page - 1) * pageSize,
      this.counts,
      this.directory,
    );
    const pii = can(actor, "people.pii");
    return {
      items: rows.map((r) => presentStudent(r, pii)),
      page,
      pageSize,
      total: Math.min(total, COUNT_CAP),
      totalExact: total <= COUNT_CAP,
    };
  }

  /** Every matching student for the xlsx export, in keyset batches; the export itself is audited. */
  async exportRows(actor: Actor, filter: StudentFilter): Promise<AsyncIterable<StudentOut>> {
    requirePermission(actor, "people.read");
    requirePermission(actor, "exchange.export");
    const pii = can(actor, "people.pii");
    await recordAudit(this.db, actor, {
      action: "export",
      entity: "student",
      context: { filters: filter, pii },
    });
    const repo = this.repo;
    return (async function* () {
      let after: [string, string] = ["", ""];
      for (;;) {
        const rows = await repo.batchAfter(filter, actor.scopePaths, after, 2000);
        for (const r of rows) yield presentStudent(r, pii);
        if (rows.length < 2000) return;
        const last = rows[rows.length - 1];
        after = [last.org_path, last.student_number];
      }
    })();
  }

  /** The change feed's rows: changed after `after`, soft-deleted ones included (deleted: true). */
  async changedSince(actor: Actor, after: FeedPosition, limit: number): Promise<FeedRow<StudentOut>[]> {
    requirePermission(actor, "people.read");
    const pii = can(actor, "people.pii");
    const rows = await this.repo.changedSince(actor.scopePaths, after, limit);
    return rows.map((r) => ({
      id: r.id,
      key: r.student_number,
      updatedAt: r.feed_ts,
      deleted: r.deleted_at !== null,
      mergedInto: null,
      data: presentStudent(r, pii),
    }));
  }

  /** The full record. Each read is audited; the ID number is shown in full only with people.pii. */
  async get(actor: Actor, studentNumber: string) {
    requirePermission(actor, "people.read");
    const s = await this.visible(actor, studentNumber);
    const pii = can(actor, "people.pii");
    await recordAudit(this.db, actor, {
      action: "read",
      entity: "student",
      entityKey: s.student_number,
      orgPath: s.org_path,
      context: { residentIdShown: pii },
    });
    return presentStudent(s, pii);
  }

  async history(actor: Actor, studentNumber: string) {
    requirePermission(actor, "people.read");
    const s = await this.visible(actor, studentNumber);
    const rows = await this.repo.history(s.id);
    return {
      items: rows.map((h) => ({
        status: h.status,
        statusLabel: enrolmentStatusLabels[h.status],
        schoolCode: h.school_code,
        schoolName: h.school_name,
        effectiveOn: h.effective_on,
        note: h.note,
        recordedAt: new Date(h.recorded_at).toISOString(),
        recordedBy: h.recorded_by,
      })),
    };
  }

  async create(actor: Actor, body: StudentCreateBody) {
    requirePermission(actor, "people.write");
    const today = todayInChina(this.now());
    const school = await this.orgUnits.schoolInScope(actor, body.schoolCode);
    const { identity, issues } = checkIdentity(body, today, { birthDate: true });
    check([
      personNumberIssue("studentNumber", "学籍号", body.studentNumber),
      ...issues,
      school.current ? null : { field: "schoolCode", message: `${school.name} 已撤并或关闭，不能新增学生` },
      gradeIssue(body.grade, school.schoolType),
    ]);
    const status = body.status ?? "enrolled";
    const result = await this.db.transaction().execute(async (tx) => {
      const repo = new StudentRepository(tx);
      const taken = await repo.numberTaken(body.studentNumber);
      if (taken)
        throw new AppError(
          "CONFLICT",
          `学籍号 ${body.studentNumber} 已存在${taken.deleted ? "（该记录已删除，请联系上级管理员恢复）" : ""}`,
        );
      await this.checkClassGroup(repo, body.classGroupId, school);
      const id = await repo.insert({
        student_number: body.studentNumber,
        name: body.name,
        gender: identity.gender!,
        resident_id: identity.residentId,
        birth_date: identity.birthDate!,
        school_id: school.id,
        org_path: school.path,
        county_code: school.countyCode,
        stage: stageFor(body.grade, school),
        grade: body.grade,
        class_group_id: body.classGroupId ?? null,
        status,
        enrolled_on: body.enrolledOn ?? null,
      });
      await repo.insertHistory([
        {
          student_id: id,
          status,
          school_id: school.id,
          effective_on: body.enrolledOn ?? today,
          note: "建档",
          recorded_by: actor.name,
        },
      ]);
      const created = (await repo.find(body.studentNumber, ["/"]))!;
      await recordAudit(tx, actor, {
        action: "create",
        entity: "student",
        entityKey: created.student_number,
        orgPath: created.org_path,
        after: studentSnapshot(created),
      });
      return created;
    });
    this.counts.clear();
    dataEvents.changed("people", { schoolIds: [result.school_id] });
    return presentStudent(result, can(actor, "people.pii"));
  }

  async update(actor: Actor, studentNumber: string, body: StudentPatchBody) {
    requirePermission(actor, "people.write");
    const today = todayInChina(this.now());
    const left: number[] = []; // the school a person is moved from (or removed at)
    const result = await this.db.transaction().execute(async (tx) => {
      const repo = new StudentRepository(tx);
      const s = await this.lockVisible(repo, actor, studentNumber);
      left.push(s.school_id);
      const school = await this.orgUnits.schoolInScope(actor, s.school_code, tx);
      const residentId = body.residentId === undefined ? s.resident_id : body.residentId;
      // Re-check identity as a whole: a new ID must agree with the birth date and gender kept.
      const { identity, issues } = checkIdentity(
        {
          residentId,
          birthDate: body.birthDate ?? (body.residentId ? undefined : s.birth_date),
          gender: body.gender ?? (body.residentId ? undefined : s.gender),
        },
        today,
        { birthDate: true },
      );
      const grade = body.grade ?? s.grade;
      check([...issues, body.grade === undefined ? null : gradeIssue(grade, school.schoolType)]);
      if (body.classGroupId) await this.checkClassGroup(repo, body.classGroupId, school);
      await repo.update(s.id, {
        name: body.name ?? s.name,
        gender: identity.gender!,
        resident_id: identity.residentId,
        birth_date: identity.birthDate!,
        grade,
        stage: stageFor(grade, school),
        class_group_id: body.classGroupId === undefined ? s.class_group_id : body.classGroupId,
        enrolled_on: body.enrolledOn === undefined ? s.enrolled_on : body.enrolledOn,
      });
      const after = (await repo.find(s.student_number, ["/"]))!;
      await recordAudit(tx, actor, {
        action: "update",
        entity: "student",
        entityKey: s.student_number,
        orgPath: s.org_path,
        before: studentSnapshot(s),
        after: studentSnapshot(after),
      });
      return after;
    });
    this.counts.clear();
    dataEvents.changed("people", { schoolIds: [...left, result.school_id] });
    return presentStudent(result, can(actor, "people.pii"));
  }

  /**
   * Changes the enrolment status from a date, with a history row. 转学 with toSchoolCode moves the
   * student to that school (which must be in the actor's scope: a transfer between counties is made
   * by the city) and records 转出 at the old school and 在读 at the new one.
   */
  async changeStatus(actor: Actor, studentNumber: string, body: StudentStatusBody) {
    requirePermission(actor, "people.write");
    const today = todayInChina(this.now());
    const left: number[] = []; // the school a person is moved from (or removed at)
    const result = await this.db.transaction().execute(async (tx) => {
      const repo = new StudentRepository(tx);
      const s = await this.lockVisible(repo, actor, studentNumber);
      left.push(s.school_id);
      const last = await repo.lastStatusDate(s.id);
      const issues: (FieldIssue | null)[] = [
        body.effectiveOn > today ? { field: "effectiveOn", message: "生效日期不能晚于今天" } : null,
        last && body.effectiveOn < last
          ? { field: "effectiveOn", message: `生效日期不能早于上一次学籍变动（${last}）` }
          : null,
        // A student who has left (毕业, 转出) can only come back on the roll (复学, 转回).
        (s.status === "graduated" || s.status === "transferred") && body.status !== "enrolled"
          ? { field: "status", message: `该生已${enrolmentStatusLabels[s.status]}，只能改为在读` }
          : null,
      ];
      const history = [];
      const note = body.note ?? null;
      if (body.toSchoolCode) {
        if (body.status !== "transferred")
          throw invalid([{ field: "toSchoolCode", message: "只有转学才能填写转入学校" }]);
        const to = await this.orgUnits.schoolInScope(actor, body.toSchoolCode, tx);
        check([
          ...issues,
          to.id === s.school_id ? { field: "toSchoolCode", message: "转入学校与当前学校相同" } : null,
          to.current ? null : { field: "toSchoolCode", message: `${to.name} 已撤并或关闭` },
          gradeIssue(s.grade, to.schoolType),
        ]);
        history.push(
          { status: "transferred" as const, school_id: s.school_id, note: note ?? `转出至${to.name}` },
          { status: "enrolled" as const, school_id: to.id, note: note ?? `由${s.school_name}转入` },
        );
        await repo.update(s.id, {
          status: "enrolled",
          school_id: to.id,
          org_path: to.path,
          county_code: to.countyCode,
          stage: stageFor(s.grade, to),
          class_group_id: null,
        });
      } else {
        check([
          ...issues,
          body.status === s.status
            ? { field: "status", message: `学籍状态已是“${enrolmentStatusLabels[s.status]}”` }
            : null,
        ]);
        history.push({ status: body.status, school_id: s.school_id, note });
        await repo.update(s.id, { status: body.status });
      }
      await repo.insertHistory(
        history.map((h) => ({
          ...h,
          student_id: s.id,
          effective_on: body.effectiveOn,
          recorded_by: actor.name,
        })),
      );
      const after = (await repo.find(s.student_number, ["/"]))!;
      await recordAudit(tx, actor, {
        action: "status",
        entity: "student",
        entityKey: s.student_number,
        orgPath: s.org_path,
        before: studentSnapshot(s),
        after: studentSnapshot(after),
        context: { effectiveOn: body.effectiveOn, note: body.note },
      });
      return after;
    });
    this.counts.clear();
    dataEvents.changed("people", { schoolIds: [...left, result.school_id] });
    return presentStudent(result, can(actor, "people.pii"));
  }

  /** Soft delete: the row stays (history, the change feed reports it deleted). */
  async remove(actor: Actor, studentNumber: string) {
    requirePermission(actor, "people.write");
    const left: number[] = []; // the school a person is moved from (or removed at)
    await this.db.transaction().execute(async (tx) => {
      const repo = new StudentRepository(tx);
      const s = await this.lockVisible(repo, actor, studentNumber);
      left.push(s.school_id);
      await repo.update(s.id, { deleted_at: new Date() });
      await recordAudit(tx, actor, {
        action: "delete",
        entity: "student",
        entityKey: s.student_number,
        orgPath: s.org_path,
        before: studentSnapshot(s),
      });
    });
    this.counts.clear();
    dataEvents.changed("people", { schoolIds: left });
  }

  private async visible(actor: Actor, studentNumber: string) {
    const s = await this.repo.find(studentNumber.trim().toUpperCase(), actor.scopePaths);
    if (!s) throw notFound(`学籍号 ${studentNumber} 的学生`);
    return s;
  }

  private async lockVisible(
    repo: StudentRepository,
    actor: Actor,
    studentNumber: string,
  ): Promise<StudentView> {
    const s = await repo.find(studentNumber.trim().toUpperCase(), actor.scopePaths, true);
    if (!s) throw notFound(`学籍号 ${studentNumber} 的学生`);
    return s;
  }

  private async checkClassGroup(
    repo: StudentRepository,
    classGroupId: number | undefined,
    school: SchoolPlaceWithType,
  ) {
    if (classGroupId === undefined) return;
    if (!(await repo.classGroupInSchool(classGroupId, school.id)))
      throw invalid([
        { field: "classGroupId", message: `班级 ${classGroupId} 不存在或不属于${school.name}` },
      ]);
  }
}
