import { sql } from "kysely";
import type { Database } from "../../db/connect.js";
import { markDemoExtra } from "../../demo/extras.js";
import { PeopleCensusRepository } from "./census.js";
import type { PeopleRows } from "./facts.js";
import { RegistryReadModel } from "./registry-read-model.js";

/** The demo's frozen years: the three before the plan's year (2022, counted live). */
export const DEMO_CENSUS_YEARS = [2019, 2020, 2021];
const PLAN_YEAR = 2022;

/** Posts the plan builds up (市县教研员, 名师成长带头人): fewer in earlier years. */
const GROWING_POSTS = new Set(["教研员", "名师成长带头人"]);

/** A deterministic spread in [−0.03, 0.03] per school and year (the demo is the same every load). */
function spread(schoolId: number, year: number): number {
  let h = (schoolId * 2654435761 + year * 40503) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 1274126177) >>> 0;
  return ((h % 6001) - 3000) / 100_000;
}

/**
 * The demo city's counts of an earlier year, made from today's by the trends the 2022 plan works
 * for (each factor per year back): public kindergartens grew (−6 % a year back), inclusive private
 * ones a little (−3 %), other private ones shrank (+10 %), private compulsory schools shrank (+8 %:
 * 民办义务教育在校生占比 was higher), other enrolment moved little (−1 %); 骨干 teachers,
 * 教研员 and 名师成长带头人 were fewer (−8 %), other staff −1 %. Each school also gets its
 * own small spread, so counties differ. Pure.
 */
export function earlierCounts(
  now: PeopleRows,
  schools: Map<number, { ownership: string | null; inclusive: boolean | null }>,
  yearsBack: number,
  year: number,
): PeopleRows {
  const scale = (n: number, f: number, id: number) =>
    Math.max(0, Math.round(Number(n) * f ** yearsBack * (1 + spread(id, year))));
  return {
    students: now.students.map((r) => {
      const s = schools.get(Number(r.school_id));
      const priv = s?.ownership === "private";
      const f =
        r.stage === "preschool"
          ? priv
            ? s?.inclusive
              ? 0.97
              : 1.1
            : 0.94
          : priv && (r.stage === "primary" || r.stage === "junior")
            ? 1.08
            : 0.99;
      return { ...r, n: scale(r.n, f, Number(r.school_id)) };
    }),
    staff: now.staff.map((r) => {
      const f = r.key_level || r.posts.some((p) => GROWING_POSTS.has(p)) ? 0.92 : 0.99;
      return { ...r, n: scale(r.n, f, Number(r.school_id)) };
    }),
  };
}

/**
 * Demo data: 在校生、教职工统计快照 of 2019–2021, so that the cockpit's trends and 较上期 of the
 * indicators counted from people (公办率, 普惠率, 民办义务教育在校生占比, 教研员, 名师) show years
 * that differ, as a bureau's own censuses would. 2022 is counted live from the registry.
 */
export async function loadCensusDemo(database: Database): Promise<void> {
  const read = new RegistryReadModel(database.db);
  const [students, staff] = await Promise.all([read.studentCounts(), read.staffCounts()]);
  const schools = new Map(
    (
      await sql<{ id: number; ownership: string | null; inclusive: boolean | null }>`
        select id, ownership, inclusive from org_unit where kind = 'school'`.execute(database.db)
    ).rows.map((r) => [Number(r.id), { ownership: r.ownership, inclusive: r.inclusive }]),
  );
  const repo = new PeopleCensusRepository(database.db);
  await database.bulkTransaction(async (tx) => {
    for (const year of DEMO_CENSUS_YEARS) {
      const rows = earlierCounts({ students, staff }, schools, PLAN_YEAR - year, year);
      await repo.put(tx.db, String(year), rows, "示范数据：按2022年学籍推算", "demo");
    }
    await markDemoExtra(tx.db, "indicators.people-census", { years: DEMO_CENSUS_YEARS });
  });
}
