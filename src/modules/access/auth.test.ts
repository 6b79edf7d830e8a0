import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { smallCity, TEST_PASSWORD, user } from "../../../test/factories.js";
import { CSRF_HEADER, SESSION_COOKIE } from "../../server/plugins/auth.js";
import { AppError } from "../../shared/errors.js";
import { AuthService, LOCK_MINUTES, MAX_FAILED_LOGINS } from "./auth-service.js";
import { AccessRepository } from "./repository.js";

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp();
  await smallCity(t.database.db);
  await user(t.database.db, "lishi", ["county_admin"], ["141102"]);
  await user(t.database.db, "locker", ["teacher"], ["1411020001"]);
  await user(t.database.db, "sleeper", ["teacher"], ["1411020001"]);
  await user(t.database.db, "watched", ["teacher"], ["1411020001"]);
});
afterAll(() => t.close());

describe("sign-in and sessions", () => {
  it("health answers without a session", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/health" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: "ok", database: true, demo: "off" });
  });

  it("refuses an API call without a session, in Chinese", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/users" });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: "UNAUTHENTICATED", message: "请先登录" });
  });

  it("answers who-am-I with nobody, not 401, without a valid session", async () => {
    const anonymous = await t.app.inject({ method: "GET", url: "/api/auth/me" });
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.json()).toEqual({ user: null, csrfToken: null });
    const stale = await t.app.inject({
      method: "GET",
      url: "/api/auth/me",
      cookies: { [SESSION_COOKIE]: "no-such-session" },
    });
    expect(stale.statusCode).toBe(200);
    expect(stale.json()).toEqual({ user: null, csrfToken: null });
    // another platform's bad token is still refused
    const token = await t.app.inject({
      method: "GET",
      url: "/api/auth/me",
      headers: { authorization: "Bearer edu_nonsense" },
    });
    expect(token.statusCode).toBe(401);
  });

  it("signs in with an HttpOnly SameSite cookie and reports scope and permissions", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "lishi", password: TEST_PASSWORD },
    });
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE);
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe("Strict");
    const body = res.json();
    expect(body.user.scope.map((s: { code: string }) => s.code)).toEqual(["141102"]);
    expect(body.user.permissions).toContain("people.write");
    expect(body.user.permissions).not.toContain("audit.read");
  });

  it("refuses a state-changing request without the CSRF token", async () => {
    const c = await signIn(t.app, "lishi");
    const ok = await c.post("/api/auth/logout");
    expect(ok.statusCode).toBe(200);
    const c2 = await signIn(t.app, "lishi");
    const res = await c2.request({
      method: "POST",
      url: "/api/auth/logout",
      headers: { [CSRF_HEADER]: "forged" },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe("CSRF_FAILED");
  });

  it("ends the session on sign-out", async () => {
    const c = await signIn(t.app, "lishi");
    expect((await c.get("/api/auth/me")).json().user.username).toBe("lishi");
    await c.post("/api/auth/logout");
    expect((await c.get("/api/auth/me")).json().user).toBeNull();
    expect((await c.get("/api/users")).statusCode).toBe(401);
  });

  it("locks the account after repeated failures, even for the right password", async () => {
    for (let i = 1; i < MAX_FAILED_LOGINS; i++) {
      const res = await t.app.inject({
        method: "POST",
        url: "/api/auth/login",
        payload: { username: "locker", password: "wrong" },
      });
      expect(res.json().code).toBe("INVALID_CREDENTIALS");
    }
    const last = await t.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "locker", password: "wrong" },
    });
    expect(last.statusCode).toBe(423);
    const right = await t.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "locker", password: TEST_PASSWORD },
    });
    expect(right.statusCode).toBe(423);
    expect(right.json().message).toMatch(/锁定/);
  });

  it("gives an unknown user the same answer as a wrong password", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "nobody", password: "x" },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe("INVALID_CREDENTIALS");
  });
});

describe("lockout with an injectable clock", () => {
  const codeOf = async (p: Promise<unknown>) => {
    try {
      await p;
      return "OK";
    } catch (e) {
      return (e as AppError).code;
    }
  };

  it("lifts the lock once the lock period has passed, and only then", async () => {
    let now = new Date("2024-09-01T08:00:00Z");
    const auth = new AuthService(new AccessRepository(t.database.db), 60, () => now);
    for (let i = 1; i < MAX_FAILED_LOGINS; i++)
      expect(await codeOf(auth.login("sleeper", "wrong"))).toBe("INVALID_CREDENTIALS");
    expect(await codeOf(auth.login("sleeper", "wrong"))).toBe("ACCOUNT_LOCKED");
    expect(await codeOf(auth.login("sleeper", TEST_PASSWORD))).toBe("ACCOUNT_LOCKED");
    now = new Date(now.getTime() + (LOCK_MINUTES - 1) * 60_000);
    const stillLocked = await auth.login("sleeper", TEST_PASSWORD).catch((e: AppError) => e);
    expect(stillLocked).toBeInstanceOf(AppError);
    expect((stillLocked as AppError).message).toBe("连续登录失败次数过多，账号已锁定，请1分钟后再试");
    now = new Date(now.getTime() + 61_000);
    const ok = await auth.login("sleeper", TEST_PASSWORD);
    expect(ok.user.username).toBe("sleeper");
    const row = await t.database.db
      .selectFrom("app_user")
      .select(["failed_attempts", "locked_until", "last_login_at"])
      .where("username", "=", "sleeper")
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ failed_attempts: 0, locked_until: null });
    expect(row.last_login_at?.toISOString()).toBe(now.toISOString());
    // After the lock the count starts again: one more failure does not lock.
    expect(await codeOf(auth.login("sleeper", "wrong"))).toBe("INVALID_CREDENTIALS");
  });
});

describe("sign-in events in the audit log", () => {
  const sessionRows = () =>
    t.database.db
      .selectFrom("audit_log")
      .selectAll()
      .where("entity", "=", "session")
      .where("entity_key", "=", "watched")
      .orderBy("id")
      .execute();

  it("records login, login_failed and logout with the request's origin", async () => {
    const fail = await t.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "watched", password: "wrong" },
      headers: { "user-agent": "vitest-agent" },
    });
    expect(fail.statusCode).toBe(401);
    const c = await signIn(t.app, "watched");
    await c.post("/api/auth/logout");
    const rows = await sessionRows();
    expect(rows.map((r) => [r.action, r.actor_type, r.actor_name])).toEqual([
      ["login_failed", "public", "watched"],
      ["login", "user", "watched"],
      ["logout", "user", "watched"],
    ]);
    expect(rows[0].context).toMatchObject({ reason: "bad_password", attempts: 1, userAgent: "vitest-agent" });
    expect(rows[0].context).toHaveProperty("ip");
    expect(rows[1].org_path).toBe("/141100/141102/1411020001/");
    expect(JSON.stringify(rows)).not.toContain(TEST_PASSWORD);
  });

  it("records a failure for an unknown username without revealing more", async () => {
    await t.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "ghost", password: "x" },
    });
    const row = await t.database.db
      .selectFrom("audit_log")
      .selectAll()
      .where("entity_key", "=", "ghost")
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ action: "login_failed", actor_type: "public", actor_id: null });
    expect(row.context).toMatchObject({ reason: "unknown_user" });
  });
});
