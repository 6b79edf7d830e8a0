import { CellType, excelSerialToDate, type SheetRow } from "./values.js";
import { attr, columnIndex, decodeXmlText } from "./xml-scan.js";

// Tags of <sheetData> the scanner acts on, recognised from their characters without slicing a name:
// a 550,000-row sheet has some 22 million tags.
const TAG_OTHER = 0;
const TAG_ROW = 1;
const TAG_C = 2;
const TAG_V = 3;
const TAG_F = 4;
const TAG_IS = 5;
const TAG_T = 6;
const TAG_RPH = 7;
const TAG_MERGE = 8;
const TAG_SHEETDATA = 9;

/** The tag whose name spans s[from, to), namespace prefix ignored. */
function classify(s: string, from: number, to: number): number {
  for (let k = from; k < to; k++) if (s.charCodeAt(k) === 58) from = k + 1;
  const len = to - from;
  const c0 = s.charCodeAt(from);
  if (len === 1)
    return c0 === 99 ? TAG_C : c0 === 118 ? TAG_V : c0 === 116 ? TAG_T : c0 === 102 ? TAG_F : TAG_OTHER;
  if (len === 2) return c0 === 105 && s.charCodeAt(from + 1) === 115 ? TAG_IS : TAG_OTHER;
  if (len === 3) {
    if (s.startsWith("row", from)) return TAG_ROW;
    if (s.startsWith("rPh", from)) return TAG_RPH;
    return TAG_OTHER;
  }
  if (len === 9) {
    if (s.startsWith("mergeCell", from)) return TAG_MERGE;
    if (s.startsWith("sheetData", from)) return TAG_SHEETDATA;
  }
  return TAG_OTHER;
}

/** End of the tag name that starts at `from`. */
function nameEnd(s: string, from: number, limit: number): number {
  let j = from;
  while (j < limit) {
    const c = s.charCodeAt(j);
    if (c === 32 || c === 62 || c === 47 || c === 9 || c === 10 || c === 13) break;
    j++;
  }
  return j;
}

/**
 * Attribute `needle` (' r="') of one tag's text: its value, or null. Excel writes double quotes and
 * single spaces; anything else goes to the general reader.
 */
function attrOf(tag: string, needle: string): string | null {
  const at = tag.indexOf(needle);
  if (at < 0) {
    if (tag.indexOf("'") >= 0 || tag.indexOf("\n") >= 0 || tag.indexOf("\t") >= 0)
      return attr(tag, needle.slice(1, -2));
    return null;
  }
  const start = at + needle.length;
  const v = tag.slice(start, tag.indexOf('"', start));
  return v.indexOf("&") >= 0 ? decodeXmlText(v) : v;
}

// Cell types (the t attribute of <c>), as numbers: compared 5.5 million times in a 550,000-row sheet.
const T_NUMBER = 0;
const T_SHARED = 1;
const T_INLINE = 2;
const T_STR = 3;
const T_BOOL = 4;
const T_ERROR = 5;
const T_DATE = 6;

function cellTypeCode(v: string): number {
  switch (v) {
    case "s":
      return T_SHARED;
    case "inlineStr":
      return T_INLINE;
    case "str":
      return T_STR;
    case "b":
      return T_BOOL;
    case "e":
      return T_ERROR;
    case "d":
      return T_DATE;
    default:
      return T_NUMBER;
  }
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/** The non-negative integer written by s[from, to), or -1 when it is not only digits. */
function digitsValue(s: string, from: number, to: number): number {
  if (to <= from || to - from > 9) return -1;
  let n = 0;
  for (let k = from; k < to; k++) {
    const d = s.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * The attributes r, s and t of a <c> tag, read in place from s[from, to) (after the tag name):
 * slicing the tag and its attribute values was 40% of the scan. Quotes of either kind and any
 * whitespace are read as XML allows; a value holding a character reference is decoded.
 */
class CellAttributes {
  /** Whether the tag has a non-empty r. */
  hasRef = false;
  /** Column index of r ("AB12" → 27), -1 when it has no letters. */
  col = -1;
  /** Style index of s, -1 when absent. */
  style = -1;
  /** T_* of t (T_NUMBER when absent). */
  type = T_NUMBER;

  read(s: string, from: number, to: number) {
    this.hasRef = false;
    this.col = -1;
    this.style = -1;
    this.type = T_NUMBER;
    let i = from;
    while (i < to) {
      const c = s.charCodeAt(i);
      if (isSpace(c) || c === 47) {
        i++;
        continue;
      }
      const nameStart = i;
      while (i < to && s.charCodeAt(i) !== 61 && !isSpace(s.charCodeAt(i))) i++;
      const name = i - nameStart === 1 ? s.charCodeAt(nameStart) : 0;
      while (i < to && s.charCodeAt(i) !== 61) i++;
      i++;
      while (i < to && s.charCodeAt(i) !== 34 && s.charCodeAt(i) !== 39) i++;
      if (i >= to) return;
      const start = i + 1;
      const end = s.indexOf(s.charCodeAt(i) === 34 ? '"' : "'", start);
      if (end < 0 || end > to) return;
      i = end + 1;
      if (name !== 114 && name !== 115 && name !== 116) continue; // r, s, t
      let amp = start;
      while (amp < end && s.charCodeAt(amp) !== 38) amp++;
      const value = amp < end ? decodeXmlText(s.slice(start, end)) : null;
      if (name === 114) {
        // As columnIndex(value), without the string; an empty r is no reference at all.
        this.hasRef = end > start;
        if (value !== null) this.col = columnIndex(value);
        else {
          let n = 0;
          let k = start;
          for (; k < end; k++) {
            const l = s.charCodeAt(k);
            if (l < 65 || l > 90) break;
            n = n * 26 + (l - 64);
          }
          this.col = k === start ? -1 : n - 1;
        }
      } else if (name === 115) {
        const n = value === null ? digitsValue(s, start, end) : -1;
        this.style = n >= 0 ? n : end > start ? Number(value ?? s.slice(start, end)) : -1;
      } else this.type = cellTypeCode(value ?? s.slice(start, end));
    }
  }
}

/** Scans complete rows of a worksheet's <sheetData>, cell by cell. */
export class SheetScanner {
  merged: string[] = [];
  private readonly attrs = new CellAttributes();
  private lastRow = 0;
  private inData = true;

  constructor(
    private readonly sst: string[],
    private readonly dateStyles: boolean[],
    private readonly date1904: boolean,
  ) {}

  scan(s: string, from: number, to: number, out: SheetRow[]) {
    let i = from;
    let cells: string[] | null = null;
    let types: Uint8Array | null = null;
    let rowNumber = 0;
    let col = -1;
    // the open cell
    const attrs = this.attrs;
    let inCell = false;
    let t = T_NUMBER;
    let style = -1;
    let value: string | null = null;
    /** The <v> of a shared-string cell as an index, or -1. */
    let shared = -1;
    let formula = false;
    let inline: string | null = null;
    let inPhonetic = false;
    while (i < to) {
      const lt = s.indexOf("<", i);
      if (lt < 0 || lt >= to) break;
      const closing = s.charCodeAt(lt + 1) === 47;
      const nameStart = closing ? lt + 2 : lt + 1;
      const end = nameEnd(s, nameStart, to);
      const gt = s.indexOf(">", end);
      if (gt < 0) break;
      i = gt + 1;
      const tag = classify(s, nameStart, end);
      if (tag === TAG_OTHER) continue;
      if (closing) {
        if (tag === TAG_C && inCell && cells) {
          inCell = false;
          let v = "";
          let type: number = CellType.Text;
          if (formula && value === null && inline === null && shared < 0) type = CellType.FormulaNoValue;
          else if (t === T_SHARED) v = this.sst[shared >= 0 ? shared : Number(value)] ?? "";
          else if (t === T_INLINE) v = inline ?? value ?? "";
          else if (t === T_STR) v = value ?? "";
          else if (t === T_BOOL) {
            v = value === "1" ? "TRUE" : "FALSE";
            type = CellType.Bool;
          } else if (t === T_ERROR) {
            v = value ?? "";
            type = CellType.ErrorValue;
          } else if (t === T_DATE) {
            v = (value ?? "").slice(0, 10);
            type = CellType.Date;
          } else if (value !== null && value !== "") {
            const date =
              style >= 0 && this.dateStyles[style] ? excelSerialToDate(Number(value), this.date1904) : null;
            v = date ?? value;
            type = date ? CellType.Date : CellType.Number;
          }
          if (col >= 0) {
            while (cells.length < col) cells.push("");
            cells[col] = v;
            if (type !== CellType.Text) {
              if (!types || types.length <= col) {
                const grown = new Uint8Array(Math.max(32, col * 2));
                if (types) grown.set(types);
                types = grown;
              }
              types[col] = type;
            }
          }
        } else if (tag === TAG_ROW && cells) {
          if (types || cells.some((c) => c !== "")) out.push({ n: rowNumber, cells, types });
          cells = null;
          types = null;
        } else if (tag === TAG_RPH) inPhonetic = false;
        else if (tag === TAG_IS) inline = inline ?? "";
        else if (tag === TAG_SHEETDATA) this.inData = false;
        continue;
      }
      const selfClosing = s.charCodeAt(gt - 1) === 47;
      switch (tag) {
        case TAG_ROW: {
          if (!this.inData) break;
          const r = attrOf(s.slice(lt, gt), ' r="');
          rowNumber = r ? Number(r) : this.lastRow + 1;
          this.lastRow = rowNumber;
          col = -1;
          cells = selfClosing ? null : [];
          types = null;
          break;
        }
        case TAG_C: {
          if (!cells) break;
          attrs.read(s, end, gt);
          col = attrs.hasRef ? attrs.col : col + 1;
          if (selfClosing) break;
          inCell = true;
          t = attrs.type;
          style = attrs.style;
          value = null;
          shared = -1;
          formula = false;
          inline = null;
          break;
        }
        case TAG_V:
          if (inCell && !selfClosing) {
            const close = s.indexOf("<", i);
            // A shared string's index is read from the digits in place: no string per cell.
            shared = t === T_SHARED ? digitsValue(s, i, close) : -1;
            if (shared < 0) value = decodeXmlText(s.slice(i, close));
            i = close;
          }
          break;
        case TAG_F:
          if (inCell) formula = true;
          break;
        case TAG_IS:
          if (inCell) inline = "";
          break;
        case TAG_RPH:
          inPhonetic = !selfClosing;
          break;
        case TAG_T:
          if (inCell && inline !== null && !selfClosing) {
            const close = s.indexOf("<", i);
            if (!inPhonetic) inline += decodeXmlText(s.slice(i, close));
            i = close;
          }
          break;
        case TAG_MERGE: {
          const ref = attrOf(s.slice(lt, gt), ' ref="');
          if (ref) this.merged.push(ref);
          break;
        }
      }
    }
  }
}
