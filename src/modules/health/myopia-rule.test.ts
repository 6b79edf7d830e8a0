import { describe, expect, it } from "vitest";
import {
  ageInYears,
  eyeIsMyopic,
  isMyopic,
  type MyopiaRule,
  myopiaRate,
  myopiaRule,
  WST_663_2020,
} from "./myopia-rule.js";

const normal = { acuity: 5.0, se: 0 };
const reading = (ageYears: number, left = normal, right = normal) => ({ ageYears, left, right });

describe("WS/T 663-2020 screening myopia", () => {
  it("is the rule in force, with its thresholds as data", () => {
    expect(myopiaRule).toBe(WST_663_2020);
    expect(myopiaRule).toMatchObject({ minAgeYears: 6, acuityBelow: 5.0, seAtMost: -0.5 });
    expect(myopiaRule.text).toContain("WS/T 663");
  });

  it("acuity 4.9 is low, 5.0 is not", () => {
    expect(eyeIsMyopic({ acuity: 4.9, se: -1 })).toBe(true);
    expect(eyeIsMyopic({ acuity: 5.0, se: -1 })).toBe(false);
  });

  it("SE −0.50 D is myopic refraction, −0.25 D is not", () => {
    expect(eyeIsMyopic({ acuity: 4.5, se: -0.5 })).toBe(true);
    expect(eyeIsMyopic({ acuity: 4.5, se: -0.25 })).toBe(false);
    // values that are not exact in binary floating point
    expect(eyeIsMyopic({ acuity: 4.9, se: -0.1 - 0.4 })).toBe(true);
    expect(eyeIsMyopic({ acuity: 0.1 * 49, se: -0.5 })).toBe(true);
  });

  it("counts from age 6 on the screening date: 5 is too young, 6 counts", () => {
    const low = { acuity: 4.6, se: -2 };
    expect(isMyopic(reading(5, low, low))).toBe(false);
    expect(isMyopic(reading(6, low, low))).toBe(true);
  });

  it("counts a student when either eye meets the criterion", () => {
    const low = { acuity: 4.8, se: -0.75 };
    expect(isMyopic(reading(9, low, normal))).toBe(true);
    expect(isMyopic(reading(9, normal, low))).toBe(true);
    expect(isMyopic(reading(9, normal, normal))).toBe(false);
  });

  it("needs both signs in the same eye: low acuity in one eye and low SE in the other is not myopia", () => {
    expect(isMyopic(reading(10, { acuity: 4.6, se: 0 }, { acuity: 5.1, se: -3 }))).toBe(false);
    expect(isMyopic(reading(10, { acuity: 5.1, se: -3 }, { acuity: 4.6, se: 0 }))).toBe(false);
  });

  it("takes other thresholds as data", () => {
    const stricter: MyopiaRule = {
      ...WST_663_2020,
      code: "test",
      acuityBelow: 4.9,
      seAtMost: -1,
      minAgeYears: 7,
    };
    expect(isMyopic(reading(8, { acuity: 4.8, se: -0.75 }), stricter)).toBe(false);
    expect(isMyopic(reading(8, { acuity: 4.8, se: -1 }), stricter)).toBe(true);
    expect(isMyopic(reading(6, { acuity: 4.0, se: -5 }), stricter)).toBe(false);
  });
});

describe("ageInYears (周岁 on the screening date)", () => {
  it("goes up on the birthday itself", () => {
    expect(ageInYears("2016-09-10", "2022-09-09")).toBe(5);
    expect(ageInYears("2016-09-10", "2022-09-10")).toBe(6);
    expect(ageInYears("2016-09-10", "2022-09-11")).toBe(6);
  });

  it("puts a 29 February birthday on 1 March in other years", () => {
    expect(ageInYears("2016-02-29", "2022-02-28")).toBe(5);
    expect(ageInYears("2016-02-29", "2022-03-01")).toBe(6);
  });

  it("decides the age boundary of the rule at the screening date", () => {
    const low = { acuity: 4.7, se: -1.25 };
    const born = "2016-05-20";
    expect(isMyopic(reading(ageInYears(born, "2022-05-19"), low, low))).toBe(false);
    expect(isMyopic(reading(ageInYears(born, "2022-05-20"), low, low))).toBe(true);
  });
});

describe("myopiaRate", () => {
  it("is myopic ÷ screened in percent, null with nobody screened", () => {
    expect(myopiaRate(1, 3)).toBe(33.3);
    expect(myopiaRate(0, 0)).toBeNull();
  });
});
