import { CellType, excelSerialToDate, type SheetRow } from "./values.js";
import { attr, columnIndex, decodeXmlText, tagName } from "./xml-scan.js";

/** Scans complete rows of a worksheet's <sheetData>, cell by cell. */
export class SheetScanner {
  merged: string[] = [];
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
    let inCell = false;
    let t = "";
    let style = -1;
    let value: string | null = null;
    let formula = false;
    let inline: string | null = null;
    let inPhonetic = false;
    while (i < to) {
      const lt = s.indexOf("<", i);
      if (lt < 0 || lt >= to) break;
      const closing = s.charCodeAt(lt + 1) === 47;
      const { name, end: nameEnd } = tagName(s, closing ? lt + 1 : lt);
      const gt = s.indexOf(">", nameEnd);
      if (gt < 0) break;
      i = gt + 1;
      if (closing) {
        if (name === "c" && inCell && cells) {
          inCell = false;
          let v = "";
          let type: number = CellType.Text;
          if (formula && value === null && inline === null) type = CellType.FormulaNoValue;
          else if (t === "s") v = this.sst[Number(value)] ?? "";
          else if (t === "inlineStr") v = inline ?? value ?? "";
          else if (t === "str") v = value ?? "";
          else if (t === "b") {
            v = value === "1" ? "TRUE" : "FALSE";
            type = CellType.Bool;
          } else if (t === "e") {
            v = value ?? "";
            type = CellType.ErrorValue;
          } else if (t === "d") {
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
        } else if (name === "row" && cells) {
          if (types || cells.some((c) => c !== "")) out.push({ n: rowNumber, cells, types });
          cells = null;
          types = null;
        } else if (name === "rPh") inPhonetic = false;
        else if (name === "is") inline = inline ?? "";
        else if (name === "sheetData") this.inData = false;
        continue;
      }
      const selfClosing = s.charCodeAt(gt - 1) === 47;
      switch (name) {
        case "row": {
          if (!this.inData) break;
          const tag = s.slice(lt, gt);
          const r = attr(tag, "r");
          rowNumber = r ? Number(r) : this.lastRow + 1;
          this.lastRow = rowNumber;
          col = -1;
          cells = selfClosing ? null : [];
          types = null;
          break;
        }
        case "c": {
          if (!cells) break;
          const tag = s.slice(lt, gt);
          const ref = attr(tag, "r");
          col = ref ? columnIndex(ref) : col + 1;
          if (selfClosing) break;
          inCell = true;
          t = attr(tag, "t") ?? "n";
          const st = attr(tag, "s");
          style = st ? Number(st) : -1;
          value = null;
          formula = false;
          inline = null;
          break;
        }
        case "v":
          if (inCell && !selfClosing) {
            const close = s.indexOf("<", i);
            value = decodeXmlText(s.slice(i, close));
            i = close;
          }
          break;
        case "f":
          if (inCell) formula = true;
          break;
        case "is":
          if (inCell) inline = "";
          break;
        case "rPh":
          inPhonetic = !selfClosing;
          break;
        case "t":
          if (inCell && inline !== null && !selfClosing) {
            const close = s.indexOf("<", i);
            if (!inPhonetic) inline += decodeXmlText(s.slice(i, close));
            i = close;
          }
          break;
        case "mergeCell": {
          const ref = attr(s.slice(lt, gt), "ref");
          if (ref) this.merged.push(ref);
          break;
        }
      }
    }
  }
}
