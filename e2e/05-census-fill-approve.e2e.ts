import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBrowser, type Session, screenshot, signIn } from "./browser.js";

/**
 * The annual census (办学条件年报): the school admin of 离石区实验小学 (1411020001) fills the 2022
 * return and submits it; the county admin of 离石区 (lishi) approves it; the bureau leader's cockpit
 * then counts the school's reported uplink in 千兆到校 (issue 4: "a school fills the census form, the
 * county approves, the leader's cockpit changes").
 * (The demo leaves this school's 2022 return not started, so the journey begins from nothing.)
 */
let s: Session;
const SCHOOL = "1411020001";
const COUNTY = "141102"; // 离石区
const entryUrl = "/forms/entry?form=school_census&period=2022";

/** 千兆到校 (school_1g_coverage, plan 2022 task 8): schools other than kindergartens with uplink ≥ 1000 Mbps. */
interface Figures {
  /** The school's own value, and its numerator ÷ denominator, on its indicator page. */
  schoolValue: string;
  schoolFraction: string;
  /** 较上期: the change, or 上期 … when there is no value this year. */
  schoolChange: string;
  /** The county's numerator and denominator, on the cockpit's drill-down. */
  county: [number, number];
}
let before: Figures;

/** What the leader sees of 千兆到校 for the school and its county (pages loaded afresh). */
async function leaderFigures(): Promise<Figures> {
  const { page, baseUrl } = s;
  await page.goto(`${baseUrl}/cockpit/units/${SCHOOL}?period=2022`);
  const row = page.locator('[data-testid^="unit-group-"] tr', { hasText: "千兆到校" }).first();
  await row.waitFor({ timeout: 90_000 });
  const schoolValue = (await row.locator("td").nth(1).textContent()) ?? "";
  const schoolFraction = (await row.locator("td").nth(2).textContent()) ?? "";
  const schoolChange = (await row.locator("td").nth(6).textContent()) ?? "";
  await page.goto(`${baseUrl}/cockpit/indicators/school_1g_coverage?org=${COUNTY}&period=2022`);
  await page.getByTestId("drill-title").filter({ hasText: "离石区" }).waitFor({ timeout: 90_000 });
  const fraction = (await page.getByTestId("figure-fraction").textContent()) ?? "";
  const m = /([\d,]+) ÷ \D*([\d,]+)/.exec(fraction);
  expect(m, fraction).not.toBeNull();
  const num = (x: string) => Number(x.replaceAll(",", ""));
  return { schoolValue, schoolFraction, schoolChange, county: [num(m![1]), num(m![2])] };
}

beforeAll(async () => {
  s = await openBrowser();
});
afterAll(async () => {
  await s?.close();
});

async function fillNumber(label: string, value: number) {
  const input = s.page.getByLabel(label, { exact: true });
  await input.fill(String(value));
}

describe("school admin fills the census, the county approves, the leader's cockpit changes", () => {
  it("the leader's cockpit has no 2022 uplink of the school yet", async () => {
    await signIn(s.page, s.baseUrl, "leader");
    before = await leaderFigures();
    // not reported: 未上报, not a value of "—" beside a misleading 0 ÷ 1 (the county still counts
    // the school in its denominator)
    expect(before.schoolValue).toBe("未上报");
    expect(before.schoolFraction).toBe("—");
    expect(before.schoolChange).toMatch(/^上期 [\d.]+%$/);
    expect(before.county[1]).toBeGreaterThan(before.county[0]);
    await screenshot(s.page, "50-census-cockpit-before");
  });

  it("the school admin opens 数据填报 and sees its own 2022 return, not started", async () => {
    const { page, baseUrl } = s;
    await signIn(page, baseUrl, "lsxx_admin");
    await page.getByRole("link", { name: "数据填报" }).click();
    // the page opens on the school's own form and open round, on the school itself
    await page.waitForURL((u) => `${u.pathname}${u.search}` === entryUrl, { timeout: 30_000 });
    await page.getByText("离石区实验小学").first().waitFor({ timeout: 30_000 });
    await page.getByText("未填报").first().waitFor();
  });

  it("a class bandwidth above the uplink is flagged while typing and refused with the rule's message", async () => {
    const { page } = s;
    await fillNumber("教学及辅助用房面积", 6200);
    await fillNumber("体育运动场馆面积", 9800);
    await fillNumber("教学仪器设备值", 210.5);
    await fillNumber("网络多媒体教室数", 30);
    await fillNumber("学校出口带宽", 100);
    await fillNumber("班级接入带宽", 200);
    // the form's rule, checked as it is typed, on the field itself
    await page
      .locator(".ant-form-item-explain-error", { hasText: "班级接入带宽不能超过学校出口带宽" })
      .waitFor({ timeout: 10_000 });
    await page.locator("#rule_of_law_vp").getByText("是", { exact: true }).click();
    await page.locator("#parent_school").getByText("是", { exact: true }).click();
    await page.locator("#parent_committee").getByText("是", { exact: true }).click();
    await page.locator("#safe_campus").getByText("达标", { exact: true }).click();
    await page.getByLabel("参加课后服务学生数男").fill("612");
    await page.getByLabel("参加课后服务学生数女").fill("587");
    await fillNumber("小学一二年级平均书面作业时长", 0);
    await fillNumber("小学三至六年级平均书面作业时长", 52);
    await page.getByRole("button", { name: /上\s*报/ }).click();
    await page.getByText(/有 1 处需要更正/).waitFor({ timeout: 20_000 });
    await page.getByText("班级接入带宽不能超过学校出口带宽").first().waitFor();
    await screenshot(page, "51-census-rule");
  });

  it("with the uplink corrected, the return is submitted", async () => {
    const { page } = s;
    await fillNumber("学校出口带宽", 1000);
    await page.getByRole("button", { name: /上\s*报/ }).click();
    await page.getByText("已上报", { exact: true }).first().waitFor({ timeout: 20_000 });
    // the total of the disaggregated element is computed
    await page.getByText("合计 1199").waitFor();
    await screenshot(page, "52-census-submitted");
    expect(s.pageErrors).toEqual([]);
  });

  it("the county admin sees it waiting in 审核 and approves it", async () => {
    const { page, baseUrl } = s;
    await page.context().clearCookies();
    await signIn(page, baseUrl, "lishi");
    await page.getByRole("link", { name: "审核" }).click();
    await page.waitForURL(/\/forms\/review/);
    await page.goto(`${baseUrl}/forms/review?form=school_census&period=2022`);
    await page.getByPlaceholder("单位名称或代码").fill("1411020001");
    await page.getByPlaceholder("单位名称或代码").press("Enter");
    const row = page.locator("tr", { hasText: "1411020001" });
    await row.waitFor({ timeout: 30_000 });
    await screenshot(page, "53-census-review");
    await row.getByRole("button", { name: /通\s*过/ }).click();
    await page.getByText("离石区实验小学：已审核").waitFor({ timeout: 20_000 });
  });

  it("the return now shows 已审核 with the trail, and the school can no longer change it", async () => {
    const { page, baseUrl } = s;
    await page.goto(`${baseUrl}${entryUrl}&org=1411020001`);
    await page.getByText("已审核", { exact: true }).first().waitFor({ timeout: 30_000 });
    await page.getByText(/审核记录（2）/).click();
    await page.getByText(/lishi 审核通过/).waitFor();
    await screenshot(page, "54-census-approved");
    expect(await page.getByRole("button", { name: /上\s*报/ }).count()).toBe(0);
    expect(s.offOrigin).toEqual([]);
    expect(s.pageErrors).toEqual([]);
  });

  it("the leader's cockpit now counts the school's gigabit uplink", async () => {
    await signIn(s.page, s.baseUrl, "leader");
    // The school reported 1000 Mbps, the threshold of 千兆到校: it joins the numerator. (Submitted
    // values already count; the county's approval changes their status, not the figure.)
    const after = await leaderFigures();
    expect(after.county).toEqual([before.county[0] + 1, before.county[1]]);
    await screenshot(s.page, "55-census-cockpit-county-after");
    await s.page.goto(`${s.baseUrl}/cockpit/units/${SCHOOL}?period=2022`);
    expect(after.schoolValue).toBe("100.0%");
    expect(after.schoolFraction).toBe("1 ÷ 1");
    await s.page.locator('[data-testid^="unit-group-"] tr', { hasText: "千兆到校" }).first().waitFor();
    await screenshot(s.page, "56-census-cockpit-school-after");
    expect(s.offOrigin).toEqual([]);
    expect(s.pageErrors).toEqual([]);
  });
});
