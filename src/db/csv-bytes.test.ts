import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvBytes, toCsv } from "./connect.js";

/** The fast COPY encoder must write exactly the CSV that toCsv describes, as UTF-8. */
describe("csvBytes", () => {
  it("equals toCsv encoded as UTF-8, for any text (quotes, commas, newlines, CJK, nulls)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.option(fc.string({ unit: "binary" }), { nil: null }), { maxLength: 6 }), {
          maxLength: 20,
        }),
        (rows) => Buffer.from(toCsv(rows)).equals(Buffer.from(csvBytes(rows))),
      ),
      { numRuns: 2000 },
    );
  });

  it("grows past its scratch buffer and returns independent copies", () => {
    const big = [["x".repeat(3_000_000), "中".repeat(1_000_000), null, 'a"b']];
    const first = csvBytes(big);
    expect(Buffer.from(first).equals(Buffer.from(toCsv(big)))).toBe(true);
    const second = csvBytes([["y"]]);
    expect(Buffer.from(second).toString()).toBe('"y"\n');
    expect(Buffer.from(first.subarray(0, 3)).toString()).toBe('"xx');
  });
});
