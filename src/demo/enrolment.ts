import { type Stage, stageOfGrade } from "../modules/registry/codes.js";
import type { PlannedSchool } from "./plan-schools.js";
import { apportion, Random } from "./random.js";

/**
 * Enrolment of the full-size city by stage, school year 2022–2023: the demo's figures, of the order
 * of Lüliang's (about 550,000 students in all).
 */
export const cityEnrolment: Record<Stage, number> = {
  preschool: 92_000,
  primary: 245_000,
  junior: 112_000,
  senior: 70_000,
  vocational: 28_000,
  special: 1_600,
};

/** Relative cohort sizes by grade: births in Shanxi have fallen since 2017, so the youngest are fewer. */
const cohort: Record<number, number> = { [-2]: 0.82, [-1]: 0.9, 0: 0.95, 1: 0.97, 4: 1.02, 6: 0.98 };

/**
 * Class-size limits: 幼儿园 小班 25 / 中班 30 / 大班 35 (《幼儿园工作规程》, 教育部令第39号, 2016);
 * 小学 45 and 初中 50 (《县域义务教育优质均衡发展督导评估办法》, 教督〔2017〕6号); 普通高中 50 (the
 * national plan to end 大班额 of 56 and over); 中职 45; 培智/特教 12 (《特殊教育学校建设标准》).
 */
export function classLimit(stage: Stage, grade: number): number {
  switch (stage) {
    case "preschool":
      return grade === -2 ? 25 : grade === -1 ? 30 : 35;
    case "primary":
      return 45;
    case "junior":
    case "senior":
      return 50;
    case "vocational":
      return 45;
    default:
      return 12;
  }
}

export interface SchoolEnrolment {
  /** Students per grade. */
  byGrade: Map<number, number>;
  /** Sizes of the classes of each grade. */
  classes: Map<number, number[]>;
}

/**
 * Shares the city's enrolment out: to counties by population (among counties with a school of that
 * stage), then to schools by their relative size, then to grades by cohort, then into classes
 * under the limit (the few 大班额 schools use a higher one).
 */
export function planEnrolment(seed: string, schools: PlannedSchool[]): Map<string, SchoolEnrolment> {
  const counts = new Map<string, Map<Stage, number>>(schools.map((s) => [s.code, new Map()]));
  const teachingPoints = schools.filter((s) => s.type.code === "218");
  let teachingPointTotal = 0;
  for (const s of teachingPoints) {
    // 教学点 are tiny: a handful of children in each of the lower grades.
    const n = Random.derive(seed, "tp-size", s.code).int(6, 48);
    counts.get(s.code)!.set("primary", n);
    teachingPointTotal += n;
  }
  for (const stage of Object.keys(cityEnrolment) as Stage[]) {
    const serving = schools.filter((s) => (s.stageWeights[stage] ?? 0) > 0);
    const counties = [...new Map(serving.map((s) => [s.county.code, s.county])).values()];
    const total = cityEnrolment[stage] - (stage === "primary" ? teachingPointTotal : 0);
    const perCounty = apportion(
      total,
      counties.map((c) => c.population),
    );
    counties.forEach((county, i) => {
      const inCounty = serving.filter((s) => s.county.code === county.code);
      const sizes = apportion(
        perCounty[i],
        inCounty.map((s) => s.stageWeights[stage]!),
      );
      inCounty.forEach((s, j) => {
        counts.get(s.code)!.set(stage, sizes[j]);
      });
    });
  }
  const out = new Map<string, SchoolEnrolment>();
  for (const s of schools) {
    const rng = Random.derive(seed, "grades", s.code);
    const byGrade = new Map<number, number>();
    const classes = new Map<number, number[]>();
    for (const [stage, n] of counts.get(s.code)!) {
      const grades = s.grades.filter((g) => stageOfGrade(g, s.type) === stage);
      const split = apportion(
        n,
        grades.map((g) => (cohort[g] ?? 1) * rng.spread(0.08)),
      );
      grades.forEach((g, i) => {
        byGrade.set(g, split[i]);
        const limit = classLimit(stage, g) + (s.overcrowded ? rng.int(6, 14) : 0);
        const k = Math.ceil(split[i] / limit);
        classes.set(g, k === 0 ? [] : apportion(split[i], new Array(k).fill(1)));
      });
    }
    out.set(s.code, { byGrade, classes });
  }
  return out;
}
