import fs from "node:fs";
import { AppError } from "../../shared/errors.js";
import { readCsv } from "./csv-reader.js";
import type { SheetRow } from "./values.js";
import { DEFAULT_INFLATE_LIMIT, XlsxWorkbook } from "./xlsx-reader.js";

/**
 * One uploaded file as a table: the format is decided by the file's first bytes (its magic
 * number), not by its name, so a PDF or an old .xls renamed to .xlsx is refused with a reason.
 */

export type FileFormat = "csv" | "xlsx";

/** The sheet the import reads: the first visible one. The instructions sheet of our template is never data. */
export const INSTRUCTIONS_SHEET = "填写说明";

export async function sniffFormat(filePath: string, fileName: string): Promise<FileFormat> {
  const fd = await fs.promises.open(filePath, "r");
  const head = Buffer.alloc(8);
  let n: number;
  try {
    n = (await fd.read(head, 0, 8, 0)).bytesRead;
  } finally {
    await fd.close();
  }
  const ext = fileName.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1] ?? "";
  if (n === 0) throw new AppError("IMPORT_INVALID", "文件是空的");
  const hex = head.subarray(0, n).toString("hex");
  if (hex.startsWith("504b0304") || hex.startsWith("504b0506")) return "xlsx";
  if (hex.startsWith("d0cf11e0a1b11ae1"))
    throw new AppError(
      "UNSUPPORTED_FILE",
      "这是旧版 Excel 97-2003（.xls）文件或设置了打开密码的工作簿，请在 Excel 中取消密码并另存为 .xlsx 后上传",
    );
  if (hex.startsWith("25504446"))
    throw new AppError("UNSUPPORTED_FILE", "这是 PDF 文件，不是表格。请上传 .xlsx 或 .csv 文件");
  if (hex.startsWith("89504e47") || hex.startsWith("ffd8ff") || hex.startsWith("47494638"))
    throw new AppError("UNSUPPORTED_FILE", "这是图片文件，不是表格。请上传 .xlsx 或 .csv 文件");
  if (hex.startsWith("526172211a07") || hex.startsWith("377abcaf271c") || hex.startsWith("1f8b"))
    throw new AppError("UNSUPPORTED_FILE", "这是压缩包，不是表格。请解压后上传其中的 .xlsx 或 .csv 文件");
  if (["xlsx", "xlsm", "xls", "et"].includes(ext))
    throw new AppError(
      "UNSUPPORTED_FILE",
      `文件扩展名是 .${ext}，但内容不是 Excel 工作簿（可能是改了扩展名的其他文件）。请在 Excel 中打开后另存为 .xlsx 再上传`,
    );
  if (!["csv", "txt", "tsv", ""].includes(ext))
    throw new AppError("UNSUPPORTED_FILE", `不支持 .${ext} 文件，请上传 .xlsx 或 .csv 文件`);
  return "csv";
}

export interface TableReader {
  format: FileFormat;
  /** The sheet read (xlsx), null for CSV. */
  sheetName: string | null;
  rows(onProgress?: (share: number) => void): AsyncGenerator<SheetRow[]>;
  /** Merged ranges of the sheet read (after rows()). */
  merged(): string[];
  /** Other visible sheets (not the instructions sheet), with their first rows, for the "data on another sheet" check. */
  otherSheets(): AsyncGenerator<{ name: string; position: number; firstRows: SheetRow[] }>;
  close(): Promise<void>;
}

export async function openTable(
  filePath: string,
  format: FileFormat,
  opts: { inflateLimit?: number; batchSize?: number } = {},
): Promise<TableReader> {
  const batchSize = opts.batchSize ?? 5000;
  if (format === "csv") {
    const size = (await fs.promises.stat(filePath)).size || 1;
    return {
      format,
      sheetName: null,
      async *rows(onProgress) {
        yield* readCsv(filePath, { batchSize, onBytes: (b) => onProgress?.(Math.min(1, b / size)) });
      },
      merged: () => [],
      async *otherSheets() {},
      close: async () => {},
    };
  }
  const wb = await XlsxWorkbook.open(filePath, opts.inflateLimit ?? DEFAULT_INFLATE_LIMIT);
  const visible = wb.sheets.map((s, i) => ({ ...s, index: i })).filter((s) => !s.hidden);
  const main = visible.find((s) => s.name !== INSTRUCTIONS_SHEET) ??
    visible[0] ?? { ...wb.sheets[0], index: 0 };
  return {
    format,
    sheetName: main.name,
    rows: (onProgress) => wb.rows(main.index, batchSize, onProgress),
    merged: () => wb.merged,
    async *otherSheets() {
      for (const s of visible) {
        if (s.index === main.index || s.name === INSTRUCTIONS_SHEET) continue;
        let firstRows: SheetRow[] = [];
        for await (const batch of wb.rows(s.index, 10)) {
          firstRows = batch.slice(0, 10);
          break;
        }
        yield { name: s.name, position: s.index + 1, firstRows };
      }
    },
    close: () => wb.close(),
  };
}
