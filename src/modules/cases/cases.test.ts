import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { smallCity, user } from "../../../test/factories.js";
import { stripPdf } from "../files/strip-pdf.js";
import { cameraJpeg, metadataPdf, multipartFile } from "../files/test-samples.js";
import { casesModule } from "./compose.js";
import { DAY_MS } from "./engine/deadline.js";

let ctx: TestContext;
let school: Client; // 离石区第一小学 admin
let school2: Client; // 离石区第二小学 admin
let county: Client; // 离石区
let otherCounty: Client; // 孝义市
let city: Client;
let inspector: Client;
let inspector2: Client;

const hazardForm = (over: Record<string, unknown> = {}) => ({
  title: "三楼灭火器过期<script>alert(1)</script>",
  category: "fire",
  severity: "major",
  source: "self_check",
  location: "教学楼三楼",
  description: "灭火器压力不足",
  ...over,
});

async function upload(c: Client) {
  const res = await c.request({
    method: "POST",
    url: "/api/files",
    ...multipartFile("整改后.jpg", cameraJpeg()),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

async function step(c: Client, id: number, body: Record<string, unknown>) {
  return c.post(`/api/cases/${id}/steps`, body);
}

async function auditCount(action: string, key: string) {
  const r = await ctx.database.db
    .selectFrom("audit_log")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("action", "=", action)
    .where("entity_key", "=", key)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

beforeAll(async () => {
  ctx = await createTestApp();
  const db = ctx.database.db;
  await smallCity(db);
  await user(db, "s1", ["school_admin"], ["1411020001"]);
  await user(db, "s2", ["school_admin"], ["1411020002"]);
  await user(db, "c1", ["county_admin"], ["141102"]);
  await user(db, "c2", ["county_admin"], ["141181"]);
  await user(db, "city", ["city_staff"], ["141100"]);
  await user(db, "insp", ["inspector"], ["141100"]);
  await user(db, "insp2", ["inspector"], ["141100"]);
  [school, school2, county, otherCounty, city, inspector, inspector2] = await Promise.all(
    ["s1", "s2", "c1", "c2", "city", "insp", "insp2"].map((u) => signIn(ctx.app, u)),
  );
}, 300_000);
afterAll(() => ctx?.close());

describe("隐患: a school rectifies with a photo, the county verifies", () => {
  let id: number;
  it("the school files its self-check; HTML stays text", async () => {
    const res = await school.post("/api/cases", {
      kind: "hazard",
      orgUnitCode: "1411020001",
      form: hazardForm(),
    });
    expect(res.statusCode, res.body).toBe(201);
    const c = res.json();
    id = c.id;
    expect(c).toMatchObject({
      ref: `YH-${String(id).padStart(6, "0")}`,
      state: "reported",
      severityLabel: "重大",
    });
    expect(c.title).toBe("三楼灭火器过期<script>alert(1)</script>");
    expect(c.steps).toEqual([]); // the school waits for the county
  });

  it("refuses a step that skips a state, and one by someone not allowed: nothing changes, each logged", async () => {
    const skip = await step(county, id, { step: "verify" });
    expect(skip.statusCode).toBe(409);
    expect(skip.json().message).toContain("已上报");
    const notMine = await step(school, id, { step: "assign" });
    expect(notMine.statusCode).toBe(403);
    const outside = await step(otherCounty, id, { step: "assign" });
    expect(outside.statusCode).toBe(404);
    expect((await county.get(`/api/cases/${id}`)).json()).toMatchObject({
      state: "reported",
      events: [{ step: "create" }],
    });
    expect(await auditCount("step.refused", String(id))).toBe(2);
  });

  it("the county assigns it: a 重大 hazard is due in 7 days", async () => {
    const before = Date.now();
    const res = await step(county, id, { step: "assign", comment: "限期整改" });
    expect(res.statusCode, res.body).toBe(200);
    const due = new Date(res.json().dueAt).getTime();
    expect(due).toBeGreaterThanOrEqual(before + 7 * DAY_MS);
    expect(due).toBeLessThan(Date.now() + 7 * DAY_MS + 1);
    // it waits on the school now
    const inbox = (await school.get("/api/cases/inbox")).json();
    expect(inbox.items.map((i: { id: number }) => i.id)).toContain(id);
    expect(inbox.items.find((i: { id: number }) => i.id === id).reason).toContain("签收整改");
  });

  it("the school accepts, cannot submit without a photo, then submits with one", async () => {
    expect((await step(school, id, { step: "accept" })).statusCode).toBe(200);
    const bare = await step(school, id, { step: "submit", fields: { measures: "已更换" } });
    expect(bare.statusCode).toBe(400);
    expect(bare.json().details.issues[0].field).toBe("attachments");
    const photo = await upload(school);
    const pdf = await school.request({
      method: "POST",
      url: "/api/files",
      ...multipartFile("验收单.pdf", metadataPdf()),
    });
    const res = await step(school, id, {
      step: "submit",
      fields: { measures: "已更换灭火器 6 具" },
      attachments: [photo, pdf.json().id],
    });
    expect(res.statusCode, res.body).toBe(200);
    const c = res.json();
    expect(c.state).toBe("submitted");
    const ev = c.events.at(-1);
    expect(ev.fields).toEqual([{ name: "measures", label: "整改措施", value: "已更换灭火器 6 具" }]);
    expect(ev.attachments).toHaveLength(2);
    // the upload cannot be claimed twice
    const again = await school.post(`/api/cases/${id}/comments`, {
      comment: "再传一次",
      attachments: [photo],
    });
    expect(again.statusCode).toBe(400);
  });

  it("the photo is served to the county, not to another county", async () => {
    const c = (await county.get(`/api/cases/${id}`)).json();
    const url = c.events.at(-1).attachments[0].url;
    const ok = await county.get(url);
    expect(ok.statusCode).toBe(200);
    expect(ok.headers["content-type"]).toBe("image/jpeg");
    expect((await otherCounty.get(url)).statusCode).toBe(404);
    // the PDF is served as stored: without its metadata, under the hash of the stripped bytes
    const pdf = await county.get(c.events.at(-1).attachments[1].url);
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    expect(pdf.rawPayload.equals(await stripPdf(metadataPdf()))).toBe(true);
    for (const secret of ["ZhangSanAuthor", "LiSiRevisedAuthor", "XmpPageAuthor"])
      expect(pdf.rawPayload.includes(secret)).toBe(false);
  });

  it("the county verifies: closed, audited, timeline complete", async () => {
    const res = await step(county, id, { step: "verify", comment: "验收合格" });
    expect(res.json()).toMatchObject({ state: "verified", stateLabel: "已销号", closed: true, dueAt: null });
    expect(res.json().events.map((e: { step: string }) => e.step)).toEqual([
      "create",
      "assign",
      "accept",
      "submit",
      "verify",
    ]);
    expect(await auditCount("step.verify", String(id))).toBe(1);
    expect((await step(county, id, { step: "return", comment: "x" })).statusCode).toBe(409);
  });
});

describe("scope", () => {
  it("a school sees its own hazards, a county its schools', another county none", async () => {
    await school2.post("/api/cases", {
      kind: "hazard",
      orgUnitCode: "1411020002",
      form: hazardForm({ title: "二小围墙" }),
    });
    const titles = async (c: Client) =>
      ((await c.get("/api/cases?kind=hazard")).json().items as { title: string }[]).map((i) => i.title);
    expect(await titles(school)).not.toContain("二小围墙");
    expect(await titles(school2)).toEqual(["二小围墙"]);
    expect(await titles(county)).toContain("二小围墙");
    expect(await titles(otherCounty)).toEqual([]);
    // a school cannot file for another school
    const res = await school.post("/api/cases", {
      kind: "hazard",
      orgUnitCode: "1411020002",
      form: hazardForm(),
    });
    expect(res.statusCode).toBe(403);
  });

  it("exports the list to xlsx within scope", async () => {
    const res = await county.get("/api/cases/export.xlsx?kind=hazard");
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws.getRow(1).getCell(1).value).toBe("编号");
    expect(ws.rowCount).toBe(3); // header + the two 离石 hazards
  });
});

describe("督导: plan, finding, notice, overdue, escalation, 问责", () => {
  let planId: number;
  let targetId: number;
  let findingId: number;

  it("the city issues a plan; each inspector sees only their plan and target", async () => {
    const res = await city.post("/api/supervision/plans", {
      title: "2022年春季开学专项督导",
      planType: "special",
      topic: "校园安全",
      startsOn: "2022-03-01",
      endsOn: "2022-03-31",
      issuerCode: "141100",
      targets: [
        { orgUnitCode: "1411020001", inspectors: ["insp"] },
        { orgUnitCode: "1411810001", inspectors: ["insp2"] },
      ],
    });
    expect(res.statusCode, res.body).toBe(201);
    planId = res.json().id;
    targetId = res.json().targets.find((t: { orgUnitCode: string }) => t.orgUnitCode === "1411020001").id;
    const mine = (await inspector.get(`/api/supervision/plans/${planId}`)).json();
    expect(mine.targets.map((t: { orgUnitCode: string }) => t.orgUnitCode)).toEqual(["1411020001"]);
    const bad = await city.post("/api/supervision/plans", {
      title: "x",
      planType: "focused",
      startsOn: "2022-03-01",
      endsOn: "2022-03-31",
      issuerCode: "141100",
      targets: [{ orgUnitCode: "1411020001", inspectors: ["c1"] }],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain("c1");
  });

  it("only the assigned inspector records a finding for the target", async () => {
    const form = {
      title: "安全台账不全",
      targetId,
      category: "safety",
      severity: "ordinary",
      description: "缺少晨检记录",
    };
    expect(
      (await inspector2.post("/api/cases", { kind: "supervision", orgUnitCode: "1411020001", form }))
        .statusCode,
    ).toBe(403);
    const wrongTarget = await inspector.post("/api/cases", {
      kind: "supervision",
      orgUnitCode: "1411020002",
      form,
    });
    expect(wrongTarget.statusCode).toBe(400);
    const res = await inspector.post("/api/cases", { kind: "supervision", orgUnitCode: "1411020001", form });
    expect(res.statusCode, res.body).toBe(201);
    findingId = res.json().id;
    expect(res.json().data).toContainEqual({ name: "targetId", label: "督导对象", value: "离石区第一小学" });
    // insp2 does not see it; the school does
    expect((await inspector2.get(`/api/cases/${findingId}`)).statusCode).toBe(404);
    expect((await school.get(`/api/cases/${findingId}`)).statusCode).toBe(200);
    expect((await inspector.get("/api/cases?kind=supervision")).json().items).toHaveLength(1);
    expect((await inspector2.get("/api/cases?kind=supervision")).json().items).toHaveLength(0);
  });

  it("the finding becomes a notice that goes overdue and escalates to the county, then the city", async () => {
    const due = new Date(Date.now() + 10 * DAY_MS).toISOString().slice(0, 10);
    const res = await step(inspector, findingId, {
      step: "notify",
      fields: { dueDate: due, requirements: "一周内补齐" },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().state).toBe("notified");
    let clock = new Date(Date.now() + 12 * DAY_MS);
    const mod = casesModule(ctx.database.db, { now: () => clock, sweepEveryMs: 0 });
    expect(await mod.sweeper.sweep()).toMatchObject({ overdue: 1, escalated: 1 });
    let c = (await county.get(`/api/cases/${findingId}`)).json();
    expect(c).toMatchObject({ overdue: true, escalationLevel: 1 });
    expect(c.events.map((e: { step: string }) => e.step).slice(-2)).toEqual(["overdue", "escalate"]);
    const countyInbox = (await county.get("/api/cases/inbox")).json();
    expect(countyInbox.items.find((i: { id: number }) => i.id === findingId)?.reason).toContain("县级");
    expect(countyInbox.overdue).toBeGreaterThanOrEqual(1);
    expect((await city.get("/api/cases/inbox")).json().items.map((i: { id: number }) => i.id)).not.toContain(
      findingId,
    );
    // nothing new until a week past the deadline
    clock = new Date(clock.getTime() + 3 * DAY_MS);
    expect(await mod.sweeper.sweep()).toMatchObject({ overdue: 0, escalated: 0 });
    clock = new Date(clock.getTime() + 5 * DAY_MS);
    expect(await mod.sweeper.sweep()).toMatchObject({ escalated: 1 });
    c = (await city.get(`/api/cases/${findingId}`)).json();
    expect(c.escalationLevel).toBe(2);
    expect((await city.get("/api/cases/inbox")).json().items.map((i: { id: number }) => i.id)).toContain(
      findingId,
    );
  });

  it("the school reports; a failed review and 问责 with a configured measure", async () => {
    expect((await step(school, findingId, { step: "report", fields: { report: "已补齐" } })).statusCode).toBe(
      200,
    );
    const after = (await county.get(`/api/cases/${findingId}`)).json();
    expect(after).toMatchObject({ state: "reported", overdue: false, escalationLevel: 0 });
    const bad = await step(county, findingId, {
      step: "hold_accountable",
      fields: { subjectType: "person", subjectName: "张某", measure: "unit_interview", basis: "逾期未整改" },
    });
    expect(bad.statusCode).toBe(400);
    expect((await county.get(`/api/cases/${findingId}`)).json().state).toBe("reported");
    const res = await step(county, findingId, {
      step: "hold_accountable",
      fields: {
        subjectType: "unit",
        subjectName: "离石区第一小学",
        measure: "unit_interview",
        basis: "逾期未整改",
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().events.at(-1).fields).toContainEqual({
      name: "measure",
      label: "问责方式",
      value: "约谈",
    });
    const list = (await city.get("/api/supervision/accountability")).json();
    expect(list.items).toEqual([expect.objectContaining({ caseId: findingId, measure: "约谈" })]);
    expect((await otherCounty.get("/api/supervision/accountability")).json().items).toEqual([]);
  });
});

describe("平安校园 inspections", () => {
  const results = async (failing: string[] = []) =>
    ((await county.get("/api/safety/checklist")).json() as { code: string }[]).map((i) => ({
      itemCode: i.code,
      passed: !failing.includes(i.code),
    }));

  it("a county inspection gives the status; a failed required item files a hazard; a self-check does not count", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const period = today.slice(0, 4);
    const self = await school.post("/api/safety/inspections", {
      schoolCode: "1411020001",
      periodCode: period,
      inspectedOn: today,
      results: await results(),
    });
    expect(self.statusCode, self.body).toBe(201);
    expect(self.json()).toMatchObject({ source: "self_check", passed: true });
    const mod = casesModule(ctx.database.db, { sweepEveryMs: 0 });
    let status = await mod.safety.safeCampusBySchool(period);
    expect(status.find((r) => r.orgPath.includes("1411020001"))).toMatchObject({
      inspected: false,
      passed: false,
    });

    const failed = await county.post("/api/safety/inspections", {
      schoolCode: "1411020002",
      periodCode: period,
      inspectedOn: today,
      results: await results(["guard_post"]),
    });
    expect(failed.json()).toMatchObject({ source: "county_inspection", passed: false });
    const hazardId = failed
      .json()
      .results.find((r: { itemCode: string }) => r.itemCode === "guard_post").hazardId;
    const hz = (await school2.get(`/api/cases/${hazardId}`)).json();
    expect(hz).toMatchObject({ title: "护学岗不达标", severity: "significant", source: "county_inspection" });

    await county.post("/api/safety/inspections", {
      schoolCode: "1411020001",
      periodCode: period,
      inspectedOn: today,
      results: await results(["food"]), // not required for 平安校园
    });
    status = await mod.safety.safeCampusBySchool(period);
    const byCode = (code: string) => status.find((r) => r.orgPath.endsWith(`/${code}/`));
    expect(byCode("1411020001")).toMatchObject({ inspected: true, passed: true, countyCode: "141102" });
    expect(byCode("1411020002")).toMatchObject({ inspected: true, passed: false });
    expect(byCode("1411810001")).toMatchObject({ inspected: false, passed: false });
    const summary = (await county.get(`/api/safety/status?periodCode=${period}`)).json();
    expect(summary).toMatchObject({ schools: 2, inspected: 2, passed: 1 });
  });

  it("refuses an inspection missing items, naming them", async () => {
    const res = await county.post("/api/safety/inspections", {
      schoolCode: "1411020001",
      periodCode: "2022",
      inspectedOn: "2022-05-01",
      results: [{ itemCode: "fire", passed: true }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain("专职保安员配备");
  });
});
