import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { smallCity, TEST_PASSWORD, user } from "../../../test/factories.js";
import { CSRF_HEADER, SESSION_COOKIE } from "../../server/plugins/auth.js";
import { MAX_FAILED_LOGINS } from "./auth-service.js";

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp();
  await smallCity(t.database.db);
  await user(t.database.db, "lishi", ["county_admin"], ["141102"]);
  await user(t.database.db, "locker", ["teacher"], ["1411020001"]);
});
afterAll(() => t.close());

describe("sign-in and sessions", () => {
  it("health answers without a session", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/health" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: "ok", database: true });
  });

  it("refuses an API call without a session, in Chinese", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/auth/me" });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: "UNAUTHENTICATED", message: "请先登录" });
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
    expect((await c.get("/api/auth/me")).statusCode).toBe(200);
    await c.post("/api/auth/logout");
    expect((await c.get("/api/auth/me")).statusCode).toBe(401);
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
