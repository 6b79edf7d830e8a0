/**
 * Cell values as they arrive from spreadsheets typed by people: normalisation and the parsers of
 * dates, years, yes/no and lists. Pure and cheap: each runs once per cell of a 550,000-row file.
 */

/** What a reader knows about a cell beyond its text. CSV cells are all Text. */
export const CellType = {
  Text: 0,
  /** A numeric cell: an 18-digit ID typed into one has lost its last digits (Excel keeps 15). */
  Number: 1,
  /** A date-formatted numeric cell, already converted to YYYY-MM-DD. */
  Date: 2,
  /** A formula whose result was never calculated and saved. */
  FormulaNoValue: 3,
  /** An error value such as #N/A or #REF!. */
  ErrorValue: 4,
  Bool: 5,
} as const;
export type CellTypeCode = (typeof CellType)[keyof typeof CellType];

/** One row of a sheet: `n` is the row number as Excel shows it (the header is usually row 1). */
export interface SheetRow {
  n: number;
  cells: string[];
  /** Per-cell CellType, or null when every cell is text (CSV). */
  types: Uint8Array | null;
}

// ASCII printable and CJK unified ideographs are unchanged by NFKC: most cells skip the call.
const NFKC_STABLE = /^[\x20-\x7e\u4e00-\u9fff]*$/;
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff]/g;

/**
 * Full-width digits and letters (１２３, ＡＢＣ), the ideographic space and other compatibility
 * forms become their plain equivalents (Unicode NFKC); invisible characters go; ends are trimmed.
 */
export function clean(v: string): string {
  if (v === "") return v;
  if (!NFKC_STABLE.test(v)) v = v.normalize("NFKC").replace(INVISIBLE, "");
  return v.trim();
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** YYYY-MM-DD when y-m-d is a real calendar date between 1900 and 2100, else null. */
export function calendarDate(y: number, m: number, d: number): string | null {
  if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1) return null;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > (m === 2 && leap ? 29 : DAYS_IN_MONTH[m - 1])) return null;
  return `${y}-${pad2(m)}-${pad2(d)}`;
}

/** The number written by `len` digits of `v` from `at`, or -1. */
function digitsAt(v: string, at: number, len: number): number {
  let n = 0;
  for (let i = at; i < at + len; i++) {
    const c = v.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

const EXCEL_EPOCH_1900 = Date.UTC(1899, 11, 30);
const EXCEL_EPOCH_1904 = Date.UTC(1904, 0, 1);

/**
 * An Excel date serial to YYYY-MM-DD. The 1900 system counts from 1899-12-30 (Excel's phantom
 * 1900-02-29 makes serials before 61 one day off; no date of this platform is that old); the 1904
 * system (old Mac workbooks, workbookPr date1904) from 1904-01-01.
 */
export function excelSerialToDate(serial: number, date1904 = false): string | null {
  if (!Number.isFinite(serial) || serial < 1) return null;
  const ms = (date1904 ? EXCEL_EPOCH_1904 : EXCEL_EPOCH_1900) + Math.floor(serial) * 86_400_000;
  const d = new Date(ms);
  return calendarDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

const DATE_PARTS =
  /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/;
const DATE_COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const SERIAL = /^\d{5}(?:\.\d+)?$/;

export const DATE_HINT = "请填写如 2010-03-05、2010/3/5 或 2010年3月5日 的日期";

/**
 * A date as people type it: 2010-03-05, 2010/3/5, 2010.3.5, 2010年3月5日, 20100305, an Excel serial
 * (40242) or a date cell. Null when it is not a real date.
 */
export function parseDate(v: string, type: number = CellType.Text): string | null {
  if (type === CellType.Date) return v;
  // The common case, 2010-03-05, without a regular expression.
  if (v.length === 10 && v.charCodeAt(4) === 45 && v.charCodeAt(7) === 45) {
    const y = digitsAt(v, 0, 4);
    const mo = digitsAt(v, 5, 2);
    const d = digitsAt(v, 8, 2);
    if (y >= 0 && mo >= 0 && d >= 0) return calendarDate(y, mo, d) === null ? null : v;
  }
  let m = DATE_PARTS.exec(v);
  if (m) return calendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
  m = DATE_COMPACT.exec(v);
  if (m) return calendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
  // A 5-digit serial is 1927-05-18 … 2173: a date column pasted as numbers.
  if (SERIAL.test(v)) return excelSerialToDate(Number(v));
  return null;
}

/**
 * A school year (学年) named by the year it starts: 2024, 2024-2025, 2024—2025学年, 2024学年, 2024年.
 * Null when malformed or when the second year does not follow the first.
 */
export function parseSchoolYear(v: string): number | null {
  const m = /^(\d{4})(?:年)?(?:\s*[-—–~至/]\s*(\d{4})(?:年)?)?\s*(?:学年(?:度)?)?$/.exec(v);
  if (!m) return null;
  const y = Number(m[1]);
  if (m[2] && Number(m[2]) !== y + 1) return null;
  return y >= 1949 && y <= 2100 ? y : null;
}

const YES = new Set(["是", "Y", "YES", "TRUE", "1", "√", "✓"]);
const NO = new Set(["否", "N", "NO", "FALSE", "0", "×", "✗"]);

/** 是/否 (also Y/N, 1/0, TRUE/FALSE); undefined when it is neither. */
export function parseYesNo(v: string): boolean | undefined {
  const u = v.toUpperCase();
  if (YES.has(u)) return true;
  if (NO.has(u)) return false;
  return undefined;
}

/** 男/女, M/F, and the GB/T 2261.1 codes 1 (男) and 2 (女). */
export function parseGender(v: string): "M" | "F" | undefined {
  switch (v.toUpperCase()) {
    case "男":
    case "M":
    case "1":
    case "男性":
      return "M";
    case "女":
    case "F":
    case "2":
    case "女性":
      return "F";
    default:
      return undefined;
  }
}

/** Several values in one cell, separated by 、 , ， ; ； / or spaces. */
export function splitList(v: string): string[] {
  if (v === "") return [];
  return v
    .split(/[、,，;；/\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A decimal number, or undefined. */
export function parseNumber(v: string): number | undefined {
  if (!/^[-+]?\d+(?:\.\d+)?$/.test(v)) return undefined;
  return Number(v);
}

/**
 * An identifier typed into a numeric cell. Excel keeps 15 significant digits, so a longer number
 * (an 18-digit ID, a 17-digit teacher certificate) has already lost its last digits: the value
 * cannot be trusted even when it looks complete.
 */
export function isDamagedNumber(v: string, type: number): boolean {
  if (/^\d(?:\.\d+)?E\+?\d+$/i.test(v)) return true;
  return type === CellType.Number && /^\d{16,}$/.test(v);
}

export const NUMBER_DAMAGE_HINT =
  "被Excel当作数字保存（科学计数法或末几位变成0），号码已不完整。请把该列设置为“文本”格式后重新输入，或在号码前加英文单引号 '";

/**
 * A flat copy of a concatenated string. V8 keeps `a + b` as a rope ("cons string"); scanning and
 * slicing a rope chunk by chunk may copy it again and again. A round trip through a Buffer yields a
 * flat string in linear time (~1 ms per MB). Used where a chunk is joined to the previous one's tail.
 */
export function flatten(s: string): string {
  return Buffer.from(s, "utf16le").toString("utf16le");
}
