import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeIndicator } from "../engine.js";
import { checkExpression, compileExpression, type ElementInfo } from "./check.js";
import { UnitEvaluator, type UnitFacts, valueKey } from "./evaluate.js";
import { ExpressionError, parseExpression } from "./parse.js";

const elements = new Map<string, ElementInfo>([
  ["uplink_mbps", { code: "uplink_mbps", name: "出口带宽", valueType: "number" }],
  ["safe_campus", { code: "safe_campus", name: "平安校园", valueType: "boolean" }],
  ["principal_name", { code: "principal_name", name: "校长姓名", valueType: "text" }],
]);

function issues(src: string) {
  const r = checkExpression(src, elements);
  return r.ok ? [] : r.issues;
}

function unit(over: Partial<UnitFacts> & { code: string; path: string }): UnitFacts {
  return {
    id: Number(over.code.replace(/\D/g, "").slice(-6)) || 1,
    name: over.code,
    kind: "school",
    countyCode: "141102",
    schoolType: "211",
    ownership: "public",
    inclusive: null,
    urbanRural: "urban",
    boarding: false,
    stages: ["primary"],
    compulsory: true,
    level: "county",
    current: true,
    mergedInPeriod: false,
    openedInPeriod: false,
    students: [],
    staff: [],
    values: new Map(),
    health: null,
    safety: null,
    ...over,
  };
}

describe("parser", () => {
  it("parses precedence: * before +, comparison before and, and before or", () => {
    const e = parseExpression("1 + 2 * 3");
    expect(e).toMatchObject({ k: "binary", op: "+", right: { k: "binary", op: "*" } });
    const c = parseExpression('a = "x" or b = 1 and c = 2');
    expect(c).toMatchObject({ k: "binary", op: "or", right: { k: "binary", op: "and" } });
  });

  it("keeps source positions on every node", () => {
    const e = parseExpression('students(stage = "junior")');
    expect(e).toMatchObject({ k: "call", start: 0, end: 26, nameEnd: 8 });
    if (e.k !== "call") throw new Error();
    expect(e.args[0]).toMatchObject({ start: 9, end: 25 });
  });

  it("accepts Chinese quotes, ≥ and ≤, and 55% as 55", () => {
    const e = parseExpression("value(“uplink_mbps”) ≥ 55%");
    expect(e).toMatchObject({ k: "binary", op: ">=", right: { k: "num", value: 55 } });
  });

  it.each([
    ["", "表达式为空", 0],
    ["1 +", "表达式不完整", 3],
    ["(1 + 2", "缺少右括号", 6],
    ['students(stage = "junior"', "缺少右括号", 25],
    ["1 2", "多余的内容", 2],
    ['"abc', "缺少结束引号", 0],
    ["1 # 2", "无法识别的字符“#”", 2],
    ["1 < 2 < 3", "比较运算不能连用", 6],
    ["and 1", "前缺少运算对象", 0],
  ])("reports %j as an error at its position", (src, message, start) => {
    try {
      parseExpression(src);
      throw new Error("no error");
    } catch (e) {
      expect(e).toBeInstanceOf(ExpressionError);
      const issue = (e as ExpressionError).issue;
      expect(issue.message).toContain(message);
      expect(issue.start).toBe(start);
    }
  });

  it("refuses deep nesting and overlong text instead of overflowing the stack", () => {
    expect(() => parseExpression(`${"(".repeat(500)}1${")".repeat(500)}`)).toThrow(/嵌套过深|过长/);
    expect(() => parseExpression(`${"1+".repeat(1500)}1`)).toThrow(/过长/);
  });

  it("never runs code: JavaScript in an expression is only an unknown name or a syntax error", () => {
    (globalThis as Record<string, unknown>).__pwned = false;
    for (const src of [
      "process.exit(1)",
      'require("child_process")',
      'constructor.constructor("globalThis.__pwned = true")()',
      "this.__pwned",
      "(() => 1)()",
      "students.__proto__",
      "`x`",
      "x; y",
    ]) {
      const r = checkExpression(src, elements);
      expect(r.ok, src).toBe(false);
    }
    expect((globalThis as Record<string, unknown>).__pwned).toBe(false);
  });

  it("never throws anything but ExpressionError on arbitrary input", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        try {
          parseExpression(s);
        } catch (e) {
          if (!(e instanceof ExpressionError)) throw e;
          expect(e.issue.start).toBeGreaterThanOrEqual(0);
          expect(e.issue.end).toBeLessThanOrEqual(Math.max(s.length, e.issue.start + 1));
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("checker", () => {
  it("accepts the formulas of the 2022 plan", () => {
    for (const src of [
      'students(stage = "preschool" and (ownership = "public" or inclusive))',
      'students(stage in ["primary", "junior"] and ownership = "private")',
      'schools(type != "111" and value("uplink_mbps") >= 1000)',
      'counties(value("uplink_mbps") >= 10000)',
      'staff(posts = "教研员" and level = "city")',
      "myopic() / screened() * 100",
      'mergers(urbanRural = "rural")',
    ])
      expect(issues(src), src).toEqual([]);
  });

  it("resolves Chinese names and values to the canonical ones", () => {
    const c = compileExpression('学生数(学段 = "学前" and 举办者 = "民办")', elements);
    expect(JSON.stringify(c.tree)).toContain('"name":"students"');
    expect(JSON.stringify(c.tree)).toContain('"value":"preschool"');
    expect(JSON.stringify(c.tree)).toContain('"value":"private"');
    expect([...c.sources]).toEqual(["people"]);
  });

  it("reports unknown names with their positions", () => {
    expect(issues("studnts()")).toEqual([
      expect.objectContaining({ message: "未知的函数“studnts”", start: 0, end: 7 }),
    ]);
    expect(issues('students(stag = "junior")')).toEqual([
      expect.objectContaining({ start: 9, end: 13, message: expect.stringContaining("没有属性“stag”") }),
    ]);
    expect(issues('schools(value("uplink") > 1)')).toEqual([
      expect.objectContaining({ start: 14, end: 22, message: "未知的数据项“uplink”" }),
    ]);
    expect(issues('students(ownership = "privte")')).toEqual([
      expect.objectContaining({ start: 21, end: 29, message: expect.stringContaining("没有取值“privte”") }),
    ]);
    expect(issues("stage")).toEqual([expect.objectContaining({ start: 0, end: 5 })]);
  });

  it("reports type errors with their positions", () => {
    expect(issues('students() + "a"')).toEqual([expect.objectContaining({ start: 13, end: 16 })]);
    expect(issues("students(1)")).toEqual([expect.objectContaining({ start: 9, end: 10 })]);
    expect(issues("students() > 1")[0].message).toContain("结果应为数值");
    expect(issues('students(grade = "一")')[0].message).toContain("不能比较");
    expect(issues('value("principal_name")')[0].message).toContain("结果应为数值，而这里是文字");
    expect(issues('value("principal_name") + 1')[0]).toMatchObject({ start: 0, end: 23 });
    expect(issues('schools(value("principal_name") = "张三")')).toEqual([]);
    expect(issues("students(schools() > 1)")[0]).toMatchObject({ start: 9, end: 16 });
    expect(issues("min(1)")[0].message).toContain("需要2个参数");
  });

  it("knows the 平安校园 inspection counts, by name and Chinese alias, as the safety source", () => {
    for (const src of [
      "safeCampusPassed() / schools() * 100",
      "safeCampusInspected()",
      '平安校园达标学校数(type != "111") + 平安校园受检学校数(举办者 = "民办")',
    ])
      expect(issues(src), src).toEqual([]);
    const c = compileExpression("平安校园达标学校数()", elements);
    expect(c.tree).toMatchObject({ k: "call", name: "safeCampusPassed" });
    expect([...c.sources]).toEqual(["safety"]);
    expect([...compileExpression("safeCampusPassed() / schools()", elements).sources].sort()).toEqual([
      "registry",
      "safety",
    ]);
    expect(issues("safeCampusPass()")).toEqual([
      expect.objectContaining({ message: "未知的函数“safeCampusPass”", start: 0, end: 14 }),
    ]);
    expect(issues("safeCampusPassed(1)")).toEqual([
      expect.objectContaining({ start: 17, end: 18, message: expect.stringContaining("条件应为是/否") }),
    ]);
    expect(issues('safeCampusPassed(stage = "junior")')).toEqual([
      expect.objectContaining({ start: 17, end: 22, message: expect.stringContaining("没有属性“stage”") }),
    ]);
    expect(issues("schools(safeCampusInspected() > 0)")[0]).toMatchObject({ start: 8, end: 27 });
  });

  it("reports every problem, not only the first", () => {
    expect(issues('studnts() + students(stag = 1) + value("nope")')).toHaveLength(3);
  });
});

describe("evaluation", () => {
  const school = unit({
    code: "1411020001",
    path: "/141100/141102/1411020001/",
    ownership: "private",
    students: [
      { stage: "primary", grade: 1, gender: "M", n: 10 },
      { stage: "junior", grade: 7, gender: "F", n: 5 },
      { stage: "senior", grade: 10, gender: "F", n: 3 },
    ],
    values: new Map([[valueKey("uplink_mbps"), 1000]]),
  });

  const n = (src: string, u = school) => new UnitEvaluator(u).number(compileExpression(src, elements).tree);

  it("counts a current school's 平安校园 inspection in the period: inspected, and passed", () => {
    const at = (safety: UnitFacts["safety"], over: Partial<UnitFacts> = {}) => {
      const u = unit({ code: "1411020009", path: "/141100/141102/1411020009/", safety, ...over });
      const ev = new UnitEvaluator(u);
      const r = [
        ev.number(compileExpression("safeCampusInspected()", elements).tree),
        ev.number(compileExpression("safeCampusPassed()", elements).tree),
      ];
      return [...r, ev.touched];
    };
    expect(at({ passed: true })).toEqual([1, 1, true]);
    expect(at({ passed: false })).toEqual([1, 0, true]);
    expect(at(null)).toEqual([0, 0, false]);
    // a school no longer in operation, or a county, is not counted (as schools() does not count them)
    expect(at({ passed: true }, { current: false })).toEqual([0, 0, false]);
    expect(at({ passed: true }, { kind: "county" })).toEqual([0, 0, false]);
    expect(
      n('safeCampusPassed(ownership = "public")', unit({ code: "1", path: "/1/", safety: { passed: true } })),
    ).toBe(1);
    expect(
      n(
        'safeCampusPassed(ownership = "private")',
        unit({ code: "1", path: "/1/", safety: { passed: true } }),
      ),
    ).toBe(0);
  });

  it("counts and filters a unit's own figures", () => {
    expect(n("students()")).toBe(18);
    expect(n('students(stage in ["primary", "junior"])')).toBe(15);
    expect(n('students(ownership = "public")')).toBe(0);
    expect(n('schools(value("uplink_mbps") >= 1000)')).toBe(1);
    expect(n('schools(value("safe_campus") = 1)')).toBe(0);
    expect(n('coalesce(value("safe_campus"), 7)')).toBe(7);
    expect(n('if(value("uplink_mbps") > 10, 2, 3)')).toBe(2);
    expect(n("students() / 0")).toBeNull();
  });

  it("rolls ratios up the tree by summing numerators and denominators, not by averaging", () => {
    const a = unit({
      code: "1411020001",
      path: "/141100/141102/1411020001/",
      students: [{ stage: "preschool", grade: 0, gender: "M", n: 90 }],
      ownership: "public",
    });
    const b = unit({
      code: "1411020002",
      path: "/141100/141102/1411020002/",
      students: [{ stage: "preschool", grade: 0, gender: "M", n: 10 }],
      ownership: "private",
    });
    const f = computeIndicator(
      {
        numerator: compileExpression('students(ownership = "public")', elements),
        denominator: compileExpression("students()", elements),
        factor: 100,
      },
      [a, b],
    );
    // 90 / (90 + 10) = 90 %, not the mean of 100 % and 0 %.
    expect(f.get("/141100/141102/")).toMatchObject({ numerator: 90, denominator: 100, value: 90 });
    expect(f.get("/141100/")).toMatchObject({ value: 90 });
    expect(f.get("/141100/141102/1411020002/")).toMatchObject({ value: 0 });
  });

  it("says no data, not zero, when a formula reads reports and nobody reported", () => {
    const f = computeIndicator(
      {
        numerator: compileExpression('schools(value("uplink_mbps") >= 1000)', elements),
        denominator: compileExpression("schools()", elements),
        factor: 100,
      },
      [unit({ code: "1411020009", path: "/141100/141102/1411020009/" })],
    );
    expect(f.get("/141100/")).toMatchObject({ numerator: 0, denominator: 1, value: null, reported: 0 });
  });
});
