import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBrowser, type Session, screenshot, signIn } from "./browser.js";

/**
 * The bureau leader's morning: signs in, lands on the cockpit with the plan's ten key tasks and
 * their figures, drills from the city to a county and to a school, and exports a view to Excel.
 */
let s: Session;
beforeAll(async () => {
  s = await openBrowser();
});
afterAll(async () => {
  await s?.close();
});

describe("leader: the cockpit (驾驶舱)", () => {
  it("lands on the cockpit with the ten key tasks and live figures", async () => {
    const { page, baseUrl } = s;
    await signIn(page, baseUrl, "leader");
    await page.waitForURL(/\/cockpit/);
    await page.getByTestId("task-cards").waitFor({ timeout: 60_000 });
    const tasks = page.locator('[data-testid="task-cards"] section[data-testid^="task-"]');
    expect(await tasks.count()).toBe(10);
    const values = await page.getByTestId("indicator-value").allTextContents();
    expect(values.length).toBeGreaterThanOrEqual(10);
    expect(values.filter((v) => v !== "—").length).toBeGreaterThanOrEqual(8);
    expect(await page.getByTestId("as-of").textContent()).toMatch(/数据截至 \d{4}年\d{1,2}月\d{1,2}日/);
    await page.locator('[data-testid="city-map"][data-ready="1"]').waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-testid="county-ranking"] a').count()).toBe(13);
    await screenshot(page, "60-leader-cockpit");
  });

  it("drills from the city to a county, with numerator and denominator", async () => {
    const { page } = s;
    // 近视率 (WS/T 663-2020): the screening figures behind the −1 pp target
    const myopia = page.locator('[data-testid^="indicator-"]', { hasText: "近视率" }).first();
    await myopia.click();
    await page.waitForURL(/\/cockpit\/indicators\//);
    await page.getByTestId("drill-title").waitFor({ timeout: 90_000 });
    expect(await page.getByTestId("drill-title").textContent()).toContain("吕梁市");
    expect(await page.getByTestId("figure-fraction").textContent()).toMatch(/[\d,]+ ÷ .*[\d,]+/);
    const counties = page.locator('[data-testid="drill-table"] tbody tr.ant-table-row');
    await counties.first().waitFor();
    expect(await counties.count()).toBe(13);
    await screenshot(page, "61-leader-drill-city");
    await page.locator('[data-testid="drill-table"]').getByRole("link", { name: "离石区" }).click();
    await page.waitForURL(/org=141102/);
    await page.getByTestId("drill-title").filter({ hasText: "离石区" }).waitFor({ timeout: 90_000 });
    await page.locator('[data-testid="drill-table"] tbody tr.ant-table-row').first().waitFor();
    expect(await page.getByTestId("parents").textContent()).toContain("吕梁市");
    await screenshot(page, "62-leader-drill-county");
  });

  it("opens a school's own indicator page and exports it to Excel", async () => {
    const { page } = s;
    const school = page.locator('[data-testid="drill-table"] tbody tr.ant-table-row a').first();
    const name = (await school.textContent()) ?? "";
    await school.click();
    await page.waitForURL(/\/cockpit\/units\//);
    await page.getByTestId("unit-title").filter({ hasText: name }).waitFor({ timeout: 90_000 });
    await screenshot(page, "63-leader-school-page");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("unit-export").click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const file = await download.path();
    expect(file).toBeTruthy();
  });

  it("exports the whole cockpit to Excel", async () => {
    const { page, baseUrl } = s;
    await page.goto(`${baseUrl}/cockpit`);
    await page.getByTestId("task-cards").waitFor({ timeout: 60_000 });
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("cockpit-export").click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/驾驶舱.*\.xlsx$/);
    expect(s.pageErrors).toEqual([]);
    expect(s.offOrigin).toEqual([]);
  });
});
