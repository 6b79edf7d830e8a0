import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { smallCity, user } from "../../../test/factories.js";
import { classGroup, staff, student } from "../../../test/people-factories.js";

let t: TestContext;
let admin: Client;
let lishi: Client;
let teacher: Client;
const s: Record<string, string> = {};

interface Item {
  entity: string;
  key: string;
  updatedAt: string;
  deleted: boolean;
  mergedInto: string | null;
  data: Record<string, unknown>;
}
interface Feed {
  items: Item[];
  nextCursor: string | null;
  hasMore: boolean;
}

beforeAll(async () => {
  t = await createTestApp();
  const db = t.database.db;
  await smallCity(db);
  await user(db, "admin", ["city_admin"], ["141100"]);
  await user(db, "lishi", ["county_admin"], ["141102"]);
  await user(db, "teacher1", ["teacher"], ["1411020001"]);
  [admin, lishi, teacher] = await Promise.all(["admin", "lishi", "teacher1"].map((u) => signIn(t.app, u)));
  for (const [k, code] of [
    ["a", "1411020001"],
    ["b", "1411020001"],
    ["c", "1411020002"],
    ["x", "1411810001"],
  ])
    s[k] = (await student(db, { schoolCode: code, grade: 2 })).student_number;
  await staff(db, { schoolCode: "1411020002" });
  await classGroup(db, { schoolCode: "1411020002", grade: 2 });
});
afterAll(() => t.close());

async function feed(c: Client, query: string): Promise<Feed> {
  const res = await c.get(`/api/changes?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** Reads the whole feed from `cursor` page by page. */
async function readAll(c: Client, entity: string, cursor: string | null, limit = 2) {
  const items: Item[] = [];
  let next = cursor;
  for (let i = 0; i < 50; i++) {
    const page = await feed(c, `entity=${entity}&limit=${limit}${next ? `&cursor=${next}` : ""}`);
    items.push(...page.items);
    next = page.nextCursor;
    if (!page.hasMore) break;
  }
  return { items, cursor: next };
}

describe("change feed", () => {
  let cursor: string | null;

  it("needs a session and a known entity", async () => {
    expect((await t.app.inject({ method: "GET", url: "/api/changes?entity=student" })).statusCode).toBe(401);
    const res = await admin.get("/api/changes?entity=teachers");
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain("数据类别");
    expect((await admin.get("/api/changes?entity=student&cursor=nonsense")).json().message).toContain(
      "游标无效",
    );
  });

  it("pages through every row once, in (updatedAt, key) order", async () => {
    const all = await readAll(admin, "student", null);
    expect(all.items.map((i) => i.key).sort()).toEqual(Object.values(s).sort());
    const stamps = all.items.map((i) => i.updatedAt);
    expect([...stamps].sort()).toEqual(stamps);
    expect(stamps[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    cursor = all.cursor;
  });

  it("applies the reader's scope and masks ID numbers without people.pii", async () => {
    const all = await readAll(lishi, "student", null);
    expect(all.items.map((i) => i.key).sort()).toEqual([s.a, s.b, s.c].sort());
    expect(all.items[0].data.residentIdMasked).toBe(true);
    const units = await readAll(lishi, "org_unit", null);
    expect(units.items.map((i) => i.key).sort()).toEqual(["141102", "1411020001", "1411020002"]);
    expect((await readAll(lishi, "staff", null)).items).toHaveLength(1);
    expect((await readAll(lishi, "class_group", null)).items).toHaveLength(1);
  });

  it("starts from updatedSince", async () => {
    expect((await feed(admin, "entity=student&updatedSince=2999-01-01T00:00:00Z")).items).toHaveLength(0);
    expect((await feed(admin, "entity=student&updatedSince=2000-01-01T00:00:00%2B08:00")).items).toHaveLength(
      4,
    );
    const bad = await admin.get("/api/changes?entity=student&updatedSince=yesterday");
    expect(bad.statusCode).toBe(400);
  });

  it("shows updates and soft deletions after the cursor", async () => {
    expect((await lishi.patch(`/api/students/${s.a}`, { name: "新名字" })).statusCode).toBe(200);
    expect((await lishi.delete(`/api/students/${s.b}`)).statusCode).toBe(200);
    const after = await readAll(admin, "student", cursor);
    expect(after.items.map((i) => [i.key, i.deleted])).toEqual([
      [s.a, false],
      [s.b, true],
    ]);
    expect(after.items[0].data.name).toBe("新名字");
    cursor = after.cursor;
    // nothing new: an empty page keeps the cursor
    const empty = await feed(admin, `entity=student&cursor=${cursor}`);
    expect(empty).toMatchObject({ items: [], nextCursor: cursor, hasMore: false });
  });

  it("shows a write made straight in SQL (as an import does): updated_at is stamped by the database", async () => {
    await sql`update student set name = '导入改名' where student_number = ${s.c}`.execute(t.database.db);
    const after = await readAll(admin, "student", cursor);
    expect(after.items.map((i) => i.key)).toEqual([s.c]);
    cursor = after.cursor;
  });

  it("shows a merged school with its successor, and its moved students", async () => {
    const units = await readAll(admin, "org_unit", null);
    const merged = await lishi.post("/api/org-units/1411020002/merge", {
      successorCode: "1411020001",
      date: "2024-08-31",
    });
    expect(merged.statusCode).toBe(200);
    const after = await readAll(admin, "org_unit", units.cursor);
    expect(after.items.map((i) => [i.key, i.mergedInto])).toEqual([["1411020002", "1411020001"]]);
    expect(after.items[0].data).toMatchObject({ endReason: "merged", validTo: "2024-08-31" });
    const moved = await readAll(admin, "student", cursor);
    expect(moved.items.map((i) => [i.key, i.data.schoolCode])).toEqual([[s.c, "1411020001"]]);
    const staffAfter = (await readAll(admin, "staff", null)).items;
    expect(staffAfter[0].data.schoolCode).toBe("1411020001");
  });

  it("needs the read permission of the entity", async () => {
    // a teacher holds people.read and registry.read: allowed, but only its school
    const mine = await readAll(teacher, "student", null);
    expect(mine.items.every((i) => i.data.schoolCode === "1411020001")).toBe(true);
  });
});
