import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { AppError } from "../../shared/errors.js";
import { CsvParser, readCsv } from "./csv-reader.js";
import { sniffFormat } from "./table-source.js";
import { tmpFile, xlsxBuffer, zipBomb } from "./test-helpers.js";
import { CellType, clean, isDamagedNumber, parseDate, parseSchoolYear, type SheetRow } from "./values.js";
import { isDateFormatCode, XlsxWorkbook } from "./xlsx-reader.js";

async function csvRows(content: Buffer | string): Promise<SheetRow[]> {
  const out: SheetRow[] = [];
  for await (const b of readCsv(tmpFile("t.csv", content))) out.push(...b);
  return out;
}

async function sheetRows(buf: Buffer, index = 0, limit?: number) {
  const wb = await XlsxWorkbook.open(tmpFile("t.xlsx", buf), limit);
  const out: SheetRow[] = [];
  try {
    for await (const b of wb.rows(index)) out.push(...b);
    return { rows: out, merged: wb.merged, sheets: wb.sheets.map((s) => s.name) };
  } finally {
    await wb.close();
  }
}

describe("cell values", () => {
  it("normalises full-width digits, letters and spaces (NFKC) and trims", () => {
    expect(clean("　１４１１０２２０１０　")).toBe("1411022010");
    expect(clean("ｇ１２３")).toBe("g123");
    expect(clean("\u200b张三\u00a0")).toBe("张三");
    expect(clean("七年级")).toBe("七年级");
  });

  it("reads dates as people type them and refuses impossible ones", () => {
    for (const v of [
      "2010-03-05",
      "2010/3/5",
      "2010.3.5",
      "2010年3月5日",
      "20100305",
      "2010-3-5 00:00:00",
      "40242",
    ])
      expect(parseDate(v), v).toBe("2010-03-05");
    expect(parseDate("2023-02-30")).toBeNull();
    expect(parseDate("2010年3月")).toBeNull();
    expect(parseDate("昨天")).toBeNull();
    expect(parseDate("2010-03-05", CellType.Date)).toBe("2010-03-05");
  });

  it("reads school years", () => {
    expect(parseSchoolYear("2024")).toBe(2024);
    expect(parseSchoolYear("2024-2025")).toBe(2024);
    expect(parseSchoolYear("2024—2025学年")).toBe(2024);
    expect(parseSchoolYear("2024-2026")).toBeNull();
  });

  it("recognises identifiers Excel turned into numbers", () => {
    expect(isDamagedNumber("1.41102E+17", CellType.Text)).toBe(true);
    expect(isDamagedNumber("141102201003051000", CellType.Number)).toBe(true);
    expect(isDamagedNumber("141102201003051234", CellType.Text)).toBe(false);
    expect(isDamagedNumber("1411020001", CellType.Number)).toBe(false);
  });

  it("knows date number formats", () => {
    expect(isDateFormatCode("yyyy/m/d;@")).toBe(true);
    expect(isDateFormatCode('yyyy"年"m"月"d"日"')).toBe(true);
    expect(isDateFormatCode("[$-F800]dddd, mmmm dd, yyyy")).toBe(true);
    expect(isDateFormatCode("0.00")).toBe(false);
    expect(isDateFormatCode("@")).toBe(false);
    expect(isDateFormatCode("h:mm:ss")).toBe(false);
  });
});

describe("CSV reader", () => {
  it("reads quoted fields with commas, quotes and line breaks, CRLF and LF", async () => {
    const rows = await csvRows('学籍号,姓名\r\n"G1","张,""三"""\r\n"G2","李\n四"\nG3,王五\n');
    expect(rows.map((r) => r.cells)).toEqual([
      ["学籍号", "姓名"],
      ["G1", '张,"三"'],
      ["G2", "李\n四"],
      ["G3", "王五"],
    ]);
    expect(rows.map((r) => r.n)).toEqual([1, 2, 3, 4]);
  });

  it("keeps records whole across chunk boundaries", () => {
    const p = new CsvParser();
    const out: SheetRow[] = [];
    const text = 'a,b\r\n"x\r\ny",z\r\n1,2';
    for (const ch of text) p.push(ch, false, out);
    p.push("", true, out);
    expect(out.map((r) => r.cells)).toEqual([
      ["a", "b"],
      ["x\r\ny", "z"],
      ["1", "2"],
    ]);
  });

  it("reads the same records wherever the text is cut into chunks", () => {
    const text = '学籍号,姓名\nG1,"张\n三"\nG2,"李,""四"""\r\nG3,王五\n"G4","赵\r\n\n六"\nG5,钱七';
    const whole: SheetRow[] = [];
    new CsvParser().push(text, true, whole);
    expect(whole.map((r) => r.cells)).toEqual([
      ["学籍号", "姓名"],
      ["G1", "张\n三"],
      ["G2", '李,"四"'],
      ["G3", "王五"],
      ["G4", "赵\r\n\n六"],
      ["G5", "钱七"],
    ]);
    for (let cut = 1; cut < text.length; cut++)
      for (const cut2 of [cut + 1, cut + 7, text.length]) {
        const p = new CsvParser();
        const out: SheetRow[] = [];
        p.push(text.slice(0, cut), false, out);
        p.push(text.slice(cut, cut2), false, out);
        p.push(text.slice(cut2), true, out);
        expect(out).toEqual(whole);
      }
  });

  it("reads UTF-8 whose characters straddle the reader's 1 MB chunks, and GB18030 past them", async () => {
    const line = "G1,张三,吕梁市离石区\n";
    const text = `学籍号,姓名,地址\n${line.repeat(Math.ceil((1 << 20) / Buffer.byteLength(line)) * 2)}`;
    for (let shift = 0; shift < 3; shift++) {
      const rows = await csvRows(`${"x".repeat(shift)}${text}`);
      expect(rows.length).toBe(text.split("\n").length - 1);
      expect(rows.slice(1).every((r) => r.cells[2] === "吕梁市离石区")).toBe(true);
    }
    const gb = Buffer.concat([Buffer.from(text), iconv.encode("G2,李四,汾阳\n", "gb18030")]);
    expect((await csvRows(gb)).at(-1)?.cells).toEqual(["G2", "李四", "汾阳"]);
  });

  it("strips a UTF-8 BOM and reads GB18030 from Chinese Excel", async () => {
    const text = "学籍号,姓名\r\nG1,张三\r\n";
    expect((await csvRows(`\ufeff${text}`))[0].cells[0]).toBe("学籍号");
    const gb = iconv.encode(text, "gb18030");
    expect(() => new TextDecoder("utf-8", { fatal: true }).decode(gb)).toThrow();
    expect((await csvRows(gb)).map((r) => r.cells)).toEqual([
      ["学籍号", "姓名"],
      ["G1", "张三"],
    ]);
  });

  it("reads Excel's Unicode text (UTF-16, tab-separated)", async () => {
    const buf = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from("学籍号\t姓名\r\nG1\t张三\r\n", "utf16le"),
    ]);
    expect((await csvRows(buf)).map((r) => r.cells)).toEqual([
      ["学籍号", "姓名"],
      ["G1", "张三"],
    ]);
  });

  it("reports an unclosed quote with its row", async () => {
    await expect(csvRows('a,b\n1,"2\n3,4\n')).rejects.toThrow(/第2行的引号没有闭合/);
  });
});

describe("xlsx reader", () => {
  it("reads text, numbers, dates, formulas with cached results and merged ranges", async () => {
    const buf = await xlsxBuffer([
      {
        name: "学生",
        rows: [
          ["学籍号", "身份证号", "出生日期", "年级", "计算"],
          ["G1", 141102201003051000, new Date(Date.UTC(2010, 2, 5)), 7, { formula: "1+1", result: 2 }],
          ["G2", "141102201003051234", "2010/3/5", "七年级", { formula: "A1&A2" }],
        ],
        merges: ["D2:D3"],
        textColumns: [2],
      },
    ]);
    const { rows, merged } = await sheetRows(buf);
    expect(rows[0].cells).toEqual(["学籍号", "身份证号", "出生日期", "年级", "计算"]);
    const [r2, r3] = [rows[1], rows[2]];
    expect(r2.n).toBe(2);
    expect(r2.cells[1]).toMatch(/^1\.41102\d*E\+17$|^141102201003051000$/);
    expect(r2.types?.[1]).toBe(CellType.Number);
    expect(r2.cells[2]).toBe("2010-03-05");
    expect(r2.types?.[2]).toBe(CellType.Date);
    expect(r2.cells[4]).toBe("2");
    expect(r3.cells[1]).toBe("141102201003051234");
    expect(r3.types?.[4]).toBe(CellType.FormulaNoValue);
    expect(merged).toEqual(["D2:D3"]);
  });

  it("lists sheets and reads the second one", async () => {
    const buf = await xlsxBuffer([
      { name: "说明", rows: [] },
      { name: "数据", rows: [["姓名"], ["张三"]] },
    ]);
    const { rows, sheets } = await sheetRows(buf, 1);
    expect(sheets).toEqual(["说明", "数据"]);
    expect(rows.map((r) => r.cells)).toEqual([["姓名"], ["张三"]]);
  });

  it("stops a zip bomb once the inflated bytes pass the limit", async () => {
    const bomb = zipBomb(50 << 20);
    expect(bomb.length).toBeLessThan(1 << 20);
    const err = await sheetRows(bomb, 0, 8 << 20).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err.message).toMatch(/解压后超过 8 MB.*压缩炸弹/);
  });
});

describe("file type by content", () => {
  it("refuses what is not a spreadsheet, whatever its name", async () => {
    const cases: [string, Buffer | string, RegExp][] = [
      ["a.xlsx", "姓名,学籍号\n", /扩展名是 \.xlsx，但内容不是 Excel 工作簿/],
      ["a.xlsx", Buffer.from("%PDF-1.4 ..."), /PDF/],
      ["a.xlsx", Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0]), /97-2003/],
      ["a.csv", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]), /图片/],
      ["a.docx", "text", /不支持 \.docx/],
      ["a.csv", "", /空的/],
    ];
    for (const [name, content, re] of cases)
      await expect(sniffFormat(tmpFile(name, content), name), name).rejects.toThrow(re);
    expect(
      await sniffFormat(tmpFile("a.xlsx", await xlsxBuffer([{ name: "x", rows: [["a"]] }])), "a.xlsx"),
    ).toBe("xlsx");
    expect(await sniffFormat(tmpFile("a.txt", "a,b"), "a.txt")).toBe("csv");
  });
});
