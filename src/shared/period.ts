import { AppError } from "./errors.js";

/**
 * Reporting periods, one code each (the code is what tables store and URLs carry):
 *   年 year           "2022"          2022-01-01 … 2022-12-31
 *   学年 school year  "2022-2023"     2022-09-01 … 2023-08-31
 *   学期 term         "2022-2023-1"   2022-09-01 … 2023-02-28/29 (第一学期), "-2" 2023-03-01 … 2023-08-31
 *   季 quarter        "2022Q1"        2022-01-01 … 2022-03-31
 *   月 month          "2022-03"       2022-03-01 … 2022-03-31
 * The school year starting on 1 September follows the national school calendar (教育部 校历: 秋季学期
 * 9月1日 开学); the split of the terms at 1 March is this platform's convention for reporting.
 */
export type PeriodType = "year" | "school_year" | "term" | "quarter" | "month";

export const periodTypeNames: Record<PeriodType, string> = {
  year: "年",
  school_year: "学年",
  term: "学期",
  quarter: "季",
  month: "月",
};

export interface Period {
  code: string;
  type: PeriodType;
  /** First day, ISO date. */
  start: string;
  /** Last day, ISO date. */
  end: string;
  /** Chinese label, e.g. "2022—2023学年第一学期". */
  label: string;
}

const iso = (y: number, m: number, d: number) =>
  `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** Parses a period code; throws VALIDATION_FAILED for anything else. */
export function parsePeriod(code: string): Period {
  let m = /^(\d{4})$/.exec(code);
  if (m) {
    const y = Number(m[1]);
    return { code, type: "year", start: iso(y, 1, 1), end: iso(y, 12, 31), label: `${y}年` };
  }
  m = /^(\d{4})-(\d{4})$/.exec(code);
  if (m && Number(m[2]) === Number(m[1]) + 1) {
    const y = Number(m[1]);
    return {
      code,
      type: "school_year",
      start: iso(y, 9, 1),
      end: iso(y + 1, 8, 31),
      label: `${y}—${y + 1}学年`,
    };
  }
  m = /^(\d{4})-(\d{4})-([12])$/.exec(code);
  if (m && Number(m[2]) === Number(m[1]) + 1) {
    const y = Number(m[1]);
    const first = m[3] === "1";
    return {
      code,
      type: "term",
      start: first ? iso(y, 9, 1) : iso(y + 1, 3, 1),
      end: first ? iso(y + 1, 2, lastDay(y + 1, 2)) : iso(y + 1, 8, 31),
      label: `${y}—${y + 1}学年${first ? "第一" : "第二"}学期`,
    };
  }
  m = /^(\d{4})Q([1-4])$/.exec(code);
  if (m) {
    const y = Number(m[1]);
    const q = Number(m[2]);
    return {
      code,
      type: "quarter",
      start: iso(y, q * 3 - 2, 1),
      end: iso(y, q * 3, lastDay(y, q * 3)),
      label: `${y}年第${"一二三四"[q - 1]}季度`,
    };
  }
  m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(code);
  if (m) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    return {
      code,
      type: "month",
      start: iso(y, mo, 1),
      end: iso(y, mo, lastDay(y, mo)),
      label: `${y}年${mo}月`,
    };
  }
  throw new AppError(
    "VALIDATION_FAILED",
    `无法识别的统计期“${code}”（应为 2022、2022-2023、2022-2023-1、2022Q1 或 2022-03）`,
  );
}

/** The period of the same type just before this one (2022 → 2021, 2022Q1 → 2021Q4 …). */
export function previousPeriod(code: string): Period {
  const p = parsePeriod(code);
  const y = Number(p.code.slice(0, 4));
  switch (p.type) {
    case "year":
      return parsePeriod(String(y - 1));
    case "school_year":
      return parsePeriod(`${y - 1}-${y}`);
    case "term":
      return p.code.endsWith("-2") ? parsePeriod(`${y}-${y + 1}-1`) : parsePeriod(`${y - 1}-${y}-2`);
    case "quarter": {
      const q = Number(p.code.slice(5));
      return parsePeriod(q === 1 ? `${y - 1}Q4` : `${y}Q${q - 1}`);
    }
    case "month": {
      const mo = Number(p.code.slice(5));
      return parsePeriod(mo === 1 ? `${y - 1}-12` : `${y}-${String(mo - 1).padStart(2, "0")}`);
    }
  }
}
