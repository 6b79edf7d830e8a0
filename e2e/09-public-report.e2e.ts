import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cameraJpeg } from "../src/modules/files/test-samples.js";
import { openBrowser, type Session, screenshot, signIn } from "./browser.js";

/**
 * 监督举报: a parent files an anonymous report with a photo on the public page (no sign-in) and follows
 * it with the receipt; 纪检 sees it, opens the photo's link and asks a question; the parent answers;
 * 纪检 reads the answer. Script in every text field must show as text (no dialog ever opens).
 */
let parent: Session;
let officer: Session;
const tag = Date.now().toString(36).slice(-5);
const title = `周末有偿补课${tag}<script>alert(1)</script>`;
let receipt = { code: "", secret: "" };
let dialogs = 0;

beforeAll(async () => {
  parent = await openBrowser();
  officer = await openBrowser();
  for (const s of [parent, officer]) s.page.on("dialog", () => void dialogs++);
});
afterAll(async () => {
  await parent?.close();
  await officer?.close();
});

async function pick(s: Session, label: string, typed: string | null, option: string) {
  const input = s.page.getByLabel(label, { exact: true });
  await input.click();
  if (typed) await input.fill(typed);
  await s.page.locator(".ant-select-item-option", { hasText: option }).first().click();
}

describe("a parent reports anonymously and follows the report", () => {
  it("files the report with a photo and gets a receipt", async () => {
    const { page, baseUrl } = parent;
    await page.goto(`${baseUrl}/public/report`);
    await pick(parent, "所在县（市、区）", null, "离石区");
    await pick(parent, "学校或单位", "实验小学", "离石区实验小学");
    await pick(parent, "举报类别", null, "违规补课");
    await page.getByTestId("report-title").fill(title);
    await page
      .getByTestId("report-description")
      .fill("班主任周六在校外租房组织有偿补课，每人每月 800 元。<img src=x onerror=alert(2)>");
    const photo = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "e2e-report-")), "补课现场.jpg");
    fs.writeFileSync(photo, cameraJpeg({ width: 320, height: 240 }));
    await page
      .locator('[data-testid="report-upload"] input[type=file], .ant-upload input[type=file]')
      .first()
      .setInputFiles(photo);
    await page.locator(".ant-upload-list-item-done", { hasText: "补课现场.jpg" }).waitFor();
    await screenshot(page, "91-public-report-form");
    await page.getByTestId("report-submit").click();
    await page.getByTestId("receipt").waitFor();
    receipt = {
      code: (await page.getByTestId("receipt-code").textContent())!.trim(),
      secret: (await page.getByTestId("receipt-secret").textContent())!.trim(),
    };
    expect(receipt.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    await screenshot(page, "92-public-receipt");
  });

  it("follows it: a wrong secret is refused, the right one shows the status", async () => {
    const { page, baseUrl } = parent;
    await page.goto(`${baseUrl}/public/follow`);
    await page.getByTestId("follow-code").fill(receipt.code);
    await page.getByTestId("follow-secret").fill("AAAA-BBBB-CCCC-DDDD");
    await page.getByTestId("follow-submit").click();
    await page.getByTestId("follow-error").waitFor();
    expect(await page.getByTestId("follow-error").textContent()).toContain("查询码或查询密码不正确");
    await page.getByTestId("follow-secret").fill(receipt.secret);
    await page.getByTestId("follow-submit").click();
    await page.getByTestId("follow-view").waitFor();
    expect(await page.getByTestId("follow-status").textContent()).toContain("待初核");
  });
});

describe("纪检 handles it; the parent answers a question", () => {
  let caseUrl = "";
  it("纪检 finds the report, sees the title as text and the photo, and asks a question", async () => {
    const { page, baseUrl } = officer;
    await signIn(page, baseUrl, "jijian");
    await page.goto(`${baseUrl}/reports?q=${encodeURIComponent(tag)}`);
    const link = page.locator('[data-testid="report-table"] a', { hasText: tag });
    await link.first().click();
    await page.getByTestId("case-title").waitFor();
    caseUrl = page.url();
    expect(await page.getByTestId("case-title").textContent()).toBe(title);
    expect(await page.getByTestId("case-state").textContent()).toContain("待初核");
    const photo = page.getByTestId("attachment-link").first();
    expect(await photo.textContent()).toContain("补课现场.jpg");
    const res = await page.request.get(new URL((await photo.getAttribute("href"))!, baseUrl).toString());
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toBe("image/jpeg");
    await page.getByTestId("ask-input").fill("请问补课地点在哪个小区？");
    await page.getByTestId("ask-submit").click();
    await page.getByText("待举报人答复").waitFor();
    await screenshot(page, "93-jijian-report");
  });

  it("the parent sees the question and answers it", async () => {
    const { page } = parent;
    await page.getByTestId("follow-submit").click();
    const answer = page.locator('[data-testid^="answer-"]').first();
    await answer.waitFor();
    await answer.fill("在滨河小区 3 号楼，每周六上午。");
    await page.locator('[data-testid^="answer-submit-"]').first().click();
    await page.getByText("您已于").waitFor();
    await screenshot(page, "94-public-answer");
  });

  it("纪检 reads the answer; no script ran anywhere", async () => {
    const { page } = officer;
    await page.goto(caseUrl);
    await page.getByText("在滨河小区 3 号楼，每周六上午。").first().waitFor();
    await screenshot(page, "95-jijian-answer");
    expect(dialogs).toBe(0);
    expect(parent.pageErrors).toEqual([]);
    expect(officer.pageErrors).toEqual([]);
    expect(parent.offOrigin).toEqual([]);
  });
});
