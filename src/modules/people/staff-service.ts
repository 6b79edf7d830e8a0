import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import { type Actor, can, requirePermission } from "../../shared/actor.js";
import { dataEvents } from "../../shared/data-events.js";
import { AppError, type FieldIssue, invalid, notFound } from "../../shared/errors.js";
import { COUNT_CAP, type Page } from "../../shared/paging.js";
import { recordAudit } from "../audit/record.js";
import { todayInChina } from "../registry/calendar.js";
import { educationLevels, staffPosts, subjects, teacherTitles } from "../registry/codes.js";
import type { FeedPosition, FeedRow } from "../registry/feed-sql.js";
import type { OrgDirectory } from "../registry/org-directory.js";
import type { OrgUnitService } from "../registry/org-unit-service.js";
import type { CountCache } from "./count-cache.js";
import { presentStaff, staffSnapshot } from "./presenters.js";
import { checkIdentity, listIssue, personNumberIssue } from "./rules.js";
import { StaffRepository } from "./staff-repository.js";
import type { StaffCreateBody, StaffFilter, StaffOut, StaffPatchBody } from "./staff-schemas.js";

function check(issues: (FieldIssue | null)[]) {
  const real = issues.filter((i): i is FieldIssue => i !== null);
  if (real.length) throw invalid(real);
}

const unique = (xs: string[] | undefined) => (xs ? [...new Set(xs.filter((x) => x))] : undefined);

/** The code-list fields of a staff record, checked against codes.ts. */
function codeIssues(
  b: {
    posts?: string[];
    subjects?: string[];
    education?: string | null;
    title?: string | null;
    schoolStartDate?: string | null;
  },
  today: string,
): (FieldIssue | null)[] {
  return [
    b.posts ? listIssue("posts", "岗位", b.posts, staffPosts) : null,
    b.subjects ? listIssue("subjects", "任教学科", b.subjects, subjects) : null,
    b.education ? listIssue("education", "学历", [b.education], educationLevels) : null,
    b.title ? listIssue("title", "职称", [b.title], teacherTitles) : null,
    b.schoolStartDate && b.schoolStartDate > today
      ? { field: "schoolStartDate", message: "到校时间不能晚于今天" }
      : null,
  ];
}

/** Staff (教职工): scoped lists, audited full reads, create, update (incl. moving school), soft delete. */
export class StaffService {
  private readonly repo: StaffRepository;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly orgUnits: OrgUnitService,
    private readonly counts: CountCache,
    private readonly directory: OrgDirectory,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new StaffRepository(db);
  }

  async list(actor: Actor, q: StaffFilter & { page: number; pageSize: number }): Promise<Page<StaffOut>> {
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
      items: rows.map((r) => presentStaff(r, pii)),
      page,
      pageSize,
      total: Math.min(total, COUNT_CAP),
      totalExact: total <= COUNT_CAP,
    };
  }

  async exportRows(actor: Actor, filter: StaffFilter): Promise<AsyncIterable<StaffOut>> {
    requirePermission(actor, "people.read");
    requirePermission(actor, "exchange.export");
    const pii = can(actor, "people.pii");
    await recordAudit(this.db, actor, {
      action: "export",
      entity: "staff",
      context: { filters: filter, pii },
    });
    const repo = this.repo;
    return (async function* () {
      let after: [string, string] = ["", ""];
      for (;;) {
        const rows = await repo.batchAfter(filter, actor.scopePaths, after, 2000);
        for (const r of rows) yield presentStaff(r, pii);
        if (rows.length < 2000) return;
        const last = rows[rows.length - 1];
        after = [last.org_path, last.staff_number];
      }
    })();
  }

  /** The change feed's rows: changed after `after`, soft-deleted ones included (deleted: true). */
  async changedSince(actor: Actor, after: FeedPosition, limit: number): Promise<FeedRow<StaffOut>[]> {
    requirePermission(actor, "people.read");
    const pii = can(actor, "people.pii");
    const rows = await this.repo.changedSince(actor.scopePaths, after, limit);
    return rows.map((r) => ({
      id: r.id,
      key: r.staff_number,
      updatedAt: r.feed_ts,
      deleted: r.deleted_at !== null,
      mergedInto: null,
      data: presentStaff(r, pii),
    }));
  }

  /** The full record; each read is audited. */
  async get(actor: Actor, staffNumber: string) {
    requirePermission(actor, "people.read");
    const s = await this.repo.find(staffNumber.trim().toUpperCase(), actor.scopePaths);
    if (!s) throw notFound(`工号 ${staffNumber} 的教职工`);
    const pii = can(actor, "people.pii");
    await recordAudit(this.db, actor, {
      action: "read",
      entity: "staff",
      entityKey: s.staff_number,
      orgPath: s.org_path,
      context: { residentIdShown: pii },
    });
    return presentStaff(s, pii);
  }

  async create(actor: Actor, body: StaffCreateBody) {
    requirePermission(actor, "people.write");
    const today = todayInChina(this.now());
    const school = await this.orgUnits.schoolInScope(actor, body.schoolCode);
    const { identity, issues } = checkIdentity(body, today, { birthDate: false });
    check([
      personNumberIssue("staffNumber", "工号", body.staffNumber),
      ...issues,
      ...codeIssues(body, today),
      school.current ? null : { field: "schoolCode", message: `${school.name} 已撤并或关闭，不能新增教职工` },
    ]);
    const result = await this.db.transaction().execute(async (tx) => {
      const repo = new StaffRepository(tx);
      const taken = await repo.numberTaken(body.staffNumber);
      if (taken)
        throw new AppError(
          "CONFLICT",
          `工号 ${body.staffNumber} 已存在${taken.deleted ? "（该记录已删除，请联系上级管理员恢复）" : ""}`,
        );
      await repo.insert({
        staff_number: body.staffNumber,
        name: body.name,
        gender: identity.gender!,
        resident_id: identity.residentId,
        birth_date: identity.birthDate,
        school_id: school.id,
        org_path: school.path,
        county_code: school.countyCode,
        posts: unique(body.posts) ?? [],
        subjects: unique(body.subjects) ?? [],
        education: body.education ?? null,
        title: body.title ?? null,
        key_level: body.keyLevel ?? null,
        teaching_certificate: body.teachingCertificate ?? null,
        school_start_date: body.schoolStartDate ?? null,
        status: body.status ?? "active",
      });
      const created = (await repo.find(body.staffNumber, ["/"]))!;
      await recordAudit(tx, actor, {
        action: "create",
        entity: "staff",
        entityKey: created.staff_number,
        orgPath: created.org_path,
        after: staffSnapshot(created),
      });
      return created;
    });
    this.counts.clear();
    dataEvents.changed("people", { schoolIds: [result.school_id] });
    return presentStaff(result, can(actor, "people.pii"));
  }

  /**
   * Updates a staff record. A new schoolCode moves the person to that school (in scope, current):
   * the start date at the school becomes today unless given, and the person stops being 班主任 of
   * the old school's classes; leaving or retiring does the same.
   */
  async update(actor: Actor, staffNumber: string, body: StaffPatchBody) {
    requirePermission(actor, "people.write");
    const today = todayInChina(this.now());
    const left: number[] = []; // the school a person is moved from (or removed at)
    const result = await this.db.transaction().execute(async (tx) => {
      const repo = new StaffRepository(tx);
      const s = await this.lockVisible(repo, actor, staffNumber);
      left.push(s.school_id);
      const residentId = body.residentId === undefined ? s.resident_id : body.residentId;
      const { identity, issues } = checkIdentity(
        {
          residentId,
          birthDate:
            body.birthDate === undefined ? (body.residentId ? undefined : s.birth_date) : body.birthDate,
          gender: body.gender ?? (body.residentId ? undefined : s.gender),
        },
        today,
        { birthDate: false },
      );
      check([...issues, ...codeIssues(body, today)]);
      const moving = body.schoolCode !== undefined && body.schoolCode.toUpperCase() !== s.school_code;
      const to = moving ? await this.orgUnits.schoolInScope(actor, body.schoolCode!, tx) : null;
      if (to && !to.current) throw invalid([{ field: "schoolCode", message: `${to.name} 已撤并或关闭` }]);
      const status = body.status ?? s.status;
      if (moving || status !== "active") await repo.clearHomeroom(s.staff_number, s.school_id);
      const pick = <T>(v: T | undefined, old: T) => (v === undefined ? old : v);
      await repo.update(s.id, {
        name: body.name ?? s.name,
        gender: identity.gender!,
        resident_id: identity.residentId,
        birth_date: identity.birthDate,
        posts: unique(body.posts) ?? s.posts,
        subjects: unique(body.subjects) ?? s.subjects,
        education: pick(body.education, s.education),
        title: pick(body.title, s.title),
        key_level: pick(body.keyLevel, s.key_level),
        teaching_certificate: pick(body.teachingCertificate, s.teaching_certificate),
        school_start_date: pick(body.schoolStartDate, to ? today : s.school_start_date),
        status,
        ...(to ? { school_id: to.id, org_path: to.path, county_code: to.countyCode } : {}),
      });
      const after = (await repo.find(s.staff_number, ["/"]))!;
      await recordAudit(tx, actor, {
        action: "update",
        entity: "staff",
        entityKey: s.staff_number,
        orgPath: s.org_path,
        before: staffSnapshot(s),
        after: staffSnapshot(after),
      });
      return after;
    });
    this.counts.clear();
    dataEvents.changed("people", { schoolIds: [...left, result.school_id] });
    return presentStaff(result, can(actor, "people.pii"));
  }

  async remove(actor: Actor, staffNumber: string) {
    requirePermission(actor, "people.write");
    const left: number[] = []; // the school a person is moved from (or removed at)
    await this.db.transaction().execute(async (tx) => {
      const repo = new StaffRepository(tx);
      const s = await this.lockVisible(repo, actor, staffNumber);
      left.push(s.school_id);
      await repo.clearHomeroom(s.staff_number, s.school_id);
      await repo.update(s.id, { deleted_at: new Date() });
      await recordAudit(tx, actor, {
        action: "delete",
        entity: "staff",
        entityKey: s.staff_number,
        orgPath: s.org_path,
        before: staffSnapshot(s),
      });
    });
    this.counts.clear();
    dataEvents.changed("people", { schoolIds: left });
  }

  private async lockVisible(repo: StaffRepository, actor: Actor, staffNumber: string) {
    const s = await repo.find(staffNumber.trim().toUpperCase(), actor.scopePaths, true);
    if (!s) throw notFound(`工号 ${staffNumber} 的教职工`);
    return s;
  }
}
