import ExcelJS from "exceljs";
import type { ImportKindDef } from "./kind.js";
import { importOrderNote } from "./kinds.js";
import { INSTRUCTIONS_SHEET } from "./table-source.js";

/** Rows of the data sheet that get the drop-downs and text format (Excel applies them per cell). */
const TEMPLATE_ROWS = 2000;

/**
 * The import template of a kind: sheet 1 with the Chinese headers (required ones in red), one
 * sample row, identifier columns formatted as text (so Excel keeps all 18 digits of an ID number)
 * and drop-downs for coded columns; sheet 2 (填写说明) lists each column, whether it is required,
 * what to write and the allowed values.
 */
export async function templateXlsx(def: ImportKindDef): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = "吕梁市教育大数据平台";
  const ws = wb.addWorksheet(def.label, { views: [{ state: "frozen", ySplit: 1 }] });
  ws.columns = def.columns.map((c) => ({
    header: c.header,
    key: c.key,
    width: c.width ?? Math.max(12, c.header.length * 2 + 4),
    style: c.text ? { numFmt: "@" } : {},
  }));
  const header = ws.getRow(1);
  def.columns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.font = { bold: true, color: { argb: c.required ? "FFC00000" : "FF000000" } };
    cell.fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFDDEBF7" } };
    cell.note = `${c.required ? "必填。" : ""}${c.note}`;
  });
  const sample = ws.addRow(def.columns.map((c) => c.sample));
  def.columns.forEach((c, i) => {
    const cell = sample.getCell(i + 1);
    if (c.text) cell.numFmt = "@";
    cell.font = { color: { argb: "FF7F7F7F" } };
  });
  def.columns.forEach((c, i) => {
    const col = ws.getColumn(i + 1);
    const letter = col.letter;
    const list = c.allowed ? `"${c.allowed.join(",")}"` : null;
    // Excel caps an inline list at 255 characters; longer lists are described in 填写说明 only.
    if (list && list.length <= 255 && !/[、,]/.test(c.sample))
      for (let r = 2; r <= TEMPLATE_ROWS; r++)
        ws.getCell(`${letter}${r}`).dataValidation = {
          type: "list",
          allowBlank: !c.required,
          formulae: [list],
          showErrorMessage: true,
          errorTitle: c.header,
          error: `请从下拉列表中选择${c.header}`,
        };
    if (c.text) for (let r = 3; r <= TEMPLATE_ROWS; r++) ws.getCell(`${letter}${r}`).numFmt = "@";
  });

  const help = wb.addWorksheet(INSTRUCTIONS_SHEET);
  help.columns = [{ width: 16 }, { width: 10 }, { width: 70 }, { width: 60 }];
  for (const line of [
    `${def.label}导入模板：在第一个工作表“${def.label}”中填写，一行一条；第2行是示例，导入前请删除或覆盖。`,
    "红色列名为必填列；列名请勿修改。身份证号等号码列已设为“文本”格式，请勿改为数字格式。",
    "日期可写 2010-03-05、2010/3/5 或 2010年3月5日。同一文件再次导入不会重复新增，已有记录按内容更新。",
    importOrderNote,
  ])
    help.addRow([line]).font = { color: { argb: "FF404040" } };
  help.addRow([]);
  const h = help.addRow(["列名", "是否必填", "填写要求", "可选值"]);
  h.font = { bold: true };
  for (const c of def.columns)
    help.addRow([
      c.header,
      c.required ? "必填" : "选填",
      c.note,
      c.allowed ? c.allowed.join("、") : "",
    ]).alignment = {
      wrapText: true,
      vertical: "top",
    };
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The CSV template: UTF-8 with a byte-order mark (so Excel shows the Chinese), header and sample row. */
export function templateCsv(def: ImportKindDef): string {
  const line = (values: string[]) =>
    values.map((v) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)).join(",");
  return `\ufeff${line(def.columns.map((c) => c.header))}\r\n${line(def.columns.map((c) => c.sample))}\r\n`;
}
