import { type Actor, pathInScope, requirePermission } from "../../shared/actor.js";
import { dataEvents } from "../../shared/data-events.js";
import { notFound } from "../../shared/errors.js";
import type { Page } from "../../shared/paging.js";
import { parsePeriod, previousPeriod } from "../../shared/period.js";
import { type MyopiaRule, myopiaRate, myopiaRule } from "./myopia-rule.js";
import {
  type HealthRepository,
  type SchoolMyopiaRow,
  type ScreeningListRow,
  summaryCounts,
} from "./repository.js";

export interface MyopiaFigure {
  screened: number;
  myopic: number;
  /** Percent, one decimal; null with nobody screened. */
  rate: number | null;
}

export interface MyopiaArea extends MyopiaFigure {
  code: string;
  name: string;
  kind: string;
  previous: MyopiaFigure;
  /** Change from the previous period in percentage points; null when either has no data. */
  changePp: number | null;
}

export interface MyopiaSummary {
  period: { code: string; label: string; previous: string };
  rule: MyopiaRule;
  area: MyopiaArea;
  children: MyopiaArea[];
  byGrade: (MyopiaFigure & { grade: number })[];
}

const figure = (screened: number, myopic: number): MyopiaFigure => ({
  screened,
  myopic,
  rate: myopiaRate(myopic, screened),
});

const sum = (rows: SchoolMyopiaRow[], path: string) => {
  let screened = 0;
  let myopic = 0;
  for (const r of rows)
    if (r.orgPath.startsWith(path)) {
      screened += r.screened;
      myopic += r.myopic;
    }
  return figure(screened, myopic);
};

const change = (now: MyopiaFigure, before: MyopiaFigure) =>
  now.rate === null || before.rate === null ? null : Math.round((now.rate - before.rate) * 10) / 10;

/**
 * Vision screenings (学生视力筛查) and the myopia rate (近视率, WS/T 663-2020). Records come in
 * through the exchange module's import (kind "vision-screenings"); this service answers figures
 * and lists. Figures roll up by summing numerators and denominators, never by averaging rates.
 */
export class HealthService {
  private readonly bySchool = new Map<string, { version: number; rows: Promise<SchoolMyopiaRow[]> }>();

  private rebuilding: Promise<void> | null = null;

  constructor(
    private readonly repo: HealthRepository,
    private readonly rule: MyopiaRule = myopiaRule,
  ) {
    // After an import large enough to mark the summary stale, rebuild it at once rather than on the
    // next reader's request.
    dataEvents.on((topic) => {
      if (topic === "health") setImmediate(() => this.summaryUsable().catch(() => {}));
    });
  }

  /**
   * Whether the per-school summary (vision_screening_summary) can answer for this service's rule. A
   * stale summary, or one counting by an older rule, is rebuilt first when the rule is the rule in
   * force; another rule (a test's) is counted from the screenings themselves.
   */
  private async summaryUsable(): Promise<boolean> {
    const state = await this.repo.summaryState();
    if (!state) return false;
    if (!state.stale && summaryCounts(state, this.rule)) return true;
    if (this.rule !== myopiaRule) return false;
    if (!this.rebuilding) {
      this.rebuilding = this.repo.rebuildSummary(this.rule).finally(() => {
        this.rebuilding = null;
      });
    }
    await this.rebuilding;
    return true;
  }

  /** A period's figures per school, from the summary when it can answer, else from every screening. */
  private async bySchoolIn(start: string, end: string) {
    if (await this.summaryUsable()) return this.repo.myopiaBySchoolSummary(start, end);
    return this.repo.myopiaBySchool(this.rule, start, end);
  }

  /**
   * For the indicator engine (no actor, no scope): every school with screenings in the period,
   * with its screened and myopic students. A student screened more than once in the period counts
   * once, by the latest screening. `periodCode` is a code of src/shared/period.ts ("2022" = the
   * screenings dated in 2022).
   */
  myopiaBySchool(periodCode: string): Promise<SchoolMyopiaRow[]> {
    const p = parsePeriod(periodCode);
    // The answer is kept until the next screening import (a data change notice); it is read from the
    // per-school summary, a few thousand rows, which triggers keep right in the writing transaction
    // (a very large import marks it stale instead, and it is rebuilt once, at once after the import).
    const version = dataEvents.version("health");
    const hit = this.bySchool.get(p.code);
    if (hit && hit.version === version) return hit.rows;
    const rows = this.bySchoolIn(p.start, p.end);
    this.bySchool.set(p.code, { version, rows });
    rows.catch(() => this.bySchool.delete(p.code));
    return rows;
  }

  /** The rule in force (thresholds, citation, text shown beside the figures). */
  currentRule(): MyopiaRule {
    return this.rule;
  }

  /** The area's rate, its children's, and by grade, inside the actor's scope. */
  async myopia(actor: Actor, q: { period: string; org?: string }): Promise<MyopiaSummary> {
    requirePermission(actor, "health.read");
    const period = parsePeriod(q.period);
    const prev = previousPeriod(q.period);
    const area = await this.area(actor, q.org);
    // The city's per-school figures (the indicators' own, cached), then the scope's schools: a
    // student screened in two counties in a period counts where the latest screening was, for the
    // county pages as for the cockpit, never once in each county.
    const inScope = (rows: SchoolMyopiaRow[]) => rows.filter((r) => pathInScope(actor, r.orgPath));
    const [now, before, children, byGrade] = await Promise.all([
      this.myopiaBySchool(period.code).then(inScope),
      this.myopiaBySchool(prev.code).then(inScope),
      area.kind === "school" ? Promise.resolve([]) : this.repo.children(area.path),
      this.repo.myopiaByGrade(this.rule, period.start, period.end, actor.scopePaths, area.path),
    ]);
    const present = (u: { code: string; name: string; kind: string; path: string }): MyopiaArea => {
      const a = sum(now, u.path);
      const b = sum(before, u.path);
      return { code: u.code, name: u.name, kind: u.kind, ...a, previous: b, changePp: change(a, b) };
    };
    return {
      period: { code: period.code, label: period.label, previous: prev.code },
      rule: this.rule,
      area: present(area),
      children: children
        .filter((c) => actor.scopePaths.some((p) => c.path.startsWith(p) || p.startsWith(c.path)))
        .map(present)
        .filter((c) => c.screened > 0 || c.previous.screened > 0),
      byGrade: byGrade.map((g) => ({ grade: g.grade, ...figure(g.screened, g.myopic) })),
    };
  }

  async list(
    actor: Actor,
    q: {
      period: string;
      org?: string;
      studentNumber?: string;
      myopic?: boolean;
      page: number;
      pageSize: number;
    },
  ): Promise<Page<ScreeningView>> {
    requirePermission(actor, "health.read");
    const period = parsePeriod(q.period);
    const area = q.org ? await this.area(actor, q.org) : undefined;
    const { rows, total } = await this.repo.list(
      this.rule,
      actor.scopePaths,
      {
        orgPath: area?.path,
        start: period.start,
        end: period.end,
        studentNumber: q.studentNumber?.toUpperCase(),
        myopic: q.myopic,
      },
      q.pageSize,
      (q.page - 1) * q.pageSize,
    );
    return {
      items: rows.map(presentScreening),
      page: q.page,
      pageSize: q.pageSize,
      total,
      totalExact: total < 10_000,
    };
  }

  /**
   * The org unit a figure is asked for: by code inside the scope, or by default the actor's own
   * area (the top of the scope). Outside the scope it does not exist.
   */
  private async area(actor: Actor, code?: string) {
    if (code) {
      const u = await this.repo.orgUnit(code);
      if (!u || !pathInScope(actor, u.path)) throw notFound("机构");
      return u;
    }
    const top = actor.scopePaths[0] === "/" ? undefined : actor.scopePaths[0];
    const u = top ? await this.repo.orgAtPath(top) : await this.repo.rootUnit();
    if (!u) throw notFound("机构");
    return u;
  }
}

export interface ScreeningView {
  id: number;
  studentNumber: string;
  studentName: string;
  schoolCode: string;
  schoolName: string;
  screenedOn: string;
  ageYears: number;
  grade: number;
  vaLeft: number;
  vaRight: number;
  seLeft: number;
  seRight: number;
  institution: string | null;
  myopic: boolean;
  classified: boolean;
}

function presentScreening(r: ScreeningListRow): ScreeningView {
  return {
    id: Number(r.id),
    studentNumber: r.student_number,
    studentName: r.student_name,
    schoolCode: r.school_code,
    schoolName: r.school_name,
    screenedOn: r.screened_on,
    ageYears: r.age_years,
    grade: r.grade,
    vaLeft: Number(r.va_left),
    vaRight: Number(r.va_right),
    seLeft: Number(r.se_left),
    seRight: Number(r.se_right),
    institution: r.institution,
    myopic: r.myopic,
    classified: r.classified,
  };
}
