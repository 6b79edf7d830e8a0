import { educationLevels, type Stage, stageOfGrade, teacherTitles } from "../modules/registry/codes.js";
import type { DemoClassGroup, DemoStaff } from "./model.js";
import { SCHOOL_YEAR } from "./model.js";
import { personName } from "./names.js";
import { CITY } from "./org-units.js";
import { birthDateForAge, type ResidentIdAllocator } from "./people.js";
import type { PlannedSchool } from "./plan-schools.js";
import { Random, WeightedTable } from "./random.js";

/**
 * The staff of one school: a principal, vice principals, a 法治副校长 at most schools, teachers by
 * stage at plausible student/teacher ratios (lower in the countryside, where small schools need a
 * teacher per class), a 班主任 for every class, and administrative and support staff.
 */
export interface StaffContext {
  seed: string;
  ids: ResidentIdAllocator;
  /** Next staff row id (shared across the city). */
  nextId: () => number;
  /** Next 教师资格证 sequence number in a county. */
  nextCertificate: (countyCode: string) => number;
}

export interface StaffUnit {
  id: number;
  code: string;
  path: string;
  /** "" for a unit of the city that lies in no county (as staff.county_code holds it). */
  countyCode: string;
}

/** Students per full-time teacher, by stage and 城乡: the demo's, around Lüliang's real ratios. */
const studentsPerTeacher: Record<Stage, [number, number, number]> = {
  preschool: [15, 15, 14],
  primary: [19, 15, 10.5],
  junior: [13.5, 12, 10],
  senior: [13, 13, 12.5],
  vocational: [17, 17, 17],
  special: [4, 4, 4],
};
const areaIndex = { urban: 0, town: 1, rural: 2 } as const;

const femaleShare: Record<Stage, number> = {
  preschool: 0.97,
  primary: 0.78,
  junior: 0.62,
  senior: 0.5,
  vocational: 0.5,
  special: 0.75,
};

const subjectTables: Record<Stage, WeightedTable<string>> = {
  preschool: table({ 学前教育: 1 }),
  primary: table({
    语文: 34,
    数学: 28,
    英语: 8,
    道德与法治: 4,
    科学: 5,
    体育: 7,
    音乐: 5,
    美术: 5,
    信息技术: 2,
    劳动: 1,
    心理健康: 1,
  }),
  junior: table({
    语文: 15,
    数学: 15,
    英语: 14,
    道德与法治: 7,
    历史: 6,
    地理: 5,
    物理: 7,
    化学: 5,
    生物: 5,
    体育: 8,
    音乐: 4,
    美术: 4,
    信息技术: 3,
    心理健康: 1,
    劳动: 1,
  }),
  senior: table({
    语文: 13,
    数学: 13,
    英语: 13,
    思想政治: 6,
    历史: 6,
    地理: 6,
    物理: 9,
    化学: 8,
    生物: 7,
    体育: 7,
    音乐: 3,
    美术: 3,
    信息技术: 3,
    通用技术: 2,
    心理健康: 1,
  }),
  vocational: table({
    专业课: 45,
    语文: 10,
    数学: 10,
    英语: 8,
    思想政治: 5,
    体育: 6,
    信息技术: 10,
    美术: 3,
    音乐: 3,
  }),
  special: table({ 语文: 25, 数学: 20, 体育: 12, 美术: 12, 音乐: 12, 劳动: 12, 心理健康: 7 }),
};

/** 学历 shares [研究生, 本科, 专科, 高中(中师)] by stage and 城乡 (urban, town, rural). */
const educationShares: Record<Stage, number[][]> = {
  preschool: [
    [1, 45, 47, 7],
    [0.5, 35, 50, 14.5],
    [0, 25, 55, 20],
  ],
  primary: [
    [4, 72, 22, 2],
    [2, 60, 33, 5],
    [1, 45, 44, 10],
  ],
  junior: [
    [8, 86, 6, 0],
    [4, 80, 15, 1],
    [2, 70, 26, 2],
  ],
  senior: [
    [18, 80, 2, 0],
    [14, 82, 4, 0],
    [10, 84, 6, 0],
  ],
  vocational: [
    [8, 74, 16, 2],
    [6, 72, 20, 2],
    [4, 70, 24, 2],
  ],
  special: [
    [3, 68, 27, 2],
    [2, 64, 31, 3],
    [1, 60, 35, 4],
  ],
};
const educationTables = Object.fromEntries(
  Object.entries(educationShares).map(([stage, rows]) => [
    stage,
    rows.map((w) => new WeightedTable(educationLevels.slice(0, 4), w)),
  ]),
) as Record<Stage, WeightedTable<string>[]>;

/** 教师资格证 种类 digit in the demo's certificate numbers: 幼儿园 1, 小学 2, 初中 3, 高中 4, 中职 5. */
const certificateLevel: Record<Stage, string> = {
  preschool: "1",
  primary: "2",
  junior: "3",
  senior: "4",
  vocational: "5",
  special: "2",
};

function table(weights: Record<string, number>) {
  return new WeightedTable(Object.keys(weights), Object.values(weights));
}

export function schoolStaff(
  ctx: StaffContext,
  school: PlannedSchool,
  unit: StaffUnit,
  byGrade: Map<number, number>,
  classes: DemoClassGroup[],
): DemoStaff[] {
  const rng = Random.derive(ctx.seed, "staff", unit.code);
  const area = areaIndex[school.area];
  const people = new StaffBuilder(ctx, rng, unit, school.validFrom);
  const students = [...byGrade.values()].reduce((s, n) => s + n, 0);
  const isKindergarten = school.type.code === "111";

  const firstStage = stageOfGrade(school.grades[0], school.type);
  people.add({ posts: ["校长"], stage: firstStage, male: 0.65, minAge: 35 });
  if (school.ownership === "public" && students >= 1000)
    people.add({ posts: ["书记"], male: 0.6, minAge: 38 });
  const vice = students < 150 ? 0 : students < 800 ? 1 : students < 1800 ? 2 : 3;
  for (let i = 0; i < vice; i++) people.add({ posts: ["副校长"], male: 0.55, minAge: 32, stage: firstStage });
  // 法治副校长 (教育部令第52号, from 2022-05-01): a police officer, judge or prosecutor appointed to a
  // school; most schools have one, some (the gap the bureau must close) not yet.
  if (!isKindergarten && rng.chance(school.type.code === "218" ? 0.5 : 0.93))
    people.add({ posts: ["法治副校长"], male: 0.75, minAge: 28, external: true });

  const teachersByStage = new Map<Stage, DemoStaff[]>();
  let teacherCount = 0;
  for (const stage of new Set(school.grades.map((g) => stageOfGrade(g, school.type)))) {
    const inStage = school.grades.filter((g) => stageOfGrade(g, school.type) === stage);
    const n = inStage.reduce((s, g) => s + (byGrade.get(g) ?? 0), 0);
    const classCount = classes.filter((c) => c.stage === stage).length;
    const wanted = Math.max(classCount, Math.ceil(n / studentsPerTeacher[stage][area]));
    const list: DemoStaff[] = [];
    for (let i = 0; i < wanted; i++) list.push(people.teacher(stage, school, area));
    teachersByStage.set(stage, list);
    teacherCount += wanted;
  }
  // 班主任: one teacher of the class's stage for each class, none heading two.
  for (const [stage, list] of teachersByStage) {
    const heads = rng.shuffle([...list]);
    classes
      .filter((c) => c.stage === stage)
      .forEach((c, i) => {
        const t = heads[i % heads.length];
        if (!t.posts.includes("班主任")) t.posts.push("班主任");
        c.homeroomStaffNumber = t.staffNumber;
      });
  }
  // A teacher of a large school doubles as the school's 教研员 now and then.
  if (students >= 1200 && rng.chance(0.35)) {
    const all = [...teachersByStage.values()].flat();
    rng.pick(all).posts.push("教研员");
  }
  const admin = Math.floor(teacherCount * 0.03);
  const support = Math.floor(teacherCount * 0.03);
  for (let i = 0; i < admin; i++) people.add({ posts: ["行政人员"], male: 0.45 });
  for (let i = 0; i < support; i++) people.add({ posts: ["工勤人员"], male: 0.6 });
  // 保育员: about one for every two classes here (the standard asks one per class; rural and private
  // kindergartens fall short of it).
  if (isKindergarten)
    for (let i = 0; i < Math.ceil(classes.length * 0.6); i++) people.add({ posts: ["保育员"], male: 0.02 });
  return people.staff;
}

/**
 * The 教研员 of a 教研室 (teaching-research office, the city's or a county's): experienced, often
 * 骨干; `subject` when they all work on one (the 电教馆's 信息技术), `clerks` 行政人员 beside them.
 */
export function researchers(
  ctx: StaffContext,
  unit: StaffUnit,
  count: number,
  opts: { subject?: string; clerks?: number } = {},
): DemoStaff[] {
  const rng = Random.derive(ctx.seed, "researchers", unit.code);
  const people = new StaffBuilder(ctx, rng, unit, "1990-09-01");
  for (let i = 0; i < count; i++) {
    const stage = rng.pick<Stage>(["primary", "junior", "senior", "preschool"]);
    const s = people.add({ posts: ["教研员"], male: 0.45, minAge: 32, stage });
    s.subjects = [opts.subject ?? subjectTables[stage].draw(rng)];
    s.education = rng.chance(0.2) ? "研究生" : "本科";
    s.title = rng.chance(0.7) ? "高级教师" : rng.chance(0.1) ? "正高级教师" : "一级教师";
    s.keyLevel = rng.chance(0.08) ? "province" : rng.chance(0.35) ? "city" : "county";
  }
  for (let i = 0; i < (opts.clerks ?? 0); i++) people.add({ posts: ["行政人员"], male: 0.45 });
  return people.staff;
}

/** Chance that a teacher is a 名师成长带头人, by 骨干 level (tuned to about 200 in the full city). */
const famousChance = { province: 0.3, city: 0.09, county: 0.018 } as const;

/**
 * 名师成长带头人: strong teachers of the city's 名师 programme (工作要点第6项: 195 to be trained in
 * 2022), registered as a post once they finished it. Chosen among 骨干 teachers of 28–52 with a
 * 一级 title or higher, teacher by teacher from their staff number (so a reduced city picks the same
 * people); the best such teacher of `alwaysAt` (the demo school) is always one, so that even a
 * small city shows the figure.
 */
export function markFamousTeachers(seed: string, staff: DemoStaff[], alwaysAt: number | null): void {
  const eligible = (s: DemoStaff) =>
    s.keyLevel !== null &&
    s.posts.includes("教师") &&
    (s.title === "一级教师" || s.title === "高级教师" || s.title === "正高级教师") &&
    ageOn(s.birthDate) >= 28 &&
    ageOn(s.birthDate) <= 52;
  const rank = { province: 3, city: 2, county: 1 } as const;
  let best: DemoStaff | null = null;
  let marked = false;
  for (const s of staff) {
    if (!eligible(s)) continue;
    const chosen = Random.derive(seed, "famous", s.staffNumber).chance(famousChance[s.keyLevel!]);
    if (chosen) s.posts.push("名师成长带头人");
    if (s.schoolId !== alwaysAt) continue;
    marked ||= chosen;
    if (!best || rank[s.keyLevel!] > rank[best.keyLevel!]) best = s;
  }
  if (best && !marked) best.posts.push("名师成长带头人");
}

interface Person {
  posts: string[];
  /** Chance of a man. */
  male: number;
  minAge?: number;
  /** The stage someone teaches (or taught): gives a 职称, maybe a 骨干 level and a 教师资格证. */
  stage?: Stage;
  quality?: number;
  /** Appointed from outside the school system (法治副校长). */
  external?: boolean;
}

/** Whole years of age on 1 September of the school year. */
function ageOn(birthDate: string): number {
  const [y, m, d] = birthDate.split("-").map(Number);
  return SCHOOL_YEAR - y - (m > 9 || (m === 9 && d > 1) ? 1 : 0);
}

class StaffBuilder {
  readonly staff: DemoStaff[] = [];
  private readonly foundedYear: number;

  constructor(
    private readonly ctx: StaffContext,
    private readonly rng: Random,
    private readonly unit: StaffUnit,
    private readonly foundedOn: string,
  ) {
    this.foundedYear = Number(foundedOn.slice(0, 4));
  }

  add(p: Person): DemoStaff {
    const rng = this.rng;
    const gender = rng.chance(p.male) ? "M" : "F";
    // Retirement: 60 for men, 55 for women teachers (国发〔1978〕104号).
    const maxAge = gender === "M" ? 59 : 54;
    const age = Math.round(Math.min(maxAge, Math.max(p.minAge ?? 22, rng.normal(41, 9))));
    const birthDate = birthDateForAge(rng, SCHOOL_YEAR, age);
    const birthYear = SCHOOL_YEAR - age;
    // Most staff were born in the county; some came from elsewhere in Lüliang (all of a city unit's).
    const region = this.unit.countyCode && rng.chance(0.85) ? this.unit.countyCode : rng.pick(otherRegions);
    const firstJob = Math.min(SCHOOL_YEAR, birthYear + 22 + rng.int(0, 3));
    const startYear = p.external
      ? SCHOOL_YEAR
      : rng.int(Math.min(SCHOOL_YEAR, Math.max(firstJob, this.foundedYear)), SCHOOL_YEAR);
    const s: DemoStaff = {
      id: this.ctx.nextId(),
      staffNumber: `${this.unit.code}${String(this.staff.length + 1).padStart(3, "0")}`,
      name: personName(rng, gender, "adult"),
      gender,
      residentId: this.ctx.ids.allocate(region, birthDate, gender),
      birthDate,
      schoolId: this.unit.id,
      orgPath: this.unit.path,
      countyCode: this.unit.countyCode,
      posts: [...p.posts],
      subjects: [],
      education: p.external ? "本科" : rng.pick(["本科", "本科", "本科", "专科", "研究生"]),
      title: null,
      keyLevel: null,
      teachingCertificate: null,
      schoolStartDate: p.external
        ? // 法治副校长 were appointed when the regulation came into force (2022-05-01) or soon after
          // (at a school opened later, when it opened).
          latest(`2022-0${rng.int(5, 8)}-${String(rng.int(1, 28)).padStart(2, "0")}`, this.foundedOn)
        : startYear === this.foundedYear
          ? this.foundedOn
          : `${startYear}-09-01`,
    };
    if (p.stage) this.qualify(s, p.stage, age, p.quality ?? 1);
    this.staff.push(s);
    return s;
  }

  teacher(stage: Stage, school: PlannedSchool, area: 0 | 1 | 2): DemoStaff {
    const rng = this.rng;
    const s = this.add({ posts: ["教师"], male: 1 - femaleShare[stage], stage, quality: school.quality });
    const age = ageOn(s.birthDate);
    let education = educationTables[stage][area].draw(rng);
    // Older teachers trained at 中师 or by correspondence more often.
    if (age >= 50 && rng.chance(0.35))
      education = educationLevels[Math.min(3, educationLevels.indexOf(education) + 1)];
    s.education = education;
    s.subjects = [subjectTables[stage].draw(rng)];
    // Small rural schools need teachers who teach two subjects (包班).
    if (area === 2 && stage === "primary" && rng.chance(0.3)) {
      const second = subjectTables[stage].draw(rng);
      if (second !== s.subjects[0]) s.subjects.push(second);
    }
    return s;
  }

  /** 职称 by age, 骨干 level by the school's quality, and a 教师资格证 for nearly all teachers. */
  private qualify(s: DemoStaff, stage: Stage, age: number, quality: number) {
    const rng = this.rng;
    const x = rng.next();
    const senior = stage === "preschool" ? 0.5 : 1;
    if (age < 25) s.title = x < 0.6 ? "未定级" : x < 0.95 ? "二级教师" : "三级教师";
    else if (age < 33) s.title = x < 0.05 ? "未定级" : x < 0.6 ? "二级教师" : "一级教师";
    else if (age < 43) s.title = x < 0.1 ? "二级教师" : x < 1 - 0.28 * senior ? "一级教师" : "高级教师";
    else
      s.title =
        x < 0.03 ? "二级教师" : x < 1 - 0.54 * senior ? "一级教师" : x < 0.98 ? "高级教师" : teacherTitles[0];
    if (age >= 28) {
      const k = rng.next() / quality;
      s.keyLevel = k < 0.005 ? "province" : k < 0.04 ? "city" : k < 0.125 ? "county" : null;
    }
    if (rng.chance(0.97)) {
      const year = Math.min(SCHOOL_YEAR, SCHOOL_YEAR - age + 22 + rng.int(0, 4));
      // A city unit's staff (no county) are numbered under the city's code.
      const region = this.unit.countyCode || CITY.code;
      const seq = this.ctx.nextCertificate(region);
      // Demo format, 17 digits: year, 14 (Shanxi), 种类, county, sequence.
      s.teachingCertificate = `${year}14${certificateLevel[stage]}${region.slice(2)}${String(seq).padStart(6, "0")}`;
    }
  }
}

const latest = (a: string, b: string) => (a > b ? a : b);

const otherRegions = [
  "141102",
  "141121",
  "141122",
  "141123",
  "141124",
  "141125",
  "141126",
  "141127",
  "141128",
  "141129",
  "141130",
  "141181",
  "141182",
];
