import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { smallCity, TEST_PASSWORD, user } from "../../../test/factories.js";

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp();
  const db = t.database.db;
  await smallCity(db);
  await user(db, "admin", ["city_admin"], ["141100"]);
  await user(db, "lishi", ["county_admin"], ["141102"]);
  await user(db, "xiaoyi", ["county_admin"], ["141181"]);
  await user(db, "teacher1", ["teacher"], ["1411020001"]);
  await user(db, "examer", ["exam_office"], ["141102"]);
  await user(db, "leader", ["leader"], ["141100"]);
  await user(db, "mixed", ["teacher"], ["1411020001", "1411810001"]);
});
afterAll(() => t.close());

const usernames = (body: { items: { username: string }[] }) => body.items.map((u) => u.username).sort();
const auditRows = (entityKey: string) =>
  t.database.db
    .selectFrom("audit_log")
    .selectAll()
    .where("entity", "=", "user")
    .where("entity_key", "=", entityKey)
    .orderBy("id")
    .execute();

describe("users API: authentication and permission", () => {
  it("refuses every endpoint without a session", async () => {
    for (const [method, url] of [
      ["GET", "/api/users"],
      ["GET", "/api/users/lishi"],
      ["POST", "/api/users"],
      ["PATCH", "/api/users/lishi"],
      ["POST", "/api/users/lishi/reset-password"],
      ["POST", "/api/users/lishi/disable"],
      ["POST", "/api/users/lishi/enable"],
    ] as const) {
      const res = await t.app.inject({ method, url, payload: method === "GET" ? undefined : {} });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
    }
  });

  it("refuses an account without users.manage", async () => {
    const c = await signIn(t.app, "leader");
    expect((await c.get("/api/users")).statusCode).toBe(403);
    expect((await c.get("/api/users/teacher1")).statusCode).toBe(403);
    const res = await c.post("/api/users/teacher1/disable");
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe("FORBIDDEN");
  });
});

describe("users API: scope", () => {
  it("shows a county admin only users whose whole scope lies within the county", async () => {
    const c = await signIn(t.app, "lishi");
    const res = await c.get("/api/users?pageSize=100");
    expect(res.statusCode).toBe(200);
    expect(usernames(res.json())).toEqual(["examer", "lishi", "teacher1"]);
    // A city admin sees everyone, including the user whose scope spans two counties.
    const all = (await (await signIn(t.app, "admin")).get("/api/users?pageSize=100")).json();
    expect(usernames(all)).toEqual(["admin", "examer", "leader", "lishi", "mixed", "teacher1", "xiaoyi"]);
    expect(all.total).toBe(7);
    expect(all.totalExact).toBe(true);
  });

  it("filters by q, role and disabled, and pages", async () => {
    const c = await signIn(t.app, "admin");
    expect(usernames((await c.get("/api/users?q=XIAO")).json())).toEqual(["xiaoyi"]);
    expect(usernames((await c.get("/api/users?role=county_admin")).json())).toEqual(["lishi", "xiaoyi"]);
    expect(usernames((await c.get("/api/users?disabled=true")).json())).toEqual([]);
    expect((await c.get("/api/users?q=%25")).json().items).toEqual([]); // % is a literal, not a wildcard
    const p2 = (await c.get("/api/users?pageSize=3&page=2")).json();
    expect(p2.items.map((u: { username: string }) => u.username)).toEqual(["lishi", "mixed", "teacher1"]);
    expect(p2.total).toBe(7);
    expect((await c.get("/api/users?disabled=maybe")).statusCode).toBe(400);
  });

  it("answers 404 for a user outside the scope, as for one that does not exist", async () => {
    const c = await signIn(t.app, "lishi");
    for (const name of ["xiaoyi", "admin", "mixed", "nobody"]) {
      const res = await c.get(`/api/users/${name}`);
      expect(res.statusCode, name).toBe(404);
      expect(res.json().code).toBe("NOT_FOUND");
    }
    const res = await c.get("/api/users/teacher1");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      username: "teacher1",
      roles: ["teacher"],
      scope: [{ code: "1411020001", name: "离石区第一小学" }],
    });
    expect(res.json()).not.toHaveProperty("passwordHash");
    expect(res.body).not.toContain("argon2");
  });
});

describe("users API: creating users", () => {
  const newUser = (over: Record<string, unknown> = {}) => ({
    username: "school1",
    displayName: "离石一小信息员",
    password: "Temp2024pass",
    roles: ["school_admin"],
    scopeCodes: ["1411020001"],
    ...over,
  });

  it("lets a county admin create a school admin inside the county, audited", async () => {
    const c = await signIn(t.app, "lishi");
    const res = await c.post("/api/users", newUser());
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      username: "school1",
      mustChangePassword: true,
      scope: [{ code: "1411020001" }],
    });
    const rows = await auditRows("school1");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_name: "lishi", actor_type: "user", action: "create" });
    expect(rows[0].after).toMatchObject({ roles: ["school_admin"], scope: ["1411020001"] });
    expect(JSON.stringify(rows[0].after)).not.toContain("Temp2024pass");
    const me = await (await signIn(t.app, "school1", "Temp2024pass")).get("/api/auth/me");
    expect(me.json().user.mustChangePassword).toBe(true);
  });

  it("refuses a scope in another county, even mixed with one inside", async () => {
    const c = await signIn(t.app, "lishi");
    for (const scopeCodes of [["141181"], ["1411810001"], ["1411020002", "1411810001"], ["141100"]]) {
      const res = await c.post("/api/users", newUser({ username: "outsider", scopeCodes }));
      expect(res.statusCode, scopeCodes.join()).toBe(400);
      expect(res.json().code).toBe("VALIDATION_FAILED");
      expect(res.json().message).toMatch(/不在您的数据范围内/);
    }
    expect(await auditRows("outsider")).toHaveLength(0);
  });

  it("refuses to grant city_admin or any role carrying a permission the actor lacks", async () => {
    const c = await signIn(t.app, "lishi");
    for (const roles of [["city_admin"], ["exam_office"], ["school_admin", "city_admin"]]) {
      const res = await c.post("/api/users", newUser({ username: "climber", roles }));
      expect(res.statusCode, roles.join()).toBe(403);
      expect(res.json().code).toBe("FORBIDDEN");
    }
    const adminRes = await (await signIn(t.app, "admin")).get("/api/users/climber");
    expect(adminRes.statusCode).toBe(404);
  });

  it("explains a weak password, a bad username, an unknown role and a duplicate", async () => {
    const c = await signIn(t.app, "lishi");
    const weak = await c.post("/api/users", newUser({ username: "weakling", password: "short" }));
    expect(weak.statusCode).toBe(400);
    expect(weak.json().code).toBe("WEAK_PASSWORD");
    expect(weak.json().details.issues).toEqual(["密码至少8位", "密码须同时包含字母和数字"]);
    const named = await c.post("/api/users", newUser({ username: "weakling", password: "weakling123" }));
    expect(named.json().details.issues).toEqual(["密码不能包含用户名"]);
    const bad = await c.post("/api/users", newUser({ username: "张三" }));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/用户名只能包含/);
    const role = await c.post("/api/users", newUser({ username: "rolex", roles: ["wizard"] }));
    expect(role.statusCode).toBe(400);
    expect(role.json().message).toMatch(/未知角色：wizard/);
    const dup = await c.post("/api/users", newUser({ username: "teacher1" }));
    expect(dup.statusCode).toBe(409);
    expect(dup.json().message).toMatch(/已存在/);
    const empty = await c.post("/api/users", newUser({ username: "nobody2", roles: [] }));
    expect(empty.statusCode).toBe(400);
  });
});

describe("users API: changing users", () => {
  it("changes roles, scope and display name within the rules, with before and after audited", async () => {
    const c = await signIn(t.app, "lishi");
    const res = await c.patch("/api/users/teacher1", {
      displayName: "王老师",
      roles: ["teacher", "school_admin"],
      scopeCodes: ["1411020002"],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      displayName: "王老师",
      roles: ["teacher", "school_admin"],
      scope: [{ code: "1411020002" }],
    });
    const rows = await auditRows("teacher1");
    const last = rows[rows.length - 1];
    expect(last).toMatchObject({ action: "update", actor_name: "lishi" });
    expect(last.before).toMatchObject({ displayName: "teacher1", roles: ["teacher"], scope: ["1411020001"] });
    expect(last.after).toMatchObject({ displayName: "王老师", scope: ["1411020002"] });
  });

  it("refuses escalation, outside scope and an empty change", async () => {
    const c = await signIn(t.app, "lishi");
    expect((await c.patch("/api/users/teacher1", { roles: ["city_admin"] })).statusCode).toBe(403);
    expect((await c.patch("/api/users/teacher1", { scopeCodes: ["141181"] })).statusCode).toBe(400);
    expect((await c.patch("/api/users/xiaoyi", { displayName: "x" })).statusCode).toBe(404);
    expect((await c.patch("/api/users/teacher1", {})).statusCode).toBe(400);
    const still = (await c.get("/api/users/teacher1")).json();
    expect(still.roles).toEqual(["teacher", "school_admin"]);
  });

  it("does not let a county admin manage an account holding a permission it lacks", async () => {
    const c = await signIn(t.app, "lishi");
    const res = await c.post("/api/users/examer/reset-password", { password: "Takeover123" });
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toMatch(/查看完整身份证号/);
    expect((await c.post("/api/users/examer/disable")).statusCode).toBe(403);
  });

  it("does not let an admin disable itself", async () => {
    const res = await (await signIn(t.app, "lishi")).post("/api/users/lishi/disable");
    expect(res.statusCode).toBe(400);
  });

  it("disabling ends the user's sessions and refuses sign-in; enabling restores it", async () => {
    const victim = await signIn(t.app, "school1", "Temp2024pass");
    expect((await victim.get("/api/auth/me")).statusCode).toBe(200);
    const c = await signIn(t.app, "lishi");
    const res = await c.post("/api/users/school1/disable");
    expect(res.statusCode).toBe(200);
    expect(res.json().disabled).toBe(true);
    expect((await victim.get("/api/auth/me")).json().user).toBeNull();
    const login = await t.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "school1", password: "Temp2024pass" },
    });
    expect(login.statusCode).toBe(403);
    expect(login.json().code).toBe("ACCOUNT_DISABLED");
    expect(usernames((await c.get("/api/users?disabled=true")).json())).toEqual(["school1"]);
    expect((await c.post("/api/users/school1/enable")).json().disabled).toBe(false);
    await signIn(t.app, "school1", "Temp2024pass");
    const actions = (await auditRows("school1")).map((r) => r.action);
    expect(actions).toEqual(["create", "disable", "enable"]);
  });

  it("reset-password sets a temporary password, ends sessions, unlocks and flags must-change", async () => {
    const db = t.database.db;
    await user(db, "forgetful", ["teacher"], ["1411020001"]);
    const old = await signIn(t.app, "forgetful");
    await db
      .updateTable("app_user")
      .set({ locked_until: new Date(Date.now() + 3600_000) })
      .where("username", "=", "forgetful")
      .execute();
    const c = await signIn(t.app, "lishi");
    expect((await c.get("/api/users/forgetful")).json().locked).toBe(true);
    const weak = await c.post("/api/users/forgetful/reset-password", { password: "12345678" });
    expect(weak.json()).toMatchObject({ code: "WEAK_PASSWORD", message: "密码须同时包含字母和数字" });
    const res = await c.post("/api/users/forgetful/reset-password", { password: "Fresh2024x" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true, sessionsEnded: 1 });
    expect((await old.get("/api/auth/me")).json().user).toBeNull();
    const me = await (await signIn(t.app, "forgetful", "Fresh2024x")).get("/api/auth/me");
    expect(me.json().user.mustChangePassword).toBe(true);
    const rows = await auditRows("forgetful");
    expect(rows[rows.length - 1]).toMatchObject({ action: "reset_password", actor_name: "lishi" });
    expect(JSON.stringify(rows[rows.length - 1])).not.toContain("Fresh2024x");
  });
});

describe("self-service password change", () => {
  it("checks the current password and the policy, then ends the other sessions only", async () => {
    await user(t.database.db, "changer", ["teacher"], ["1411020001"]);
    const other = await signIn(t.app, "changer");
    const c = await signIn(t.app, "changer");
    const wrong = await c.post("/api/auth/password", { currentPassword: "nope", newPassword: "Better2024" });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().message).toMatch(/当前密码不正确/);
    const same = await c.post("/api/auth/password", {
      currentPassword: TEST_PASSWORD,
      newPassword: TEST_PASSWORD,
    });
    expect(same.json().code).toBe("WEAK_PASSWORD");
    expect(same.json().details.issues).toContain("新密码不能与当前密码相同");
    const weak = await c.post("/api/auth/password", {
      currentPassword: TEST_PASSWORD,
      newPassword: "abcdefgh",
    });
    expect(weak.json().message).toBe("密码须同时包含字母和数字");
    const ok = await c.post("/api/auth/password", {
      currentPassword: TEST_PASSWORD,
      newPassword: "Better2024",
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ ok: true, otherSessionsEnded: 1 });
    expect((await other.get("/api/auth/me")).json().user).toBeNull();
    const me = await c.get("/api/auth/me");
    expect(me.statusCode).toBe(200);
    expect(me.json().user.mustChangePassword).toBe(false);
    await signIn(t.app, "changer", "Better2024");
    const rows = await auditRows("changer");
    expect(rows[rows.length - 1]).toMatchObject({ action: "change_password", actor_name: "changer" });
  });

  it("counts wrong current passwords toward lockout, audited", async () => {
    await user(t.database.db, "guesser", ["teacher"], ["1411020001"]);
    const c = await signIn(t.app, "guesser");
    for (let i = 1; i < 5; i++) {
      const res = await c.post("/api/auth/password", {
        currentPassword: `wrong${i}`,
        newPassword: "Better2024",
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toContain(`再错${5 - i}次将锁定账号`);
    }
    const locked = await c.post("/api/auth/password", {
      currentPassword: "wrong5",
      newPassword: "Better2024",
    });
    expect(locked.json().code).toBe("ACCOUNT_LOCKED");
    // Locked: even the right password is refused, here and at sign-in.
    const right = await c.post("/api/auth/password", {
      currentPassword: TEST_PASSWORD,
      newPassword: "Better2024",
    });
    expect(right.json().code).toBe("ACCOUNT_LOCKED");
    const login = await t.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "guesser", password: TEST_PASSWORD },
    });
    expect(login.json().code).toBe("ACCOUNT_LOCKED");
    const rows = await auditRows("guesser");
    expect(rows.filter((r) => r.action === "change_password_failed")).toHaveLength(5);
  });

  it("clears the must-change flag set by a reset", async () => {
    const c = await signIn(t.app, "forgetful", "Fresh2024x");
    const res = await c.post("/api/auth/password", {
      currentPassword: "Fresh2024x",
      newPassword: "Mine2024ok",
    });
    expect(res.statusCode).toBe(200);
    expect((await c.get("/api/auth/me")).json().user.mustChangePassword).toBe(false);
  });

  it("needs a session", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/auth/password",
      payload: { currentPassword: "a", newPassword: "b" },
    });
    expect(res.statusCode).toBe(401);
  });
});
