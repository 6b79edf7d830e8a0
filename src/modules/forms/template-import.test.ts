import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { orgUnit, smallCity, user } from "../../../test/factories.js";
import { systemActor } from "../../shared/actor.js";
import { multipart } from "../exchange/test-helpers.js";
import { CENSUS_PACK, installFormPack, readFormPack } from "./pack.js";

let t: TestContext;
let lishi: Client;
let school1: Client;

const base = "/api/forms/school_census/periods/2022";

async function template(client: Client) {
  const res = await client.request({ method: "GET", url: `${base}/template.xlsx` });
  expect(res.statusCode).toBe(200);
  expect(res.headers["content-type"]).toContain("spreadsheetml");
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  return wb;
}

const headerIndex = (ws: ExcelJS.Worksheet, header: string) => {
  let at = -1;
  ws.getRow(1).eachCell((c, i) => {
    if (c.value === header) at = i;
  });
  if (at < 0) throw new Error(`no column ${header}`);
  return at;
};

/** A row's cells by header, for the school with this code. */
function fill(ws: ExcelJS.Worksheet, code: string, values: Record<string, string | number | null>) {
  let rowNo = -1;
  ws.eachRow((r, n) => {
    if (r.getCell(1).value === code) rowNo = n;
  });
  if (rowNo < 0) {
    rowNo = ws.rowCount + 1;
    ws.getRow(rowNo).getCell(1).value = code;
  }
  for (const [h, v] of Object.entries(values)) ws.getRow(rowNo).getCell(headerIndex(ws, h)).value = v;
  return rowNo;
}

const complete = {
  "教学及辅助用房面积（㎡）": 5000,
  "体育运动场馆面积（㎡）": 8000,
  "教学仪器设备值（万元）": 150,
  "网络多媒体教室数（间）": 20,
  "学校出口带宽（Mbps）": 1000,
  "班级接入带宽（Mbps）": 100,
  已配备法治副校长: "是",
  已建立家长学校: "是",
  已建立家长委员会: "否",
  平安校园创建: "达标",
  "参加课后服务学生数·男（人）": 300,
  "参加课后服务学生数·女（人）": 280,
};

async function upload(client: Client, wb: ExcelJS.Workbook, dryRun: boolean) {
  const body = multipart("离石区.xlsx", Buffer.from(await wb.xlsx.writeBuffer()));
  const res = await client.request({ method: "POST", url: `${base}/import?dryRun=${dryRun}`, ...body });
  expect(res.statusCode).toBe(200);
  return res.json();
}

beforeAll(async () => {
  t = await createTestApp();
  const db = t.database.db;
  await smallCity(db);
  await orgUnit(db, {
    code: "1411020003",
    name: "离石区第一幼儿园",
    parentCode: "141102",
    school_type: "111",
  });
  await db.transaction().execute((tx) => installFormPack(tx, readFormPack(CENSUS_PACK), systemActor()));
  await user(db, "lishi", ["county_admin"], ["141102"]);
  await user(db, "school1", ["school_admin"], ["1411020001"]);
  [lishi, school1] = await Promise.all(["lishi", "school1"].map((u) => signIn(t.app, u)));
});
afterAll(() => t.close());

describe("county template (xlsx) and import", () => {
  it("the template has one row per reporting unit of the county, with drop-downs and instructions", async () => {
    const wb = await template(lishi);
    const ws = wb.worksheets[0];
    const codes: string[] = [];
    ws.eachRow((r, n) => {
      if (n > 1) codes.push(String(r.getCell(1).value));
    });
    expect(codes).toEqual(["1411020001", "1411020002", "1411020003"]);
    expect(ws.getRow(2).getCell(3).value).toBe("未填报");
    const lawVp = headerIndex(ws, "已配备法治副校长");
    expect(ws.getRow(2).getCell(lawVp).dataValidation?.formulae).toEqual(['"是,否"']);
    expect(wb.getWorksheet("填写说明")?.getColumn(1).values.join("")).toContain(
      "班级接入带宽 ≤ 学校出口带宽",
    );
    // a school's template has its own row only
    const own = (await template(school1)).worksheets[0];
    expect(own.rowCount).toBe(2);
  });

  it("the dry run lists every bad row with row, column and reason; a commit with a bad row writes nothing", async () => {
    const wb = await template(lishi);
    const ws = wb.worksheets[0];
    const r1 = fill(ws, "1411020001", { ...complete, "学校出口带宽（Mbps）": "千兆" });
    const r2 = fill(ws, "1411020002", { ...complete, "班级接入带宽（Mbps）": 2000 });
    const r3 = fill(ws, "1411810001", complete); // 孝义市: not this county's
    const r4 = fill(ws, "1411020003", { ...complete, 平安校园创建: "优秀" });
    const dry = await upload(lishi, wb, true);
    expect(dry).toMatchObject({ dryRun: true, committed: false, errorCount: 4 });
    expect(dry.errors).toEqual([
      { row: r1, field: "学校出口带宽（Mbps）", message: "应为数值（只能填写数字）" },
      { row: r2, field: "班级接入带宽（Mbps）", message: "班级接入带宽不能超过学校出口带宽" },
      { row: r4, field: "平安校园创建", message: "应为以下选项之一：达标、未达标" },
      {
        row: r3,
        field: "单位代码",
        message: "单位代码 1411810001 不在您的管辖范围内，或不填报办学条件年报（学校）",
      },
    ]);
    const commit = await upload(lishi, wb, false);
    expect(commit).toMatchObject({ committed: false, errorCount: 4 });
    const n = await t.database.db
      .selectFrom("form_value")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirst();
    expect(Number(n?.n)).toBe(0);
  });

  it("commits a clean file whole: values, submitted on the schools' behalf, history via import, audited", async () => {
    const wb = await template(lishi);
    const ws = wb.worksheets[0];
    fill(ws, "1411020001", complete);
    fill(ws, "1411020002", { ...complete, "学校出口带宽（Mbps）": 500, "班级接入带宽（Mbps）": 50 });
    const res = await upload(lishi, wb, false);
    expect(res).toMatchObject({ committed: true, errorCount: 0, rows: 3, submissions: 2 });
    const e = (await lishi.get(`${base}/entries/1411020002`)).json();
    expect(e.status).toBe("submitted");
    expect(e.values.find((v: { element: string }) => v.element === "uplink_mbps").value).toBe(500);
    expect(e.events[0]).toMatchObject({ action: "import", actorName: "lishi", toStatus: "submitted" });
    const h = (await lishi.get(`${base}/entries/1411020002/history`)).json();
    expect(
      h.every((r: { via: string; changedBy: string }) => r.via === "import" && r.changedBy === "lishi"),
    ).toBe(true);
    const total = e.values.find(
      (v: { element: string; disaggregation: string }) =>
        v.element === "after_school_students" && v.disaggregation === "",
    );
    expect(total.value).toBe(580);
    const audits = await t.database.db
      .selectFrom("audit_log")
      .select(["entity", "entity_key"])
      .where("action", "=", "import")
      .orderBy("id")
      .execute();
    expect(audits.map((a) => a.entity_key)).toEqual([
      "school_census/2022/1411020001",
      "school_census/2022/1411020002",
      "school_census/2022",
    ]);
    // the kindergarten row stayed empty: skipped, not started
    expect((await lishi.get(`${base}/entries/1411020003`)).json().status).toBe("none");
  });

  it("importing the same file again changes nothing; an approved school cannot be changed by import", async () => {
    const wb = await template(lishi);
    const again = await upload(lishi, wb, false);
    expect(again).toMatchObject({ committed: true, submissions: 0, changedValues: 0 });
    await lishi.post(`${base}/entries/1411020001/approve`);
    const ws = wb.worksheets[0];
    const r = fill(ws, "1411020001", { "学校出口带宽（Mbps）": 2000 });
    const res = await upload(lishi, wb, true);
    expect(res.errors).toEqual([
      { row: r, field: "单位代码", message: "离石区第一小学的报表已审核，不能通过导入修改（需上级退回）" },
    ]);
  });

  it("refuses a file that is not the template, naming the unknown column", async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet("数据").addRows([
      ["单位代码", "出口带宽"],
      ["1411020001", 100],
    ]);
    const res = await upload(lishi, wb, true);
    expect(res.errors[0]).toMatchObject({ row: 1, field: "出口带宽" });
  });
});
