import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clippedFacts, openBrowser, type Session, screenshot, signIn } from "./browser.js";

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
    // an unmet indicator's gap (差 …) is readable whole at 1366 px, not cut off with "…"
    expect((await page.getByTestId("indicator-facts").allTextContents()).join("\n")).toMatch(
      /差 [\d.]+ 个百分点/,
    );
    expect(await clippedFacts(page)).toEqual([]);
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

  it("shows a school's new screening import at once on the leader's pages", async () => {
    const { page, baseUrl } = s;
    const schoolFigure = async () => {
      await page.goto(`${baseUrl}/cockpit/units/1411020001?period=2022`);
      const row = page.locator('[data-testid^="unit-group-"] tr', { hasText: "近视率" }).first();
      await row.waitFor({ timeout: 90_000 });
      return (await row.locator("td").nth(1).textContent()) ?? "";
    };
    const before = await schoolFigure();
    // The school's doctor re-screens 150 pupils aged 6 and over: all screening-myopic this time.
    const school = await apiClient(baseUrl, "lsxx_admin");
    const list = await school.get("/api/students?schoolCode=1411020001&pageSize=200");
    const pupils = (list.items as { studentNumber: string; birthDate: string }[])
      .filter((p) => p.birthDate < "2016-01-01")
      .slice(0, 150);
    expect(pupils.length).toBeGreaterThan(50);
    const csv = [
      "学籍号,筛查日期,左眼裸眼视力,右眼裸眼视力,左眼等效球镜,右眼等效球镜,筛查机构",
      ...pupils.map((p) => `${p.studentNumber},2022-12-20,4.5,4.6,-2.00,-1.75,离石区妇幼保健院`),
    ].join("\n");
    const job = await school.upload("/api/imports?kind=vision-screenings", "复查.csv", csv);
    const checked = await school.waitForJob(job.id);
    expect(checked.status).toBe("validated");
    await school.post(`/api/imports/${job.id}/commit`);
    expect((await school.waitForJob(job.id)).status).toBe("committed");
    const after = await schoolFigure();
    expect(parseFloat(after)).toBeGreaterThan(parseFloat(before));
    await screenshot(page, "64-leader-school-page-after-import");
  });
});

/** A signed-in API client for another user (cookie and CSRF token), beside the leader's browser. */
async function apiClient(baseUrl: string, username: string) {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password: "demo1234" }),
  });
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0];
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const headers = { cookie, "x-csrf-token": csrfToken };
  const json = async (r: Response) => {
    if (!r.ok) throw new Error(`${r.url}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  const client = {
    get: (path: string) => fetch(`${baseUrl}${path}`, { headers }).then(json),
    post: (path: string) => fetch(`${baseUrl}${path}`, { method: "POST", headers }).then(json),
    async upload(path: string, name: string, content: string) {
      const form = new FormData();
      form.append("file", new Blob([content], { type: "text/csv" }), name);
      return json(await fetch(`${baseUrl}${path}`, { method: "POST", headers, body: form }));
    },
    async waitForJob(id: string): Promise<{ status: string; message: string | null }> {
      for (;;) {
        const j = await client.get(`/api/imports/${id}`);
        if (j.status !== "validating" && j.status !== "committing") return j;
        await new Promise((r) => setTimeout(r, 250));
      }
    },
  };
  return client;
}
