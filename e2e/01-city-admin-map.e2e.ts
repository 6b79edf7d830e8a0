import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBrowser, type Session, screenshot, signIn, waitForMap } from "./browser.js";

/**
 * The city admin's first visit: sign-in (with a wrong password first), the county map of the whole
 * city, a county page, the English switch, sign-out, and an expired session.
 */
let s: Session;
beforeAll(async () => {
  s = await openBrowser();
});
afterAll(async () => {
  await s?.close();
});

describe("city admin: sign in → the city map → a county → sign out", () => {
  it("sends a signed-out visitor to the sign-in page, in Chinese", async () => {
    const { page, baseUrl } = s;
    await page.goto(baseUrl);
    await page.waitForURL(/\/login$/);
    await page.getByText("吕梁市教育大数据平台").first().waitFor();
    await screenshot(page, "01-login");
  });

  it("shows the API's Chinese message for a wrong password", async () => {
    const { page } = s;
    await page.getByLabel("用户名", { exact: true }).fill("admin");
    await page.getByLabel("密码", { exact: true }).fill("wrong-password");
    await page.getByRole("button", { name: /登\s*录/ }).click();
    const error = page.getByTestId("login-error");
    await error.waitFor();
    expect(await error.textContent()).toMatch(/用户名或密码错误/);
    await screenshot(page, "02-login-wrong-password");
  });

  it("signs in and shows the map of the 13 counties with name, role and area in the header", async () => {
    const { page, baseUrl } = s;
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel("用户名", { exact: true }).fill("admin");
    await page.getByLabel("密码", { exact: true }).fill("demo1234");
    const t0 = Date.now();
    await page.getByRole("button", { name: /登\s*录/ }).click();
    const centres = await waitForMap(page);
    const timings = await page.evaluate(() =>
      performance
        .getEntriesByType("resource")
        .filter((e) => /api\/(auth\/login|stats\/counties)$|map-page|installCanvasRenderer/.test(e.name))
        .map(
          (e) => `${new URL(e.name).pathname.replace(/-[\w-]{8}\.js$/, ".js")} ${Math.round(e.duration)} ms`,
        ),
    );
    console.log(`e2e figure: sign-in click → map drawn in ${Date.now() - t0} ms; ${timings.join(", ")}`);
    expect(Object.keys(centres)).toHaveLength(13);
    expect(await page.getByTestId("user-roles").textContent()).toContain("市级管理员");
    expect(await page.getByTestId("user-area").textContent()).toContain("吕梁市");
    // Every county is in the city admin's scope: 13 rows in the figures table.
    const rows = page.locator('[data-testid="county-table"] tbody tr.ant-table-row');
    expect(await rows.count()).toBe(13);
    const students = Number(
      ((await page.getByTestId("total-students").textContent()) ?? "").replace(/\D/g, ""),
    );
    expect(students).toBeGreaterThan(100_000);
    await page.mouse.move(...centres["141102"]);
    await page.locator(".ant-layout-content").getByText("在读学生：").first().waitFor();
    await screenshot(page, "03-city-map");
  });

  it("colours the map by another figure", async () => {
    const { page } = s;
    await page.getByTestId("figure-switch").getByText("生师比").click();
    await page.waitForURL(/figure=studentsPerTeacher/);
    await page.locator("thead").getByText("生师比").waitFor();
    await screenshot(page, "04-city-map-students-per-teacher");
  });

  it("opens a county by clicking it on the map", async () => {
    const { page } = s;
    const centres = await waitForMap(page);
    await page.mouse.click(...centres["141181"]);
    await page.waitForURL(/\/counties\/141181$/);
    expect(await page.getByTestId("county-title").textContent()).toContain("孝义市");
    await screenshot(page, "05-county-xiaoyi");
    await page.goBack();
    await waitForMap(page);
  });

  it("switches to English and back", async () => {
    const { page } = s;
    await page.getByTestId("lang-switch").click();
    await page.getByText("Sign out").waitFor();
    await page.getByText("Lüliang Education Data Platform").first().waitFor();
    await screenshot(page, "06-english");
    await page.getByTestId("lang-switch").click();
    await page.getByText("退出登录").waitFor();
  });

  it("signs out back to the sign-in page", async () => {
    const { page, baseUrl } = s;
    await page.getByTestId("sign-out").click();
    await page.waitForURL(/\/login$/);
    expect(await page.getByTestId("login-notice").textContent()).toContain("您已安全退出");
    // The session is gone on the server too: nobody is signed in, and the API refuses a call.
    const me = await page.evaluate(async (u) => (await fetch(`${u}/api/auth/me`)).json(), baseUrl);
    expect(me.user).toBeNull();
    const users = await page.evaluate(async (u) => (await fetch(`${u}/api/users`)).status, baseUrl);
    expect(users).toBe(401);
  });

  it("sends the user back to sign-in when a request finds the session ended on the server", async () => {
    const { page, baseUrl, context } = s;
    await signIn(page, baseUrl, "admin");
    await waitForMap(page);
    // End the session behind the page's back, as an expiry or an administrator would.
    const cookie = (await context.cookies()).find((c) => c.name === "edu_session");
    const headers = { cookie: `edu_session=${cookie?.value}` };
    const me = await (await fetch(`${baseUrl}/api/auth/me`, { headers })).json();
    await fetch(`${baseUrl}/api/auth/logout`, {
      method: "POST",
      headers: { ...headers, "x-csrf-token": me.csrfToken },
    });
    await page.getByRole("link", { name: "学校名录" }).click();
    await page.waitForURL(/\/login$/);
    const notice = await page.getByTestId("login-notice").textContent();
    expect(notice).toContain("登录已失效");
    expect(notice).toContain("登录已过期，请重新登录"); // the API's own message
    await screenshot(page, "07-session-ended");
  });

  it("tells the user after a reload that the session has expired", async () => {
    const { page, baseUrl, context } = s;
    await signIn(page, baseUrl, "admin");
    // Signing in again returns the user to where they were heading (the school list).
    await page.waitForURL(/\/schools$/);
    await page.goto(baseUrl);
    await waitForMap(page);
    await context.clearCookies();
    await page.reload();
    await page.waitForURL(/\/login$/);
    expect(await page.getByTestId("login-notice").textContent()).toMatch(/登录已失效/);
    await screenshot(page, "08-session-expired-reload");
  });

  it("never reached off the platform's origin and raised no page errors", () => {
    expect(s.offOrigin).toEqual([]);
    expect(s.pageErrors).toEqual([]);
  });
});
