import { sql } from "kysely";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, signIn, type TestContext } from "../../test/app.js";
import { createTestDatabase } from "../../test/db.js";
import { orgUnit } from "../../test/factories.js";
import { DEMO_PASSWORD, DEMO_SCHOOL_ADMIN, DEMO_TEACHER, demoAccounts } from "./accounts.js";
import { DEMO_SCHOOL_CODE } from "./generate.js";
import { type DemoCitySummary, ensureDemoCity, type LoadProgress, loadDemoCity } from "./load.js";

/** The loader on a real database (PGlite, or PostgreSQL with TEST_DATABASE_URL), at 2 % of the city. */
let t: TestContext;
let summary: DemoCitySummary;
const progress: LoadProgress[] = [];
let indexesBefore: string[];
const silent = pino({ level: "silent" });

const indexDefs = async () =>
  (
    await sql<{
      def: string;
    }>`select indexdef as def from pg_indexes where schemaname = 'public' order by 1`.execute(t.database.db)
  ).rows.map((r) => r.def);

beforeAll(async () => {
  t = await createTestApp();
  indexesBefore = await indexDefs();
  summary = await loadDemoCity(t.database, { scale: 0.02, onProgress: (p) => progress.push(p) });
  await ensureDemoCity(t.database, silent);
}, 300_000);
afterAll(() => t?.close());

const count = async (
  table: "org_unit" | "org_unit_version" | "class_group" | "staff" | "student" | "student_status_history",
) =>
  Number(
    (
      await t.database.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe("loadDemoCity", () => {
  it("writes what the generator made, in one go", async () => {
    expect(summary.students).toBeGreaterThan(5_000);
    expect(summary.students).toBeLessThan(30_000);
    expect(await count("org_unit")).toBe(summary.orgUnits);
    expect(await count("class_group")).toBe(summary.classGroups);
    expect(await count("staff")).toBe(summary.staff);
    expect(await count("student")).toBe(summary.students);
    expect(await count("student_status_history")).toBe(summary.statusHistory);
    expect(await count("org_unit_version")).toBeGreaterThan(summary.orgUnits);
    expect(progress.at(-1)).toMatchObject({ phase: "finishing", done: summary.students });
  });

  it("leaves every index, key and foreign key as the migrations made them", async () => {
    expect(await indexDefs()).toEqual(indexesBefore);
    const fk = await sql<{ n: number }>`select count(*)::int as n from pg_constraint
      where contype = 'f' and conrelid = 'student'::regclass`.execute(t.database.db);
    expect(fk.rows[0].n).toBeGreaterThanOrEqual(2);
    // The keys hold: a duplicate 学籍号 is refused.
    const one = await t.database.db.selectFrom("student").selectAll().limit(1).executeTakeFirstOrThrow();
    const { id: _id, created_at: _c, updated_at: _u, ...copy } = one;
    await expect(t.database.db.insertInto("student").values(copy).execute()).rejects.toThrow();
  });

  it("moves the id sequences past the loaded rows", async () => {
    const u = await orgUnit(t.database.db, { code: "1411029999", parentCode: "141102" });
    expect(u.id).toBeGreaterThan(summary.orgUnits);
  });

  it("stores the merged schools with their history, readable by SQL", async () => {
    const merged = await t.database.db
      .selectFrom("org_unit as u")
      .innerJoin("org_unit as s", "s.id", "u.successor_id")
      .select(["u.code", "u.valid_to", "s.code as successor"])
      .where("u.end_reason", "=", "merged")
      .execute();
    expect(merged.length).toBeGreaterThan(0);
    const moved = await t.database.db
      .selectFrom("student_status_history as h")
      .innerJoin("org_unit as u", "u.id", "h.school_id")
      .select("h.student_id")
      .where("u.end_reason", "=", "merged")
      .execute();
    expect(moved.length).toBeGreaterThan(0);
  });

  it("stores the schools opened in 2022 and the 2022 rural mergers with dates, as SQL reads them", async () => {
    const opened = await sql<{ code: string; valid_from: string; school_type: string }>`
      select code, to_char(valid_from, 'YYYY-MM-DD') as valid_from, school_type from org_unit
      where kind = 'school' and valid_from between '2022-01-01' and '2022-12-31'`.execute(t.database.db);
    expect(opened.rows.length).toBeGreaterThan(0);
    for (const r of opened.rows) expect(["2022-03-01", "2022-09-01"]).toContain(r.valid_from);
    const versions = await sql<{ note: string | null }>`
      select v.note from org_unit_version v join org_unit u on u.id = v.org_unit_id
      where u.code = ${opened.rows[0].code} order by v.valid_from limit 1`.execute(t.database.db);
    expect(versions.rows[0].note).toMatch(/^新建/);
    const merged = await sql<{ n: number }>`
      select count(*)::int as n from org_unit u join org_unit s on s.id = u.successor_id
      where u.end_reason = 'merged' and u.urban_rural = 'rural'
        and u.valid_to between '2022-01-01' and '2022-12-31' and s.valid_to is null`.execute(t.database.db);
    expect(merged.rows[0].n).toBeGreaterThan(0);
  });

  it("writes one audit row for the load", async () => {
    const rows = await t.database.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "seed-demo")
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_type: "system", entity: "demo_city" });
  });

  it("refuses a database that already has org units, and changes nothing", async () => {
    await expect(loadDemoCity(t.database, { scale: 0.02 })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await count("student")).toBe(summary.students);
  });
});

describe("ensureDemoCity and the demo accounts", () => {
  it("does not load twice, and creates each account once", async () => {
    await ensureDemoCity(t.database, silent);
    expect(await count("student")).toBe(summary.students);
    const users = await t.database.db.selectFrom("app_user").select("username").execute();
    expect(users.map((u) => u.username).sort()).toEqual(demoAccounts.map((a) => a.username).sort());
  });

  it("copes with two processes starting in demo mode at once", async () => {
    const fresh = await createTestDatabase();
    try {
      const options = { scale: 0.01 };
      await Promise.all([ensureDemoCity(fresh, silent, options), ensureDemoCity(fresh, silent, options)]);
      const audit = await fresh.db
        .selectFrom("audit_log")
        .select("id")
        .where("action", "=", "seed-demo")
        .execute();
      expect(audit).toHaveLength(1);
      const users = await fresh.db.selectFrom("app_user").select("username").execute();
      expect(users).toHaveLength(demoAccounts.length);
    } finally {
      await fresh.close();
    }
  }, 300_000);

  const me = async (username: string) => {
    const client = await signIn(t.app, username, DEMO_PASSWORD);
    const res = await client.get("/api/auth/me");
    expect(res.statusCode).toBe(200);
    return { client, user: res.json().user as { roles: string[]; scope: { code: string }[] } };
  };

  it.each([
    ["admin", "city_admin", "141100"],
    ["leader", "leader", "141100"],
    ["lishi", "county_admin", "141102"],
    ["xiaoyi", "county_admin", "141181"],
    [DEMO_SCHOOL_ADMIN, "school_admin", DEMO_SCHOOL_CODE],
    [DEMO_TEACHER, "teacher", DEMO_SCHOOL_CODE],
  ])("%s signs in with demo1234 as %s of %s", async (username, role, scope) => {
    const { user } = await me(username);
    expect(user.roles).toEqual([role]);
    expect(user.scope.map((s) => s.code)).toEqual([scope]);
  });

  it("gives the plan's counted indicators live figures, as the engine counts them (cockpit, 2022)", async () => {
    const { client } = await me("leader");
    const res = await client.get("/api/cockpit?period=2022");
    expect(res.statusCode).toBe(200);
    const cockpit = res.json() as { indicators: { code: string; city: { value: number | null } }[] };
    const value = (code: string) => cockpit.indicators.find((i) => i.code === code)?.city.value;
    // The same figures counted in SQL by the rules of indicators/facts.ts: opened = valid_from in
    // 2022; merged = end_reason 'merged' with valid_to in 2022; level "city" = a unit of no county.
    const n = async (query: ReturnType<typeof sql<{ n: number }>>) =>
      (await query.execute(t.database.db)).rows[0].n;
    const opened = (where: ReturnType<typeof sql>) => sql<{ n: number }>`
      select count(*)::int as n from org_unit
      where kind = 'school' and valid_from between '2022-01-01' and '2022-12-31' and ${where}`;
    const researchers = (county: boolean) => sql<{ n: number }>`
      select count(*)::int as n from staff s join org_unit u on u.id = s.school_id
      where s.status = 'active' and s.deleted_at is null and '教研员' = any(s.posts)
        and (u.county_code is ${county ? sql`not null` : sql`null`})`;
    const expected = {
      new_inclusive_kindergartens: await n(
        opened(sql`school_type = '111' and (ownership = 'public' or coalesce(inclusive, false))`),
      ),
      new_compulsory_schools: await n(opened(sql`school_type in ('211', '218', '311', '312', '341', '345')`)),
      new_boarding_schools: await n(opened(sql`coalesce(boarding, false)`)),
      rural_school_mergers: await n(sql<{ n: number }>`
        select count(*)::int as n from org_unit where kind = 'school' and end_reason = 'merged'
          and urban_rural = 'rural' and valid_to between '2022-01-01' and '2022-12-31'`),
      city_researchers: await n(researchers(false)),
      county_researchers: await n(researchers(true)),
      famous_teacher_leaders: await n(sql<{ n: number }>`
        select count(*)::int as n from staff
        where status = 'active' and deleted_at is null and '名师成长带头人' = any(posts)`),
    };
    for (const [code, count] of Object.entries(expected)) {
      expect(count, code).toBeGreaterThan(0);
      expect(value(code), code).toBe(count);
    }
  });

  it("gives 平安校园覆盖率 from the demo's county inspections in 2022 (cockpit, as safety.ts counts)", async () => {
    const { client } = await me("leader");
    const cockpit = (await client.get("/api/cockpit?period=2022")).json() as {
      indicators: { code: string; city: { numerator: number; denominator: number } }[];
    };
    const city = cockpit.indicators.find((i) => i.code === "safe_campus_coverage")!.city;
    // Schools in operation at the end of 2022 whose latest county or city inspection in 2022 passed.
    const r = await sql<{ passed: number; schools: number }>`
      select count(*) filter (where last.passed)::int as passed, count(*)::int as schools
      from org_unit o left join lateral (
        select i.passed from safety_inspection i where i.org_unit_id = o.id and i.source <> 'self_check'
          and i.inspected_on between '2022-01-01' and '2022-12-31'
        order by i.inspected_on desc, i.id desc limit 1) last on true
      where o.kind = 'school' and o.valid_from <= '2022-12-31'
        and (o.valid_to is null or o.valid_to > '2022-12-31')`.execute(t.database.db);
    expect(r.rows[0].passed).toBeGreaterThan(0);
    expect([city.numerator, city.denominator]).toEqual([r.rows[0].passed, r.rows[0].schools]);
  });

  it("gives the school accounts a school with many students, and only theirs", async () => {
    const { client } = await me(DEMO_TEACHER);
    const res = await client.get("/api/students?pageSize=200");
    expect(res.statusCode).toBe(200);
    const page = res.json() as { items: { schoolCode: string }[]; total: number };
    expect(page.total).toBeGreaterThan(1000);
    expect(new Set(page.items.map((s) => s.schoolCode))).toEqual(new Set([DEMO_SCHOOL_CODE]));
  });
});
