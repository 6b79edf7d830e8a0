import type { Kysely, Updateable } from "kysely";
import type { DB, OrgUnitTable } from "../../db/types.js";
import { type Actor, requirePermission } from "../../shared/actor.js";
import { AppError, type FieldIssue, invalid, notFound } from "../../shared/errors.js";
import { recordAudit } from "../audit/record.js";
import { todayInChina } from "./calendar.js";
import { check, inTransaction, lockForChange, pickVersion } from "./change-support.js";
import { findSchoolType } from "./codes.js";
import type { OrgDirectory } from "./org-directory.js";
import { OrgUnitRepository } from "./org-unit-repository.js";
import { type OrgUnitView, orgUnitSnapshot, presentOrgUnit } from "./presenters.js";
import {
  coordinateIssues,
  DEPARTMENT_CODE_PATTERN,
  gradeFitsSchoolType,
  KINDERGARTEN_TYPE,
  SCHOOL_CODE_PATTERN,
  schoolAttributeIssues,
} from "./rules.js";
import type { OrgUnitCreateBody, OrgUnitPatchBody } from "./schemas.js";
import type { SchoolMembers } from "./school-members.js";

const versioned = ["name", "school_type", "ownership", "inclusive", "urban_rural", "boarding"] as const;

/**
 * Changes to the org registry: create, and change attributes from a date (merger and closure are in
 * org-unit-endings.ts). The past is never rewritten: a change ends the open version and starts a
 * new one. Each change runs in one transaction with its audit row.
 */
export class OrgUnitChanges {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly members: SchoolMembers,
    private readonly directory: OrgDirectory,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private today() {
    return todayInChina(this.now());
  }

  async create(actor: Actor, body: OrgUnitCreateBody) {
    requirePermission(actor, "registry.write");
    const today = this.today();
    const issues: FieldIssue[] = [];
    const isSchool = body.kind === "school";
    if (isSchool && !SCHOOL_CODE_PATTERN.test(body.code))
      issues.push({ field: "code", message: "学校标识码应为10位数字" });
    if (!isSchool && !DEPARTMENT_CODE_PATTERN.test(body.code))
      issues.push({ field: "code", message: "科室代码只能包含大写字母、数字和短横线，2-20位" });
    const schoolType = body.schoolType ? findSchoolType(body.schoolType) : undefined;
    if (isSchool) {
      issues.push(
        ...schoolAttributeIssues({
          schoolType: body.schoolType ? (schoolType?.code ?? body.schoolType) : null,
          ownership: body.ownership ?? null,
          inclusive: body.inclusive ?? null,
          urbanRural: body.urbanRural ?? null,
        }),
      );
    } else if (
      body.schoolType ||
      body.ownership ||
      body.inclusive != null ||
      body.urbanRural ||
      body.boarding != null
    )
      issues.push({ field: "schoolType", message: "科室不填写办学类型、举办者等学校属性" });
    issues.push(...coordinateIssues(body.lng, body.lat));
    const validFrom = body.validFrom ?? today;
    if (validFrom > today) issues.push({ field: "validFrom", message: "成立日期不能晚于今天" });
    check(issues);

    return inTransaction(this.db, this.directory, async (tx) => {
      const repo = new OrgUnitRepository(tx);
      const parent = await repo.findByCode(body.parentCode.toUpperCase(), actor.scopePaths);
      if (!parent) throw notFound(`上级机构 ${body.parentCode} `);
      const countyCode = await this.countyOf(repo, parent, body.countyCode, isSchool);
      check(this.parentIssues(parent, validFrom));
      if (await repo.codeExists(body.code)) throw new AppError("CONFLICT", `机构代码 ${body.code} 已存在`);
      const ownership = isSchool ? (body.ownership ?? null) : null;
      const row = {
        code: body.code,
        kind: body.kind,
        name: body.name,
        short_name: body.shortName ?? null,
        parent_id: parent.id,
        path: `${parent.path}${body.code}/`,
        county_code: countyCode,
        school_type: schoolType?.code ?? null,
        ownership,
        // A private kindergarten is not 普惠 until recognised; the flag means nothing elsewhere.
        inclusive:
          schoolType?.code === KINDERGARTEN_TYPE && ownership === "private"
            ? (body.inclusive ?? false)
            : null,
        urban_rural: isSchool ? (body.urbanRural ?? null) : null,
        boarding: isSchool ? (body.boarding ?? false) : null,
        address: body.address ?? null,
        lng: body.lng ?? null,
        lat: body.lat ?? null,
        valid_from: validFrom,
      };
      const { id } = await repo.insert(row);
      await repo.insertVersion({ org_unit_id: id, ...pickVersion(row), valid_from: validFrom, note: "新建" });
      const created = (await repo.findByCode(body.code, ["/"]))!;
      await recordAudit(tx, actor, {
        action: "create",
        entity: "org_unit",
        entityKey: created.code,
        orgPath: created.path,
        after: orgUnitSnapshot(created),
      });
      return presentOrgUnit(created, today);
    });
  }

  /** The county code of a new unit: its parent's, or for a 市直 school the county it lies in. */
  private async countyOf(
    repo: OrgUnitRepository,
    parent: OrgUnitView,
    given: string | undefined,
    isSchool: boolean,
  ) {
    if (parent.kind !== "city") {
      if (given && given !== parent.county_code)
        throw invalid([{ field: "countyCode", message: `所在县应与上级机构一致（${parent.county_code}）` }]);
      return parent.county_code;
    }
    if (!given) {
      if (isSchool) throw invalid([{ field: "countyCode", message: "市直学校须填写所在县（市、区）代码" }]);
      return null;
    }
    const county = await repo.findByCode(given, ["/"]);
    if (county?.kind !== "county")
      throw invalid([{ field: "countyCode", message: `县（市、区）代码 ${given} 不存在` }]);
    return county.code;
  }

  private parentIssues(parent: OrgUnitView, validFrom: string): FieldIssue[] {
    const issues: FieldIssue[] = [];
    if (parent.kind !== "city" && parent.kind !== "county")
      issues.push({ field: "parentCode", message: "学校和科室只能设在市或县（市、区）之下" });
    if (parent.valid_to !== null)
      issues.push({ field: "parentCode", message: `上级机构 ${parent.name} 已撤并或关闭` });
    if (validFrom < parent.valid_from)
      issues.push({
        field: "validFrom",
        message: `成立日期不能早于上级机构的成立日期（${parent.valid_from}）`,
      });
    return issues;
  }

  async patch(actor: Actor, code: string, body: OrgUnitPatchBody) {
    requirePermission(actor, "registry.write");
    const today = this.today();
    return inTransaction(this.db, this.directory, async (tx) => {
      const repo = new OrgUnitRepository(tx);
      const unit = await lockForChange(repo, actor, code);
      const isSchool = unit.kind === "school";
      const schoolType = body.schoolType === undefined ? undefined : findSchoolType(body.schoolType);
      if (body.schoolType !== undefined && !schoolType)
        throw invalid([
          { field: "schoolType", message: `办学类型 ${body.schoolType} 不在 JY/T 1001 代码表中` },
        ]);
      const next = {
        name: body.name ?? unit.name,
        school_type: schoolType?.code ?? unit.school_type,
        ownership: body.ownership ?? unit.ownership,
        inclusive: body.inclusive === undefined ? unit.inclusive : body.inclusive,
        urban_rural: body.urbanRural ?? unit.urban_rural,
        boarding: body.boarding ?? unit.boarding,
      };
      const issues: FieldIssue[] = [];
      if (isSchool) {
        if (next.school_type === KINDERGARTEN_TYPE && next.ownership === "private" && next.inclusive === null)
          next.inclusive = false;
        if (
          !(next.school_type === KINDERGARTEN_TYPE && next.ownership === "private") &&
          next.inclusive === false
        )
          next.inclusive = null;
        issues.push(
          ...schoolAttributeIssues({
            schoolType: next.school_type,
            ownership: next.ownership,
            inclusive: next.inclusive,
            urbanRural: next.urban_rural,
          }),
        );
      } else if (
        body.schoolType ||
        body.ownership ||
        body.inclusive != null ||
        body.urbanRural ||
        body.boarding != null
      )
        issues.push({ field: "schoolType", message: "只有学校才有办学类型、举办者等属性" });
      const lng = body.lng === undefined ? unit.lng : body.lng;
      const lat = body.lat === undefined ? unit.lat : body.lat;
      issues.push(...coordinateIssues(lng, lat));
      const effectiveFrom = body.effectiveFrom ?? today;
      if (effectiveFrom > today) issues.push({ field: "effectiveFrom", message: "生效日期不能晚于今天" });
      check(issues);

      const changed = versioned.filter((k) => next[k] !== unit[k]);
      const set: Updateable<OrgUnitTable> = {
        ...Object.fromEntries(changed.map((k) => [k, next[k]])),
        ...(body.shortName !== undefined ? { short_name: body.shortName } : {}),
        ...(body.address !== undefined ? { address: body.address } : {}),
        lng,
        lat,
      };
      const unchanged =
        changed.length === 0 &&
        (body.shortName === undefined || body.shortName === unit.short_name) &&
        (body.address === undefined || body.address === unit.address) &&
        lng === unit.lng &&
        lat === unit.lat;
      if (unchanged) return presentOrgUnit(unit, today);
      if (changed.includes("school_type")) await this.checkGradesFit(tx, unit, next.school_type);
      if (changed.length)
        await this.newVersion(
          repo,
          unit,
          { ...next, parent_id: unit.parent_id, path: unit.path },
          effectiveFrom,
          body.note,
        );
      await repo.updateUnit(unit.id, set);
      const after = (await repo.findByCode(unit.code, ["/"]))!;
      await recordAudit(tx, actor, {
        action: "update",
        entity: "org_unit",
        entityKey: unit.code,
        orgPath: unit.path,
        before: orgUnitSnapshot(unit),
        after: orgUnitSnapshot(after),
        context: { effectiveFrom: changed.length ? effectiveFrom : undefined, note: body.note },
      });
      return presentOrgUnit(after, today);
    });
  }

  /** Ends the open version the day before `from` and opens one with the new attributes. */
  private async newVersion(
    repo: OrgUnitRepository,
    unit: OrgUnitView,
    attrs: ReturnType<typeof pickVersion>,
    from: string,
    note: string | undefined,
  ) {
    const current = await repo.currentVersion(unit.id);
    if (!current) throw new AppError("CONFLICT", `机构 ${unit.code} 没有现行版本`);
    if (from < current.valid_from)
      throw invalid([
        { field: "effectiveFrom", message: `生效日期不能早于现行版本的生效日期（${current.valid_from}）` },
      ]);
    if (from === current.valid_from) {
      // A correction on the day the version began: that version has no past yet to keep.
      await repo.updateVersion(current.id, { ...attrs, note: note ?? current.note });
      return;
    }
    await repo.endVersion(current.id, { validTo: from });
    await repo.insertVersion({ org_unit_id: unit.id, ...attrs, valid_from: from, note: note ?? "变更" });
  }

  private async checkGradesFit(tx: Kysely<DB>, unit: OrgUnitView, schoolType: string | null) {
    const grades = await this.members.gradesInUse(tx, unit.path);
    const misfit = grades.filter((g) => !gradeFitsSchoolType(g, schoolType));
    if (misfit.length)
      throw new AppError(
        "CONFLICT",
        `该校仍有年级 ${misfit.join("、")} 的在读学生，与新的办学类型不符；请先调整学生年级`,
      );
  }
}
