import fs from "node:fs";
import type { Writable } from "node:stream";
import ExcelJS from "exceljs";
import type { ImportJobRow } from "./repository.js";
import { openTable, sniffFormat } from "./table-source.js";

export interface StoredError {
  row_number: number;
  column_name: string;
  value: string | null;
  reason: string;
}

export const ERROR_COLUMN = "错误原因";

type Sheet = ReturnType<ExcelJS.stream.xlsx.WorkbookWriter["addWorksheet"]>;

/** Adds a row whose string cells are text cells, so ID numbers keep every digit when edited. */
function addTextRow(ws: Sheet, values: (string | number | null)[], bold = false) {
  const row = ws.addRow(values);
  values.forEach((v, i) => {
    if (typeof v === "string") row.getCell(i + 1).numFmt = "@";
  });
  if (bold) row.font = { bold: true };
  row.commit();
}

/**
 * The errors of an import as a workbook: sheet 1 holds the rows with errors exactly as uploaded,
 * under the uploaded header, with a 错误原因 column (the import ignores that column, so the fixed
 * sheet can be uploaded as it is); sheet 2 lists every error (row, column, value, reason),
 * including problems of the file as a whole.
 */
export async function writeErrorsWorkbook(
  out: Writable,
  job: ImportJobRow,
  errors: StoredError[],
  inflateLimit?: number,
) {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useSharedStrings: false,
    useStyles: true,
  });
  const reasons = new Map<number, string[]>();
  for (const e of errors) {
    if (job.header_row === null || e.row_number <= job.header_row) continue;
    const list = reasons.get(e.row_number) ?? [];
    list.push(`${e.column_name}：${e.reason}`);
    reasons.set(e.row_number, list);
  }
  const rowsSheet = wb.addWorksheet("错误数据");
  if (job.file_path && job.header_row !== null && fs.existsSync(job.file_path)) {
    const reader = await openTable(job.file_path, await sniffFormat(job.file_path, job.file_name), {
      inflateLimit,
    });
    try {
      let width = 0;
      for await (const batch of reader.rows()) {
        for (const row of batch) {
          if (row.n === job.header_row) {
            width = row.cells.length;
            rowsSheet.columns = [...row.cells, ERROR_COLUMN].map((h) => ({
              width: Math.max(10, (h?.length ?? 0) * 2 + 4),
            }));
            addTextRow(rowsSheet, [...row.cells, ERROR_COLUMN], true);
            continue;
          }
          const list = reasons.get(row.n);
          if (!list) continue;
          const cells = row.cells.slice(0, width);
          while (cells.length < width) cells.push("");
          addTextRow(rowsSheet, [...cells, list.join("；")]);
        }
      }
    } finally {
      await reader.close();
    }
  } else addTextRow(rowsSheet, ["原文件已不保留（或文件本身无法读取），错误见“错误清单”工作表"]);
  rowsSheet.commit();

  const list = wb.addWorksheet("错误清单");
  list.columns = [{ width: 8 }, { width: 16 }, { width: 24 }, { width: 80 }];
  addTextRow(list, ["行号", "列", "值", ERROR_COLUMN], true);
  for (const e of errors) addTextRow(list, [e.row_number || null, e.column_name, e.value ?? "", e.reason]);
  if (job.errors_stored < job.error_count)
    addTextRow(list, [
      null,
      "",
      "",
      `另有 ${job.error_count - job.errors_stored} 处问题未列出：请先修正以上问题后重新上传`,
    ]);
  list.commit();
  await wb.commit();
}
