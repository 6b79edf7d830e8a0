import { luliangCounties, stageOfGrade } from "../modules/registry/codes.js";
import { planEnrolment } from "./enrolment.js";
import type { CountyShape } from "./geo.js";
import type {
  DemoClassGroup,
  DemoOrgUnit,
  DemoOrgUnitVersion,
  DemoStaff,
  DemoStudentBatch,
} from "./model.js";
import { SCHOOL_YEAR } from "./model.js";
import { CITY, countyResearchOffice, demoDepartments, schoolUnit, unit, versionsOf } from "./org-units.js";
import { ResidentIdAllocator } from "./people.js";
import { countyProfiles } from "./places.js";
import { type PlannedSchool, planSchools } from "./plan-schools.js";
import { Random } from "./random.js";
import { markFamousTeachers, researchers, type StaffContext, schoolStaff } from "./staff.js";
import { type StudentSchool, studentBatches } from "./students.js";

export const DEFAULT_SEED = "lvliang-2022";

export interface DemoCityOptions {
  seed?: string;
  /**
   * Share of the city's schools to keep, in (0, 1]: 1 is the full city (~1,500 schools, ~550,000
   * students); 0.02 keeps every 50th school or so, for tests. The schools kept are the same schools,
   * with the same codes, names and sizes, as in the full city.
   */
  scale?: number;
  /** County boundaries (geo.ts loadCountyShapes): the generator itself reads no file. */
  shapes: CountyShape[];
}

export interface DemoCity {
  seed: string;
  scale: number;
  orgUnits: DemoOrgUnit[];
  orgUnitVersions: DemoOrgUnitVersion[];
  classGroups: DemoClassGroup[];
  staff: DemoStaff[];
  /** How many students `students()` yields. */
  studentCount: number;
  /** The students, school by school; each call starts the same stream afresh. */
  students(): Generator<DemoStudentBatch>;
}

/** The school whose admin and teacher are demo accounts: 离石区's largest primary school. */
export const DEMO_SCHOOL_CODE = "1411020001";

/**
 * Generates the demo city: pure and deterministic (the same seed and scale give the same city,
 * byte for byte), no I/O. Org units, versions, classes and staff are returned whole (some 60,000
 * rows); students are streamed.
 */
export function generateDemoCity(options: DemoCityOptions): DemoCity {
  const seed = options.seed ?? DEFAULT_SEED;
  const scale = options.scale ?? 1;
  if (!(scale > 0 && scale <= 1)) throw new Error("scale must be in (0, 1]");
  const planned = planSchools(seed, options.shapes);
  const all = [...planned.values()].flat();
  const enrolment = planEnrolment(
    seed,
    all.filter((s) => !s.ended),
  );
  const kept = keptSchools(seed, scale, all);

  let orgId = 0;
  const orgUnits: DemoOrgUnit[] = [];
  const add = (u: DemoOrgUnit) => {
    orgUnits.push(u);
    return u;
  };
  const city = add(
    unit({ id: ++orgId, code: CITY.code, kind: "city", name: CITY.name, path: `/${CITY.code}/` }),
  );
  const counties = new Map<string, DemoOrgUnit>();
  for (const c of luliangCounties)
    counties.set(
      c.code,
      add(
        unit({
          id: ++orgId,
          code: c.code,
          kind: "county",
          name: c.name,
          parentId: city.id,
          path: `${city.path}${c.code}/`,
          countyCode: c.code,
        }),
      ),
    );
  const departments = new Map(
    demoDepartments.map((d) => [
      d.code,
      add(unit({ id: ++orgId, ...d, kind: "department", parentId: city.id, path: `${city.path}${d.code}/` })),
    ]),
  );
  const offices = [...counties.values()].map((county) => add(countyResearchOffice(++orgId, county)));

  // Ids first, so that a merged school can name its successor.
  const schoolIds = new Map(kept.map((s) => [s, ++orgId]));
  const schoolUnits = new Map<PlannedSchool, DemoOrgUnit>();
  for (const s of kept) {
    const successor = s.ended?.successor ?? null;
    const u = schoolUnit(
      schoolIds.get(s)!,
      s,
      counties.get(s.county.code)!,
      successor ? schoolIds.get(successor)! : null,
    );
    schoolUnits.set(s, add(u));
  }
  const keptByCode = new Map(kept.map((s) => [s.code, s]));
  const orgUnitVersions = orgUnits.flatMap((u) => versionsOf(u, keptByCode.get(u.code)));

  let classId = 0;
  let staffId = 0;
  const certificates = new Map<string, number>();
  const ctx: StaffContext = {
    seed,
    ids: new ResidentIdAllocator(luliangCounties.map((c) => c.code)),
    nextId: () => ++staffId,
    nextCertificate: (county) => {
      const n = (certificates.get(county) ?? 0) + 1;
      certificates.set(county, n);
      return n;
    },
  };
  const staff: DemoStaff[] = [];
  // Research offices keep a fifth of their people at the smallest scales, so a test city has some.
  const officeScale = Math.max(scale, 0.2);
  for (const office of offices) {
    const profile = countyProfiles.find((c) => c.code === office.countyCode)!;
    const count = Math.max(1, Math.round((6 + profile.population / 30) * officeScale));
    staff.push(
      ...researchers(
        ctx,
        { id: office.id, code: office.code, path: office.path, countyCode: profile.code },
        count,
      ),
    );
  }
  // The city's own 教研员 (工作要点第5项: "市级打造一支100人左右的专兼职教研员队伍"): the 教研室's
  // full-time and seconded part-time researchers, and the 电教馆's 信息技术 researchers. They belong
  // to no county (level "city" in the indicators).
  for (const { code, count, subject, clerks } of cityResearchers) {
    const u = departments.get(code)!;
    staff.push(
      ...researchers(
        ctx,
        { id: u.id, code: u.code, path: u.path, countyCode: "" },
        Math.round(count * officeScale),
        {
          subject,
          clerks: Math.round(clerks * officeScale),
        },
      ),
    );
  }
  const classGroups: DemoClassGroup[] = [];
  const studentSchools: StudentSchool[] = [];
  for (const s of kept) {
    if (s.ended) continue;
    const u = schoolUnits.get(s)!;
    const e = enrolment.get(s.code)!;
    const classes: DemoClassGroup[] = [];
    for (const g of s.grades)
      (e.classes.get(g) ?? []).forEach((size, k) => {
        const stage = stageOfGrade(g, s.type);
        classes.push({
          id: ++classId,
          schoolId: u.id,
          orgPath: u.path,
          countyCode: s.county.code,
          schoolYear: SCHOOL_YEAR,
          stage,
          grade: g,
          name: className(stage, g, k + 1),
          homeroomStaffNumber: null,
          size,
        });
      });
    staff.push(
      ...schoolStaff(
        ctx,
        s,
        { id: u.id, code: u.code, path: u.path, countyCode: s.county.code },
        e.byGrade,
        classes,
      ),
    );
    classGroups.push(...classes);
    studentSchools.push({
      school: s,
      id: u.id,
      path: u.path,
      classes,
      merges: (s.absorbed?.merges ?? []).map((m) => ({
        ...m,
        predecessorId: schoolUnits.get(m.predecessor)!.id,
      })),
    });
  }
  markFamousTeachers(
    seed,
    staff,
    [...schoolUnits.values()].find((u) => u.code === DEMO_SCHOOL_CODE)?.id ?? null,
  );
  return {
    seed,
    scale,
    orgUnits,
    orgUnitVersions,
    classGroups,
    staff,
    studentCount: classGroups.reduce((n, c) => n + c.size, 0),
    students: () => studentBatches(seed, studentSchools),
  };
}

/** The city's 教研员 by department: 教研室 97 and 电教馆 6, 103 in all (the plan asks ~100). */
const cityResearchers = [
  { code: "141100D06", count: 97, subject: undefined, clerks: 4 },
  { code: "141100D13", count: 6, subject: "信息技术", clerks: 2 },
];

/**
 * Schools a reduced city keeps whatever the sample, one of each, so that the plan's counted
 * indicators show on it: a 2022 rural merger (with its successor), a 普惠 kindergarten opened in
 * 2022, and a boarding compulsory school opened in 2022.
 */
const showcases: ((s: PlannedSchool) => boolean)[] = [
  (s) => s.absorbed?.merges.some((m) => m.on.startsWith("2022") && m.predecessor.area === "rural") ?? false,
  (s) =>
    s.opened === true &&
    s.validFrom.startsWith("2022") &&
    s.type.code === "111" &&
    (s.ownership === "public" || s.inclusive === true),
  (s) =>
    s.opened === true &&
    s.validFrom.startsWith("2022") &&
    s.boarding &&
    (s.type.stages.includes("primary") || s.type.stages.includes("junior")),
];

/**
 * At a reduced scale, a sample of the full city's schools: each school kept with probability
 * `scale` (drawn from its code, so the sample does not depend on anything else), plus the demo
 * accounts' school and the showcases above. A merged school is kept with its successor; the closed
 * school is always kept (it has no people).
 */
function keptSchools(seed: string, scale: number, all: PlannedSchool[]): PlannedSchool[] {
  if (scale >= 1) return all;
  const keep = new Set(
    all.filter((s) => s.code === DEMO_SCHOOL_CODE || Random.derive(seed, "keep", s.code).next() < scale),
  );
  for (const show of showcases) {
    const first = all.find(show);
    if (first && !all.some((s) => keep.has(s) && show(s))) keep.add(first);
  }
  for (const s of all) {
    if (s.ended?.reason === "merged") {
      if (keep.has(s.ended.successor!)) keep.add(s);
      else keep.delete(s);
    }
    if (s.ended?.reason === "closed") keep.add(s);
  }
  return all.filter((s) => keep.has(s));
}

const gradeNames: Record<number, string> = {
  [-2]: "小",
  [-1]: "中",
  0: "大",
  1: "一年级",
  2: "二年级",
  3: "三年级",
  4: "四年级",
  5: "五年级",
  6: "六年级",
  7: "七年级",
  8: "八年级",
  9: "九年级",
  10: "高一",
  11: "高二",
  12: "高三",
};

/** 一年级(3)班, 小(2)班, 高一(5)班; 中职 classes by year of study. */
function className(stage: string, grade: number, n: number): string {
  if (stage === "vocational") return `中职${["一", "二", "三"][grade - 10]}年级(${n})班`;
  return `${gradeNames[grade]}(${n})班`;
}
