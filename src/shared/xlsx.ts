import type { Writable } from "node:stream";
import ExcelJS from "exceljs";

export interface XlsxColumn<T> {
  header: string;
  width?: number;
  value: (row: T) => string | number | boolean | Date | null | undefined;
}

/**
 * Streams rows into an xlsx workbook written to `out` (an HTTP response or a file), one row at a
 * time, so a 550,000-row export never sits whole in memory. Identifier columns should be given as
 * strings: they are written as text cells, so Excel keeps all 18 digits of an ID number.
 */
export async function writeXlsx<T>(
  out: Writable,
  sheetName: string,
  columns: XlsxColumn<T>[],
  rows: AsyncIterable<T> | Iterable<T>,
): Promise<number> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useSharedStrings: false,
    useStyles: true,
  });
  const ws = wb.addWorksheet(sheetName);
  ws.columns = columns.map((c) => ({
    header: c.header,
    width: c.width ?? Math.max(10, c.header.length * 2 + 2),
  }));
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).commit();
  let n = 0;
  for await (const r of rows) {
    const values = columns.map((c) => c.value(r) ?? null);
    const row = ws.addRow(values);
    values.forEach((v, i) => {
      if (typeof v === "string") row.getCell(i + 1).numFmt = "@";
    });
    row.commit();
    n++;
  }
  ws.commit();
  await wb.commit();
  return n;
}
