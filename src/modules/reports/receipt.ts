import crypto from "node:crypto";

/**
 * The whistle-blower's receipt: a code (查询码) that names the report and a separate secret (查询密码)
 * that proves the holder filed it. Pure apart from the random source.
 *
 * Both are Crockford base32 (no I, L, O, U: nothing to misread when copied from paper). The code is
 * 11 random symbols and a check symbol (Luhn mod 32: catches any one wrong symbol and most swapped
 * neighbours), shown as XXXX-XXXX-XXXX, so a
 * mistyped or invented code is refused before the database is asked. The secret is 16 random
 * symbols (80 bits). Only SHA-256(code ‖ secret) is stored: with 80 bits of entropy a slow hash adds
 * nothing, and the attempt limit per code stops online guessing.
 */
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

const CODE_RANDOM = 11;
const SECRET_LENGTH = 16;

function randomSymbols(n: number): string {
  const bytes = crypto.randomBytes(n);
  let s = "";
  for (let i = 0; i < n; i++) s += ALPHABET[bytes[i] & 31];
  return s;
}

/** Luhn mod N (N = 32) check symbol of `body`. */
function checkSymbol(body: string): string {
  const n = ALPHABET.length;
  let factor = 2;
  let sum = 0;
  for (let i = body.length - 1; i >= 0; i--) {
    const addend = factor * ALPHABET.indexOf(body[i]);
    factor = factor === 2 ? 1 : 2;
    sum += Math.floor(addend / n) + (addend % n);
  }
  return ALPHABET[(n - (sum % n)) % n];
}

const group = (s: string) => s.match(/.{1,4}/g)!.join("-");

/** Upper-cases, maps the look-alikes Crockford allows (O→0, I/L→1) and drops dashes and spaces. */
export function normaliseSymbols(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
}

export function newReceipt(): { code: string; secret: string } {
  const body = randomSymbols(CODE_RANDOM);
  return { code: group(body + checkSymbol(body)), secret: group(randomSymbols(SECRET_LENGTH)) };
}

/** A receipt from given symbols (the demo's fixed receipts; tests). `body` is 11 code symbols. */
export function receiptFromSymbols(body: string, secret: string): { code: string; secret: string } {
  const b = normaliseSymbols(body);
  return { code: group(b + checkSymbol(b)), secret };
}

export type CodeProblem = "format" | "check";

/** The code in its canonical form (XXXX-XXXX-XXXX), or why it cannot be one we issued. */
export function parseReceiptCode(input: string): { code: string } | { problem: CodeProblem } {
  const s = normaliseSymbols(input);
  if (s.length !== CODE_RANDOM + 1 || ![...s.slice(0, -1)].every((c) => ALPHABET.includes(c)))
    return { problem: "format" };
  if (checkSymbol(s.slice(0, -1)) !== s.slice(-1)) return { problem: "check" };
  return { code: group(s) };
}

export function hashSecret(code: string, secret: string): string {
  return crypto
    .createHash("sha256")
    .update(`${code}\n${normaliseSymbols(secret)}`)
    .digest("hex");
}

/** Constant-time comparison of a presented secret with the stored hash. */
export function secretMatches(code: string, secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(code, secret), "hex");
  const b = Buffer.from(storedHash, "hex");
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
