import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hash, KeyIndex } from "./key-index.js";

describe("KeyIndex", () => {
  it("answers as a Map of first rows would, for any sequence of keys", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 4 }), { maxLength: 3000 }), (keys) => {
        const index = new KeyIndex();
        const map = new Map<string, number>();
        keys.forEach((k, row) => {
          const expected = map.get(k) ?? -1;
          if (expected < 0) map.set(k, row);
          expect(index.add(k, row)).toBe(expected);
        });
        expect(index.size).toBe(map.size);
      }),
    );
  });

  it("keeps keys apart whose hashes collide, through many growths", () => {
    // Two different keys with the same 32-bit hash, found by brute force (a birthday search).
    const byHash = new Map<number, string>();
    let pair: [string, string] | null = null;
    for (let i = 0; !pair; i++) {
      const k = `G${i}`;
      const other = byHash.get(hash(k));
      if (other !== undefined) pair = [other, k];
      else byHash.set(hash(k), k);
    }
    const index = new KeyIndex();
    expect(index.add(pair[0], 10)).toBe(-1);
    expect(index.add(pair[1], 11)).toBe(-1);
    const n = 200_000;
    for (let i = 0; i < n; i++) expect(index.add(`S${String(i).padStart(18, "0")}`, i + 2)).toBe(-1);
    for (let i = 0; i < n; i += 997) expect(index.add(`S${String(i).padStart(18, "0")}`, 0)).toBe(i + 2);
    expect(index.add(pair[1], 12)).toBe(11);
    expect(index.add(pair[0], 13)).toBe(10);
    expect(index.size).toBe(n + 2);
  });
});
