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

  it("stores each reading as the general rule would, whether written plainly or not", () => {
    // the general rule (any number → checked → formatted), against which the plain cells' short cut is held
    const acuity = (v: string) => {
      if (!/^[-+]?\d+(?:\.\d+)?$/.test(v)) return null;
      const x = Number(v);
      const tenths = Math.round(x * 10);
      if ((x > 0 && x <= 2) || x < 4 || x > 5.3 || Math.abs(x * 10 - tenths) > 1e-9) return null;
      return (tenths / 10).toFixed(1);
    };
    const se = (v: string) => {
      if (!/^[-+]?\d+(?:\.\d+)?$/.test(v)) return null;
      const x = Number(v);
      const hundredths = Math.round(x * 100);
      if (Math.abs(x) > 30 || Math.abs(x * 100 - hundredths) > 1e-6) return null;
      return (hundredths / 100).toFixed(2);
    };
    const digits = ["0", "1", "2", "3", "4", "5", "6", "9"];
    const acuities = digits.flatMap((a) => digits.flatMap((b) => [`${a}.${b}`, `${a}.${b}0`, `0${a}.${b}`]));
    const ses = ["", "-", "+"].flatMap((sign) =>
      ["0", "00", "1", "01", "5", "10", "29", "30", "31", "99"].flatMap((whole) =>
        ["", ".0", ".00", ".01", ".25", ".5", ".50", ".125", ".99"].map((part) => `${sign}${whole}${part}`),
      ),
    );
    const rows = [
      ...acuities.map((v) => ({ va: v, se: "0.00", want: [acuity(v), "0.00"] })),
      ...ses.map((v) => ({ va: "5.0", se: v, want: ["5.0", se(v)] })),
    ];
    const { staged } = validate(rows.map((r, i) => [`G${i}`, "2023-10-12", r.va, "5.0", r.se, "0"]));
    expect(staged.map((s, i) => (s ? [s[4], s[6]] : rows[i].want.includes(null) ? rows[i].want : s))).toEqual(
      rows.map((r) => r.want),
    );
  });
});
