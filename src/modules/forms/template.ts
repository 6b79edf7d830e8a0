import ExcelJS from "exceljs";
import { INSTRUCTIONS_SHEET } from "../exchange/table-source.js";
import { schoolTypeByCode } from "../registry/codes.js";
import type { FormDef, FormElementRow } from "./definition-repository.js";
import {
  describeRule,
  displayValue,
  type FormValue,
  isNumeric,
  valueKey,
  valueTypeNames,
} from "./validation.js";
import { type Status, statusNames } from "./workflow.js";

/** One value column of a form's county template: an element, or one combo of a disaggregated one. */
export interface TemplateColumn {
  header: string;
  key: string;
  el: FormElementRow;
  combo: string;
}

export const ORG_CODE_HEADER = "单位代码";
export const ORG_NAME_HEADER = "单位名称";
export const STATUS_HEADER = "当前状态";

/** Header text as compared on import: no spaces, full-width forms folded. */
export const headerKey = (h: string) => h.normalize("NFKC").replace(/\s+/g, "");

export function templateColumns(form: FormDef): TemplateColumn[] {
  const cols: TemplateColumn[] = [];
  for (const el of form.elements) {
    const unit = el.unit ? `（${el.unit}）` : "";
    if (el.disaggregation.length)
      for (const c of el.disaggregation)
        cols.push({
          header: `${el.name}·${c.name}${unit}`,
          key: valueKey(el.code, c.code),
          el,
          combo: c.code,
        });
    else cols.push({ header: `${el.name}${unit}`, key: valueKey(el.code), el, combo: "" });
  }
  return cols;
}

export interface TemplateRow {
  code: string;
  name: string;
  status: Status;
  values: Map<string, FormValue>;
}

function note(el: FormElementRow): string {
  const parts = [valueTypeNames[el.valueType]];
  if (el.unit) parts.push(`单位：${el.unit}`);
  if (el.valueType === "boolean") parts.push("填“是”或“否”");
  if (el.valueType === "choice") parts.push(`可选：${el.options.map((o) => o.name).join("、")}`);
  if (el.valueType === "percentage") parts.push("0–100");
  if (el.disaggregation.length && isNumeric(el.valueType)) parts.push("合计由系统计算");
  return parts.join("；");
}

/**
 * The county template of a form and period: one row per reporting org unit in the caller's area,
 * filled with the values already reported; drop-downs for 是/否 and choice columns; sheet 填写说明
 * lists every column and every rule. Import reads it back (FormImport).
 */
export async function formTemplateXlsx(
  form: FormDef,
  periodLabel: string,
  rows: TemplateRow[],
): Promise<Buffer> {
  const cols = templateColumns(form);
  const wb = new ExcelJS.Workbook();
  wb.creator = "吕梁市教育大数据平台";
  const ws = wb.addWorksheet(form.name.slice(0, 31), { views: [{ state: "frozen", xSplit: 2, ySplit: 1 }] });
  ws.columns = [
    { header: ORG_CODE_HEADER, width: 14, style: { numFmt: "@" } },
    { header: ORG_NAME_HEADER, width: 30 },
    { header: STATUS_HEADER, width: 10 },
    ...cols.map((c) => ({ header: c.header, width: Math.max(12, Math.min(30, c.header.length * 2 + 2)) })),
  ];
  const header = ws.getRow(1);
  header.eachCell((cell, i) => {
    const c = cols[i - 4];
    cell.font = { bold: true, color: { argb: c?.el.required ? "FFC00000" : "FF000000" } };
    cell.fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFDDEBF7" } };
    cell.alignment = { wrapText: true, vertical: "middle" };
    if (c) cell.note = `${c.el.required ? "必填。" : ""}${note(c.el)}`;
  });
  header.height = 36;
  for (const r of rows) {
    const row = ws.addRow([
      r.code,
      r.name,
      statusNames[r.status],
      ...cols.map((c) => {
        const v = r.values.get(c.key) ?? null;
        return typeof v === "number" ? v : displayValue(c.el, v);
      }),
    ]);
    row.getCell(1).numFmt = "@";
  }
  cols.forEach((c, i) => {
    const list =
      c.el.valueType === "boolean"
        ? '"是,否"'
        : c.el.valueType === "choice"
          ? `"${c.el.options.map((o) => o.name).join(",")}"`
          : null;
    if (!list || list.length > 255) return;
    const letter = ws.getColumn(i + 4).letter;
    for (let n = 2; n <= rows.length + 1; n++)
      ws.getCell(`${letter}${n}`).dataValidation = {
        type: "list",
        allowBlank: !c.el.required,
        formulae: [list],
        showErrorMessage: true,
        errorTitle: c.header,
        error: `请从下拉列表中选择${c.header}`,
      };
  });

  const help = wb.addWorksheet(INSTRUCTIONS_SHEET);
  help.columns = [{ width: 34 }, { width: 10 }, { width: 60 }];
  const byCode = new Map(form.elements.map((e) => [e.code, e]));
  const types = form.reporterTypes.map((t) =>
    t === "county" ? "县（市、区）" : (schoolTypeByCode.get(t)?.label ?? t),
  );
  for (const line of [
    `${form.name}（${periodLabel}）县级批量填报模板：每行一个单位，已上报的数据已预先填入。`,
    `填报单位：${types.join("、")}。“单位代码”列请勿修改；“单位名称”“当前状态”仅供参考，导入时不读取。`,
    "空白单元格表示没有数据；整行数值都为空的单位会被跳过。已审核或已确认的单位不能通过导入修改。",
    "先“检查”（不写入），所有行都无误后再“导入”：要么全部写入，要么全部不写入。",
  ])
    help.addRow([line]).font = { color: { argb: "FF404040" } };
  help.addRow([]);
  help.addRow(["列名", "是否必填", "填写要求"]).font = { bold: true };
  for (const c of cols)
    help.addRow([c.header, c.el.required ? "必填" : "选填", note(c.el)]).alignment = {
      wrapText: true,
      vertical: "top",
    };
  if (form.rules.length) {
    help.addRow([]);
    help.addRow(["校验规则"]).font = { bold: true };
    for (const r of form.rules) help.addRow([describeRule(r, byCode)]);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
