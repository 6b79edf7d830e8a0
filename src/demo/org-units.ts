import type { DemoOrgUnit, DemoOrgUnitVersion } from "./model.js";
import { countyShortName } from "./places.js";
import type { PlannedSchool } from "./plan-schools.js";

/** The demo city: 吕梁市, GB/T 2260 code 141100. */
export const CITY = { code: "141100", name: "吕梁市" };

/**
 * The bureau's own departments (科室), org units of kind 'department' under the city. Codes are the
 * demo's convention: the city code, "D", a 2-digit number. Other modules (the plan's lead
 * departments, case routing) may refer to them by these codes.
 */
export const demoDepartments = [
  { code: "141100D01", name: "吕梁市教育局办公室", shortName: "办公室" },
  { code: "141100D02", name: "吕梁市教育局基础教育科", shortName: "基教科" },
  { code: "141100D03", name: "吕梁市教育局学前教育科", shortName: "学前科" },
  { code: "141100D04", name: "吕梁市人民政府教育督导室", shortName: "督导室" },
  { code: "141100D05", name: "吕梁市教育局安全稳定科", shortName: "安全科" },
  { code: "141100D06", name: "吕梁市教育局教学研究室", shortName: "教研室" },
  { code: "141100D07", name: "吕梁市纪委监委驻市教育局纪检监察组", shortName: "纪检组" },
  { code: "141100D08", name: "吕梁市招生考试中心", shortName: "考试中心" },
  { code: "141100D09", name: "吕梁市教育局人事科", shortName: "人事科" },
  { code: "141100D10", name: "吕梁市教育局计划财务科", shortName: "计财科" },
  { code: "141100D11", name: "吕梁市教育局职业教育与成人教育科", shortName: "职成科" },
  { code: "141100D12", name: "吕梁市教育局体育卫生与艺术教育科", shortName: "体卫艺科" },
  { code: "141100D13", name: "吕梁市电化教育馆", shortName: "电教馆" },
  { code: "141100D14", name: "吕梁市教育局校外教育培训监管科", shortName: "校外培训科" },
];

/** Each county bureau's 教研室, where the county's 教研员 work: county code + "D01". */
export function countyResearchOfficeCode(countyCode: string): string {
  return `${countyCode}D01`;
}

/** The city and counties existed before any school in the demo; their records start here. */
const TREE_FROM = "1949-10-01";

export function unit(
  u: Partial<DemoOrgUnit> & Pick<DemoOrgUnit, "id" | "code" | "kind" | "name" | "path">,
): DemoOrgUnit {
  return {
    shortName: null,
    parentId: null,
    countyCode: null,
    schoolType: null,
    ownership: null,
    inclusive: null,
    urbanRural: null,
    boarding: null,
    address: null,
    lng: null,
    lat: null,
    validFrom: TREE_FROM,
    validTo: null,
    successorId: null,
    endReason: null,
    ...u,
  };
}

export function schoolUnit(
  id: number,
  s: PlannedSchool,
  parent: DemoOrgUnit,
  successorId: number | null,
): DemoOrgUnit {
  return unit({
    id,
    code: s.code,
    kind: "school",
    name: s.name,
    shortName: s.name.startsWith(s.county.name) ? s.name.slice(s.county.name.length) : null,
    parentId: parent.id,
    path: `${parent.path}${s.code}/`,
    countyCode: s.county.code,
    schoolType: s.type.code,
    ownership: s.ownership,
    inclusive: s.inclusive,
    urbanRural: s.area,
    boarding: s.boarding,
    address: s.address,
    lng: s.point[0],
    lat: s.point[1],
    validFrom: s.validFrom,
    validTo: s.ended?.validTo ?? null,
    successorId,
    endReason: s.ended?.reason ?? null,
  });
}

export function countyResearchOffice(id: number, county: DemoOrgUnit): DemoOrgUnit {
  const code = countyResearchOfficeCode(county.code);
  return unit({
    id,
    code,
    kind: "department",
    name: `${county.name}教学研究室`,
    shortName: `${countyShortName(county.name)}教研室`,
    parentId: county.id,
    path: `${county.path}${code}/`,
    countyCode: county.code,
  });
}

/**
 * The version rows of an org unit: one for most; a successor of mergers has a new version from each
 * day it took in merged schools' pupils (from the first of them on, it may board). A school
 * built in 2021 or 2022 says so in its first version.
 */
export function versionsOf(u: DemoOrgUnit, planned?: PlannedSchool): DemoOrgUnitVersion[] {
  const v: DemoOrgUnitVersion = {
    orgUnitId: u.id,
    validFrom: u.validFrom,
    validTo: u.validTo,
    name: u.name,
    parentId: u.parentId,
    path: u.path,
    schoolType: u.schoolType,
    ownership: u.ownership,
    inclusive: u.inclusive,
    urbanRural: u.urbanRural,
    boarding: u.boarding,
    successorId: u.successorId,
    endReason: u.endReason,
    note: planned?.opened ? "新建" : null,
  };
  const ended = planned?.ended;
  if (ended?.reason === "merged") return [{ ...v, note: `撤并，并入${ended.successor!.name}` }];
  if (ended?.reason === "closed") return [{ ...v, note: "关闭" }];
  const absorbed = planned?.absorbed;
  if (!absorbed) return [v];
  const days = [...new Set(absorbed.merges.map((m) => m.on))];
  const names = (on: string) =>
    absorbed.merges
      .filter((m) => m.on === on)
      .map((m) => m.predecessor.name)
      .join("、");
  const out: DemoOrgUnitVersion[] = [];
  let from = u.validFrom;
  let boarding: boolean | null = absorbed.boardingBefore;
  let note = v.note;
  // Merged schools taken in on the opening day: the new school was built for them.
  if (days[0] === u.validFrom) note = `新建，${names(days.shift()!)}撤并并入`;
  for (const on of days) {
    out.push({ ...v, validFrom: from, validTo: on, boarding, note });
    note = `${names(on)}撤并并入${!boarding && u.boarding ? "，改为寄宿制" : ""}`;
    boarding = u.boarding;
    from = on;
  }
  out.push({ ...v, validFrom: from, note });
  return out;
}
