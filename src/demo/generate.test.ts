import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { luliangCounties, schoolTypeByCode } from "../modules/registry/codes.js";
import { parseResidentId } from "../shared/resident-id.js";
import { DEMO_SCHOOL_CODE, type DemoCity, generateDemoCity } from "./generate.js";
import { type CountyShape, loadCountyShapes, pointInShape } from "./geo.js";
import type { DemoStatusHistory, DemoStudent } from "./model.js";
import { demoDepartments } from "./org-units.js";

/** The demo city, full size and reduced: pure generation, no database. */
let shapes: CountyShape[];
let city: DemoCity;
let students: DemoStudent[];
let history: DemoStatusHistory[];

beforeAll(() => {
  shapes = loadCountyShapes(luliangCounties);
  city = generateDemoCity({ shapes });
  students = [];
  history = [];
  for (const b of city.students()) {
    for (const s of b.students) students.push(s);
    for (const h of b.history) history.push(h);
  }
});

const sha = (v: unknown) => crypto.createHash("sha256").update(JSON.stringify(v)).digest("hex");
const take = (c: DemoCity, n: number) => {
  const out: DemoStudent[] = [];
  for (const b of c.students()) {
    out.push(...b.students);
    if (out.length >= n) break;
  }
  return out.slice(0, n);
};

describe("determinism", () => {
  it("gives the same city for the same seed, byte for byte", () => {
    const a = generateDemoCity({ shapes, scale: 0.05 });
    const b = generateDemoCity({ shapes, scale: 0.05 });
    const all = (c: DemoCity) => ({
      units: c.orgUnits,
      versions: c.orgUnitVersions,
      classes: c.classGroups,
      staff: c.staff,
      students: [...c.students()],
    });
    expect(sha(all(a))).toBe(sha(all(b)));
  });

  it("keeps a pinned sample: a change to the generator changes this hash on purpose only", () => {
    const sample = {
      units: city.orgUnits.slice(0, 60),
      staff: city.staff.filter((_, i) => i % 997 === 0),
      students: students.filter((_, i) => i % 9973 === 0),
    };
    expect(sha(sample)).toMatchInlineSnapshot(
      `"d8c992338dd8e175e591d5bd25a3b3254c3c62bbe3db5748ee3c340c725ce596"`,
    );
  });

  it("gives another city for another seed", () => {
    const other = generateDemoCity({ shapes, scale: 0.05, seed: "another" });
    expect(take(other, 50).map((s) => s.name)).not.toEqual(students.slice(0, 50).map((s) => s.name));
  });

  it("at a reduced scale keeps a sample of the same schools", () => {
    const small = generateDemoCity({ shapes, scale: 0.05 });
    const schools = small.orgUnits.filter((u) => u.kind === "school");
    expect(schools.length).toBeGreaterThan(40);
    expect(schools.length).toBeLessThan(140);
    const full = new Map(city.orgUnits.map((u) => [u.code, u]));
    for (const s of schools) {
      const f = full.get(s.code)!;
      expect({ ...s, id: 0, successorId: null }).toEqual({ ...f, id: 0, successorId: null });
    }
    expect(schools.some((s) => s.code === DEMO_SCHOOL_CODE)).toBe(true);
    expect(schools.some((s) => s.endReason === "merged")).toBe(true);
  });

  it("at the smallest scale still shows each of the plan's counted figures", () => {
    const tiny = generateDemoCity({ shapes, scale: 0.01 });
    const schools = tiny.orgUnits.filter((u) => u.kind === "school");
    const in2022 = (d: string | null) => d?.startsWith("2022") ?? false;
    expect(
      schools.some((u) => u.endReason === "merged" && in2022(u.validTo) && u.urbanRural === "rural"),
    ).toBe(true);
    expect(
      schools.some(
        (u) => in2022(u.validFrom) && u.schoolType === "111" && (u.ownership === "public" || u.inclusive),
      ),
    ).toBe(true);
    expect(
      schools.some((u) => in2022(u.validFrom) && u.boarding && ["311", "312"].includes(u.schoolType!)),
    ).toBe(true);
    expect(tiny.staff.some((s) => s.posts.includes("教研员") && s.countyCode === "")).toBe(true);
    expect(tiny.staff.some((s) => s.posts.includes("名师成长带头人"))).toBe(true);
  });
});

describe("the full-size city", () => {
  it("has the counts of a city like Lüliang", () => {
    const schools = city.orgUnits.filter((u) => u.kind === "school" && u.validTo === null);
    expect(schools.length).toBeGreaterThanOrEqual(1400);
    expect(schools.length).toBeLessThanOrEqual(1600);
    expect(students.length).toBeGreaterThanOrEqual(520_000);
    expect(students.length).toBeLessThanOrEqual(580_000);
    expect(students.length).toBe(city.studentCount);
    expect(city.staff.length).toBeGreaterThanOrEqual(42_000);
    expect(city.staff.length).toBeLessThanOrEqual(50_000);
    const count = (f: (u: (typeof schools)[number]) => boolean) => schools.filter(f).length;
    expect(count((s) => s.schoolType === "218")).toBeGreaterThan(150);
    expect(count((s) => s.schoolType === "218" && s.urbanRural !== "rural")).toBe(0);
    const kindergartens = schools.filter((s) => s.schoolType === "111");
    expect(kindergartens.length).toBeGreaterThan(500);
    const privateKg = kindergartens.filter((s) => s.ownership === "private");
    expect(privateKg.length / kindergartens.length).toBeGreaterThan(0.3);
    expect(privateKg.filter((s) => s.inclusive).length / privateKg.length).toBeGreaterThan(0.4);
    expect(kindergartens.filter((s) => s.ownership === "public").every((s) => s.inclusive === null)).toBe(
      true,
    );
    for (const t of ["211", "311", "312", "341", "342", "345", "364", "514"])
      expect(count((s) => s.schoolType === t)).toBeGreaterThan(0);
    const boarding = schools.filter((s) => s.boarding);
    const ruralSecondary = boarding.filter(
      (s) => ["311", "312"].includes(s.schoolType!) && s.urbanRural !== "urban",
    );
    expect(ruralSecondary.length / boarding.length).toBeGreaterThan(0.5);
    expect(boarding.some((s) => s.schoolType === "111" || s.schoolType === "218")).toBe(false);
    for (const county of luliangCounties)
      expect(count((s) => s.countyCode === county.code && s.schoolType === "342")).toBeGreaterThan(0);
  });

  it("has the city, 13 counties and the bureau's departments", () => {
    expect(city.orgUnits[0]).toMatchObject({
      code: "141100",
      kind: "city",
      path: "/141100/",
      parentId: null,
    });
    const counties = city.orgUnits.filter((u) => u.kind === "county");
    expect(counties.map((c) => c.code).sort()).toEqual(luliangCounties.map((c) => c.code).sort());
    const departments = city.orgUnits.filter((u) => u.kind === "department" && u.parentId === 1);
    for (const short of ["基教科", "学前科", "督导室", "安全科", "教研室", "纪检组", "考试中心", "办公室"])
      expect(departments.some((d) => d.shortName === short)).toBe(true);
    expect(departments).toHaveLength(demoDepartments.length);
  });

  it("gives every student a valid ID of the county, a birth date that fits the grade, and 学籍号 G+ID", () => {
    // Plain checks in the loop (an expect() per row is too slow for 550,000 rows).
    const bad: string[] = [];
    const numbers = new Set<string>();
    for (const s of students) {
      const parsed = parseResidentId(s.residentId);
      // Age on 1 September 2022: 6 in grade 1, 3 in 小班 (grade −2), 17 in 高三.
      const [y, m, d] = s.birthDate.split("-").map(Number);
      const age = 2022 - y - (m > 9 || (m === 9 && d > 1) ? 1 : 0);
      if (
        !parsed.ok ||
        parsed.info.regionCode !== s.countyCode ||
        parsed.info.birthDate !== s.birthDate ||
        parsed.info.gender !== s.gender ||
        age !== s.grade + 5 ||
        s.studentNumber !== `G${s.residentId}`
      )
        bad.push(`${s.studentNumber} ${s.countyCode} ${s.birthDate} grade ${s.grade}`);
      numbers.add(s.studentNumber);
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect(numbers.size).toBe(students.length);
  });

  it("streams students in (org path, 学籍号) order with ascending ids, the order the loader relies on", () => {
    let unordered = 0;
    for (let i = 1; i < students.length; i++) {
      const a = students[i - 1];
      const b = students[i];
      const key = (s: DemoStudent) => `${s.orgPath}|${s.studentNumber}`;
      if (b.id !== a.id + 1 || key(b) <= key(a)) unordered++;
    }
    expect(unordered).toBe(0);
    expect(students[0].id).toBe(1);
  });

  it("gives staff valid, unique IDs and numbers", () => {
    const ids = new Set(city.staff.map((s) => s.residentId));
    expect(ids.size).toBe(city.staff.length);
    expect(new Set(city.staff.map((s) => s.staffNumber)).size).toBe(city.staff.length);
    const bad = city.staff.filter((s) => {
      const parsed = parseResidentId(s.residentId);
      return (
        !parsed.ok || !parsed.info.regionCode.startsWith("1411") || parsed.info.birthDate !== s.birthDate
      );
    });
    expect(bad).toEqual([]);
  });

  it("puts every school inside its county's boundary, and not all on one spot", () => {
    const byCode = new Map(shapes.map((s) => [s.code, s]));
    const schools = city.orgUnits.filter((u) => u.kind === "school");
    for (const s of schools) {
      const inside = pointInShape(byCode.get(s.countyCode!)!, [s.lng!, s.lat!]);
      if (!inside) throw new Error(`${s.code} ${s.name} at ${s.lng},${s.lat} is outside ${s.countyCode}`);
    }
    expect(new Set(schools.map((s) => `${s.lng},${s.lat}`)).size).toBeGreaterThan(schools.length * 0.99);
    // Another county's polygon does not contain it (the shapes are mapped to the right codes).
    const lishi = schools.find((s) => s.code === DEMO_SCHOOL_CODE)!;
    expect(pointInShape(byCode.get("141181")!, [lishi.lng!, lishi.lat!])).toBe(false);
  });

  it("keeps classes within the size limits, with a few over", () => {
    const primary = city.classGroups.filter((c) => c.stage === "primary");
    const junior = city.classGroups.filter((c) => c.stage === "junior");
    const over = (cs: typeof primary, limit: number) => cs.filter((c) => c.size > limit).length / cs.length;
    expect(over(primary, 45)).toBeGreaterThan(0);
    expect(over(primary, 45)).toBeLessThan(0.1);
    expect(over(junior, 50)).toBeGreaterThan(0);
    expect(over(junior, 50)).toBeLessThan(0.1);
    expect(city.classGroups.every((c) => c.size > 0)).toBe(true);
  });

  it("staffs every school: one 校长, 班主任 for each class, 法治副校长 at most schools, plausible ratios", () => {
    const bySchool = new Map<number, typeof city.staff>();
    for (const s of city.staff) bySchool.set(s.schoolId, [...(bySchool.get(s.schoolId) ?? []), s]);
    const schools = city.orgUnits.filter((u) => u.kind === "school" && u.validTo === null);
    const principals = (id: number) =>
      (bySchool.get(id) ?? []).filter((p) => p.posts.includes("校长")).length;
    expect(schools.filter((s) => principals(s.id) !== 1)).toEqual([]);
    const staffByNumber = new Map(city.staff.map((s) => [s.staffNumber, s]));
    const headless = city.classGroups.filter((c) => {
      const head = staffByNumber.get(c.homeroomStaffNumber ?? "");
      return !head || head.schoolId !== c.schoolId || !head.posts.includes("班主任");
    });
    expect(headless).toEqual([]);
    const schoolsK12 = schools.filter((s) => s.schoolType !== "111");
    const withLegal = schoolsK12.filter((s) =>
      (bySchool.get(s.id) ?? []).some((p) => p.posts.includes("法治副校长")),
    );
    expect(withLegal.length / schoolsK12.length).toBeGreaterThan(0.75);
    expect(withLegal.length).toBeLessThan(schoolsK12.length);
    const teachers = city.staff.filter((s) => s.posts.includes("教师"));
    expect(students.length / teachers.length).toBeGreaterThan(12);
    expect(students.length / teachers.length).toBeLessThan(15.5);
    const ratio = (area: string) => {
      const ids = new Set(schools.filter((s) => s.urbanRural === area).map((s) => s.id));
      const n = students.filter((s) => ids.has(s.schoolId)).length;
      return n / teachers.filter((t) => ids.has(t.schoolId)).length;
    };
    expect(ratio("rural")).toBeLessThan(ratio("urban"));
    const key = (level: string) => teachers.filter((t) => t.keyLevel === level).length;
    expect(key("province")).toBeGreaterThan(0);
    expect(key("province")).toBeLessThan(key("city"));
    expect(key("city")).toBeLessThan(key("county"));
    expect(city.staff.some((s) => s.posts.includes("教研员") && s.orgPath.includes("D01/"))).toBe(true);
  });

  it("records 121 mergers (撤并) in 2021 and 2022 and one closed school, each with its history", () => {
    const merged = city.orgUnits.filter((u) => u.endReason === "merged");
    const tally = new Map<string, number>();
    for (const m of merged) {
      const key = `${m.validTo!.slice(0, 4)} ${m.urbanRural}`;
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    // plan-schools.ts mergerTotals: 96 rural in 2022 against the plan's 110, 3 镇区 that do not count.
    expect(Object.fromEntries(tally)).toEqual({ "2021 rural": 22, "2022 rural": 96, "2022 town": 3 });
    const byId = new Map(city.orgUnits.map((u) => [u.id, u]));
    const historyOf = new Map<number, DemoStatusHistory[]>();
    for (const h of history) historyOf.set(h.studentId, [...(historyOf.get(h.studentId) ?? []), h]);
    const successors = new Set<number>();
    let withoutPupils = 0;
    for (const m of merged) {
      expect(["2021-03-01", "2021-09-01", "2022-03-01", "2022-09-01"]).toContain(m.validTo);
      expect(["211", "218", "311"]).toContain(m.schoolType);
      const successor = byId.get(m.successorId!)!;
      successors.add(successor.id);
      expect(successor).toMatchObject({ kind: "school", validTo: null, countyCode: m.countyCode });
      expect(successor.validFrom <= m.validTo!).toBe(true);
      if (["311", "312"].includes(successor.schoolType!)) expect(successor.boarding).toBe(true);
      const own = city.orgUnitVersions.filter((v) => v.orgUnitId === m.id);
      expect(own).toEqual([
        expect.objectContaining({
          validTo: m.validTo,
          endReason: "merged",
          successorId: successor.id,
          note: `撤并，并入${successor.name}`,
        }),
      ]);
      // The successor's history: versions end to end, one of them beginning on the merger day.
      const succ = city.orgUnitVersions.filter((v) => v.orgUnitId === successor.id);
      expect(succ[0].validFrom).toBe(successor.validFrom);
      expect(succ.at(-1)!.validTo).toBeNull();
      for (let i = 1; i < succ.length; i++) expect(succ[i].validFrom).toBe(succ[i - 1].validTo);
      const from = succ.find((v) => v.note?.includes(`${m.name}`));
      expect(from?.validFrom).toBe(m.validTo);
      expect(from?.note).toMatch(/撤并并入/);
      const moved = history.filter((h) => h.schoolId === m.id);
      if (moved.length === 0) withoutPupils++;
      for (const h of moved) {
        const s = students[h.studentId - 1];
        expect(s.schoolId).toBe(successor.id);
        expect(s.enrolledOn).toBe(m.validTo);
        expect(h.effectiveOn < m.validTo!).toBe(true);
        expect(
          historyOf
            .get(s.id)!
            .some(
              (x) => x.schoolId === successor.id && x.effectiveOn === m.validTo && x.note.includes(m.name),
            ),
        ).toBe(true);
      }
      expect(city.classGroups.some((c) => c.schoolId === m.id)).toBe(false);
      expect(city.staff.some((s) => s.schoolId === m.id)).toBe(false);
    }
    // Nearly every merged school's pupils show up at the successor (a tiny successor may have none).
    expect(withoutPupils).toBeLessThanOrEqual(3);
    // Town schools take in several village schools each, some schools built for them in 2022.
    expect(successors.size).toBeGreaterThan(60);
    expect(successors.size).toBeLessThan(merged.length);
    expect(
      [...successors].some((id) =>
        city.orgUnitVersions.some((v) => v.orgUnitId === id && v.note?.startsWith("新建，")),
      ),
    ).toBe(true);
    const closed = city.orgUnits.filter((u) => u.endReason === "closed");
    expect(closed).toHaveLength(1);
    expect(closed[0].successorId).toBeNull();
    expect(students.some((s) => s.schoolId === closed[0].id)).toBe(false);
  });

  it("registers schools and kindergartens opened (新建) in 2021 and 2022, with people since then", () => {
    // Counted as the indicator engine counts (indicators/facts.ts): a school whose valid_from lies
    // in the year; 义务教育 = its type teaches 小学 or 初中; 普惠 = public, or private and inclusive.
    const opened = (year: string) =>
      city.orgUnits.filter((u) => u.kind === "school" && u.validFrom.startsWith(year));
    const figures = (year: string) => {
      const o = opened(year);
      return {
        inclusiveKindergartens: o.filter(
          (u) => u.schoolType === "111" && (u.ownership === "public" || u.inclusive === true),
        ).length,
        otherKindergartens: o.filter(
          (u) => u.schoolType === "111" && u.ownership === "private" && !u.inclusive,
        ).length,
        compulsory: o.filter((u) =>
          schoolTypeByCode.get(u.schoolType!)!.stages.some((x) => x === "primary" || x === "junior"),
        ).length,
        boarding: o.filter((u) => u.boarding).length,
      };
    };
    // 2022 against the plan's 48 普惠园 (met), 19 义务教育学校 and 60 寄宿制学校 (not met).
    expect(figures("2022")).toEqual({
      inclusiveKindergartens: 51,
      otherKindergartens: 6,
      compulsory: 15,
      boarding: 11,
    });
    expect(figures("2021")).toEqual({
      inclusiveKindergartens: 17,
      otherKindergartens: 2,
      compulsory: 4,
      boarding: 2,
    });
    const bySchool = new Map<number, DemoStudent[]>();
    for (const s of students) bySchool.set(s.schoolId, [...(bySchool.get(s.schoolId) ?? []), s]);
    for (const u of [...opened("2021"), ...opened("2022")]) {
      expect(u.validTo).toBeNull();
      expect(["03-01", "09-01"]).toContain(u.validFrom.slice(5));
      expect(u.name).not.toContain("实验");
      const versions = city.orgUnitVersions.filter((v) => v.orgUnitId === u.id);
      expect(versions[0]).toMatchObject({ validFrom: u.validFrom, note: expect.stringMatching(/^新建/) });
      const pupils = bySchool.get(u.id) ?? [];
      expect(pupils.length).toBeGreaterThan(0);
      expect(pupils.every((p) => p.enrolledOn >= u.validFrom)).toBe(true);
      const people = city.staff.filter((t) => t.schoolId === u.id);
      expect(people.filter((t) => t.posts.includes("校长"))).toHaveLength(1);
      expect(people.every((t) => t.schoolStartDate >= u.validFrom)).toBe(true);
    }
    // A new high school starts with 高一 only; new urban primary schools with the lower grades.
    const senior = opened("2022").find((u) => u.schoolType === "342")!;
    expect(new Set(bySchool.get(senior.id)!.map((p) => p.grade))).toEqual(new Set([10]));
  });

  it("has the city's 教研员, the counties' and 名师成长带头人 near the plan's figures", () => {
    const departments = new Map(city.orgUnits.map((u) => [u.id, u]));
    const researchers = city.staff.filter((s) => s.posts.includes("教研员"));
    // Level as the indicator engine has it: a unit of no county is the city's (staff.county_code "").
    const cityLevel = researchers.filter((s) => s.countyCode === "");
    expect(cityLevel).toHaveLength(103); // 工作要点第5项: "100人左右"
    expect(new Set(cityLevel.map((s) => departments.get(s.schoolId)!.code))).toEqual(
      new Set(["141100D06", "141100D13"]),
    );
    expect(cityLevel.every((s) => s.orgPath.startsWith("/141100/141100D"))).toBe(true);
    const countyLevel = researchers.filter((s) => s.countyCode !== "");
    expect(countyLevel.length).toBeGreaterThan(150);
    for (const c of luliangCounties)
      expect(countyLevel.filter((s) => s.orgPath.includes(`/${c.code}D01/`)).length).toBeGreaterThanOrEqual(
        9,
      );
    // 工作要点第6项: 195 名师成长带头人 this year; the demo's are strong teachers, slightly more.
    const famous = city.staff.filter((s) => s.posts.includes("名师成长带头人"));
    expect(famous.length).toBeGreaterThanOrEqual(195);
    expect(famous.length).toBeLessThan(230);
    expect(famous.every((s) => s.posts.includes("教师") && s.keyLevel !== null)).toBe(true);
    expect(new Set(famous.map((s) => s.countyCode)).size).toBe(13);
    const demoSchool = city.orgUnits.find((u) => u.code === DEMO_SCHOOL_CODE)!;
    expect(famous.some((s) => s.schoolId === demoSchool.id)).toBe(true);
  });

  it("sprinkles 休学 and 转学 with history rows", () => {
    const suspended = students.filter((s) => s.status === "suspended");
    const transferred = students.filter((s) => s.status === "transferred");
    expect(suspended.length).toBeGreaterThan(100);
    expect(transferred.length).toBeGreaterThan(100);
    expect((suspended.length + transferred.length) / students.length).toBeLessThan(0.02);
    for (const s of [...suspended.slice(0, 50), ...transferred.slice(0, 50)])
      expect(history.filter((h) => h.studentId === s.id).map((h) => h.status)).toEqual([
        "enrolled",
        s.status,
      ]);
    expect(transferred.every((s) => s.classGroupId === null)).toBe(true);
  });

  it("names schools and people plausibly", () => {
    const names = new Set(city.orgUnits.map((u) => u.name));
    expect(names.has("离石区实验小学")).toBe(true);
    expect(names.has("孝义市实验幼儿园")).toBe(true);
    expect([...names].some((n) => /^临县.+镇中心学校$/.test(n))).toBe(true);
    expect(names.size).toBe(city.orgUnits.length);
    const surnames = new Map<string, number>();
    for (const s of students.slice(0, 50_000)) surnames.set(s.name[0], (surnames.get(s.name[0]) ?? 0) + 1);
    const top = [...surnames]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([s]) => s);
    expect(top.sort()).toEqual(["刘", "张", "李", "王"].sort());
  });
});
