import { describe, expect, it } from "vitest";
import type { ImportLookups } from "../exchange/kind.js";
import { type ImportIssue, SheetValidator } from "../exchange/sheet-validator.js";
import { screeningsKind } from "./screening-import.js";

/** The row checks of a screening file, without a database (the student is looked up by SQL later). */
describe("vision screening rows", () => {
  const lookups: ImportLookups = {
    today: "2024-06-01",
    schoolYear: 2023,
    schools: new Map(),
    parents: new Map(),
    counties: new Map(),
    classGroups: new Map(),
  };
  const header = ["学籍号", "筛查日期", "左眼裸眼视力", "右眼裸眼视力", "左眼等效球镜", "右眼等效球镜"];
  const validate = (rows: string[][]) => {
    const issues: ImportIssue[] = [];
    const v = new SheetValidator(screeningsKind, lookups, (i) => issues.push(i));
    const staged = [header, ...rows].map((cells, i) => v.accept({ n: i + 1, cells, types: null }));
    return { staged: staged.slice(1), issues };
  };

  it("reads spherical equivalents with a unit, a typographic minus or full-width characters", () => {
    const { staged, issues } = validate([
      ["G1", "2023-10-12", "4.8", "5.0", "-0.75D", "−1.25"],
      ["G2", "2023-10-12", "4.8", "5.0", "-0.5d", "－２.００Ｄ"],
      ["G3", "2023-10-12", "4.8", "5.0", "+1", "0"],
    ]);
    expect(issues).toEqual([]);
    expect(staged.map((s) => s?.slice(6, 8))).toEqual([
      ["-0.75", "-1.25"],
      ["-0.50", "-2.00"],
      ["1.00", "0.00"],
    ]);
  });

  it("explains a spherical equivalent that is not a number, out of range or too precise", () => {
    const { staged, issues } = validate([
      ["G1", "2023-10-12", "4.8", "5.0", "D", "-0.75"],
      ["G2", "2023-10-12", "4.8", "5.0", "abc", "-0.75"],
      ["G3", "2023-10-12", "4.8", "5.0", "-31", "-0.125"],
    ]);
    expect(staged).toEqual([null, null, null]);
    expect(issues.map((i) => [i.row, i.column, i.value])).toEqual([
      [2, "左眼等效球镜", "D"],
      [3, "左眼等效球镜", "abc"],
      [4, "左眼等效球镜", "-31"],
      [4, "右眼等效球镜", "-0.125"],
    ]);
    expect(issues[0].reason).toBe("必填项为空");
  });
});
