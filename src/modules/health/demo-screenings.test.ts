import { sql } from "kysely";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestContext } from "../../../test/app.js";
import { loadDemoCity } from "../../demo/load.js";
import { parsePeriod } from "../../shared/period.js";
import { loadDemoScreenings } from "./demo-screenings.js";
import { myopiaRule } from "./myopia-rule.js";
import { HealthRepository } from "./repository.js";
import { HealthService } from "./service.js";

let t: TestContext;
const silent = pino({ level: "silent" });

beforeAll(async () => {
  t = await createTestApp();
  await loadDemoCity(t.database, { scale: 0.02 });
  await loadDemoScreenings(t.database, silent);
});
afterAll(() => t?.close());

describe("demo screenings", () => {
  it("screens every enrolled student in 2022, and in 2021 all but the then-unenrolled youngest", async () => {
    const r = await sql<{ y: number; n: number; students: number }>`
      select extract(year from screened_on)::int as y, count(*)::int as n, count(distinct student_id)::int as students
      from vision_screening group by 1 order by 1`.execute(t.database.db);
    const enrolled = await sql<{ n: number; young: number }>`
      select count(*)::int as n, (count(*) filter (where grade = -2))::int as young from student
      where deleted_at is null and status in ('enrolled', 'suspended')`.execute(t.database.db);
    expect(r.rows.map((x) => x.y)).toEqual([2021, 2022]);
    expect(r.rows[1].n).toBe(enrolled.rows[0].n);
    expect(r.rows[0].n).toBe(enrolled.rows[0].n - enrolled.rows[0].young);
    expect(r.rows.every((x) => x.n === x.students)).toBe(true);
  });

  it("gives a myopia rate that rises with grade and keeps readings in range", async () => {
    const s = await sql<{ grade: number; rate: number }>`
      select grade, avg(case when age_years >= 6 and ((va_left < 5.0 and se_left <= -0.5)
        or (va_right < 5.0 and se_right <= -0.5)) then 1.0 else 0 end)::float8 as rate
      from vision_screening where screened_on >= '2022-01-01' group by grade order by grade`.execute(
      t.database.db,
    );
    const rate = new Map(s.rows.map((x) => [x.grade, x.rate]));
    expect(rate.get(1)).toBeLessThan(rate.get(6) as number);
    expect(rate.get(6)).toBeLessThan(rate.get(9) as number);
    expect(rate.get(-1)).toBe(0); // under 6: never counted
  });

  it("leaves the per-school summary fresh and equal to the count from every screening", async () => {
    const repo = new HealthRepository(t.database.db);
    expect((await repo.summaryState())?.stale).toBe(false);
    for (const p of ["2021", "2022", "2021-2022", "2022-2023"]) {
      const { start, end } = parsePeriod(p);
      expect(await repo.myopiaBySchoolSummary(start, end)).toEqual(
        await repo.myopiaBySchool(myopiaRule, start, end),
      );
    }
  });

  it("lets the county rates move differently from 2021 to 2022 (some improve, some do not)", async () => {
    const health = new HealthService(new HealthRepository(t.database.db));
    const byCounty = async (p: string) => {
      const m = new Map<string, [number, number]>();
      for (const r of await health.myopiaBySchool(p)) {
        const x = m.get(r.countyCode) ?? [0, 0];
        m.set(r.countyCode, [x[0] + r.myopic, x[1] + r.screened]);
      }
      return m;
    };
    const [a, b] = [await byCounty("2021"), await byCounty("2022")];
    const changes = [...b].map(([code, [m, n]]) => {
      const [m0, n0] = a.get(code) ?? [0, 1];
      return (100 * m) / n - (100 * m0) / n0;
    });
    expect(changes.length).toBeGreaterThan(5);
    expect(changes.some((c) => c < -0.3)).toBe(true);
    expect(changes.some((c) => c > 0)).toBe(true);
  });
});
