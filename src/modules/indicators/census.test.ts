import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { user } from "../../../test/factories.js";
import { indicatorCity, students } from "../../../test/indicator-city.js";
import { dataEvents } from "../../shared/data-events.js";

/**
 * 统计快照 (people census): a past period keeps the student counts frozen for it while the registry
 * moves on; without one, a period does not borrow today's counts for a change of ±0.
 */
let t: TestContext;
let staff: Client;
const SCHOOL = "1411020001";

/** The city's cell of the indicator in a period's cockpit. */
async function city(period: string) {
  const res = await staff.get(`/api/cockpit?period=${period}&trend=3`);
  expect(res.statusCode).toBe(200);
  const row = res.json().indicators.find((i: { code: string }) => i.code === "t_junior");
  return row.city as {
    value: number | null;
    previous: number | null;
    change: number | null;
    trend: { period: string; value: number | null }[];
  };
}

async function addJunior(n: number) {
  await students(t.database.db, SCHOOL, n, "junior", 7);
  dataEvents.changed("people");
}

beforeAll(async () => {
  t = await createTestApp();
  await indicatorCity(t.database.db);
  await user(t.database.db, "staff1", ["city_staff"], ["141100"]);
  await user(t.database.db, "lishi", ["county_admin"], ["141102"]);
  staff = await signIn(t.app, "staff1");
  const made = await staff.post("/api/indicators", {
    code: "t_junior",
    name: "初中在校生数",
    numerator: 'students(stage = "junior")',
    unit: "人",
  });
  expect(made.statusCode).toBe(201);
});
afterAll(() => t.close());

describe("people census", () => {
  let before: number;

  it("without a census, only the shown period has a figure: no change of ±0 against today's counts", async () => {
    const c = await city("2022");
    expect(c.value).not.toBeNull();
    before = c.value as number;
    expect(c.previous).toBeNull();
    expect(c.change).toBeNull();
    expect(c.trend.map((p) => p.value)).toEqual([null, null, before]);
  });

  it("a census freezes today's counts for 2021; 2022 stays live and shows the change", async () => {
    const taken = await staff.request({ method: "PUT", url: "/api/people-censuses/2021", payload: {} });
    expect(taken.statusCode).toBe(200);
    expect(taken.json()).toMatchObject({ period: "2021", takenBy: "staff1" });
    await addJunior(5);
    const c2022 = await city("2022");
    expect(c2022).toMatchObject({ value: before + 5, previous: before, change: 5 });
    // 2021 keeps its frozen counts; 2020, before the census and without one, has none
    const c2021 = await city("2021");
    expect(c2021.value).toBe(before);
    expect(c2021.trend.map((p) => p.value)).toEqual([null, null, before]);
    expect((await city("2020")).value).toBeNull();
    // a period after 2022 is counted live as well, and 2022 then gives way to it
    const c2023 = await city("2023");
    expect(c2023.value).toBe(before + 5);
    expect(c2023.trend.map((p) => p.value)).toEqual([before, null, before + 5]);
  });

  it("refuses to overwrite a census without replace; lists, replaces, removes, audited; city staff only", async () => {
    const again = await staff.request({ method: "PUT", url: "/api/people-censuses/2021", payload: {} });
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toContain("已有统计快照");
    const list = (await staff.get("/api/people-censuses")).json();
    expect(list).toEqual([expect.objectContaining({ period: "2021", students: expect.any(Number) })]);
    const replaced = await staff.request({
      method: "PUT",
      url: "/api/people-censuses/2021",
      payload: { replace: true, note: "重做" },
    });
    expect(replaced.statusCode).toBe(200);
    expect((await city("2021")).value).toBe(before + 5);
    expect(replaced.json().students).toBe(list[0].students + 5);
    const lishi = await signIn(t.app, "lishi");
    expect(
      (await lishi.request({ method: "PUT", url: "/api/people-censuses/2019", payload: {} })).statusCode,
    ).toBe(403);
    expect((await staff.request({ method: "DELETE", url: "/api/people-censuses/2021" })).statusCode).toBe(
      204,
    );
    expect((await city("2021")).value).toBe(before + 5); // live again: no census left
    expect((await staff.request({ method: "DELETE", url: "/api/people-censuses/2021" })).statusCode).toBe(
      404,
    );
    const audit = await t.database.db
      .selectFrom("audit_log")
      .select(["action", "entity_key"])
      .where("entity", "=", "people_census")
      .orderBy("id")
      .execute();
    expect(audit.map((a) => `${a.action} ${a.entity_key}`)).toEqual([
      "create 2021",
      "update 2021",
      "delete 2021",
    ]);
  });
});
