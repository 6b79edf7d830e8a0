import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cameraJpeg } from "../src/modules/files/test-samples.js";
import { openBrowser, pickOption, type Session, screenshot, signIn } from "./browser.js";

/**
 * 隐患排查整治: the school admin of 离石区实验小学 reports a hazard from its self-check, the 离石区
 * county bureau assigns it, the school accepts it and submits its rectification with a photo, and
 * the county verifies it (销号). The hazard's title carries HTML, which must show as text.
 */
let s: Session;
let dir: string;
let caseUrl = "";
const title = `消防通道堆放杂物<b>${Date.now() % 100000}</b>`;

async function takeStep(page: Page, code: string) {
  await page.getByTestId(`step-${code}`).click();
  await page.getByTestId("step-form").waitFor();
}

async function confirm(page: Page) {
  await page
    .locator(".ant-modal:visible")
    .getByRole("button", { name: /确\s*定/ })
    .click();
  await page.locator(".ant-modal:visible").waitFor({ state: "detached" });
}

beforeAll(async () => {
  s = await openBrowser();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "edu-e2e-hazard-"));
  fs.writeFileSync(path.join(dir, "整改后.jpg"), cameraJpeg({ width: 640, height: 480 }));
});
afterAll(async () => {
  await s?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("a school rectifies a hazard with a photo and the county verifies it", () => {
  it("the school reports a hazard from its self-check", async () => {
    const { page, baseUrl } = s;
    await signIn(page, baseUrl, "lsxx_admin");
    await page.getByRole("link", { name: "隐患排查整治" }).click();
    await page.getByTestId("case-table").waitFor();
    await page.getByTestId("create-case").click();
    await page.getByLabel("隐患名称").fill(title);
    await pickOption(page, "隐患类别", "消防");
    await pickOption(page, "隐患等级", "较大");
    await page.getByLabel("具体位置").fill("教学楼一层东侧楼梯口");
    await page.getByLabel("隐患描述").fill("消防通道堆放课桌椅，影响疏散。");
    await page
      .locator(".ant-modal:visible")
      .getByRole("button", { name: /提\s*交/ })
      .click();
    await expect.poll(() => page.getByTestId("case-state").textContent()).toBe("已上报");
    // HTML in a text field is shown as text, never interpreted
    expect(await page.getByTestId("case-title").textContent()).toBe(title);
    expect(await page.locator('[data-testid="case-title"] b').count()).toBe(0);
    caseUrl = page.url();
    await screenshot(page, "07-hazard-reported");
  });

  it("the county assigns it with a deadline by its severity", async () => {
    const { page, baseUrl } = s;
    await page.getByTestId("user-name").click();
    await signIn(page, baseUrl, "lishi");
    await page.goto(caseUrl);
    await takeStep(page, "assign");
    await page.getByLabel("意见").fill("请于 15 日内整改到位");
    await confirm(page);
    await expect.poll(() => page.getByTestId("case-state").textContent()).toBe("待整改");
  });

  it("the school finds it in its inbox, accepts it and submits the rectification with a photo", async () => {
    const { page, baseUrl } = s;
    await signIn(page, baseUrl, "lsxx_admin");
    await page.getByRole("link", { name: "我的待办" }).click();
    const row = page.getByTestId("inbox-table").locator("tr", { hasText: "消防通道堆放杂物" }).first();
    await row.waitFor();
    expect(await row.textContent()).toContain("待我签收整改");
    await row.click();
    await takeStep(page, "accept");
    await confirm(page);
    await expect.poll(() => page.getByTestId("case-state").textContent()).toBe("整改中");
    await takeStep(page, "submit");
    await page.getByLabel("整改措施").fill("已清理通道，张贴禁止堆放标识，落实每日巡查。");
    await page.locator('.ant-modal:visible input[type="file"]').setInputFiles(path.join(dir, "整改后.jpg"));
    await page
      .locator(".ant-modal:visible .ant-upload-list-item-done, .ant-modal:visible .ant-upload-list-item")
      .first()
      .waitFor();
    await expect
      .poll(() => page.locator(".ant-modal:visible .ant-upload-list-item-uploading").count())
      .toBe(0);
    await confirm(page);
    await expect.poll(() => page.getByTestId("case-state").textContent()).toBe("待验收");
    await page.getByTestId("timeline").locator("img").first().waitFor();
  });

  it("the county sees the photo and verifies the rectification", async () => {
    const { page, baseUrl } = s;
    await signIn(page, baseUrl, "lishi");
    await page.goto(caseUrl);
    const img = page.getByTestId("timeline").locator("img").first();
    await img.waitFor();
    expect(await img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0)).toBe(true);
    await takeStep(page, "verify");
    await page.getByLabel("意见").fill("现场复查合格，予以销号。");
    await confirm(page);
    await expect.poll(() => page.getByTestId("case-state").textContent()).toBe("已销号");
    const steps = await page.getByTestId("timeline").textContent();
    for (const label of ["上报隐患", "交办整改", "签收整改", "提交整改", "验收销号"])
      expect(steps).toContain(label);
    await screenshot(page, "07-hazard-verified");
    expect(s.pageErrors).toEqual([]);
    expect(s.offOrigin).toEqual([]);
  });
});
