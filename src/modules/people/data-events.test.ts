import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Client, createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { orgUnitId, user } from "../../../test/factories.js";
import { studentWorld } from "../../../test/people-factories.js";
import { type ChangeDetail, type DataTopic, dataEvents } from "../../shared/data-events.js";
import { makeResidentId } from "../../shared/resident-id.js";
import { commitJob, csvText, dryRunOf } from "../exchange/test-helpers.js";

/** Every committed write tells the indicators' caches which data changed (src/shared/data-events.ts). */

let t: TestContext;
let school1: Client;
let lishi: Client;
let admin: Client;
const heard: DataTopic[] = [];
const details: (ChangeDetail | undefined)[] = [];
let off: () => void;

beforeAll(async () => {
  t = await createTestApp();
  const w = await studentWorld(t);
  ({ lishi, school1 } = w.clients);
  await user(t.database.db, "events_admin", ["city_admin"], ["141100"]);
  admin = await signIn(t.app, "events_admin");
  off = dataEvents.on((topic, detail) => {
    heard.push(topic);
    details.push(detail);
  });
});
afterAll(async () => {
  off();
  await t.close();
});

describe("data change notices", () => {
  it("a student created tells 'people'; a refused one tells nothing", async () => {
    heard.length = 0;
    const id = makeResidentId("141102", "2016-05-20", 771);
    const body = {
      studentNumber: `E${id}`,
      name: "李四",
      residentId: id,
      schoolCode: "1411020001",
      grade: 3,
    };
    expect((await school1.post("/api/students", body)).statusCode).toBe(201);
    expect(heard).toEqual(["people"]);
    heard.length = 0;
    expect((await school1.post("/api/students", body)).statusCode).toBe(409);
    expect(heard).toEqual([]);
  });

  it("a student's notices name the schools touched: a transfer both, so the indicators re-read only those", async () => {
    const id = makeResidentId("141102", "2016-07-02", 772);
    const number = `E${id}`;
    const body = {
      studentNumber: number,
      name: "王五",
      residentId: id,
      schoolCode: "1411020001",
      grade: 3,
      enrolledOn: "2024-09-01",
    };
    const [from, to] = [
      await orgUnitId(t.database.db, "1411020001"),
      await orgUnitId(t.database.db, "1411020002"),
    ];
    details.length = 0;
    expect((await school1.post("/api/students", body)).statusCode).toBe(201);
    expect(details.map((d) => d?.schoolIds?.map(Number))).toEqual([[from]]);
    details.length = 0;
    const moved = await lishi.post(`/api/students/${number}/status`, {
      status: "transferred",
      effectiveOn: "2025-02-20",
      toSchoolCode: "1411020002",
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(details.map((d) => d?.schoolIds?.map(Number))).toEqual([[from, to]]);
    details.length = 0;
    expect((await lishi.delete(`/api/students/${number}`)).statusCode).toBe(200);
    expect(details.map((d) => d?.schoolIds?.map(Number))).toEqual([[to]]);
  });

  it("a school changed tells 'registry'", async () => {
    heard.length = 0;
    const res = await lishi.patch("/api/org-units/1411020001", {
      effectiveFrom: "2024-09-01",
      boarding: true,
      note: "改为寄宿",
    });
    expect(res.statusCode).toBe(200);
    expect(heard).toEqual(["registry"]);
  });

  it("an import commit tells 'people' (and a dry run tells nothing)", async () => {
    heard.length = 0;
    const id = makeResidentId("141102", "2014-03-05", 881);
    const csv = csvText([
      [
        "学籍号",
        "姓名",
        "性别",
        "身份证号",
        "出生日期",
        "学校标识码",
        "年级",
        "班级",
        "学籍状态",
        "入学日期",
      ],
      [`I${id}`, "王五", "男", id, "2014-03-05", "1411020001", "三年级", "", "在读", "2020-09-01"],
    ]);
    const { job } = await dryRunOf(admin, "students", "students.csv", csv);
    expect(job?.status).toBe("validated");
    expect(heard).toEqual([]);
    const done = await commitJob(admin, job!.id);
    expect(done.status).toBe("committed");
    // The job row turns "committed" inside the transaction; the notice follows the commit.
    await vi.waitFor(() => expect(heard).toEqual(["people"]));
  });
});
