import { describe, expect, it } from "vitest";
import { evaluateInspection, type InstitutionFacts, type TrainingRule } from "./rules.js";

// The rules as migration 0052 seeds them (values are data; a test bureau may change them).
const rules: TrainingRule[] = [
  { code: "academic_rest_day", label: "", value: null, unit: null, appliesTo: "academic", basis: "" },
  { code: "online_session_minutes", label: "", value: 30, unit: "分钟", appliesTo: "all", basis: "" },
  { code: "online_break_minutes", label: "", value: 10, unit: "分钟", appliesTo: "all", basis: "" },
  { code: "online_end_hour", label: "", value: 21, unit: "时", appliesTo: "all", basis: "" },
  { code: "prepay_months", label: "", value: 3, unit: "个月", appliesTo: "all", basis: "" },
  { code: "prepay_hours", label: "", value: 60, unit: "课时", appliesTo: "all", basis: "" },
  { code: "prepay_account", label: "", value: null, unit: null, appliesTo: "all", basis: "" },
  { code: "unlicensed", label: "", value: null, unit: null, appliesTo: "all", basis: "" },
];
const academic: InstitutionFacts = {
  category: "academic",
  licenceNo: "教民1411023700001号",
  licenceValidTo: "2027-12-31",
};
const art: InstitutionFacts = { ...academic, category: "non_academic" };
const codes = (f: ReturnType<typeof evaluateInspection>) => f.map((x) => x.ruleCode);

describe("evaluateInspection", () => {
  it("finds nothing when nothing observed breaks a rule, including values exactly at the limits", () => {
    const obs = {
      onlineSessionMinutes: 30,
      onlineBreakMinutes: 10,
      onlineEndTime: "21:00",
      prepaidMonths: 3,
      prepaidHours: 60,
      prepayOutsideAccount: false,
    };
    expect(evaluateInspection(academic, obs, rules, "2026-11-30")).toEqual([]);
  });

  it("flags each threshold just past its limit, with the measured figure", () => {
    const f = evaluateInspection(
      academic,
      {
        onlineSessionMinutes: 31,
        onlineBreakMinutes: 9,
        onlineEndTime: "21:01",
        prepaidMonths: 4,
        prepaidHours: 61,
        prepayOutsideAccount: true,
      },
      rules,
      "2026-11-30",
    );
    expect(codes(f)).toEqual([
      "online_session_minutes",
      "online_break_minutes",
      "online_end_hour",
      "prepay_months",
      "prepay_hours",
      "prepay_account",
    ]);
    expect(f.find((x) => x.ruleCode === "prepay_hours")).toMatchObject({ measured: 61 });
    expect(f[0].detail).toContain("超过 30 分钟");
  });

  it("rest-day classes are a finding for 学科类 only", () => {
    const obs = { restDayClassOn: "2026-11-28" };
    expect(codes(evaluateInspection(academic, obs, rules, "2026-11-30"))).toEqual(["academic_rest_day"]);
    expect(evaluateInspection(art, obs, rules, "2026-11-30")).toEqual([]);
  });

  it("no licence, or an expired one, is unlicensed operation", () => {
    expect(codes(evaluateInspection({ ...art, licenceNo: null }, {}, rules, "2026-11-30"))).toEqual([
      "unlicensed",
    ]);
    const expired = evaluateInspection({ ...art, licenceValidTo: "2026-06-30" }, {}, rules, "2026-11-30");
    expect(expired[0].detail).toContain("过期");
  });

  it("follows the data: a bureau that allows 2 months prepaid flags 3", () => {
    const strict = rules.map((r) => (r.code === "prepay_months" ? { ...r, value: 2 } : r));
    expect(codes(evaluateInspection(academic, { prepaidMonths: 3 }, strict, "2026-11-30"))).toEqual([
      "prepay_months",
    ]);
  });
});
