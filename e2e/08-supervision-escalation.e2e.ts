import fs from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openBrowser, pickOption, type Session, screenshot, signIn } from "./browser.js";

/**
 * 督导: the demo inspector (督学 duxue) records a finding at 离石区实验小学 under the spring safety
 * plan and issues a rectification notice with a deadline. The journey then lets the deadline pass
 * (the server's case clock reads an offset from CASES_CLOCK_FILE) and runs the deadline sweep: the
 * notice is overdue and escalated to 离石区's inbox, and a week later to the city's.
 */
let s: Session;
const clockFile = inject("casesClockFile");
const DAY = 86_400_000;
const title = `晨午检记录缺失 ${Date.now() % 100000}`;
let caseUrl = "";

/** Finds the row of `text` in a paged antd table, turning pages until it shows or the last page.
 * The table keeps the previous page on screen while it loads the next (placeholder data), so each
 * page is read only once its spinner has stopped. */
async function findRow(page: Page, testId: string, text: string) {
  const table = page.getByTestId(testId);
  const settled = async () => {
    await expect.poll(() => table.locator(".ant-spin-spinning").count(), { timeout: 30_000 }).toBe(0);
    await table.locator(".ant-table-row").first().waitFor();
  };
  await settled();
  for (;;) {
    const row = table.locator(".ant-table-row", { hasText: text });
    if (await row.count()) return row.first();
    const next = table.locator(".ant-pagination-next");
    if ((await next.count()) === 0 || (await next.getAttribute("aria-disabled")) === "true") {
      const shown = await table.locator(".ant-pagination-total-text").textContent();
      throw new Error(`「${text}」不在 ${testId} 中（${shown}）`);
    }
    await next.click();
    await settled();
  }
}

/** Moves the server's case clock `days` ahead and runs the sweep now (it also runs every minute). */
async function advanceAndSweep(baseUrl: string, days: number) {
  fs.writeFileSync(clockFile, String(days * DAY));
  await new Promise((r) => setTimeout(r, 1200)); // the clock re-reads its file at most once a second
  const login = await fetch(`${baseUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: "demo1234" }),
  });
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0];
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const res = await fetch(`${baseUrl}/api/cases/sweep`, {
    method: "POST",
    headers: { cookie, "x-csrf-token": csrfToken },
  });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  s = await openBrowser();
});
afterAll(async () => {
  // put the clock back; the next sweep clears the markers the moved clock set
  if (clockFile) {
    fs.rmSync(clockFile, { force: true });
    if (s) await advanceAndSweep(s.baseUrl, 0).catch(() => undefined);
  }
  await s?.close();
});

describe("an inspector's finding becomes a notice that goes overdue and escalates", () => {
  it("the inspector records a finding at an assigned school", async () => {
    const { page, baseUrl } = s;
    await signIn(page, baseUrl, "duxue");
    await page.getByRole("link", { name: "教育督导" }).click();
    await page.getByTestId("plan-table").locator("tr", { hasText: "春季开学校园安全专项督导" }).click();
    const record = page.getByTestId("record-1411020001");
    await record.waitFor();
    // only the targets assigned to this inspector are listed
    const rows = await page.getByTestId("target-table").locator("tbody tr").allTextContents();
    for (const r of rows) expect(r).toContain("王明");
    await record.click();
    await page.getByLabel("问题摘要").fill(title);
    await pickOption(page, "问题类别", "校园安全");
    await pickOption(page, "问题程度", "一般问题");
    await page.getByLabel("问题描述").fill("抽查发现三个班级 11 月晨午检记录缺失。");
    await page
      .locator(".ant-modal:visible")
      .getByRole("button", { name: /确\s*定|OK/ })
      .click();
    await expect.poll(() => page.getByTestId("case-state").textContent()).toBe("已记录");
    caseUrl = page.url();
  });

  it("issues a rectification notice due in ten days", async () => {
    const { page } = s;
    await page.getByTestId("step-notify").click();
    const due = new Date(Date.now() + 10 * DAY + 8 * 3600_000).toISOString().slice(0, 10);
    await page.getByLabel("整改期限").click();
    await page.getByLabel("整改期限").fill(due);
    await page.getByLabel("整改期限").press("Enter");
    await page.getByLabel("整改要求").fill("十日内补齐晨午检记录，建立每日检查台账。");
    await page
      .locator(".ant-modal:visible")
      .getByRole("button", { name: /确\s*定/ })
      .click();
    await expect.poll(() => page.getByTestId("case-state").textContent()).toBe("整改中");
    expect(await page.getByTestId("timeline").textContent()).toContain(due);
    await screenshot(page, "08-notice-issued");
  });

  it("eleven days on, it is overdue and waits in 离石区's inbox, not yet the city's", async () => {
    const { page, baseUrl } = s;
    await advanceAndSweep(baseUrl, 11);
    await signIn(page, baseUrl, "lishi");
    await page.getByRole("link", { name: "我的待办" }).click();
    // the inbox lists the longest overdue first, and 离石区 has older demo cases: filter and page
    await page.getByTestId("inbox-table").locator(".ant-table-row").first().waitFor();
    await page.locator(".ant-segmented-item", { hasText: "督导问题" }).click();
    await expect
      .poll(async () =>
        (await page.getByTestId("inbox-table").locator(".ant-table-row").allTextContents()).every((t) =>
          t.includes("督导问题"),
        ),
      )
      .toBe(true);
    const row = await findRow(page, "inbox-table", title);
    const text = await row.textContent();
    expect(text).toContain("逾期");
    expect(text).toContain("已升级至县级");
    await screenshot(page, "08-county-inbox-overdue");
    await signIn(page, baseUrl, "admin");
    await page.goto(caseUrl);
    await page.getByTestId("timeline").waitFor();
    expect(await page.getByTestId("timeline").textContent()).toContain("逾期升级");
  });

  it("a week later it rises to the city", async () => {
    const { page, baseUrl } = s;
    await advanceAndSweep(baseUrl, 18);
    await page.goto(caseUrl);
    await expect.poll(() => page.locator(".ant-card-head").first().textContent()).toContain("市级督办");
    const timeline = await page.getByTestId("timeline").textContent();
    expect(timeline).toContain("升级至县级督办");
    expect(timeline).toContain("升级至市级督办");
    await screenshot(page, "08-city-escalated");
    expect(s.pageErrors).toEqual([]);
    expect(s.offOrigin).toEqual([]);
  });
});
