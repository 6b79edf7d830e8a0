import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBrowser, type Session, screenshot, signIn, waitForMap } from "./browser.js";

/**
 * The city admin creates a county admin for 汾阳市 (scope picked on the org tree); that user signs
 * in, must change the initial password, and sees only 汾阳市. The audit viewer then shows the user's
 * creation and the school admin's import (journey 03) with who and when.
 */
let s: Session;
const suffix = String(Date.now() % 100000).padStart(5, "0");
const username = `fenyang${suffix}`;
const initial = "Fenyang2026a";
const changed = "Fenyang2026b";

beforeAll(async () => {
  s = await openBrowser();
});
afterAll(async () => {
  await s?.close();
});

describe("city admin: a user scoped to 汾阳市, and the audit viewer", () => {
  it("creates a county admin for 汾阳市", async () => {
    const { page, baseUrl } = s;
    await signIn(page, baseUrl, "admin");
    await page.getByRole("link", { name: "用户管理" }).click();
    await page.waitForURL(/\/admin\/users$/);
    await page.getByTestId("user-create").click();
    const form = page.getByTestId("user-form");
    await form.getByLabel("用户名").fill(username);
    await form.getByLabel("姓名/名称").fill("汾阳市教育局（测试）");
    await form.getByLabel("初始密码").fill(initial);
    // On a loaded machine a click in an animating dropdown can be lost: choose until the field
    // shows the choice. A multiple select stays open after a choice: Escape closes it, and is
    // pressed only while it is open (with none open, Escape would close the modal).
    const open = page.locator(".ant-select-dropdown:visible");
    const close = async () => {
      if (await open.count()) await page.keyboard.press("Escape");
      await expect.poll(() => open.count(), { timeout: 10_000 }).toBe(0);
    };
    const roles = page.getByTestId("user-roles-select");
    for (let i = 0; i < 5 && !(await roles.textContent())?.includes("县级管理员"); i++) {
      if ((await open.count()) === 0) await roles.click();
      await open
        .getByText("县级管理员", { exact: true })
        .click({ timeout: 10_000 })
        .catch(() => undefined);
    }
    expect(await roles.textContent()).toContain("县级管理员");
    await close();
    const scope = page.getByTestId("scope-picker");
    for (let i = 0; i < 5 && !(await scope.textContent())?.includes("汾阳市"); i++) {
      if ((await open.count()) === 0) {
        await scope.click();
        await page.keyboard.type("汾阳市");
      }
      await open
        .locator(".ant-select-tree-node-content-wrapper", { hasText: "汾阳市（141182）" })
        .click({ timeout: 10_000 })
        .catch(() => undefined);
    }
    expect(await scope.textContent()).toContain("汾阳市");
    await close();
    await screenshot(page, "31-user-create");
    await page.getByRole("button", { name: /创\s*建/ }).click();
    const row = page.locator('[data-testid="users-table"] tbody tr', { hasText: username });
    await row.waitFor();
    expect(await row.textContent()).toContain("汾阳市");
    expect(await row.textContent()).toContain("县级管理员");
    await screenshot(page, "32-users");
    await page.getByTestId("sign-out").click();
    await page.waitForURL(/\/login$/);
  });

  it("signs in as the new user, changes the initial password, and sees only 汾阳市", async () => {
    const { page, baseUrl } = s;
    await signIn(page, baseUrl, username, initial);
    const dialog = page.getByRole("dialog");
    await dialog.getByText("管理员重置了您的密码").or(dialog.getByText("修改密码")).first().waitFor();
    await dialog.getByLabel("当前密码").fill(initial);
    await dialog.getByLabel("新密码", { exact: true }).fill(changed);
    await dialog.getByLabel("确认新密码").fill(changed);
    await dialog.getByRole("button", { name: "确认修改" }).click();
    await dialog.waitFor({ state: "hidden" });
    expect(await page.getByTestId("user-area").textContent()).toContain("汾阳市");
    await page.goto(baseUrl);
    await waitForMap(page);
    const rows = page.locator('[data-testid="county-table"] tbody tr.ant-table-row');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain("汾阳市");
    await screenshot(page, "33-fenyang-map");
    // Another county's page is "not found" for this user.
    await page.goto(`${baseUrl}/counties/141102`);
    await page.getByText("未找到").first().waitFor();
    await page.goto(baseUrl);
    await page.getByTestId("sign-out").click();
    await page.waitForURL(/\/login$/);
  });

  it("shows the user creation in the audit viewer, with who and when", async () => {
    const { page, baseUrl } = s;
    await signIn(page, baseUrl, "admin");
    await page.getByRole("link", { name: "审计记录" }).click();
    await page.waitForURL(/\/admin\/audit$/);
    await page.getByTestId("audit-entityKey").locator("input").fill(username);
    await page.getByTestId("audit-entityKey").locator("input").press("Enter");
    await page.waitForURL(/entityKey=/);
    const created = page
      .locator('[data-testid="audit-table"] tbody tr.ant-table-row')
      .filter({ hasText: "新建" })
      .filter({ hasText: username });
    await created.waitFor();
    const text = (await created.textContent()) ?? "";
    expect(text).toContain("admin"); // who
    expect(text).toContain("用户");
    expect(text).toMatch(/\d{4}\/\d{1,2}\/\d{1,2}/); // when
    await screenshot(page, "34-audit-user");
  });

  it("defines a custom role with only permissions it holds, edits it, and deletes it", async () => {
    const { page } = s;
    await page.getByRole("link", { name: "角色与权限" }).click();
    await page.waitForURL(/\/admin\/roles$/);
    // Built-in roles are read-only.
    const builtin = page.locator('[data-testid="roles-table"] tbody tr', { hasText: "county_admin" });
    expect(await builtin.textContent()).toContain("只读");
    await page.getByTestId("role-new").click();
    const form = page.getByTestId("role-form");
    await form.getByLabel("代码").fill("Bad-Code");
    await form.getByLabel("角色", { exact: true }).fill("学籍核查员");
    await page.getByTestId("role-save").click();
    await form.getByText("小写字母开头").first().waitFor();
    await form.getByText("请至少选择一项权限").waitFor();
    await form.getByLabel("代码").fill("roll_checker");
    await form.getByLabel("查看学生和教职工").check();
    await screenshot(page, "36-role-new");
    await page.getByTestId("role-save").click();
    const row = page.locator('[data-testid="roles-table"] tbody tr', { hasText: "roll_checker" });
    await row.waitFor();
    expect(await row.textContent()).toContain("学籍核查员");
    await page.getByTestId("role-edit-roll_checker").click();
    await page.getByTestId("role-form").getByLabel("查看组织机构").check();
    await page.getByTestId("role-save").click();
    await row.getByText("查看组织机构").waitFor();
    await screenshot(page, "37-roles");
    await page.getByTestId("role-delete-roll_checker").click();
    await page
      .locator(".ant-popconfirm")
      .getByRole("button", { name: /删\s*除/ })
      .click();
    await row.waitFor({ state: "detached" });
  });

  it("shows the school admin's import in the audit viewer", async () => {
    const { page, baseUrl } = s;
    await page.goto(`${baseUrl}/admin/audit?actor=lsxx_admin&entity=import_job`);
    const row = page.locator('[data-testid="audit-table"] tbody tr.ant-table-row').first();
    await row.waitFor();
    const text = (await row.textContent()) ?? "";
    expect(text).toContain("lsxx_admin");
    expect(text).toContain("导入");
    await screenshot(page, "35-audit-import");
  });

  it("never reached off the platform's origin and raised no page errors", () => {
    expect(s.offOrigin).toEqual([]);
    expect(s.pageErrors).toEqual([]);
  });
});
