import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBrowser, type Session, screenshot, signIn, waitForMap } from "./browser.js";

/** The county admin of 离石区 sees their county highlighted and can open only it. */
let s: Session;
beforeAll(async () => {
  s = await openBrowser();
});
afterAll(async () => {
  await s?.close();
});

describe("county admin lishi: the map shows 离石区 only", () => {
  it("signs in and sees only 离石区's figures", async () => {
    const { page, baseUrl } = s;
    await signIn(page, baseUrl, "lishi");
    const centres = await waitForMap(page);
    expect(Object.keys(centres)).toHaveLength(13); // the whole city is drawn …
    const rows = page.locator('[data-testid="county-table"] tbody tr.ant-table-row');
    expect(await rows.count()).toBe(1); // … but only 离石区 has figures
    expect(await rows.first().textContent()).toContain("离石区");
    expect(await page.getByTestId("user-area").textContent()).toContain("离石区");
    expect(await page.getByTestId("user-roles").textContent()).toContain("县级管理员");
    await screenshot(page, "11-lishi-map");
  });

  it("cannot click into another county on the map", async () => {
    const { page } = s;
    const centres = await waitForMap(page);
    await page.mouse.click(...centres["141181"]);
    await page.waitForTimeout(500);
    expect(new URL(page.url()).pathname).toBe("/");
  });

  it("clicks into 离石区", async () => {
    const { page } = s;
    const centres = await waitForMap(page);
    await page.mouse.click(...centres["141102"]);
    await page.waitForURL(/\/counties\/141102$/);
    expect(await page.getByTestId("county-title").textContent()).toContain("离石区");
  });

  it("sees 'not found' at the URL of another county", async () => {
    const { page, baseUrl } = s;
    await page.goto(`${baseUrl}/counties/141181`);
    await page.getByText("未找到").first().waitFor();
    expect(await page.locator("body").textContent()).not.toContain("孝义市教育概况");
    await screenshot(page, "12-lishi-other-county-not-found");
  });

  it("never reached off the platform's origin and raised no page errors", () => {
    expect(s.offOrigin).toEqual([]);
    expect(s.pageErrors).toEqual([]);
  });
});
