import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { smallCity } from "../../../test/factories.js";
import {
  readPasswordFromStdin,
  tokenCreate,
  tokenList,
  tokenRevoke,
  userAdd,
  userList,
  userResetPassword,
  userSetDisabled,
} from "./access.js";

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp();
  await smallCity(t.database.db);
});
afterAll(() => t.close());

/** Captures what a command prints. */
function output() {
  const lines: string[] = [];
  return { lines, log: (s: string) => lines.push(s) };
}
const pw = (p: string) => async () => p;

describe("CLI: users", () => {
  it("creates the first admin, who can then sign in; audited as the CLI", async () => {
    const out = output();
    await userAdd(
      t.database.db,
      "root",
      { name: "市局管理员", role: ["city_admin"], scope: ["141100"] },
      pw("Admin2024x"),
      out.log,
    );
    expect(out.lines[0]).toMatch(/已创建用户 root（市局管理员）.*吕梁市\(141100\)/);
    const me = await (await signIn(t.app, "root", "Admin2024x")).get("/api/auth/me");
    expect(me.json().user).toMatchObject({ roles: ["city_admin"], mustChangePassword: false });
    const audit = await t.database.db
      .selectFrom("audit_log")
      .selectAll()
      .where("entity", "=", "user")
      .where("entity_key", "=", "root")
      .executeTakeFirstOrThrow();
    expect(audit.actor_type).toBe("system");
    expect(audit.actor_name).toMatch(/^cli:/);
  });

  it("applies the password policy and knows neither unknown roles nor unknown org units", async () => {
    const add = (over: Partial<{ role: string[]; scope: string[] }>, p = "Good2024pw") =>
      userAdd(
        t.database.db,
        "second",
        { name: "x", role: ["teacher"], scope: ["1411020001"], ...over },
        pw(p),
        () => {},
      );
    await expect(add({}, "short")).rejects.toThrow(/密码至少8位/);
    await expect(add({ role: ["wizard"] })).rejects.toThrow(/未知角色/);
    await expect(add({ scope: ["999999"] })).rejects.toThrow(/组织机构不存在/);
  });

  it("resets a password, disables and enables, and lists", async () => {
    await userAdd(
      t.database.db,
      "clerk",
      { name: "文员", role: ["teacher"], scope: ["1411020001"] },
      pw("Desk2024x"),
      () => {},
    );
    const out = output();
    await userResetPassword(t.database.db, "clerk", pw("Reset2024x"), out.log);
    expect(out.lines[0]).toMatch(/已重置 clerk 的密码/);
    const me = await (await signIn(t.app, "clerk", "Reset2024x")).get("/api/auth/me");
    expect(me.json().user.mustChangePassword).toBe(true);
    await userSetDisabled(t.database.db, "clerk", true, out.log);
    const refused = await t.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "clerk", password: "Reset2024x" },
    });
    expect(refused.json().code).toBe("ACCOUNT_DISABLED");
    const list = output();
    await userList(t.database.db, {}, list.log);
    expect(list.lines[0]).toContain("用户名");
    expect(list.lines.find((l) => l.startsWith("clerk\t"))).toContain("停用");
    expect(list.lines.find((l) => l.startsWith("root\t"))).toContain("正常");
    await userSetDisabled(t.database.db, "clerk", false, () => {});
    await expect(userResetPassword(t.database.db, "nobody", pw("Reset2024x"), () => {})).rejects.toThrow(
      /用户不存在/,
    );
  });

  it("reads --password-stdin from the first line", async () => {
    expect(await readPasswordFromStdin(Readable.from(["Piped2024x\n", "ignored\n"]))).toBe("Piped2024x");
    await expect(readPasswordFromStdin(Readable.from(["\n"]))).rejects.toThrow(/没有密码/);
  });
});

describe("CLI: tokens", () => {
  it("creates a token printed once, usable at once, and revokes it by prefix", async () => {
    const out = output();
    await tokenCreate(
      t.database.db,
      "孝义市平台",
      { perm: ["registry.read", "users.manage"], scope: ["141181"] },
      out.log,
    );
    const token = out.lines[out.lines.length - 1];
    expect(token).toMatch(/^edu_[A-Za-z0-9]{8}_/);
    const auth = { authorization: `Bearer ${token}` };
    expect((await t.app.inject({ method: "GET", url: "/api/users", headers: auth })).statusCode).toBe(200);
    const list = output();
    await tokenList(t.database.db, list.log);
    expect(list.lines.join("\n")).not.toContain(token.slice(14));
    expect(list.lines[1]).toContain("有效");
    const prefix = token.split("_")[1];
    await tokenRevoke(t.database.db, prefix, out.log);
    expect(out.lines[out.lines.length - 1]).toMatch(/已吊销接口令牌/);
    expect((await t.app.inject({ method: "GET", url: "/api/users", headers: auth })).statusCode).toBe(401);
    await expect(tokenRevoke(t.database.db, "99999", () => {})).rejects.toThrow(/接口令牌不存在/);
    await expect(
      tokenCreate(t.database.db, "x", { perm: ["everything"], scope: ["141181"] }, () => {}),
    ).rejects.toThrow(/未知权限/);
  });
});
