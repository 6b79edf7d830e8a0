import { describe, expect, it } from "vitest";
import { parsePeriod, previousPeriod } from "./period.js";

describe("periods", () => {
  it.each([
    ["2022", "year", "2022-01-01", "2022-12-31"],
    ["2022-2023", "school_year", "2022-09-01", "2023-08-31"],
    ["2022-2023-1", "term", "2022-09-01", "2023-02-28"],
    ["2023-2024-1", "term", "2023-09-01", "2024-02-29"],
    ["2022-2023-2", "term", "2023-03-01", "2023-08-31"],
    ["2022Q4", "quarter", "2022-10-01", "2022-12-31"],
    ["2022-02", "month", "2022-02-01", "2022-02-28"],
  ])("%s is a %s from %s to %s", (code, type, start, end) => {
    expect(parsePeriod(code)).toMatchObject({ code, type, start, end });
  });

  it.each(["22", "2022-2024", "2022Q5", "2022-13", "2022-2023-3", ""])("refuses %j", (code) => {
    expect(() => parsePeriod(code)).toThrow(/统计期/);
  });

  it.each([
    ["2022", "2021"],
    ["2022-2023", "2021-2022"],
    ["2022-2023-1", "2021-2022-2"],
    ["2022-2023-2", "2022-2023-1"],
    ["2022Q1", "2021Q4"],
    ["2022-01", "2021-12"],
  ])("before %s comes %s", (code, prev) => {
    expect(previousPeriod(code).code).toBe(prev);
  });
});
