import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { smallCity, user } from "../../../test/factories.js";

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp();
  const db = t.database.db;
  await smallCity(db);
  await user(db, "admin", ["city_admin"], ["141100"]);
  await user(db, "lishi", ["county_admin"], ["141102"]);
  await user(db, "xiaoyi", ["county_admin"], ["141181"]);
  await user(db, "teacher1", ["teacher"], ["1411020001"]);
});
afterAll(() => t.close());

const bearer = (token: string, url: string, method: "GET" | "POST" = "GET") =>
  t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` } });

describe("roles", () => {
  it("lists roles with Chinese permission labels for user administrators only", async () => {
    const res = await (await signIn(t.app, "lishi")).get("/api/roles");
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const county = body.items.find((r: { code: string }) => r.code === "county_admin");
    expect(county).toMatchObject({ name: "县级管理员", builtin: true });
    expect(county.permissions).toContainEqual({ code: "users.manage", label: "管理用户和角色" });
    expect(body.permissions).toContainEqual({ code: "audit.read", label: "查看审计记录" });
    expect((await (await signIn(t.app, "teacher1")).get("/api/roles")).statusCode).toBe(403);
    expect((await t.app.inject({ method: "GET", url: "/api/roles" })).statusCode).toBe(401);
  });

  it("lets only a city admin define custom roles; built-in roles are read-only", async () => {
    const lishi = await signIn(t.app, "lishi");
    const refused = await lishi.post("/api/roles", {
      code: "helper",
      name: "助手",
      permissions: ["people.read"],
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toBe("只有市级管理员可以维护角色");

    const admin = await signIn(t.app, "admin");
    const created = await admin.post("/api/roles", {
      code: "pii_reader",
      name: "身份核验员",
      description: "核对身份证号",
      permissions: ["people.read", "people.pii"],
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ code: "pii_reader", builtin: false });
    expect(
      (await admin.post("/api/roles", { code: "pii_reader", name: "x", permissions: ["people.read"] }))
        .statusCode,
    ).toBe(409);
    const unknown = await admin.post("/api/roles", { code: "bad_role", name: "x", permissions: ["root"] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toMatch(/未知权限：root/);
    expect(
      (await admin.post("/api/roles", { code: "Bad-Code", name: "x", permissions: ["people.read"] }))
        .statusCode,
    ).toBe(400);

    const builtin = await admin.patch("/api/roles/teacher", { permissions: ["people.pii"] });
    expect(builtin.statusCode).toBe(403);
    expect(builtin.json().message).toMatch(/内置角色不能修改/);
    expect((await admin.patch("/api/roles/nosuch", { name: "x" })).statusCode).toBe(404);
    const patched = await admin.patch("/api/roles/pii_reader", {
      permissions: ["registry.read", "people.read", "people.pii"],
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().permissions.map((p: { code: string }) => p.code)).toEqual([
      "registry.read",
      "people.read",
      "people.pii",
    ]);
    const audit = await t.database.db
      .selectFrom("audit_log")
      .selectAll()
      .where("entity", "=", "role")
      .where("entity_key", "=", "pii_reader")
      .orderBy("id")
      .execute();
    expect(audit.map((a) => a.action)).toEqual(["create", "update"]);
    expect(audit[1].before).toMatchObject({ permissions: ["people.read", "people.pii"] });
    expect(audit[1].after).toMatchObject({ permissions: ["registry.read", "people.read", "people.pii"] });
  });

  it("keeps a custom role out of reach of an admin lacking its permissions", async () => {
    const lishi = await signIn(t.app, "lishi");
    const res = await lishi.post("/api/users", {
      username: "idcheck",
      displayName: "核验",
      password: "Check2024x",
      roles: ["pii_reader"],
      scopeCodes: ["141102"],
    });
    expect(res.statusCode).toBe(403);
  });

  it("deletes a custom role no account holds; refuses built-in and held roles", async () => {
    const admin = await signIn(t.app, "admin");
    expect(
      (await admin.post("/api/roles", { code: "temp_role", name: "临时角色", permissions: ["people.read"] }))
        .statusCode,
    ).toBe(201);
    await user(t.database.db, "holder", ["temp_role"], ["1411810001"]);
    const listed = (await admin.get("/api/roles"))
      .json()
      .items.find((r: { code: string }) => r.code === "temp_role");
    expect(listed.holders).toBe(1);
    const held = await admin.delete("/api/roles/temp_role");
    expect(held.statusCode).toBe(409);
    expect(held.json().message).toMatch(/仍有 1 个账号持有角色“临时角色”/);
    await t.database.db
      .updateTable("app_user")
      .set({ roles: ["teacher"] })
      .where("username", "=", "holder")
      .execute();
    expect((await (await signIn(t.app, "lishi")).delete("/api/roles/temp_role")).statusCode).toBe(403);
    expect((await admin.delete("/api/roles/teacher")).statusCode).toBe(403);
    expect((await admin.delete("/api/roles/nosuch")).statusCode).toBe(404);
    const res = await admin.delete("/api/roles/temp_role");
    expect(res.statusCode).toBe(200);
    expect((await admin.get("/api/roles")).json().items.map((r: { code: string }) => r.code)).not.toContain(
      "temp_role",
    );
    const audit = await t.database.db
      .selectFrom("audit_log")
      .selectAll()
      .where("entity", "=", "role")
      .where("entity_key", "=", "temp_role")
      .orderBy("id")
      .execute();
    expect(audit.map((a) => a.action)).toEqual(["create", "delete"]);
    expect(audit[1].before).toMatchObject({ name: "临时角色", permissions: ["people.read"] });
  });

  it("refuses changing or deleting a role holding permissions the editor lacks", async () => {
    // A city-wide user administrator without people.pii (a custom role, made by the city admin).
    const admin = await signIn(t.app, "admin");
    await admin.post("/api/roles", {
      code: "user_keeper",
      name: "账号管理员",
      permissions: ["users.manage", "registry.read", "people.read"],
    });
    await user(t.database.db, "keeper", ["user_keeper"], ["141100"]);
    const keeper = await signIn(t.app, "keeper");
    const escalate = await keeper.patch("/api/roles/pii_reader", { name: "改名" });
    expect(escalate.statusCode).toBe(403);
    expect(escalate.json().message).toMatch(/查看完整身份证号|people\.pii|身份/);
    expect((await keeper.delete("/api/roles/pii_reader")).statusCode).toBe(403);
    const grant = await keeper.post("/api/roles", { code: "sneaky", name: "x", permissions: ["people.pii"] });
    expect(grant.statusCode).toBe(403);
  });
});

describe("API tokens", () => {
  let token = "";
  let tokenId = 0;

  it("returns the secret once and stores only its hash", async () => {
    const admin = await signIn(t.app, "admin");
    const res = await admin.post("/api/tokens", {
      name: "离石区智慧校园平台",
      permissions: ["registry.read", "people.read", "users.manage"],
      scopeCodes: ["141102"],
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    token = body.token;
    tokenId = body.id;
    expect(token).toMatch(/^edu_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{20,}$/);
    expect(body).toMatchObject({
      prefix: token.split("_")[1],
      revoked: false,
      lastUsedAt: null,
      createdBy: "admin",
    });
    const secret = token.slice(`edu_${body.prefix}_`.length);
    const row = await t.database.db
      .selectFrom("api_token")
      .selectAll()
      .where("id", "=", tokenId)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(crypto.createHash("sha256").update(secret).digest("hex"));
    const everything =
      JSON.stringify(await t.database.db.selectFrom("api_token").selectAll().execute()) +
      JSON.stringify(await t.database.db.selectFrom("audit_log").selectAll().execute());
    expect(everything).not.toContain(secret);

    const list = await admin.get("/api/tokens");
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(secret);
    expect(list.body).not.toContain(row.token_hash);
    expect(list.json().items[0]).toMatchObject({
      id: tokenId,
      name: "离石区智慧校园平台",
      scope: [{ code: "141102" }],
    });
    expect(list.json().items[0]).not.toHaveProperty("token");
  });

  it("acts within the token's scope and permissions, and records last use", async () => {
    const own = await bearer(token, "/api/users?pageSize=100");
    expect(own.statusCode).toBe(200);
    expect(
      own
        .json()
        .items.map((u: { username: string }) => u.username)
        .sort(),
    ).toEqual(["lishi", "teacher1"]);
    expect((await bearer(token, "/api/users/xiaoyi")).statusCode).toBe(404);
    expect((await bearer(token, "/api/users/lishi")).statusCode).toBe(200);
    // The registry applies the token's scope too: 孝义市 reads as not found.
    expect((await bearer(token, "/api/org-units/1411020001")).statusCode).toBe(200);
    expect((await bearer(token, "/api/org-units/1411810001")).statusCode).toBe(404);
    expect((await bearer(token, "/api/org-units/141181")).statusCode).toBe(404);
    expect((await bearer(token, "/api/tokens")).statusCode).toBe(403); // no tokens.manage
    expect((await bearer(token, "/api/audit")).statusCode).toBe(403);
    const row = await t.database.db
      .selectFrom("api_token")
      .select("last_used_at")
      .where("id", "=", tokenId)
      .executeTakeFirstOrThrow();
    expect(row.last_used_at).not.toBeNull();
    const listed = (await (await signIn(t.app, "admin")).get("/api/tokens")).json().items[0];
    expect(listed.lastUsedAt).not.toBeNull();
  });

  it("refuses a forged or malformed token", async () => {
    const prefix = token.split("_")[1];
    for (const bad of [`edu_${prefix}_${"x".repeat(32)}`, "edu_short", "garbage"]) {
      const res = await bearer(bad, "/api/users");
      expect(res.statusCode).toBe(401);
      expect(res.json().message).toBe("接口令牌无效或已吊销");
    }
  });

  it("applies the no-escalation and scope rules to token creation", async () => {
    const admin = await signIn(t.app, "admin");
    await admin.post("/api/roles", {
      code: "integrator",
      name: "县级平台对接员",
      permissions: ["registry.read", "people.read", "tokens.manage"],
    });
    await user(t.database.db, "lishi_it", ["integrator"], ["141102"]);
    const it = await signIn(t.app, "lishi_it");
    const escalate = await it.post("/api/tokens", {
      name: "x",
      permissions: ["people.pii"],
      scopeCodes: ["141102"],
    });
    expect(escalate.statusCode).toBe(403);
    const outside = await it.post("/api/tokens", {
      name: "x",
      permissions: ["people.read"],
      scopeCodes: ["141181"],
    });
    expect(outside.statusCode).toBe(400);
    expect(outside.json().message).toMatch(/不在您的数据范围内：141181/);
    const unknown = await it.post("/api/tokens", {
      name: "x",
      permissions: ["nope"],
      scopeCodes: ["141102"],
    });
    expect(unknown.statusCode).toBe(400);
    const ok = await it.post("/api/tokens", {
      name: "一小平台",
      permissions: ["people.read"],
      scopeCodes: ["1411020001"],
    });
    expect(ok.statusCode).toBe(201);
    // The county integrator sees its own tokens, and the city's 141102 token, but not a city-wide one.
    await admin.post("/api/tokens", {
      name: "市级数据中台",
      permissions: ["people.read"],
      scopeCodes: ["141100"],
    });
    const names = (await it.get("/api/tokens"))
      .json()
      .items.map((x: { name: string }) => x.name)
      .sort();
    expect(names).toEqual(["一小平台", "离石区智慧校园平台"]);
    const cityToken = (await admin.get("/api/tokens"))
      .json()
      .items.find((x: { name: string }) => x.name === "市级数据中台");
    expect((await it.post(`/api/tokens/${cityToken.id}/revoke`)).statusCode).toBe(404);
    // The 141102 token holds users.manage, which the integrator lacks: it may not revoke it either.
    expect((await it.post(`/api/tokens/${tokenId}/revoke`)).statusCode).toBe(403);
    expect((await (await signIn(t.app, "lishi")).get("/api/tokens")).statusCode).toBe(403);
  });

  it("refuses a revoked token at once, audited", async () => {
    expect((await bearer(token, "/api/users")).statusCode).toBe(200);
    const admin = await signIn(t.app, "admin");
    const res = await admin.post(`/api/tokens/${tokenId}/revoke`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ revoked: true });
    const after = await bearer(token, "/api/users");
    expect(after.statusCode).toBe(401);
    expect(after.json().message).toBe("接口令牌无效或已吊销");
    expect((await admin.post(`/api/tokens/${tokenId}/revoke`)).statusCode).toBe(200); // idempotent
    expect((await admin.post("/api/tokens/999999/revoke")).statusCode).toBe(404);
    const audit = await t.database.db
      .selectFrom("audit_log")
      .selectAll()
      .where("entity", "=", "api_token")
      .where("entity_key", "=", token.split("_")[1])
      .orderBy("id")
      .execute();
    expect(audit.map((a) => a.action)).toEqual(["create", "revoke"]);
    expect(
      (await admin.get("/api/tokens")).json().items.find((x: { id: number }) => x.id === tokenId).revoked,
    ).toBe(true);
  });

  it("refuses every token endpoint without credentials", async () => {
    expect((await t.app.inject({ method: "GET", url: "/api/tokens" })).statusCode).toBe(401);
    expect((await t.app.inject({ method: "POST", url: "/api/tokens", payload: {} })).statusCode).toBe(401);
    expect((await t.app.inject({ method: "POST", url: "/api/tokens/1/revoke" })).statusCode).toBe(401);
  });

  it("stops a token once the account that made it is disabled", async () => {
    await user(t.database.db, "maker", ["city_admin"], ["141100"]);
    const maker = await signIn(t.app, "maker");
    const made = await maker.post("/api/tokens", {
      name: "临时对接",
      permissions: ["registry.read"],
      scopeCodes: ["141102"],
    });
    expect(made.statusCode).toBe(201);
    const secret = made.json().token as string;
    expect((await bearer(secret, "/api/org-units")).statusCode).toBe(200);
    const admin = await signIn(t.app, "admin");
    expect((await admin.post("/api/users/maker/disable")).statusCode).toBe(200);
    expect((await bearer(secret, "/api/org-units")).statusCode).toBe(401);
    expect((await admin.post("/api/users/maker/enable")).statusCode).toBe(200);
    expect((await bearer(secret, "/api/org-units")).statusCode).toBe(200);
  });
});
