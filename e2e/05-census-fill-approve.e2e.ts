import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBrowser, type Session, screenshot, signIn } from "./browser.js";

/**
 * The annual census (办学条件年报): the school admin of 离石区实验小学 (1411020001) fills the 2022
 * return and submits it; the county admin of 离石区 (lishi) approves it.
 * (The demo leaves this school's 2022 return not started, so the journey begins from nothing.)
 */
let s: Session;
const entryUrl = "/forms/entry?form=school_census&period=2022";

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

describe("school admin fills the census, the county approves", () => {
  it("the school admin opens 数据填报 and sees its own 2022 return, not started", async () => {
    const { page, baseUrl } = s;
    await signIn(page, baseUrl, "lsxx_admin");
    await page.getByRole("link", { name: "数据填报" }).click();
    await page.waitForURL(/\/forms\/entry/);
    await page.goto(`${baseUrl}${entryUrl}`);
    await page.getByText("离石区实验小学").first().waitFor({ timeout: 30_000 });
    await page.getByText("未填报").first().waitFor();
  });

  it("a class bandwidth above the uplink is refused with the rule's message", async () => {
    const { page } = s;
    await fillNumber("教学及辅助用房面积", 6200);
    await fillNumber("体育运动场馆面积", 9800);
    await fillNumber("教学仪器设备值", 210.5);
    await fillNumber("网络多媒体教室数", 30);
    await fillNumber("学校出口带宽", 100);
    await fillNumber("班级接入带宽", 200);
    await page.locator("#rule_of_law_vp").getByText("是", { exact: true }).click();
    await page.locator("#parent_school").getByText("是", { exact: true }).click();
    await page.locator("#parent_committee").getByText("是", { exact: true }).click();
    await page.locator("#safe_campus").getByText("达标", { exact: true }).click();
    await page.getByLabel("参加课后服务学生数男").fill("612");
    await page.getByLabel("参加课后服务学生数女").fill("587");
    await fillNumber("小学一二年级平均书面作业时长", 0);
    await fillNumber("小学三至六年级平均书面作业时长", 52);
    await page.getByRole("button", { name: /上\s*报/ }).click();
    await page.getByText("班级接入带宽不能超过学校出口带宽").first().waitFor({ timeout: 20_000 });
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

  // The leader's cockpit changes: appended by the cockpit journey's owner (issue 4 item 7).
});
