/**
 * Resident identity numbers (公民身份号码), GB 11643-1999: 6-digit region code (GB/T 2260),
 * 8-digit birth date, 3-digit sequence (odd for men, even for women), check character computed by
 * ISO 7064 MOD 11-2 over the first 17 digits.
 */
const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const checkChars = "10X98765432";

/** The check character for the first 17 digits (ISO 7064 MOD 11-2). */
export function residentIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * weights[i];
  return checkChars[sum % 11];
}

export type ResidentIdProblem = "length" | "characters" | "scientific" | "birthDate" | "checkDigit";

export interface ResidentIdInfo {
  regionCode: string;
  birthDate: string; // YYYY-MM-DD
  gender: "M" | "F";
}

/** Reasons in Chinese, shown to the person who typed or imported the number. */
export const residentIdMessages: Record<ResidentIdProblem, string> = {
  length: "身份证号应为18位",
  characters: "身份证号只能包含数字，最后一位可以是X",
  scientific:
    "身份证号被Excel当作数字保存（科学计数法或末几位变成0）。请把该列设置为“文本”格式后重新输入，或在号码前加英文单引号 '",
  birthDate: "身份证号中的出生日期无效",
  checkDigit: "身份证号校验位错误，请核对",
};

/**
 * Checks an 18-character resident ID. Returns the parsed parts, or the reason it is invalid.
 * Detects the damage Excel does to long numbers: 1.41102E+17 and trailing zeros (15 significant
 * digits kept, so an 18-digit number loses its last 3).
 */
export function parseResidentId(
  raw: string,
): { ok: true; value: string; info: ResidentIdInfo } | { ok: false; problem: ResidentIdProblem } {
  const v = raw.trim().toUpperCase();
  if (/^\d(\.\d+)?E\+?\d+$/.test(v)) return { ok: false, problem: "scientific" };
  if (v.length !== 18) return { ok: false, problem: "length" };
  if (!/^\d{17}[\dX]$/.test(v)) return { ok: false, problem: "characters" };
  const y = Number(v.slice(6, 10));
  const m = Number(v.slice(10, 12));
  const d = Number(v.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  const validDate =
    y >= 1900 && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  if (residentIdCheckChar(v) !== v[17]) {
    // An 18-digit number stored by Excel keeps 15 significant digits: the last three become 000.
    if (v.endsWith("000")) return { ok: false, problem: "scientific" };
    return { ok: false, problem: "checkDigit" };
  }
  if (!validDate) return { ok: false, problem: "birthDate" };
  return {
    ok: true,
    value: v,
    info: {
      regionCode: v.slice(0, 6),
      birthDate: `${v.slice(6, 10)}-${v.slice(10, 12)}-${v.slice(12, 14)}`,
      gender: Number(v[16]) % 2 === 1 ? "M" : "F",
    },
  };
}

/** Masked for lists: region code and last four kept, 141102********1234. */
export function maskResidentId(id: string | null): string | null {
  if (!id) return id;
  if (id.length < 10) return "*".repeat(id.length);
  return `${id.slice(0, 6)}${"*".repeat(id.length - 10)}${id.slice(-4)}`;
}

/** Builds a valid ID from its parts (the demo city and tests use it). */
export function makeResidentId(regionCode: string, birthDate: string, sequence: number): string {
  const first17 = `${regionCode}${birthDate.replaceAll("-", "")}${String(sequence).padStart(3, "0")}`;
  return first17 + residentIdCheckChar(first17);
}
