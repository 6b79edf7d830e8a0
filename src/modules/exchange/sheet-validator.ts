import { cellTypeProblem } from "./fields.js";
import {
  headerKey,
  IGNORED_HEADERS,
  type ImportKindDef,
  type ImportLookups,
  type RowValidator,
  type RowView,
} from "./kind.js";
import { CellType, clean, type SheetRow } from "./values.js";
import { columnIndex, columnLetters } from "./xml-scan.js";

/** One bad cell (or a file-level problem, column "文件" / "表头"), as stored in import_error. */
export interface ImportIssue {
  row: number;
  column: string;
  value: string | null;
  reason: string;
}

/** Rows above the header that may hold a title ("2024年秋季学生名单") before the header is found. */
const HEADER_SEARCH_ROWS = 10;

/**
 * Turns a sheet's rows into staging rows and issues: finds the header (the first row naming at
 * least two known columns; title rows above it are skipped), maps columns by header text and
 * alias, checks the header, then validates each data row with the kind's validator.
 */
export class SheetValidator {
  private readonly aliases = new Map<string, string>();
  private readonly ignored: Set<string>;
  private readonly idx: Record<string, number> = {};
  private readonly headerText: Record<string, string> = {};
  private readonly check: RowValidator;
  private readonly view: RowView;
  private current: SheetRow = { n: 0, cells: [], types: null };
  private reported: string[] = [];
  private seekRows: SheetRow[] = [];
  /** Row number of the header once found; null before. */
  headerRow: number | null = null;
  /** True when the header is unusable: rows are not validated. */
  headerFailed = false;
  dataRows = 0;
  lastDataRow = 0;
  readonly issues: ImportIssue[] = [];

  constructor(
    private readonly kind: ImportKindDef,
    lookups: ImportLookups,
    private readonly onIssue: (issue: ImportIssue) => void = (i) => this.issues.push(i),
  ) {
    for (const c of kind.columns) {
      this.aliases.set(headerKey(c.header), c.key);
      for (const a of c.aliases ?? []) this.aliases.set(headerKey(a), c.key);
    }
    this.ignored = new Set((kind.ignored ?? []).map(headerKey));
    this.check = kind.validator(lookups);
    const self = this;
    this.view = {
      get n() {
        return self.current.n;
      },
      get(key) {
        const i = self.idx[key];
        if (i === undefined) return "";
        const v = self.current.cells[i];
        if (!v) return "";
        if (self.reported.length && self.reported.includes(key)) return "";
        return clean(v);
      },
      type(key) {
        const i = self.idx[key];
        const t = self.current.types;
        return i === undefined || !t ? CellType.Text : t[i];
      },
    };
  }

  private readonly err = (key: string, value: string, reason: string) => {
    if (this.reported.length && this.reported.includes(key)) return;
    this.onIssue({ row: this.current.n, column: this.headerText[key] ?? key, value: value || null, reason });
  };

  /** Feeds one row; returns its staging values when it is a valid data row. */
  accept(row: SheetRow): (string | null)[] | null {
    if (this.headerRow === null) {
      this.seekHeader(row);
      return null;
    }
    if (this.headerFailed || isBlank(row)) return null;
    this.dataRows++;
    this.lastDataRow = row.n;
    this.current = row;
    this.reported = [];
    if (row.types) this.checkCellTypes(row);
    const staged = this.check(this.view, this.err);
    if (this.reported.length) return null;
    return staged;
  }

  /** Call after the last row: a header never found is reported here. */
  finish() {
    if (this.headerRow === null && this.seekRows.length) this.adoptHeader(this.seekRows[0]);
  }

  /** Merged ranges that reach into the data rows, each reported once. */
  reportMerged(ranges: string[]) {
    if (this.headerRow === null) return;
    for (const range of ranges) {
      const [from, to = from] = range.split(":");
      const top = Number(from.replace(/^[A-Z]+/, ""));
      const bottom = Number(to.replace(/^[A-Z]+/, ""));
      if (bottom <= this.headerRow) continue;
      const col = columnIndex(from);
      const key = Object.keys(this.idx).find((k) => this.idx[k] === col);
      this.onIssue({
        row: Math.max(top, this.headerRow + 1),
        column: key ? this.headerText[key] : columnLetters(col),
        value: range,
        reason: `${range} 是合并单元格：导入要求每一行都填写完整，请取消合并，并把值填到每一行`,
      });
    }
  }

  /** How many cells of `row` name a known column. */
  headerScore(row: SheetRow): number {
    let n = 0;
    for (const c of row.cells) if (c && this.aliases.has(headerKey(c))) n++;
    return n;
  }

  private seekHeader(row: SheetRow) {
    if (isBlank(row)) return;
    if (this.headerScore(row) >= Math.min(2, this.kind.columns.length)) {
      this.adoptHeader(row);
      return;
    }
    this.seekRows.push(row);
    if (this.seekRows.length >= HEADER_SEARCH_ROWS) this.adoptHeader(this.seekRows[0]);
  }

  private adoptHeader(row: SheetRow) {
    this.headerRow = row.n;
    this.seekRows = [];
    const unknown: string[] = [];
    const duplicate: string[] = [];
    row.cells.forEach((cell, i) => {
      const text = clean(cell ?? "");
      const k = headerKey(text);
      if (k === "" || IGNORED_HEADERS.has(k) || this.ignored.has(k)) return;
      const key = this.aliases.get(k);
      if (!key) {
        unknown.push(`${text}（${columnLetters(i)}列）`);
        return;
      }
      if (this.idx[key] !== undefined) {
        duplicate.push(`${text}（${columnLetters(this.idx[key])}列和${columnLetters(i)}列）`);
        return;
      }
      this.idx[key] = i;
      this.headerText[key] = text;
    });
    for (const c of this.kind.columns) this.headerText[c.key] ??= c.header;
    const missing = this.kind.columns
      .filter((c) => c.required && this.idx[c.key] === undefined)
      .map((c) => c.header);
    const parts: string[] = [];
    if (missing.length) parts.push(`缺少必填列：${missing.join("、")}`);
    if (unknown.length) parts.push(`无法识别的列：${unknown.join("、")}`);
    if (duplicate.length) parts.push(`列名重复：${duplicate.join("、")}`);
    if (parts.length) {
      this.headerFailed = true;
      this.onIssue({
        row: row.n,
        column: "表头",
        value: null,
        reason: `第${row.n}行表头有误：${parts.join("；")}。请使用${this.kind.label}导入模板中的列名（可下载模板对照）`,
      });
    }
  }

  private checkCellTypes(row: SheetRow) {
    const t = row.types as Uint8Array;
    for (const key in this.idx) {
      const i = this.idx[key];
      const type = t[i];
      if (type === CellType.FormulaNoValue || type === CellType.ErrorValue) {
        this.err(key, row.cells[i] ?? "", cellTypeProblem(type, row.cells[i] ?? "") as string);
        this.reported.push(key);
      }
    }
  }
}

export function isBlank(row: SheetRow): boolean {
  for (const c of row.cells) if (c && c.trim() !== "") return false;
  return !row.types || row.types.every((t) => t !== CellType.FormulaNoValue);
}
