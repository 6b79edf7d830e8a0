import { type RawBuilder, type SqlBool, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../test/db.js";
import { orgUnit, smallCity, user } from "../../../test/factories.js";
import type { Database } from "../../db/connect.js";
import { CountCache } from "../people/count-cache.js";
import { unitOfPath } from "./list-sql.js";
import { CaseRepository, type Visibility, visibleSql } from "./repository.js";
import type { CaseFilter } from "./schemas.js";

/**
 * The case list (list-sql.ts) writes the scope, the kinds and participation in the forms its
 * prepared plans serve; these tests hold it to the plain rule (visibleSql and each filter as a
 * WHERE clause, newest first) over every kind of scope, filter and page.
 */
let database: Database;
let repo: CaseRepository;
let insider: number; // takes part in cases of 孝义市 and of the city
const kinds = ["hazard", "supervision", "training", "report"];

/** The plain rule: what the list must return, page by page. */
function reference(f: CaseFilter, v: Visibility): RawBuilder<SqlBool> {
  const c: RawBuilder<SqlBool>[] = [visibleSql(v)];
  if (f.kind) c.push(sql`c.kind = ${f.kind}`);
  if (f.state) c.push(sql`c.state = ${f.state}`);
  if (f.severity) c.push(sql`c.severity = ${f.severity}`);
  if (f.category) c.push(sql`c.category = ${f.category}`);
  if (f.countyCode) c.push(sql`c.county_code = ${f.countyCode}`);
  if (f.orgUnitCode) c.push(sql`c.org_unit_id = (select id from org_unit where code = ${f.orgUnitCode})`);
  if (f.status === "open") c.push(sql`c.closed_at is null`);
  if (f.status === "closed") c.push(sql`c.closed_at is not null`);
  if (f.status === "overdue") c.push(sql`c.overdue_since is not null and c.closed_at is null`);
  if (f.planId) c.push(sql`c.kind = 'supervision' and (c.data->>'planId')::bigint = ${f.planId}`);
  if (f.q) c.push(sql`strpos(c.title, ${f.q}) > 0`);
  return sql.join(c, sql` and `) as RawBuilder<SqlBool>;
}

async function expected(f: CaseFilter, v: Visibility) {
  const r = await sql<{ id: number }>`select c.id from case_record c where ${reference(f, v)}
    order by c.id desc`.execute(database.db);
  return r.rows.map((x) => Number(x.id));
}

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  await smallCity(db);
  await orgUnit(db, {
    code: "141100D01",
    name: "市教育局基础教育科",
    parentCode: "141100",
    kind: "department",
  });
  await orgUnit(db, { code: "1411020001D", name: "离石区第一小学分校", parentCode: "1411020001" });
  insider = (await user(db, "insider", ["school_admin"], ["1411020002"])).id;
  // 240 cases over every unit (the city itself, its department, counties, schools, a sub-unit),
  // every kind, open / closed / overdue, with co-prime cycles so that filters cut across them.
  await sql`insert into case_record (kind, title, org_unit_id, org_path, county_code, state, severity,
      category, due_at, overdue_since, closed_at, data, created_at, updated_at)
    select (array['hazard','hazard','supervision','training','report'])[1 + i % 5],
      '隐患 ' || i, o.id, o.path, o.county_code,
      (array['reported','assigned','submitted'])[1 + i % 3],
      (array['ordinary','major'])[1 + i % 2],
      (array['fire','food','building','other'])[1 + i % 4],
      timestamptz '2026-01-01 08:00:00.123456+00' + i * interval '1 hour 7 seconds',
      case when i % 7 = 0 then now() end,
      case when i % 3 = 0 then now() end,
      jsonb_build_object('planId', i % 4),
      now(), now()
    from generate_series(1, 240) i
    join (select id, path, county_code, row_number() over (order by path) - 1 as k, count(*) over () as n
          from org_unit) o on o.k = i % o.n`.execute(db);
  await sql`insert into case_participant (case_id, user_id, role)
    select c.id, ${insider}, 'assigned' from case_record c
    where c.org_path like '/141100/141181/%' or c.org_path = '/141100/'
       or (c.org_path like '/141100/141102/%' and c.id % 2 = 0)`.execute(db);
  repo = new CaseRepository(db);
}, 120_000);
afterAll(() => database?.close());

const scopes: Record<string, Visibility> = {
  county: { kinds: ["hazard", "supervision", "training"], scopePaths: ["/141100/141102/"], userId: null },
  "county, taking part elsewhere": {
    kinds: ["hazard", "supervision", "training"],
    scopePaths: ["/141100/141102/"],
    userId: 0, // set to the insider below
  },
  city: { kinds, scopePaths: ["/141100/"], userId: null },
  "city department": { kinds, scopePaths: ["/141100/141100D01/"], userId: null },
  school: { kinds: ["hazard"], scopePaths: ["/141100/141102/1411020001/"], userId: null },
  "two subtrees": { kinds, scopePaths: ["/141100/141181/", "/141100/141102/1411020002/"], userId: null },
  "everything (/)": { kinds: ["supervision"], scopePaths: ["/"], userId: null },
  "no kind, only participation": { kinds: [], scopePaths: ["/141100/"], userId: 0 },
};

const filters: CaseFilter[] = [
  {},
  { kind: "hazard" },
  { kind: "report" },
  { status: "open" },
  { status: "closed", kind: "supervision" },
  { status: "overdue" },
  { category: "fire", severity: "major" },
  { state: "submitted", status: "open" },
  { planId: 1 },
  { planId: 1, kind: "hazard" },
  { q: "隐患 1" },
  { orgUnitCode: "1411020001" },
  { countyCode: "141181" },
];

describe("the case list returns what the visibility rule shows, newest first", () => {
  for (const [name, scope] of Object.entries(scopes))
    it(`${name}: every filter, every page`, async () => {
      const v = { ...scope, userId: scope.userId === 0 ? insider : null };
      for (const f of filters) {
        const all = await expected(f, v);
        const pageSize = 7;
        for (let offset = 0; offset <= all.length + pageSize; offset += pageSize) {
          const page = await repo.list(f, v, pageSize, offset, new CountCache(0));
          expect(
            page.rows.map((r) => Number(r.id)),
            `${JSON.stringify(f)} offset ${offset}`,
          ).toEqual(all.slice(offset, offset + pageSize));
          expect(page.total, `${JSON.stringify(f)} total`).toBe(all.length);
        }
        const [before, rest] =
          all.length > 2 ? [all[2], all.slice(3, 8)] : [Number.MAX_SAFE_INTEGER, all.slice(0, 5)];
        const batch = await repo.batchBefore(f, v, before, 5);
        expect(batch.map((r) => Number(r.id))).toEqual(rest);
      }
    });

  it("the scope's forms pick the intended rows (the rule itself sees them)", async () => {
    // Guards the test data: each scope above has cases, and the insider's lie outside 离石区.
    const county = await expected({}, { ...scopes.county, userId: null });
    const insiderOnly = await expected({}, { ...scopes.county, userId: insider });
    expect(county.length).toBeGreaterThan(20);
    expect(insiderOnly.length).toBeGreaterThan(county.length);
    expect((await expected({}, scopes["city department"])).length).toBeGreaterThan(0);
  });

  it("times are the same ISO 8601 text in the list as in the case itself", async () => {
    const v = scopes.city;
    const [row] = (await repo.list({ kind: "hazard" }, v, 1, 0, new CountCache(0))).rows;
    const full = await repo.find(Number(row.id), v);
    expect(row.due_at).toBe(new Date(full!.due_at!).toISOString());
    expect(row.created_at).toBe(new Date(full!.created_at).toISOString());
  });

  it("a county's page is served by migration 0042's index (the expression matches it)", async () => {
    const plan = await database.db.connection().execute(async (db) => {
      await sql`set enable_seqscan = off`.execute(db);
      await sql`set enable_bitmapscan = off`.execute(db);
      const r = await sql<Record<string, string>>`explain select c.id from case_record c
        where ${sql.raw(unitOfPath)} = '/141100/141102/'`.execute(db);
      await sql`reset enable_seqscan`.execute(db);
      await sql`reset enable_bitmapscan`.execute(db);
      return r.rows.map((x) => Object.values(x)[0]).join("\n");
    });
    expect(plan).toMatch(/Index (Only )?Scan using case_record_unit_kind/);
    expect(plan).toMatch(/Index Cond: \("substring"\(org_path/);
  });
});
