import { describe, expect, it } from "vitest";
import { CENSUS_PACK, readFormPack } from "./pack.js";
import {
  checkReturn,
  checkValue,
  type ElementDef,
  evaluateRules,
  type FormRule,
  type FormValue,
  missingRequired,
  ruleDefinitionIssues,
  withTotals,
} from "./validation.js";
import { type TransitionFacts, transition } from "./workflow.js";

const el = (
  code: string,
  valueType: ElementDef["valueType"],
  extra: Partial<ElementDef> = {},
): ElementDef => ({
  code,
  name: code,
  valueType,
  unit: null,
  options: [],
  disaggregation: [],
  ...extra,
});
const uplink = el("uplink", "number", { name: "出口带宽", unit: "Mbps" });
const classBw = el("class_bw", "number", { name: "班级带宽", unit: "Mbps" });
const students = el("students", "integer", {
  name: "学生数",
  disaggregation: [
    { code: "m", name: "男" },
    { code: "f", name: "女" },
  ],
});
const safe = el("safe", "choice", {
  options: [
    { code: "met", name: "达标" },
    { code: "unmet", name: "未达标" },
  ],
});
const elements = new Map([uplink, classBw, students, safe].map((e) => [e.code, e]));
const values = (o: Record<string, FormValue>) => new Map(Object.entries(o));

describe("checkValue", () => {
  it("reads each type from JSON and from what people type", () => {
    expect(checkValue(el("n", "integer"), "1,200")).toEqual({ value: 1200 });
    expect(checkValue(el("n", "integer"), "１２")).toEqual({ value: 12 });
    expect(checkValue(el("n", "integer"), 1.5)).toEqual({ error: "应为整数，不能有小数" });
    expect(checkValue(el("n", "number"), "12.5")).toEqual({ value: 12.5 });
    expect(checkValue(el("n", "number"), "abc")).toEqual({ error: "应为数值（只能填写数字）" });
    expect(checkValue(el("p", "percentage"), "85%")).toEqual({ value: 85 });
    expect(checkValue(el("p", "percentage"), 101)).toEqual({ error: "百分比应在 0 到 100 之间" });
    expect(checkValue(el("b", "boolean"), "是")).toEqual({ value: true });
    expect(checkValue(el("b", "boolean"), "无")).toEqual({ value: false });
    expect(checkValue(el("b", "boolean"), "也许")).toEqual({ error: "应为“是”或“否”" });
    expect(checkValue(safe, "达标")).toEqual({ value: "met" });
    expect(checkValue(safe, "unmet")).toEqual({ value: "unmet" });
    expect(checkValue(safe, "优秀")).toEqual({ error: "应为以下选项之一：达标、未达标" });
    expect(checkValue(el("n", "number"), "")).toEqual({ value: null });
  });
});

describe("rules", () => {
  const bandwidth: FormRule = { kind: "compare", left: "class_bw", op: "<=", right: { element: "uplink" } };

  it("a cross-field rule: class bandwidth cannot exceed the school's uplink", () => {
    expect(evaluateRules([bandwidth], elements, values({ uplink: 1000, class_bw: 100 }))).toEqual([]);
    expect(evaluateRules([bandwidth], elements, values({ uplink: 100, class_bw: 100 }))).toEqual([]);
    expect(evaluateRules([bandwidth], elements, values({ uplink: 100, class_bw: 200 }))).toEqual([
      { element: "class_bw", message: "班级带宽（200Mbps）不能大于出口带宽（100Mbps）" },
    ]);
    // a missing side is left to `required`
    expect(evaluateRules([bandwidth], elements, values({ class_bw: 200 }))).toEqual([]);
  });

  it("compares with a constant and uses the rule's own message", () => {
    const r: FormRule = { kind: "compare", left: "uplink", op: ">=", right: { value: 10 }, message: "太慢" };
    expect(evaluateRules([r], elements, values({ uplink: 5 }))).toEqual([
      { element: "uplink", message: "太慢" },
    ]);
  });

  it("a range applies to every combo of a disaggregated element", () => {
    const r: FormRule = { kind: "range", element: "students", min: 0, max: 500 };
    const issues = evaluateRules([r], elements, values({ "students:m": 600, "students:f": 10 }));
    expect(issues).toEqual([
      { element: "students", disaggregation: "m", message: "学生数（男）为 600，应在 0 到 500 之间" },
    ]);
    expect(
      evaluateRules([{ kind: "range", element: "uplink", min: 1 }], elements, values({ uplink: 0 })),
    ).toEqual([{ element: "uplink", message: "出口带宽为 0Mbps，不能小于 1Mbps" }]);
  });

  it("totals of combos are their sum; required combos are each reported", () => {
    const v = withTotals([students], values({ "students:m": 3, "students:f": 4 }));
    expect(v.get("students")).toBe(7);
    expect(withTotals([students], values({})).get("students")).toBeNull();
    const req = [{ ...students, required: true }];
    expect(missingRequired(req, values({ "students:m": 3 })).map((i) => i.message)).toEqual([
      "学生数（女）必须填写",
    ]);
  });

  it("a rule must name numeric elements of the form", () => {
    const issues = ruleDefinitionIssues(
      [
        { kind: "compare", left: "safe", op: "<", right: { element: "nope" } },
        { kind: "range", element: "uplink", min: 5, max: 1 },
      ],
      elements,
    );
    expect(issues.map((i) => i.message)).toEqual([
      "规则1：左侧数据项“safe”不是数值型数据项",
      "规则1：右侧数据项“nope”不是本报表的数据项",
      "规则2：最小值大于最大值",
    ]);
  });
});

describe("checkReturn: a return as typed, checked as the server checks it", () => {
  // the census pack's own school form: its elements and rules, as GET /api/forms/:code sends them
  const pack = readFormPack(CENSUS_PACK);
  const form = pack.forms.find((f) => f.code === "school_census")!;
  const els: ElementDef[] = form.elements.map((fe) => {
    const e = pack.elements.find((x) => x.code === fe.code)!;
    return { ...e, unit: e.unit ?? null };
  });
  const rules = form.rules as FormRule[];
  const byField = (issues: { element: string; disaggregation?: string; message: string }[]) =>
    Object.fromEntries(
      issues.map((i) => [i.disaggregation ? `${i.element}:${i.disaggregation}` : i.element, i.message]),
    );

  it("names every typed value that breaks the form's type, range and cross-field rules", () => {
    const { badValues, brokenRules } = checkReturn(els, rules, {
      teaching_area_m2: "600000",
      sports_area_m2: "-5",
      equipment_value_wan: "abc",
      multimedia_classrooms: "1.5",
      uplink_mbps: "100",
      class_bandwidth_mbps: "1000",
      "after_school_students:m": "30000",
      "after_school_students:f": "10",
      homework_min_primary_low: 400,
    });
    // values the server refuses to save at all
    expect(byField(badValues)).toEqual({
      equipment_value_wan: "教学仪器设备值：应为数值（只能填写数字）",
      multimedia_classrooms: "网络多媒体教室数：应为整数，不能有小数",
    });
    // rules the server refuses to submit with
    expect(byField(brokenRules)).toEqual({
      class_bandwidth_mbps: "班级接入带宽不能超过学校出口带宽",
      teaching_area_m2: "教学及辅助用房面积为 600000㎡，应在 0㎡ 到 500000㎡ 之间",
      sports_area_m2: "体育运动场馆面积为 -5㎡，应在 0㎡ 到 1000000㎡ 之间",
      "after_school_students:m": "参加课后服务学生数（男）为 30000人，应在 0人 到 20000人 之间",
      homework_min_primary_low: "小学一二年级平均书面作业时长为 400分钟，应在 0分钟 到 300分钟 之间",
    });
  });

  it("reads what people type as the server does, and adds the totals of combos", () => {
    const { values, badValues, brokenRules } = checkReturn(els, rules, {
      teaching_area_m2: "6,200",
      multimedia_classrooms: "３０",
      rule_of_law_vp: true,
      safe_campus: "达标",
      "after_school_students:m": "612",
      "after_school_students:f": 587,
      uplink_mbps: "",
    });
    expect([...badValues, ...brokenRules]).toEqual([]);
    expect(values.get("teaching_area_m2")).toBe(6200);
    expect(values.get("multimedia_classrooms")).toBe(30);
    expect(values.get("safe_campus")).toBe("met");
    expect(values.get("after_school_students")).toBe(1199);
    expect(values.get("uplink_mbps")).toBeNull();
    // an empty return is not wrong: required values are checked on submit (missingRequired)
    expect(checkReturn(els, rules, {})).toMatchObject({ badValues: [], brokenRules: [] });
  });
});

describe("approval state machine", () => {
  const facts = (o: Partial<TransitionFacts>): TransitionFacts => ({
    status: "draft",
    actorAbove: false,
    can: { fill: true, approve: false, accept: false },
    roundLocked: false,
    ...o,
  });
  const county = { actorAbove: true, can: { fill: true, approve: true, accept: false } };
  const city = { actorAbove: true, can: { fill: true, approve: true, accept: true } };

  it("school submits → county approves → city accepts", () => {
    expect(transition("save", facts({ status: "none" }))).toEqual({ ok: true, to: "draft" });
    expect(transition("submit", facts({}))).toEqual({ ok: true, to: "submitted" });
    expect(transition("approve", facts({ status: "submitted", ...county }))).toEqual({
      ok: true,
      to: "approved",
    });
    expect(transition("accept", facts({ status: "approved", ...city }))).toEqual({
      ok: true,
      to: "accepted",
    });
  });

  it("refuses what each party may not do", () => {
    expect(transition("approve", facts({ status: "submitted" })).ok).toBe(false); // the school itself
    expect(transition("approve", facts({ status: "submitted", actorAbove: false, can: county.can })).ok).toBe(
      false,
    );
    expect(transition("accept", facts({ status: "approved", ...county })).ok).toBe(false);
    expect(transition("accept", facts({ status: "submitted", ...city })).ok).toBe(false);
    expect(transition("save", facts({ status: "accepted", ...city }))).toEqual({
      ok: false,
      reason: "报表已确认，数据已锁定",
    });
    expect(transition("save", facts({ status: "approved" })).ok).toBe(false);
    expect(transition("save", facts({ roundLocked: true }))).toEqual({
      ok: false,
      reason: "已过截止日期，报表已锁定",
    });
    expect(transition("save", facts({ can: { fill: false, approve: false, accept: false } })).ok).toBe(false);
  });

  it("a return and a reopening need a comment; both go back to returned", () => {
    expect(transition("return", facts({ status: "submitted", ...county })).ok).toBe(false);
    expect(transition("return", facts({ status: "approved", ...county, comment: "请核实" }))).toEqual({
      ok: true,
      to: "returned",
    });
    expect(transition("reopen", facts({ status: "accepted", ...county, comment: "更正" })).ok).toBe(false);
    expect(transition("reopen", facts({ status: "accepted", ...city, comment: "更正" }))).toEqual({
      ok: true,
      to: "returned",
    });
    expect(transition("submit", facts({ status: "returned" }))).toEqual({ ok: true, to: "submitted" });
  });
});
