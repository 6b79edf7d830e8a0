import { describe, expect, it } from "vitest";
import { SheetScanner } from "./sheet-scanner.js";
import { CellType, type SheetRow } from "./values.js";

/**
 * The scanner reads a cell's r, s and t in place and a shared string's index from its digits: the
 * tags as Excel writes them, and as other writers do (single quotes, attributes in any order, line
 * breaks inside a tag, character references, empty attributes), must read alike.
 */
describe("SheetScanner", () => {
  const scan = (xml: string) => {
    const scanner = new SheetScanner(["甲", "乙", "丙"], [false, true], false);
    const out: SheetRow[] = [];
    scanner.scan(xml, 0, xml.length, out);
    return out.map((r) => ({
      n: r.n,
      cells: r.cells,
      types: r.types ? [...r.types.slice(0, r.cells.length)] : null,
    }));
  };

  it("reads cell attributes however they are written", () => {
    const rows = scan(`<sheetData>
      <row r="1"><c r="A1" t="s"><v>0</v></c><c r='B1' t='s'><v>1</v></c><c  t="s"
        r="C1"  s="0"><v> 2 </v></c></row>
      <x:row r="2"><x:c r="A2" s="1"><x:v>40242</x:v></x:c><c r="B2" t="&#115;"><v>2</v></c><c r="D2"
        t="inlineStr"><is><t>x&amp;y</t></is></c><c r="E2" t="b"><v>1</v></c><c r="F2"><f>A1</f></c><c
        r="G2" t="e"><v>#N/A</v></c><c r="H2" s=""><v>141102201003051234</v></c><c r="I2" t="str"><v>a&lt;b</v></c></x:row>
      <row r="4"><c r=""><v>7</v></c><c><v>8</v></c><c r="AB4" s="&#49;"><v>40242</v></c></row>
    </sheetData>`);
    expect(rows[0]).toEqual({ n: 1, cells: ["甲", "乙", "丙"], types: null });
    expect(rows[1].n).toBe(2);
    expect(rows[1].cells).toEqual([
      "2010-03-05",
      "丙",
      "",
      "x&y",
      "TRUE",
      "",
      "#N/A",
      "141102201003051234",
      "a<b",
    ]);
    expect(rows[1].types).toEqual([
      CellType.Date,
      CellType.Text,
      CellType.Text,
      CellType.Text,
      CellType.Bool,
      CellType.FormulaNoValue,
      CellType.ErrorValue,
      CellType.Number,
      CellType.Text,
    ]);
    expect(rows[2].n).toBe(4);
    expect(rows[2].cells[0]).toBe("7");
    expect(rows[2].cells[1]).toBe("8");
    expect(rows[2].cells[27]).toBe("2010-03-05");
    expect(rows[2].types?.[27]).toBe(CellType.Date);
  });

  it("reads a shared string's index with or without surrounding text, and an empty one as the first", () => {
    const rows = scan(
      `<row r="3"><c r="A3" t="s"><v>002</v></c><c r="B3" t="s"><v></v></c><c r="C3" t="s"><v>9</v></c></row>`,
    );
    expect(rows[0].cells).toEqual(["丙", "甲", ""]);
  });
});
