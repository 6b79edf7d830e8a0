import fs from "node:fs";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestContext } from "../../../test/app.js";
import { smallCity, user } from "../../../test/factories.js";
import { exportFile, importFile } from "../../cli/commands/exchange.js";
import { makeResidentId } from "../../shared/resident-id.js";
import { csvText, tmpFile } from "./test-helpers.js";

let t: TestContext;
const sid = (seq: number, region = "141102") => makeResidentId(region, "2014-03-05", seq);
const header = ["学籍号", "姓名", "身份证号", "学校标识码", "年级"];

beforeAll(async () => {
  process.env.DATA_DIR = `/tmp/edu-cli-test-${process.pid}`;
  t = await createTestApp();
  await smallCity(t.database.db);
  await user(t.database.db, "school1", ["school_admin"], ["1411020001"]);
});
afterAll(() => t.close());

function output() {
  const lines: string[] = [];
  return { lines, log: (s: string) => lines.push(s) };
}

describe("CLI import and export", () => {
  it("validates, lists errors and writes the errors workbook beside the file", async () => {
    const file = tmpFile("学生.csv", csvText([header, [`G${sid(1)}`, "", sid(1), "1411020001", "三年级"]]));
    const out = output();
    const job = await importFile(t.database, "students", file, { commit: true }, out.log);
    expect(job.status).toBe("invalid");
    expect(out.lines.join("\n")).toContain("第2行 姓名：必填项为空");
    expect(fs.existsSync(file.replace(/\.csv$/, "-错误数据.xlsx"))).toBe(true);
  });

  it("imports as the system or as a named user, within that user's scope", async () => {
    const rows = [
      header,
      [`G${sid(2)}`, "甲", sid(2), "1411020001", "三年级"],
      [`G${sid(3, "141181")}`, "乙", sid(3, "141181"), "1411810001", "三年级"],
    ];
    const file = tmpFile("两县.csv", csvText(rows));
    const asSchool = await importFile(
      t.database,
      "students",
      file,
      { commit: true, user: "school1" },
      () => {},
    );
    expect(asSchool.status).toBe("invalid");
    const out = output();
    const asSystem = await importFile(t.database, "students", file, { commit: true }, out.log);
    expect(asSystem).toMatchObject({ status: "committed", inserted: 2 });
    expect(out.lines.at(-1)).toBe("导入完成：新增 2 条，更新 0 条，无变化 0 条");
    const dry = await importFile(t.database, "students", file, {}, out.log);
    expect(dry.status).toBe("validated");
    expect(out.lines.at(-1)).toContain("未提交");
  });

  it("exports in the template's shape, one county, and the export imports back unchanged", async () => {
    const file = tmpFile("export.xlsx", "");
    const out = output();
    const n = await exportFile(t.database, "students", file, { county: "141102" }, out.log);
    expect(n).toBe(1);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.worksheets[0];
    expect((ws.getRow(1).values as string[]).slice(1, 4)).toEqual(["学籍号", "姓名", "性别"]);
    expect(ws.getRow(2).getCell(1).value).toBe(`G${sid(2)}`);
    expect(ws.getRow(2).getCell(4).value).toBe(sid(2));
    const back = await importFile(t.database, "students", file, { commit: true }, () => {});
    expect(back).toMatchObject({ status: "committed", inserted: 0, updated: 0, unchanged: 1 });

    const masked = tmpFile("masked.xlsx", "");
    await exportFile(t.database, "students", masked, { user: "school1" }, () => {});
    const wb2 = new ExcelJS.Workbook();
    await wb2.xlsx.readFile(masked);
    expect(String(wb2.worksheets[0].getRow(2).getCell(4).value)).toMatch(/^141102\*{8}\d{3}[\dX]$/);
    expect(wb2.worksheets[0].rowCount).toBe(2);
  });

  it("refuses an unknown kind and a missing file", async () => {
    await expect(importFile(t.database, "pupils", "x.csv", {}, () => {})).rejects.toThrow(/未知的导入类型/);
    await expect(importFile(t.database, "students", "/nonexistent.csv", {}, () => {})).rejects.toThrow(
      /文件不存在/,
    );
    await expect(
      exportFile(t.database, "students", tmpFile("e.xlsx", ""), { county: "999999" }, () => {}),
    ).rejects.toThrow(/不存在/);
  });
});
