import { type RawBuilder, sql } from "kysely";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { loadDemoCity } from "../../demo/load.js";
import { casesModule } from "./compose.js";
import { DEMO_INSPECTOR, loadCasesDemo } from "./demo.js";
import { stepLabel } from "./engine/kind.js";
import { kindOf } from "./kinds/index.js";

/** The demo cases on a 3 % city: consistent with the engine, so the sweep finds nothing to change. */
let t: TestContext;

beforeAll(async () => {
  t = await createTestApp();
  await loadDemoCity(t.database, { scale: 0.03 });
  await loadCasesDemo(t.database, pino({ level: "silent" }));
}, 300_000);
afterAll(() => t?.close());

const one = async <T>(q: RawBuilder<T>) => (await q.execute(t.database.db)).rows[0];

describe("demo cases", () => {
  it("hold open, overdue (escalated) and closed cases of both kinds", async () => {
    const r = await one(sql<{
      hazards: number;
      findings: number;
      open: number;
      overdue: number;
      city: number;
      closed: number;
    }>`
      select count(*) filter (where kind = 'hazard')::int as hazards,
        count(*) filter (where kind = 'supervision')::int as findings,
        count(*) filter (where closed_at is null)::int as open,
        count(*) filter (where overdue_since is not null)::int as overdue,
        count(*) filter (where escalation_level = 2)::int as city,
        count(*) filter (where closed_at is not null)::int as closed
      from case_record`);
    expect(r.hazards).toBeGreaterThan(20);
    expect(r.findings).toBeGreaterThan(5);
    for (const k of ["open", "overdue", "city", "closed"] as const) expect(r[k], k).toBeGreaterThan(0);
  });

  it("every case's state is where its timeline ends", async () => {
    const bad = await one(sql<{ n: number }>`
      select count(*)::int as n from case_record c
      where c.state <> (select e.to_state from case_event e where e.case_id = c.id and e.to_state is not null
                        order by e.at desc, e.id desc limit 1)`);
    expect(bad.n).toBe(0);
  });

  it("the sweep agrees with the demo's overdue markers", async () => {
    const mod = casesModule(t.database.db, { sweepEveryMs: 0 });
    const before = await mod.sweeper.sweep();
    expect(before).toEqual({ overdue: 0, escalated: 0, cleared: 0 });
  });

  it("gives the demo inspector plans, and ~90 % of schools 平安校园 in 2022–2023, fewer in calendar 2022", async () => {
    const inspector = await signIn(t.app, DEMO_INSPECTOR, "demo1234");
    const plans = (await inspector.get("/api/supervision/plans")).json();
    expect(plans.items.length).toBeGreaterThan(0);
    const mod = casesModule(t.database.db, { sweepEveryMs: 0 });
    const rows = await mod.safety.safeCampusBySchool("2022-2023");
    const share = rows.filter((x) => x.passed).length / rows.length;
    expect(share).toBeGreaterThan(0.7);
    expect(share).toBeLessThan(0.95);
    // calendar 2022 (the plan's period): the spring round and the autumn part of 2022–2023, below 90 %
    const year = await mod.safety.safeCampusBySchool("2022");
    const yearShare = year.filter((x) => x.passed).length / year.length;
    expect(year.filter((x) => x.inspected).length / year.length).toBeGreaterThan(0.8);
    expect(yearShare).toBeGreaterThan(0.6);
    expect(yearShare).toBeLessThan(0.9);
  });

  it("every step on the demo timelines has a Chinese label", async () => {
    const steps = (
      await sql<{ kind: string; step: string }>`select distinct c.kind, e.step from case_event e
        join case_record c on c.id = e.case_id`.execute(t.database.db)
    ).rows;
    expect(steps.length).toBeGreaterThan(5);
    for (const s of steps)
      expect(stepLabel(kindOf(s.kind)!, s.step), `${s.kind}.${s.step}`).toMatch(/\p{Script=Han}/u);
  });
});
