import { sql } from "kysely";
import type { Logger } from "pino";
import type { BulkTx, Database } from "../../db/connect.js";
import { withIndexesDeferred } from "../../demo/bulk-indexes.js";
import { markDemoExtra } from "../../demo/extras.js";
import { DEFAULT_SEED } from "../../demo/generate.js";
import { Random } from "../../demo/random.js";
import { eyeIsMyopic, myopiaRule } from "./myopia-rule.js";

/**
 * Demo data "health.screening": an autumn 2021 and an autumn 2022 vision screening of every
 * enrolled demo student (~1.1 million rows), written with COPY in one transaction.
 *
 * The myopia rate rises with grade, as in the national figures (2020 教育部 survey: 小学 35.6 %,
 * 初中 71.1 %, 高中 80.5 %), with a county-level offset. From 2021 to 2022 some counties improve by
 * 0.5–1.5 percentage points and the rest stay level or worsen, so the plan's "近视率 −1 pp" target
 * is met by some counties only. A student's screenings share one propensity draw; the 2021 threshold
 * of each county is solved (bisection on the realised count) so that its 2021 rate is its realised
 * 2022 rate plus the chosen drop. Deterministic: the demo seed, students in id order.
 *
 * Simplifications, for a demo: a student's 2021 row carries the current school (a pupil who moved
 * up to junior school in 2022 is shown at it in 2021 too) and grade − 1.
 */
export const SCREENING_EXTRA = "health.screening";

/** Share of students meeting the eye criterion by grade (-2 … 12), autumn 2022, before the county offset. */
const BASE_BY_GRADE: Record<number, number> = {
  [-2]: 0.02,
  [-1]: 0.03,
  0: 0.06,
  1: 0.14,
  2: 0.2,
  3: 0.27,
  4: 0.34,
  5: 0.42,
  6: 0.5,
  7: 0.6,
  8: 0.66,
  9: 0.71,
  10: 0.76,
  11: 0.79,
  12: 0.82,
};

const YEARS = [2021, 2022] as const;

interface CountyPlan {
  code: string;
  name: string;
  /** Additive offset of the county's rates. */
  offset: number;
  /** 2021 rate − 2022 rate, percentage points (positive: improved). */
  drop: number;
  /** Solved: added to the 2022 propensity threshold for 2021. */
  delta: number;
}

export async function loadDemoScreenings(database: Database, log: Logger, seed = DEFAULT_SEED) {
  await database.bulkTransaction(async (tx) => {
    const t0 = performance.now();
    const lap = (step: string) =>
      log.info({ step, seconds: Math.round(performance.now() - t0) / 1000 }, "demo screenings");
    const counties = await countyPlans(tx, seed);
    await tx.exec(`create temp table screening_county (county_code text primary key, name text,
        institution21 text, institution22 text, base_offset float8, drop_pp float8,
        delta float8 not null default 0) on commit drop;
      create temp table screening_school (school_id bigint primary key, d2021 date, d2022 date) on commit drop;
      create temp table screening_template (kind int, variant int, va_left numeric(2,1), va_right numeric(2,1),
        se_left numeric(5,2), se_right numeric(5,2), primary key (kind, variant)) on commit drop`);
    await tx.copyRows(
      "screening_template",
      ["kind", "variant", "va_left", "va_right", "se_left", "se_right"],
      readingTemplates(seed),
    );
    await tx.copyRows(
      "screening_county",
      ["county_code", "name", "institution21", "institution22", "base_offset", "drop_pp"],
      counties.map((c) => [
        c.code,
        c.name,
        `${c.name}疾病预防控制中心`,
        `${c.name}妇幼保健院`,
        String(c.offset),
        String(c.drop),
      ]),
    );
    await tx.copyRows("screening_school", ["school_id", "d2021", "d2022"], await screeningDates(tx, seed));
    await tx.exec(planSql(seed));
    lap("planned");
    await tx.exec(solveDeltasSql);
    // The per-school summary (migration 0032) is rebuilt whole below: marked stale first, so that its
    // trigger does not recompute group by group while the indexes it would use are set aside.
    await tx.exec("update vision_screening_summary_state set stale = true");
    const total = await withIndexesDeferred(tx, ["vision_screening"], async () => {
      const r = await sql<{ n: number }>`with i as (${sql.raw(insertSql)} returning 1)
        select count(*)::int as n from i`.execute(tx.db);
      lap("inserted");
      return r.rows[0].n;
    });
    lap("indexed");
    await tx.exec("set local default_statistics_target = 50");
    await tx.exec("analyze vision_screening");
    // built whole here, so that the first cockpit does not wait for it
    await tx.exec("select vision_screening_summary_rebuild()");
    lap("summarised");
    const solved = await sql<{ county_code: string; drop_pp: number }>`
      select county_code, drop_pp from screening_county order by county_code`.execute(tx.db);
    await markDemoExtra(tx.db, SCREENING_EXTRA, {
      screenings: total,
      plannedDropPp: Object.fromEntries(
        solved.rows.map((c) => [c.county_code, Math.round(c.drop_pp * 100) / 100]),
      ),
    });
    lap("done");
  });
}

async function countyPlans(tx: BulkTx, seed: string): Promise<CountyPlan[]> {
  const rows = await tx.db
    .selectFrom("org_unit")
    .select(["code", "name"])
    .where("kind", "=", "county")
    .orderBy("code")
    .execute();
  const rng = Random.derive(seed, SCREENING_EXTRA, "counties");
  return rows.map((r) => {
    const improving = rng.chance(0.6);
    return {
      code: r.code,
      name: r.name,
      offset: rng.normal(0, 0.03),
      // improving: 2022 lower by 0.5–1.5 pp; the others from 0.3 pp lower to 0.9 pp higher
      drop: improving ? 0.5 + rng.next() : 0.3 - 1.2 * rng.next(),
      delta: 0,
    };
  });
}

/** Each school is screened on one autumn day a year (15 September … 30 November): COPY rows. */
async function screeningDates(tx: BulkTx, seed: string): Promise<string[][]> {
  const schools = await tx.db
    .selectFrom("org_unit")
    .select("id")
    .where("kind", "=", "school")
    .orderBy("id")
    .execute();
  const rng = YEARS.map((y) => Random.derive(seed, SCREENING_EXTRA, "dates", y));
  return schools.map((s) => [
    String(s.id),
    ...YEARS.map((y, k) => new Date(Date.UTC(y, 8, 15 + rng[k].int(0, 76))).toISOString().slice(0, 10)),
  ]);
}

/**
 * Per-student draws in SQL, so that 1.1 million rows never leave the database: a fixed integer
 * hash of the student id and the seed (Knuth's multiplicative hash into the MINSTD modulus 2³¹−1).
 * The readings themselves come from templates drawn in JS with the demo's generator (random.ts):
 * VARIANTS sets of four readings per (grade, myopic) kind, one picked per screening by the hash,
 * so the database does a hash join per row instead of arithmetic.
 */
const M = 2147483647;
const VARIANTS = 509;

/** COPY rows of screening_template: kind key, variant, VA L/R, SE L/R. */
function readingTemplates(seed: string): string[][] {
  const rng = Random.derive(seed, SCREENING_EXTRA, "readings");
  const rows: string[][] = [];
  for (let grade = -2; grade <= 12; grade++)
    for (const myopic of [false, true])
      for (let v = 0; v < VARIANTS; v++) {
        const both = rng.chance(0.75);
        const leftMyopic = myopic && (both || rng.chance(0.5));
        const rightMyopic = myopic && (both || !leftMyopic);
        const l = leftMyopic ? myopicEye(rng, grade) : normalEye(rng, grade);
        const r = rightMyopic ? myopicEye(rng, grade) : normalEye(rng, grade);
        rows.push([
          String(templateKind(grade, myopic)),
          String(v),
          l.acuity.toFixed(1),
          r.acuity.toFixed(1),
          l.se.toFixed(2),
          r.se.toFixed(2),
        ]);
      }
  return rows;
}

const templateKind = (grade: number, myopic: boolean) => (grade + 2) * 2 + (myopic ? 1 : 0);
const quarter = (v: number) => Math.round(v * 4) / 4;
const tenth = (v: number) => Math.round(v * 10) / 10;

/** A myopic eye: SE from −0.50 D down, deeper in higher grades; acuity below 5.0, falling with SE. */
function myopicEye(r: Random, grade: number) {
  const se = quarter(-0.5 - r.next() ** 1.6 * (1.2 + 0.45 * Math.max(0, grade)));
  const acuity = Math.min(4.9, Math.max(4.0, tenth(5.0 + 0.22 * se + r.normal(-0.05, 0.08))));
  return { acuity, se };
}

/**
 * A normal eye: hyperopic reserve shrinking with age; a few eyes with low acuity from other causes,
 * a few slightly myopic refractions with good acuity (neither is myopia by the rule, which needs
 * both signs in the same eye).
 */
function normalEye(r: Random, grade: number) {
  let se = quarter(r.normal(0.9 - 0.08 * Math.max(0, grade), 0.45));
  if (se <= -0.5 && !r.chance(0.25)) se = -0.25;
  let acuity = Math.min(5.3, Math.max(5.0, tenth(r.normal(5.08, 0.08))));
  if (r.chance(0.05)) acuity = r.chance(0.5) ? 4.8 : 4.9;
  return eyeIsMyopic({ acuity, se }) ? { acuity, se: -0.25 } : { acuity, se };
}

const planSql = (seed: string) => {
  let seedInt = 0;
  for (const ch of seed) seedInt = (seedInt * 31 + ch.charCodeAt(0)) % 1000003;
  const grades = Object.entries(BASE_BY_GRADE)
    .map(([g, b]) => `(${g}, ${b})`)
    .join(", ");
  return `create temp table screening_plan on commit drop as
    select s.id, s.school_id, s.org_path, s.county_code, s.grade, d.d2021, d.d2022,
      extract(year from age(d.d2021, s.birth_date))::int as age21,
      extract(year from age(d.d2022, s.birth_date))::int as age22,
      ((s.id * 2654435761 + ${seedInt}) % ${M}) as h,
      (((((s.id * 2654435761 + ${seedInt}) % ${M}) * 16807) % ${M})::float8 / ${M}) as u,
      least(0.95, greatest(0.005, g.base + c.base_offset)) as t22
    from student s join screening_school d on d.school_id = s.school_id
      join screening_county c on c.county_code = s.county_code
      join (values ${grades}) g(grade, base) on g.grade = s.grade
    where s.deleted_at is null and s.status in ('enrolled', 'suspended')`;
};

/**
 * Per county, the 2021 threshold shift that makes its 2021 rate (students aged 6 and over, as the
 * rule counts them, over all screened) its realised 2022 rate plus the planned drop: the shift is
 * the K-th smallest (u − t22) among the students the rule would count in 2021.
 */
const solveDeltasSql = `
  with k as (
    select county_code,
      (count(*) filter (where age22 >= ${myopiaRule.minAgeYears} and u < t22))::float8 / count(*) as r22,
      count(*) filter (where grade >= -1) as n21,
      count(*) filter (where grade >= -1 and age21 >= ${myopiaRule.minAgeYears}) as e21
    from screening_plan group by county_code
  ), f as (
    select k.county_code, least(1.0, greatest(0.0, (k.r22 + c.drop_pp / 100) * k.n21 / nullif(k.e21, 0))) as frac
    from k join screening_county c on c.county_code = k.county_code
  ), d as (
    select p.county_code, percentile_disc(f.frac) within group (order by p.u - p.t22) as delta
    from screening_plan p join f on f.county_code = p.county_code
    where p.grade >= -1 and p.age21 >= ${myopiaRule.minAgeYears}
    group by p.county_code, f.frac
  )
  update screening_county c set delta = d.delta from d where d.county_code = c.county_code`;

const insertSql = `
  insert into vision_screening (student_id, school_id, org_path, county_code, screened_on, age_years, grade,
    va_left, va_right, se_left, se_right, institution)
  select y.id, y.school_id, y.org_path, y.county_code, y.d, y.age, y.grade,
    t.va_left, t.va_right, t.se_left, t.se_right, y.institution
  from (
    select p.id, p.school_id, p.org_path, p.county_code, p.h, v.year, v.d, v.age, v.grade, v.myopic,
      v.institution
    from screening_plan p join screening_county c on c.county_code = p.county_code
      cross join lateral (values
        (2021, p.d2021, p.age21, p.grade - 1, (p.u - p.t22) <= c.delta, c.institution21),
        (2022, p.d2022, p.age22, p.grade, p.u < p.t22, c.institution22)
      ) v(year, d, age, grade, myopic, institution)
    where v.grade >= -2
  ) y
  join screening_template t
    on t.kind = (y.grade + 2) * 2 + case when y.myopic then 1 else 0 end
   and t.variant = ((y.h * 48271 + y.year) % ${M}) % ${VARIANTS}`;
