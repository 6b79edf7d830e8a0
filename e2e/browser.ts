import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { expect, inject } from "vitest";

/** Debian's Chromium (apt-get install chromium fonts-noto-cjk); no browser is downloaded. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const screenshotDir = path.resolve(import.meta.dirname, "screenshots");

export interface Session {
  context: BrowserContext;
  page: Page;
  baseUrl: string;
  /** Requests the page tried to send off this origin (all refused): must stay empty. */
  offOrigin: string[];
  /** Uncaught page errors and console errors: must stay empty. */
  pageErrors: string[];
  close(): Promise<void>;
}

/**
 * A fresh browser on a fresh profile, at 1366×768 (the smallest screen the bureau's screens must
 * fit), in Chinese. Every request off the platform's origin is refused and recorded: the pages must
 * work offline, map boundaries included.
 */
export async function openBrowser(): Promise<Session> {
  const baseUrl = inject("baseUrl");
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "edu-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
      "--no-first-run",
    ],
    viewport: { width: 1366, height: 768 },
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
  });
  const offOrigin: string[] = [];
  const pageErrors: string[] = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(baseUrl) || url.startsWith("data:") || url.startsWith("blob:"))
      return route.continue();
    offOrigin.push(url);
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("console", (m) => {
    // Chromium logs every 4xx answer; those are the API speaking (401 signed out, 404 out of
    // scope), which the pages show. Script errors and 5xx answers are failures.
    if (m.type() === "error" && !/status of 4\d\d/.test(m.text())) pageErrors.push(m.text());
  });
  return {
    context,
    page,
    baseUrl,
    offOrigin,
    pageErrors,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** The facts under each indicator on the cockpit's cards that do not fit their line (cut off). */
export async function clippedFacts(page: Page): Promise<string[]> {
  return page
    .getByTestId("indicator-facts")
    .evaluateAll((els) =>
      els.filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent ?? ""),
    );
}

/** Saves e2e/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string) {
  fs.mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: false });
}

/**
 * Signs in through the form and waits for the signed-in layout. Any earlier session's cookie is
 * dropped first: the sign-in page sends a signed-in user on, which would detach the form.
 */
export async function signIn(page: Page, baseUrl: string, username: string, password = "demo1234") {
  await page.context().clearCookies();
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("用户名", { exact: true }).fill(username);
  await page.getByLabel("密码", { exact: true }).fill(password);
  await page.getByRole("button", { name: /登\s*录/ }).click();
  await page.getByTestId("user-name").waitFor();
}

/** Waits for the city map's first complete drawing and returns each county's centre in page pixels. */
export async function waitForMap(page: Page): Promise<Record<string, [number, number]>> {
  const map = page.locator('[data-testid="city-map"][data-ready="1"]');
  await map.waitFor({ timeout: 60_000 });
  const box = await map.boundingBox();
  const centres = JSON.parse((await map.getAttribute("data-centres")) ?? "{}") as Record<
    string,
    [number, number]
  >;
  return Object.fromEntries(
    Object.entries(centres).map(([code, [x, y]]) => [code, [box!.x + x, box!.y + y] as [number, number]]),
  );
}

/** Chooses an option of an antd Select. On a busy machine a click can land while the dropdown is
 * still animating and be lost, and a dropdown left open covers the field below it; so the choice
 * is retried until the field shows it, and the field is then left with Tab (which closes its
 * dropdown without closing the modal, as Escape would once the dropdown is gone). */
export async function pickOption(page: Page, label: string, option: string) {
  const select = page.getByLabel(label, { exact: true });
  const field = page.locator(".ant-form-item", { has: select });
  const open = page.locator(".ant-select-dropdown:visible");
  for (let attempt = 1; ; attempt++) {
    if ((await open.count()) === 0) await select.click();
    await open
      .locator(".ant-select-item-option", { hasText: option })
      .first()
      .click({ timeout: 10_000 })
      .catch(() => undefined);
    if ((await field.textContent())?.includes(option)) break;
    if (attempt === 5) throw new Error(`「${label}」选不上「${option}」`);
  }
  await select.press("Tab");
  await expect.poll(() => open.count(), { timeout: 10_000 }).toBe(0);
}
