import { residentIdCheckChar } from "../shared/resident-id.js";
import type { Random } from "./random.js";

/**
 * Hands out resident ID numbers (GB 11643) that are unique: per region code, birth date and sex
 * the 3-digit sequence runs through a fixed permutation (odd for men, even for women, as the
 * standard requires), so numbers look scattered but never repeat.
 */
export class ResidentIdAllocator {
  /**
   * How many numbers each (region, birth date, sex) has used, in one typed array rather than a Map
   * of hundreds of thousands of keys (which the garbage collector would walk again and again).
   */
  private readonly used: Uint16Array;
  private readonly regionIndex: Map<string, number>;

  constructor(
    regionCodes: readonly string[],
    private readonly firstYear = 1950,
    private readonly lastYear = 2025,
  ) {
    this.regionIndex = new Map(regionCodes.map((c, i) => [c, i]));
    this.used = new Uint16Array(regionCodes.length * (lastYear - firstYear + 1) * 372 * 2);
  }

  /** `birthDate` as YYYY-MM-DD. Same result as makeResidentId (shared/resident-id.ts), faster. */
  allocate(regionCode: string, birthDate: string, gender: "M" | "F"): string {
    const region = this.regionIndex.get(regionCode);
    const y = Number(birthDate.slice(0, 4));
    if (region === undefined || y < this.firstYear || y > this.lastYear)
      throw new Error(`no ID numbers for region ${regionCode}, year ${y}`);
    const m = Number(birthDate.slice(5, 7));
    const d = Number(birthDate.slice(8, 10));
    const key =
      ((region * (this.lastYear - this.firstYear + 1) + (y - this.firstYear)) * 372 + (m - 1) * 31 + d - 1) *
        2 +
      (gender === "M" ? 1 : 0);
    const k = this.used[key];
    // 499 is prime, so k ↦ (37k + offset) mod 499 visits every slot once before repeating.
    if (k >= 499) throw new Error(`more than 499 people of one sex born on ${birthDate} in ${regionCode}`);
    this.used[key] = k + 1;
    const slot = (k * 37 + (key % 499)) % 499;
    const seq = gender === "M" ? 2 * slot + 1 : 2 * slot + 2;
    const first17 =
      regionCode +
      birthDate.slice(0, 4) +
      birthDate.slice(5, 7) +
      birthDate.slice(8, 10) +
      String(seq).padStart(3, "0");
    return first17 + residentIdCheckChar(first17);
  }
}

const DAY = 86_400_000;

/** YYYY-MM-DD of a UTC day number (days since 1970-01-01). */
export function isoDay(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

export function dayOf(iso: string): number {
  return Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY);
}

/**
 * The birth dates that fit a grade in the school year starting 1 September `schoolYear`: a child
 * enters grade 1 aged 6 on 1 September (义务教育法 §11: 凡年满六周岁的儿童 …), so grade g of 2022
 * was born from 2 September (2016 − g) to 1 September (2017 − g). Kindergarten grades −2..0 follow
 * the same rule (小班 at 3).
 */
export function birthWindow(schoolYear: number, grade: number): string[] {
  const from = dayOf(`${schoolYear - 6 - grade}-09-02`);
  const to = dayOf(`${schoolYear - 5 - grade}-09-01`);
  const out: string[] = [];
  for (let d = from; d <= to; d++) out.push(isoDay(d));
  return out;
}

/** A birth date for someone exactly `age` on 1 September of `year`. */
export function birthDateForAge(rng: Random, year: number, age: number): string {
  const from = dayOf(`${year - age - 1}-09-02`);
  return isoDay(from + rng.int(0, 364));
}
