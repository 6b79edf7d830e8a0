/**
 * Dates of the registry. Validity dates are calendar dates in China Standard Time: a merger
 * "on 2024-09-01" takes effect on that date in Lüliang, whatever the server's time zone.
 */
const chinaDate = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Asia/Shanghai",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

/** Today (YYYY-MM-DD) in China Standard Time. */
export function todayInChina(now: Date = new Date()): string {
  return chinaDate.format(now);
}

/** A real calendar date written YYYY-MM-DD (2023-02-30 is not one). */
export function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

/**
 * The school year (学年) a date falls in, named by the year it starts: the school year opens with
 * the autumn term (秋季学期) in September, so 2024-03-01 belongs to school year 2023.
 */
export function schoolYearOf(date: string): number {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  return month >= 9 ? year : year - 1;
}
