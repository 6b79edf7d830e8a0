import ExcelJS from "exceljs";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { smallCity, user } from "../../../test/factories.js";
import { parseInstant } from "./service.js";

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp();
  const db = t.database.db;
  await smallCity(db);
  await user(db, "admin", ["city_admin"], ["141100"]);
  await user(db, "lishi", ["county_admin"], ["141102"]);
  await user(db, "xiaoyi", ["county_admin"], ["141181"]);
  // Some history: lishi changes a teacher in 离石区, xiaoyi one in 孝义市.
  await user(db, "t_lishi", ["teacher"], ["1411020001"]);
  await user(db, "t_xiaoyi", ["teacher"], ["1411810001"]);
  await (await signIn(t.app, "lishi")).patch("/api/users/t_lishi", { displayName: "离石王老师" });
  await (await signIn(t.app, "xiaoyi")).patch("/api/users/t_xiaoyi", { displayName: "孝义李老师" });
});
afterAll(() => t.close());

type Entry = { id: number; actorName: string; action: string; entity: string; entityKey: string | null };

describe("audit viewer", () => {
  it("needs a session and audit.read", async () => {
    expect((await t.app.inject({ method: "GET", url: "/api/audit" })).statusCode).toBe(401);
    expect((await t.app.inject({ method: "GET", url: "/api/audit/export.xlsx" })).statusCode).toBe(401);
    const lishi = await signIn(t.app, "lishi");
    expect((await lishi.get("/api/audit")).statusCode).toBe(403);
    expect((await lishi.get("/api/audit/export.xlsx")).statusCode).toBe(403);
  });

  it("lists newest first with before and after, and Chinese labels", async () => {
    const admin = await signIn(t.app, "admin");
    const res = await admin.get("/api/audit?entity=user&action=update&pageSize=200");
    expect(res.statusCode).toBe(200);
    const items = res.json().items as (Entry & { before: unknown; after: unknown; actionLabel: string })[];
    expect(items.map((e) => e.entityKey)).toEqual(["t_xiaoyi", "t_lishi"]);
    expect(items[1]).toMatchObject({
      actorName: "lishi",
      actionLabel: "修改",
      entityLabel: "用户",
      orgPath: "/141100/141102/1411020001/",
      before: { displayName: "t_lishi" },
      after: { displayName: "离石王老师" },
    });
    const all = (await admin.get("/api/audit?pageSize=200")).json();
    const ids = all.items.map((e: Entry) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(all.total).toBe(all.items.length);
  });

  it("filters by actor, entity key, action and time", async () => {
    const admin = await signIn(t.app, "admin");
    const byActor = (await admin.get("/api/audit?actor=xiaoyi&pageSize=200")).json().items as Entry[];
    expect(byActor.length).toBeGreaterThan(0);
    expect(byActor.every((e) => e.actorName === "xiaoyi")).toBe(true);
    expect(byActor.map((e) => e.action)).toContain("login");
    const byKey = (await admin.get("/api/audit?entityKey=t_lishi")).json().items as Entry[];
    expect(byKey.map((e) => e.action).sort()).toEqual(["create", "update"]);
    const logins = (await admin.get("/api/audit?entity=session&action=login")).json().items as Entry[];
    expect(new Set(logins.map((e) => e.actorName))).toEqual(new Set(["admin", "lishi", "xiaoyi"]));
    const future = (await admin.get("/api/audit?from=2999-01-01")).json();
    expect(future.items).toEqual([]);
    const past = (await admin.get("/api/audit?to=2000-01-01T00:00:00Z")).json();
    expect(past.items).toEqual([]);
    const span = (await admin.get("/api/audit?from=2000-01-01&to=2999-12-31&entityKey=t_lishi")).json();
    expect(span.items).toHaveLength(2);
    const bad = await admin.get("/api/audit?from=yesterday");
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/时间格式应为/);
    const reversed = await admin.get("/api/audit?from=2024-05-02&to=2024-04-30");
    expect(reversed.json().message).toMatch(/结束时间早于开始时间/);
  });

  it("pages with a total", async () => {
    const admin = await signIn(t.app, "admin");
    const p1 = (await admin.get("/api/audit?pageSize=2&page=1")).json();
    const p2 = (await admin.get("/api/audit?pageSize=2&page=2")).json();
    expect(p1.items).toHaveLength(2);
    expect(p2.items[0].id).toBeLessThan(p1.items[1].id);
    expect(p1.total).toBeGreaterThan(4);
  });

  it("limits a county-scoped auditor to rows of its county", async () => {
    const admin = await signIn(t.app, "admin");
    await admin.post("/api/roles", {
      code: "county_auditor",
      name: "县级审计员",
      permissions: ["audit.read"],
    });
    await user(t.database.db, "auditor_ls", ["county_auditor"], ["141102"]);
    const res = await (await signIn(t.app, "auditor_ls")).get("/api/audit?pageSize=200");
    expect(res.statusCode).toBe(200);
    const items = res.json().items as (Entry & { orgPath: string | null })[];
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((e) => e.orgPath?.startsWith("/141100/141102/"))).toBe(true);
    expect(items.map((e) => e.entityKey)).not.toContain("t_xiaoyi");
    expect(items.map((e) => e.entity)).not.toContain("role"); // tied to no org unit: city level only
  });
});

describe("audit export", () => {
  it("streams an xlsx with the same filters and records the export", async () => {
    const admin = await signIn(t.app, "admin");
    const res = await admin.get("/api/audit/export.xlsx?entity=user&action=update");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/spreadsheetml/);
    expect(res.headers["content-disposition"]).toMatch(/attachment/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws.name).toBe("审计记录");
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual([
      "编号",
      "时间（北京时间）",
      "操作者类型",
      "操作者",
      "操作",
      "对象类型",
      "对象标识",
      "机构路径",
      "变更前",
      "变更后",
      "上下文",
    ]);
    expect(ws.rowCount).toBe(3);
    const row = (ws.getRow(3).values as unknown[]).slice(1);
    expect(row.slice(2, 7)).toEqual(["用户", "lishi", "修改", "用户", "t_lishi"]);
    expect(String(row[1])).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(JSON.parse(String(row[9]))).toMatchObject({ displayName: "离石王老师" });
    const exports = (await admin.get("/api/audit?entity=audit_log&action=export")).json().items;
    expect(exports[0]).toMatchObject({
      actorName: "admin",
      context: { filter: { entity: "user", action: "update" } },
    });
  });

  it("exports more rows than one batch", async () => {
    const db = t.database.db;
    const values = Array.from({ length: 4500 }, (_, i) => ({
      actor_type: "system" as const,
      actor_name: "bulk",
      action: "import",
      entity: "student",
      entity_key: `S${i}`,
      org_path: "/141100/141102/1411020001/",
    }));
    for (let i = 0; i < values.length; i += 1000)
      await db
        .insertInto("audit_log")
        .values(values.slice(i, i + 1000))
        .execute();
    const res = await (await signIn(t.app, "admin")).get("/api/audit/export.xlsx?actor=bulk");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws.rowCount).toBe(4501);
    expect(ws.getRow(2).getCell(7).value).toBe("S4499");
    expect(ws.getRow(4501).getCell(7).value).toBe("S0");
  });
});

describe("audit rows are immutable", () => {
  it("the database refuses UPDATE and DELETE of an audit row", async () => {
    const db = t.database.db;
    const row = await db.selectFrom("audit_log").select("id").orderBy("id").executeTakeFirstOrThrow();
    await expect(
      sql`update audit_log set action = 'tampered' where id = ${row.id}`.execute(db),
    ).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log where id = ${row.id}`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(db)).rejects.toThrow(/append-only/);
    const still = await db
      .selectFrom("audit_log")
      .select("action")
      .where("id", "=", row.id)
      .executeTakeFirstOrThrow();
    expect(still.action).not.toBe("tampered");
  });
});

describe("time filters", () => {
  it("reads a day in China Standard Time and rejects impossible dates", () => {
    expect(parseInstant("2024-05-01", "from", false)).toEqual({
      at: new Date("2024-04-30T16:00:00Z"),
      inclusive: false,
    });
    expect(parseInstant("2024-05-01", "to", true).at).toEqual(new Date("2024-05-01T16:00:00Z"));
    expect(parseInstant("2024-05-01T08:00:00+08:00", "to", true)).toEqual({
      at: new Date("2024-05-01T00:00:00Z"),
      inclusive: true,
    });
    expect(() => parseInstant("2024-02-30", "from", false)).toThrow(/时间格式/);
    expect(() => parseInstant("5/1/2024", "from", false)).toThrow(/时间格式/);
  });
});

describe("OpenAPI", () => {
  it("documents the access and audit endpoints", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/openapi.json" });
    expect(res.statusCode).toBe(200);
    const paths = Object.keys(res.json().paths);
    for (const p of [
      "/api/users",
      "/api/users/{username}",
      "/api/roles",
      "/api/tokens",
      "/api/audit",
      "/api/audit/export.xlsx",
      "/api/auth/password",
    ])
      expect(paths).toContain(p);
  });
});
