/**
 * 筛查性近视 (screening myopia) as defined by WS/T 663-2020《中小学生屈光不正筛查规范》: a child aged
 * 6 or over whose uncorrected distance visual acuity (裸眼远视力) is below 5.0 and whose
 * non-cycloplegic autorefraction spherical equivalent (等效球镜 SE) is −0.50 D or less, in the same
 * eye. The standard's "6岁以上" includes 6 (in Chinese legal usage "以上" includes the number itself,
 * 《民法典》第一千二百五十九条). A student counts as myopic when either eye meets the criterion.
 *
 * Pure: no I/O. The thresholds are data (a rule object with its citation), so a later revision of
 * the standard, or another jurisdiction's rule, is a new object, not new code. The SQL that counts
 * myopic students (repository.ts) is built from the same object.
 */
export interface MyopiaRule {
  /** Stable code, e.g. "WS/T 663-2020". */
  code: string;
  /** The source document. */
  citation: string;
  /** Minimum age in full years on the screening date (inclusive). */
  minAgeYears: number;
  /** Uncorrected distance acuity (5-point record) strictly below this counts as low. */
  acuityBelow: number;
  /** Spherical equivalent (D) at or below this counts as myopic refraction. */
  seAtMost: number;
  /** The rule in words, shown wherever the figure is shown. */
  text: string;
}

/** WS/T 663-2020, 3.4 筛查性近视 (screening myopia). */
export const WST_663_2020: MyopiaRule = {
  code: "WS/T 663-2020",
  citation: "《中小学生屈光不正筛查规范》（WS/T 663—2020）",
  minAgeYears: 6,
  acuityBelow: 5.0,
  seAtMost: -0.5,
  text:
    "筛查性近视（WS/T 663—2020）：6岁及以上（含6岁，按筛查日周岁计），同一只眼裸眼远视力 < 5.0 且非睫状肌麻痹下电脑验光等效球镜 SE ≤ −0.50 D；" +
    "任一眼符合即计为近视。近视率 = 筛查性近视人数 ÷ 6岁及以上的筛查人数（未满6岁的幼儿不作判定，不计入）；同一统计期内多次筛查的学生按最近一次计一人。",
};

/** The rule in force. */
export const myopiaRule: MyopiaRule = WST_663_2020;

export interface EyeReading {
  /** 裸眼远视力, 5-point record (4.0 … 5.3). */
  acuity: number;
  /** 等效球镜 SE, dioptres. */
  se: number;
}

export interface ScreeningReading {
  /** Full years (周岁) on the screening date. */
  ageYears: number;
  left: EyeReading;
  right: EyeReading;
}

/**
 * Acuity is compared in tenths and SE in hundredths of a dioptre, as integers: 4.9 < 5.0 and
 * −0.50 ≤ −0.50 must not depend on binary floating point.
 */
const tenths = (v: number) => Math.round(v * 10);
const hundredths = (v: number) => Math.round(v * 100);

/** One eye meets the criterion (age aside). */
export function eyeIsMyopic(eye: EyeReading, rule: MyopiaRule = myopiaRule): boolean {
  return tenths(eye.acuity) < tenths(rule.acuityBelow) && hundredths(eye.se) <= hundredths(rule.seAtMost);
}

/** The student is 筛查性近视 at this screening. */
export function isMyopic(s: ScreeningReading, rule: MyopiaRule = myopiaRule): boolean {
  if (s.ageYears < rule.minAgeYears) return false;
  return eyeIsMyopic(s.left, rule) || eyeIsMyopic(s.right, rule);
}

/**
 * Age in full years (周岁) on `on` for someone born on `birth` (ISO dates): the count goes up on the
 * birthday itself; someone born on 29 February has their birthday on 1 March in other years. This is
 * what PostgreSQL's age() gives, which the import uses.
 */
export function ageInYears(birth: string, on: string): number {
  const [by, bm, bd] = birth.split("-").map(Number);
  const [y, m, d] = on.split("-").map(Number);
  let age = y - by;
  if (m < bm || (m === bm && d < bd)) age--;
  return age;
}

/** 近视率 in percent, one decimal, from sums (never an average of ratios); null with nobody screened. */
export function myopiaRate(myopic: number, screened: number): number | null {
  if (screened <= 0) return null;
  return Math.round((myopic / screened) * 1000) / 10;
}
