import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../test/db.js";
import type { Database } from "../../db/connect.js";
import { demoAccounts } from "../../demo/accounts.js";
import { seedDemo } from "./demo.js";

/** `npm run cli -- seed-demo` on a test database, at 1 % of the city. */
let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.close());

describe("seed-demo", () => {
  it("refuses a scale outside (0, 1] before touching the database", async () => {
    for (const scale of ["0", "1.5", "abc"])
      await expect(seedDemo(database, { seed: "x", scale }, () => {})).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
      });
    const n = await database.db.selectFrom("org_unit").select("id").execute();
    expect(n).toHaveLength(0);
  });

  it("loads the city, reports it in Chinese, and creates the demo accounts when asked", async () => {
    const lines: string[] = [];
    const summary = await seedDemo(database, { seed: "lvliang-2022", scale: "0.01", accounts: true }, (l) =>
      lines.push(l),
    );
    expect(summary.students).toBeGreaterThan(1000);
    expect(lines).toContain("正在写入学生…");
    expect(
      lines.some((l) => l.startsWith("已载入示范城市") && l.includes(`学生 ${summary.students} 人`)),
    ).toBe(true);
    expect(lines.at(-1)).toContain(`已创建示范账号：${demoAccounts.map((a) => a.username).join("、")}`);
    const users = await database.db.selectFrom("app_user").select("username").execute();
    expect(users).toHaveLength(demoAccounts.length);
  });

  it("refuses to load a second time", async () => {
    await expect(seedDemo(database, { seed: "lvliang-2022", scale: "0.01" }, () => {})).rejects.toMatchObject(
      {
        code: "CONFLICT",
      },
    );
  });
});
