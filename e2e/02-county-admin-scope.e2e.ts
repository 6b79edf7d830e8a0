import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clippedFacts, openBrowser, type Session, screenshot, signIn, waitForMap } from "./browser.js";

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

  it("clicks into 离石区: its charts and its schools", async () => {
    const { page } = s;
    const centres = await waitForMap(page);
    await page.mouse.click(...centres["141102"]);
    await page.waitForURL(/\/counties\/141102$/);
    expect(await page.getByTestId("county-title").textContent()).toContain("离石区");
    await page.getByTestId("chart-schools-by-type").locator("canvas").waitFor();
    await page.locator('[data-testid="school-table"] tbody tr.ant-table-row').first().waitFor();
    await screenshot(page, "13-lishi-county");
  });

  it("opens a school and sees its students by grade", async () => {
    const { page } = s;
    await page.getByTestId("school-search").locator("input").fill("1411020001");
    await page.getByTestId("school-search").locator("input").press("Enter");
    await page.getByRole("link", { name: "离石区实验小学" }).click();
    await page.waitForURL(/\/schools\/1411020001$/);
    expect(await page.getByTestId("school-title").textContent()).toBe("离石区实验小学");
    const grades = page.locator('[data-testid="grade-table"] tbody tr.ant-table-row');
    await grades.first().waitFor();
    expect(await grades.count()).toBeGreaterThanOrEqual(6); // 一年级 … 六年级
    expect(await grades.first().textContent()).toContain("一年级");
    await screenshot(page, "14-lishi-school-grades");
  });

  it("sees students of the school with masked ID numbers", async () => {
    const { page } = s;
    await page.getByRole("tab", { name: "学生", exact: true }).click();
    const rows = page.locator('[data-testid="students-table"] tbody tr.ant-table-row');
    await rows.first().waitFor();
    // A county admin does not hold people.pii: 141102********1234
    expect(await rows.first().textContent()).toMatch(/\d{6}\*{8}[\dX]{4}/);
    await rows.first().click();
    await page.getByTestId("person-drawer").getByText("已脱敏").waitFor();
    await screenshot(page, "15-lishi-student-drawer");
    await page.keyboard.press("Escape");
  });

  it("sees the school on the map of 离石区 in its profile", async () => {
    const { page } = s;
    await page.getByRole("tab", { name: "基本信息" }).click();
    await page.locator('[data-testid="school-map"][data-ready="1"]').waitFor();
    expect(await page.getByTestId("school-map").getAttribute("aria-label")).toContain("离石区");
    await screenshot(page, "17-lishi-school-on-map");
  });

  it("edits the school from the keyboard: Chinese messages on the fields, then a new version in the history", async () => {
    const { page } = s;
    await page.getByTestId("school-edit").click();
    const form = page.getByTestId("school-edit-form");
    await form.waitFor();
    // A longitude outside China: the server's message lands on the field.
    const originalLng = await form.getByLabel("经度").inputValue();
    await form.getByLabel("经度").fill("200");
    await form.getByLabel("学校名称").press("Enter");
    await page.getByTestId("edit-error").waitFor();
    expect(await form.locator(".ant-form-item-explain-error").first().textContent()).toContain("经度应在");
    // An empty name is refused before sending.
    await form.getByLabel("学校名称").fill("");
    await form.getByLabel("学校名称").press("Enter");
    await form.getByText("请填写学校名称").waitFor();
    await screenshot(page, "18-lishi-school-edit-errors");
    await form.getByLabel("学校名称").fill("离石区实验小学");
    await form.getByLabel("经度").fill(originalLng);
    await form.getByLabel("经度").press("Tab");
    const lng = await page.evaluate(() => document.activeElement?.getAttribute("id"));
    expect(lng).toContain("lat"); // Tab moves from 经度 to 纬度
    await form.getByLabel("变更说明").fill("门牌调整");
    await form.getByLabel("地址").fill("离石区滨河北路1号");
    await form.getByLabel("地址").press("Enter");
    await form.waitFor({ state: "hidden" });
    await page.getByText("离石区滨河北路1号").first().waitFor();
    await screenshot(page, "19-lishi-school-edited");
  });

  it("sees 'not found' at the URL of a 孝义市 school", async () => {
    const { page, baseUrl } = s;
    await page.goto(`${baseUrl}/schools/1411810001`);
    await page.getByText("未找到").first().waitFor();
    expect(await page.locator("body").textContent()).not.toContain("孝义市实验小学");
    await screenshot(page, "16-lishi-xiaoyi-school-not-found");
  });

  it("sees 'not found' at the URL of another county", async () => {
    const { page, baseUrl } = s;
    await page.goto(`${baseUrl}/counties/141181`);
    await page.getByText("未找到").first().waitFor();
    expect(await page.locator("body").textContent()).not.toContain("孝义市教育概况");
    await screenshot(page, "12-lishi-other-county-not-found");
  });

  it("its cockpit counts 离石区's own statuses in the tiles, the city's beside", async () => {
    const { page, baseUrl } = s;
    await page.goto(`${baseUrl}/cockpit?period=2022`);
    await page.getByTestId("task-cards").waitFor({ timeout: 90_000 });
    const statuses = await page.getByTestId("indicator-status").allTextContents();
    expect(statuses.length).toBeGreaterThanOrEqual(10);
    const tile = (label: string) => page.getByTestId(`count-${label}`);
    const count = async (label: string) => Number(await tile(label).getByTestId("count-value").textContent());
    expect(await tile("达标").textContent()).toContain("达标（离石区）");
    expect(await count("指标总数")).toBe(statuses.length);
    expect(await count("达标")).toBe(statuses.filter((x) => x === "达标").length);
    expect(await count("未达标")).toBe(statuses.filter((x) => x === "未达标").length);
    expect(await count("无数据 / 未设目标")).toBe(
      statuses.filter((x) => x === "无数据" || x === "未设目标").length,
    );
    expect(await tile("达标").getByTestId("count-city").textContent()).toMatch(/^吕梁市 \d+$/);
    // at 1366 px the city's value beside the county's is readable whole, not cut off with "…"
    expect(await page.getByTestId("indicator-facts").first().textContent()).toMatch(/全市 [\d.]+%/);
    expect(await clippedFacts(page)).toEqual([]);
    await screenshot(page, "1a-lishi-cockpit");
  });

  it("never reached off the platform's origin and raised no page errors", () => {
    expect(s.offOrigin).toEqual([]);
    expect(s.pageErrors).toEqual([]);
  });
});
