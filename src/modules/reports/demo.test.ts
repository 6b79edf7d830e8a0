import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { smallCity, user } from "../../../test/factories.js";
import { stepLabel } from "../cases/engine/kind.js";
import { kindOf } from "../cases/kinds/index.js";
import { DEMO_RECEIPT, reportsDemo } from "./demo.js";

/** The demo entry on a small city: every state present, the documented receipt works, all or nothing. */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestApp();
  await smallCity(ctx.database.db);
  await user(ctx.database.db, "jj", ["discipline"], ["141100"]);
  await user(ctx.database.db, "ls", ["county_admin"], ["141102"]);
  await reportsDemo.load(ctx.database, pino({ level: "silent" }));
});
afterAll(() => ctx.close());

describe("reports.demo", () => {
  it("loads institutions per county, inspections with findings, training cases and reports in every state", async () => {
    const db = ctx.database.db;
    const count = async (
      t: "training_institution" | "training_inspection" | "training_finding" | "report_receipt",
    ) =>
      Number(
        (
          await db
            .selectFrom(t)
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await count("training_institution")).toBeGreaterThan(40);
    expect(await count("training_inspection")).toBeGreaterThan(20);
    expect(await count("training_finding")).toBeGreaterThan(0);
    const states = await db
      .selectFrom("case_record")
      .select(["kind", "state"])
      .where("kind", "in", ["report", "training"])
      .groupBy(["kind", "state"])
      .execute();
    const reportStates = states.filter((s) => s.kind === "report").map((s) => s.state);
    for (const s of ["received", "investigating", "upheld", "unfounded", "rejected"])
      expect(reportStates).toContain(s);
    expect(states.filter((s) => s.kind === "training").length).toBeGreaterThanOrEqual(3);
    const marker = await db
      .selectFrom("audit_log")
      .select("entity_key")
      .where("action", "=", "seed-demo-extra")
      .where("entity_key", "=", "reports.demo")
      .executeTakeFirst();
    expect(marker).toBeDefined();
  });

  it("the README's receipt follows a report that waits on the reporter's answer", async () => {
    const res = await ctx.app.inject({ method: "POST", url: "/api/public/follow", payload: DEMO_RECEIPT });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().questions.length).toBe(1);
    expect(res.json().questions[0].answer).toBeNull();
  });

  it("纪检 lists the demo reports; a county sees its training cases but no report", async () => {
    const jj = await signIn(ctx.app, "jj");
    expect((await jj.get("/api/cases?kind=report")).json().total).toBeGreaterThan(50);
    const ls = await signIn(ctx.app, "ls");
    expect((await ls.get("/api/cases?kind=report")).json().total).toBe(0);
    expect((await ls.get("/api/cases?kind=training")).json().total).toBeGreaterThan(0);
  });

  it("every step on the demo timelines has a Chinese label (questions to the reporter included)", async () => {
    // the kinds are registered: createTestApp built the app (reports/compose.ts)
    const steps = await ctx.database.db
      .selectFrom("case_event as e")
      .innerJoin("case_record as c", "c.id", "e.case_id")
      .select(["c.kind", "e.step"])
      .where("c.kind", "in", ["report", "training"])
      .distinct()
      .execute();
    expect(steps.map((s) => s.step)).toContain("ask_reporter");
    for (const s of steps)
      expect(stepLabel(kindOf(s.kind)!, s.step), `${s.kind}.${s.step}`).toMatch(/\p{Script=Han}/u);
  });
});
