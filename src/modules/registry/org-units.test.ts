import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { smallCity, user } from "../../../test/factories.js";

let t: TestContext;
let admin: Client;
let lishi: Client;
let schoolAdmin: Client;
let teacher: Client;

beforeAll(async () => {
  t = await createTestApp();
  await smallCity(t.database.db);
  await user(t.database.db, "admin", ["city_admin"], ["141100"]);
  await user(t.database.db, "lishi", ["county_admin"], ["141102"]);
  await user(t.database.db, "school1", ["school_admin"], ["1411020001"]);
  await user(t.database.db, "teacher1", ["teacher"], ["1411020001"]);
  [admin, lishi, schoolAdmin, teacher] = await Promise.all(
    ["admin", "lishi", "school1", "teacher1"].map((u) => signIn(t.app, u)),
  );
});
afterAll(() => t.close());

const codes = (body: { items: { code: string }[] }) => body.items.map((i) => i.code);

describe("org units: authentication", () => {
  it.each([
    ["GET", "/api/org-units"],
    ["GET", "/api/org-units/tree"],
    ["GET", "/api/org-units/export.xlsx"],
    ["GET", "/api/org-units/1411020001"],
    ["GET", "/api/org-units/1411020001/history"],
    ["POST", "/api/org-units"],
    ["PATCH", "/api/org-units/1411020001"],
    ["POST", "/api/org-units/1411020001/merge"],
    ["POST", "/api/org-units/1411020001/close"],
  ] as const)("%s %s needs a session", async (method, url) => {
    const res = await t.app.inject({ method, url, payload: method === "GET" ? undefined : {} });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe("UNAUTHENTICATED");
  });
});

describe("org units: lists and filters", () => {
  it("lists the whole city for the city admin, in path order", async () => {
    const res = await admin.get("/api/org-units");
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(codes(body)).toEqual(["141100", "141102", "1411020001", "1411020002", "141181", "1411810001"]);
    expect(body.total).toBe(6);
    expect(body.totalExact).toBe(true);
    const school = body.items[2];
    expect(school).toMatchObject({
      kind: "school",
      kindLabel: "学校",
      parentCode: "141102",
      countyCode: "141102",
      countyName: "离石区",
      schoolType: "211",
      schoolTypeLabel: "小学",
      ownershipLabel: "公办",
      urbanRuralLabel: "城区",
      current: true,
    });
  });

  it("filters by kind, county, type, ownership and search text", async () => {
    expect(codes((await admin.get("/api/org-units?kind=school&countyCode=141102")).json())).toEqual([
      "1411020001",
      "1411020002",
    ]);
    expect(codes((await admin.get("/api/org-units?q=第一")).json())).toEqual(["1411020001", "1411810001"]);
    expect(codes((await admin.get("/api/org-units?q=14118")).json())).toEqual(["141181", "1411810001"]);
    expect(codes((await admin.get("/api/org-units?parentCode=141181")).json())).toEqual(["1411810001"]);
    expect((await admin.get("/api/org-units?ownership=private")).json().total).toBe(0);
    expect((await admin.get("/api/org-units?schoolType=211&boarding=false")).json().total).toBe(3);
  });

  it("pages with a total", async () => {
    const body = (await admin.get("/api/org-units?page=2&pageSize=4")).json();
    expect(codes(body)).toEqual(["141181", "1411810001"]);
    expect(body).toMatchObject({ page: 2, pageSize: 4, total: 6 });
  });

  it("answers bad filters in Chinese, naming the field", async () => {
    const res = await admin.get("/api/org-units?ownership=state&asOf=2024-02-30");
    expect(res.statusCode).toBe(400);
    const msg = res.json().message as string;
    expect(msg).toContain("举办者");
    expect(msg).toContain("查询日期");
  });

  it("shows a county admin only the county's subtree", async () => {
    const body = (await lishi.get("/api/org-units")).json();
    expect(codes(body)).toEqual(["141102", "1411020001", "1411020002"]);
    expect((await lishi.get("/api/org-units?countyCode=141181")).json().total).toBe(0);
  });

  it("shows a school admin only the school", async () => {
    expect(codes((await schoolAdmin.get("/api/org-units")).json())).toEqual(["1411020001"]);
  });
});

describe("org units: profile, tree, scope", () => {
  it("gives the profile with member counts", async () => {
    const res = await lishi.get("/api/org-units/1411020001");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      code: "1411020001",
      successor: null,
      counts: { students: 0, staff: 0, classGroups: 0, children: 0 },
    });
    expect((await lishi.get("/api/org-units/141102")).json().counts.children).toBe(2);
  });

  it("answers 404, not 403, for another county's unit on every read", async () => {
    for (const url of [
      "/api/org-units/1411810001",
      "/api/org-units/1411810001/history",
      "/api/org-units/141181",
      "/api/org-units/141100",
      "/api/org-units/tree?rootCode=141181",
    ]) {
      const res = await lishi.get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json().code).toBe("NOT_FOUND");
    }
    expect((await schoolAdmin.get("/api/org-units/1411020002")).statusCode).toBe(404);
  });

  it("builds the tree from the actor's scope", async () => {
    const city = (await admin.get("/api/org-units/tree")).json();
    expect(city.roots).toHaveLength(1);
    expect(city.roots[0].code).toBe("141100");
    expect(city.roots[0].children.map((c: { code: string }) => c.code)).toEqual(["141102", "141181"]);
    const county = (await lishi.get("/api/org-units/tree")).json();
    expect(county.roots.map((r: { code: string }) => r.code)).toEqual(["141102"]);
    expect(county.roots[0].children.map((c: { code: string }) => c.code)).toEqual([
      "1411020001",
      "1411020002",
    ]);
    expect(county.roots[0].children[0].children).toBeUndefined();
  });

  it("needs registry.read", async () => {
    // every built-in role has registry.read; a teacher may read but not write
    expect((await teacher.get("/api/org-units")).statusCode).toBe(200);
    const res = await teacher.post("/api/org-units", {
      code: "1411020009",
      kind: "school",
      parentCode: "141102",
      name: "x",
    });
    expect(res.statusCode).toBe(403);
  });
});

describe("org units: create", () => {
  const school = {
    code: "1411020003",
    kind: "school",
    parentCode: "141102",
    name: "离石区第三中学",
    schoolType: "初级中学",
    ownership: "public",
    urbanRural: "town",
    boarding: true,
    lng: 111.13,
    lat: 37.52,
    validFrom: "2010-09-01",
  };

  it("creates a school under a parent in scope, audited", async () => {
    const res = await lishi.post("/api/org-units", school);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      code: "1411020003",
      schoolType: "311",
      schoolTypeLabel: "初级中学",
      parentCode: "141102",
      countyCode: "141102",
      boarding: true,
      validFrom: "2010-09-01",
    });
    const audit = await t.database.db
      .selectFrom("audit_log")
      .selectAll()
      .where("entity", "=", "org_unit")
      .where("entity_key", "=", "1411020003")
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: "create",
      actor_name: "lishi",
      org_path: "/141100/141102/1411020003/",
    });
    const history = (await lishi.get("/api/org-units/1411020003/history")).json();
    expect(history.versions).toHaveLength(1);
    expect(history.versions[0]).toMatchObject({
      validFrom: "2010-09-01",
      validTo: null,
      name: "离石区第三中学",
    });
  });

  it("refuses a duplicate code", async () => {
    const res = await lishi.post("/api/org-units", school);
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toContain("1411020003");
  });

  it("refuses a parent outside the scope as not found", async () => {
    const res = await lishi.post("/api/org-units", { ...school, code: "1411810009", parentCode: "141181" });
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toContain("上级机构");
  });

  it("validates code, type, ownership and 普惠 in Chinese", async () => {
    const res = await lishi.post("/api/org-units", {
      ...school,
      code: "14110201",
      schoolType: "999",
      inclusive: true,
      lng: 37.5,
    });
    expect(res.statusCode).toBe(400);
    const fields = res.json().details.issues.map((i: { field: string }) => i.field);
    expect(fields).toEqual(expect.arrayContaining(["code", "schoolType", "inclusive", "lng"]));
    expect(res.json().message).toContain("学校标识码应为10位数字");
    expect(res.json().message).toContain("普惠性只适用于民办幼儿园");
    const missing = await lishi.post("/api/org-units", {
      code: "1411020004",
      kind: "school",
      parentCode: "141102",
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().message).toContain("机构名称");
  });

  it("accepts 普惠 on a private kindergarten, defaulting it to not recognised", async () => {
    const kg = {
      ...school,
      code: "1411020005",
      name: "离石区阳光幼儿园",
      schoolType: "111",
      ownership: "private",
    };
    expect((await lishi.post("/api/org-units", { ...kg, inclusive: true })).json().inclusive).toBe(true);
    const other = await lishi.post("/api/org-units", { ...kg, code: "1411020006", name: "离石区星星幼儿园" });
    expect(other.json().inclusive).toBe(false);
  });

  it("needs a county for a school directly under the city", async () => {
    const direct = { ...school, code: "1411000001", parentCode: "141100", name: "吕梁市第一中学" };
    const res = await admin.post("/api/org-units", direct);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain("市直学校须填写所在县");
    const ok = await admin.post("/api/org-units", { ...direct, countyCode: "141102" });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ countyCode: "141102", parentCode: "141100" });
    // a county admin does not see a 市直 school even in its county
    expect((await lishi.get("/api/org-units/1411000001")).statusCode).toBe(404);
  });

  it("creates a department of the bureau", async () => {
    const res = await admin.post("/api/org-units", {
      code: "JJK",
      kind: "department",
      parentCode: "141100",
      name: "基础教育科",
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ kind: "department", kindLabel: "科室", schoolType: null });
  });
});
