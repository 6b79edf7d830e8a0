import { describe, expect, it } from "vitest";
import { hashSecret, newReceipt, parseReceiptCode, receiptFromSymbols, secretMatches } from "./receipt.js";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

describe("receipt codes", () => {
  it("issues well-formed, distinct codes and secrets", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const r = newReceipt();
      expect(r.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      expect(r.secret).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
      expect(parseReceiptCode(r.code)).toEqual({ code: r.code });
      seen.add(r.code);
    }
    expect(seen.size).toBe(200);
  });

  it("reads codes as people type them: lower case, no dashes, O for 0, I or L for 1", () => {
    const { code } = receiptFromSymbols("DEM0REP0RT1", "x");
    const typed = code.toLowerCase().replace(/-/g, " ").replace(/0/g, "o").replace(/1/g, "l");
    expect(parseReceiptCode(typed)).toEqual({ code });
  });

  it("refuses every code with one symbol changed (check symbol), and wrong lengths", () => {
    const { code } = receiptFromSymbols("K7QM2HXD9PR", "x");
    const plain = code.replace(/-/g, "");
    for (let pos = 0; pos < plain.length; pos++)
      for (const c of ALPHABET) {
        if (c === plain[pos]) continue;
        const forged = plain.slice(0, pos) + c + plain.slice(pos + 1);
        expect(parseReceiptCode(forged), forged).toEqual({ problem: "check" });
      }
    expect(parseReceiptCode(plain.slice(1))).toEqual({ problem: "format" });
    expect(parseReceiptCode(`${plain}A`)).toEqual({ problem: "format" });
    expect(parseReceiptCode("<script>alert(1)</script>")).toEqual({ problem: "format" });
  });

  it("refuses most swapped neighbours", () => {
    let caught = 0;
    let total = 0;
    for (let i = 0; i < 300; i++) {
      const plain = newReceipt().code.replace(/-/g, "");
      for (let pos = 0; pos < plain.length - 1; pos++) {
        if (plain[pos] === plain[pos + 1]) continue;
        const swapped = plain.slice(0, pos) + plain[pos + 1] + plain[pos] + plain.slice(pos + 2);
        total++;
        if ("problem" in parseReceiptCode(swapped)) caught++;
      }
    }
    expect(caught / total).toBeGreaterThan(0.9);
  });
});

describe("receipt secrets", () => {
  it("only the hash is kept, bound to the code; comparison tolerates how the secret is typed", () => {
    const r = newReceipt();
    const h = hashSecret(r.code, r.secret);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(secretMatches(r.code, r.secret, h)).toBe(true);
    expect(secretMatches(r.code, r.secret.toLowerCase().replace(/-/g, ""), h)).toBe(true);
    expect(secretMatches(r.code, newReceipt().secret, h)).toBe(false);
    expect(secretMatches(newReceipt().code, r.secret, h)).toBe(false);
    expect(secretMatches(r.code, r.secret, "not-a-hash")).toBe(false);
  });
});
