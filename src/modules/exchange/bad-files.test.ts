import iconv from "iconv-lite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { smallCity, user } from "../../../test/factories.js";
import { systemActor } from "../../shared/actor.js";
import { makeResidentId } from "../../shared/resident-id.js";
import { ImportRepository } from "./repository.js";
import { ImportService } from "./service.js";
import { type CellInput, csvText, dryRunOf, tmpFile, upload, xlsxBuffer, zipBomb } from "./test-helpers.js";

let t: TestContext;
let school1: Client;

const header = [
  "学籍号",
  "姓名",
  "性别",
  "身份证号",
  "出生日期",
  "学校标识码",
  "年级",
  "班级",
  "学籍状态",
  "入学日期",
];
const id = (seq: number) => makeResidentId("141102", "2014-03-05", seq);
const row = (seq: number, over: Partial<Record<number, CellInput>> = {}): CellInput[] => {
  const r: CellInput[] = [`G${id(seq)}`, `学生${seq}`, "", id(seq), "", "1411020001", "三年级", "", "", ""];
  for (const [k, v] of Object.entries(over)) r[Number(k)] = v ?? null;
  return r;
};
const reasons = (errors: { reason: string }[]) => errors.map((e) => e.reason).join("\n");

beforeAll(async () => {
  t = await createTestApp({ MAX_UPLOAD_MB: "1" });
  await smallCity(t.database.db);
  await user(t.database.db, "school1", ["school_admin"], ["1411020001"]);
  school1 = await signIn(t.app, "school1");
});
afterAll(() => t.close());

describe("identity numbers", () => {
  it("explains malformed ID numbers, and numbers Excel stored as numbers", async () => {
    const good = makeResidentId("141102", "2014-03-05", 7);
    const rows = [
      header,
      row(1, { 3: `${good.slice(0, 17)}${good[17] === "1" ? "2" : "1"}` }),
      row(2, { 3: "14110220140305" }),
      row(3, { 3: "14110220140305002Y" }),
      row(4, { 3: "1.41102E+17" }),
      row(5, { 3: makeResidentId("141102", "2014-02-30", 5) }),
    ];
    const { job, errors } = await dryRunOf(school1, "students", "ids.csv", csvText(rows as string[][]));
    expect(job?.status).toBe("invalid");
    expect(errors.map((e) => [e.row, e.column])).toEqual([
      [2, "身份证号"],
      [3, "身份证号"],
      [4, "身份证号"],
      [5, "身份证号"],
      [6, "身份证号"],
    ]);
    expect(errors[0].reason).toBe("身份证号校验位错误，请核对");
    expect(errors[1].reason).toBe("身份证号应为18位");
    expect(errors[2].reason).toContain("只能包含数字");
    expect(errors[3].reason).toContain("科学计数法");
    expect(errors[3].reason).toContain("文本");
    expect(errors[4].reason).toContain("出生日期无效");
  });

  it("an 18-digit number in a numeric xlsx cell is reported as damaged, not trusted", async () => {
    const file = await xlsxBuffer([
      { name: "学生", rows: [header, row(1, { 3: 141102201403050000, 0: 141102201403050000 })] },
    ]);
    const { errors } = await dryRunOf(school1, "students", "numeric.xlsx", file);
    expect(errors.map((e) => e.column).sort()).toEqual(["学籍号", "身份证号"]);
    for (const e of errors) expect(e.reason).toContain("被Excel当作数字保存");
  });
});

describe("encodings and typing", () => {
  it("reads a GB18030 CSV saved by Chinese Excel", async () => {
    const csv = csvText([header, row(10) as string[]]);
    const { job, errors } = await dryRunOf(school1, "students", "gbk.csv", iconv.encode(csv, "gb18030"));
    expect(errors).toEqual([]);
    expect(job?.status).toBe("validated");
  });

  it("accepts full-width digits, ideographic spaces and dates typed in every common way", async () => {
    const full = (s: string) => s.replace(/[0-9A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    const rows: CellInput[][] = [
      header,
      row(20, { 0: full(`G${id(20)}`), 3: `　${full(id(20))}　`, 5: full("1411020001"), 9: "2020年9月1日" }),
      row(21, { 4: "2014/3/5", 9: "2020.9.1" }),
      row(22, { 4: "20140305", 9: "44075" }),
      row(23, { 4: new Date(Date.UTC(2014, 2, 5)), 9: new Date(Date.UTC(2020, 8, 1)), 6: 3 }),
    ];
    const { job, errors } = await dryRunOf(
      school1,
      "students",
      "typed.xlsx",
      await xlsxBuffer([{ name: "学生", rows }]),
    );
    expect(errors).toEqual([]);
    expect(job).toMatchObject({ status: "validated", rowsTotal: 4 });
  });

  it("refuses impossible and unknown values with the column named", async () => {
    const rows = [header, row(30, { 4: "2014-02-30", 9: "明年", 2: "未知", 8: "在校" })];
    const { errors } = await dryRunOf(school1, "students", "values.csv", csvText(rows as string[][]));
    expect(errors.map((e) => e.column).sort()).toEqual(["入学日期", "出生日期", "学籍状态", "性别"].sort());
    expect(reasons(errors)).toContain("日期无效");
  });
});

describe("headers and sheets", () => {
  it("names the missing and the unknown columns", async () => {
    const rows = [
      ["学号", "姓名", "身份证", "学校标识码", "年级", "爱好"],
      ["G1", "张三", "x", "1411020001", "三年级", "读书"],
    ];
    const { job, errors } = await dryRunOf(school1, "students", "headers.csv", csvText(rows));
    expect(job?.status).toBe("invalid");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ row: 1, column: "表头" });
    expect(errors[0].reason).toContain("缺少必填列：学籍号");
    expect(errors[0].reason).toContain("无法识别的列：学号（A列）、身份证（C列）、爱好（F列）");
  });

  it("skips a title row above the header and ignores our own 错误原因 column", async () => {
    const rows: CellInput[][] = [["2024年秋季学生名单"], [...header, "错误原因"], [...row(40), "旧的错误"]];
    const { job, errors } = await dryRunOf(
      school1,
      "students",
      "title.xlsx",
      await xlsxBuffer([{ name: "名单", rows }]),
    );
    expect(errors).toEqual([]);
    expect(job).toMatchObject({ status: "validated", rowsTotal: 1 });
  });

  it("reports an empty file, a header without data, and data left on another sheet", async () => {
    const empty = await dryRunOf(
      school1,
      "students",
      "empty.xlsx",
      await xlsxBuffer([{ name: "Sheet1", rows: [] }]),
    );
    expect(reasons(empty.errors)).toBe("工作表“Sheet1”是空的，没有可导入的数据");

    const onlyHeader = await dryRunOf(school1, "students", "header.csv", csvText([header]));
    expect(reasons(onlyHeader.errors)).toBe("文件只有表头，没有数据行");

    const second = await dryRunOf(
      school1,
      "students",
      "second.xlsx",
      await xlsxBuffer([
        { name: "Sheet1", rows: [] },
        { name: "七年级", rows: [header, row(50)] },
      ]),
    );
    expect(reasons(second.errors)).toContain("数据在第2个工作表“七年级”上");

    const split = await dryRunOf(
      school1,
      "students",
      "split.xlsx",
      await xlsxBuffer([
        { name: "三年级1班", rows: [header, row(51)] },
        { name: "三年级2班", rows: [header, row(52)] },
        { name: "统计", rows: [["合计", 2]] },
      ]),
    );
    expect(split.job?.status).toBe("invalid");
    expect(reasons(split.errors)).toBe(
      "第2个工作表“三年级2班”也有导入数据，但只导入第一个工作表“三年级1班”。请把数据合并到第一个工作表，或分成多个文件分别导入",
    );
  });

  it("uses a formula's saved result, and refuses a formula without one", async () => {
    const rows: CellInput[][] = [
      header,
      row(60, { 1: { formula: '"学生"&"60"', result: "学生60" } }),
      row(61, { 1: { formula: '"学生"&"61"' } }),
      row(62, { 6: { formula: "1/0", result: { error: "#DIV/0!" } as unknown as string } }),
    ];
    const { errors } = await dryRunOf(
      school1,
      "students",
      "formula.xlsx",
      await xlsxBuffer([{ name: "学生", rows }]),
    );
    expect(errors.map((e) => [e.row, e.column])).toEqual([
      [3, "姓名"],
      [4, "年级"],
    ]);
    expect(errors[0].reason).toContain("公式但没有保存计算结果");
    expect(errors[1].reason).toContain("错误值 #DIV/0!");
  });

  it("names merged cells in the data", async () => {
    const rows = [header, row(70), row(71, { 5: null }), row(72, { 5: null })];
    const { job, errors } = await dryRunOf(
      school1,
      "students",
      "merged.xlsx",
      await xlsxBuffer([{ name: "学生", rows, merges: ["F2:F4"] }]),
    );
    expect(job?.status).toBe("invalid");
    expect(errors).toContainEqual({
      row: 2,
      column: "学校标识码",
      value: "F2:F4",
      reason: "F2:F4 是合并单元格：导入要求每一行都填写完整，请取消合并，并把值填到每一行",
    });
  });
});

describe("files that are not what they claim", () => {
  it("refuses a file that is not a spreadsheet under an .xlsx name, before any job", async () => {
    const res = await upload(school1, "students", "名单.xlsx", "这不是表格");
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ code: "UNSUPPORTED_FILE" });
    expect(res.json().message).toContain("内容不是 Excel 工作簿");
    const old = await upload(
      school1,
      "students",
      "名单.xlsx",
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 1, 2]),
    );
    expect(old.json().message).toContain("97-2003");
    expect((await school1.get("/api/imports")).json().total).toBeGreaterThan(0);
  });

  it("refuses a file over the upload limit and keeps nothing of it", async () => {
    const before = (await school1.get("/api/imports")).json().total;
    const big = Buffer.alloc((1 << 20) + 100_000, "a");
    const res = await upload(school1, "students", "big.csv", big);
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: "FILE_TOO_LARGE" });
    expect(res.json().message).toContain("1 MB");
    expect((await school1.get("/api/imports")).json().total).toBe(before);
  });

  it("stops a zip bomb with a clear error and keeps the server answering", async () => {
    const service = new ImportService(new ImportRepository(t.database), {
      uploadDir: `/tmp/edu-import-bomb-${process.pid}`,
      maxUploadBytes: 1 << 30,
      inflateLimit: 4 << 20,
    });
    const bomb = zipBomb(
      64 << 20,
      ["学籍号", "姓名", "学校标识码", "年级"],
      [`G${id(90)}`, "张三", "1411020001", "三年级"],
    );
    expect(bomb.length).toBeLessThan(1 << 20);
    const job = await service.importLocalFile(systemActor(), "students", tmpFile("bomb.xlsx", bomb));
    await service.idle();
    const done = await service.get(systemActor(), job.id);
    expect(done.status).toBe("invalid");
    expect(done.message).toMatch(/解压后超过 4 MB.*压缩炸弹/);
    expect(done).toMatchObject({ errorCount: 1, errorsStored: 1 });
    expect((await t.app.inject({ method: "GET", url: "/api/health" })).statusCode).toBe(200);
  });

  it("reports a corrupt workbook", async () => {
    const good = await xlsxBuffer([{ name: "学生", rows: [header, row(80)] }]);
    const { job, errors } = await dryRunOf(
      school1,
      "students",
      "corrupt.xlsx",
      good.subarray(0, good.length - 200),
    );
    expect(job?.status).toBe("invalid");
    expect(reasons(errors)).toContain("已损坏");
  });
});
