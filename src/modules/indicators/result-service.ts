import { type Actor, requirePermission } from "../../shared/actor.js";
import { notFound } from "../../shared/errors.js";
import { parsePeriod, previousPeriod } from "../../shared/period.js";
import { buildCell, type FigureLookup, type PeriodFigures, rankPaths } from "./cells.js";
import { type Contributions, contributions, type Formula, sumUp, type UnitTree, unitTree } from "./engine.js";
import { compileExpression } from "./expression/check.js";
import type { UnitFacts } from "./expression/evaluate.js";
import type { FactsProvider, PeriodFacts } from "./facts.js";
import type { GroupRow, IndicatorRepository, IndicatorRow } from "./repository.js";
import type { Cell, CockpitResponse, ResultsResponse, UnitPageResponse } from "./schemas.js";
import type { TargetRule } from "./targets.js";

interface CompiledIndicator {
  row: IndicatorRow;
  /** null when a stored formula no longer compiles (its cells show 无数据). */
  formula: Formula | null;
}

interface Definitions {
  version: number;
  groups: GroupRow[];
  indicators: CompiledIndicator[];
  byCode: Map<string, CompiledIndicator>;
  targets: Map<string, TargetRule>;
  elements: string[];
  needHealth: boolean;
  needSafety: boolean;
}

interface ResultEntry {
  facts: PeriodFacts;
  version: number;
  figures: PeriodFigures;
  /** The units' summands, kept so that new facts re-evaluate only the units whose facts changed. */
  summands: Contributions | null;
}

/** The slot tree of a period's units, made once per assembly of facts. */
const trees = new WeakMap<UnitFacts[], UnitTree>();
const treeOf = (units: UnitFacts[]) => {
  let t = trees.get(units);
  if (!t) {
    t = unitTree(units);
    trees.set(units, t);
  }
  return t;
};

const targetKey = (indicator: string, orgUnitId: number, period: string) =>
  `${indicator}|${orgUnitId}|${period}`;

/** True when `path` is in the actor's scope or above it (the actor's county and city aggregates). */
export function visiblePath(actor: Actor, path: string): boolean {
  return actor.scopePaths.some((p) => path.startsWith(p) || p.startsWith(path));
}

const brief = (u: UnitFacts) => ({
  code: u.code,
  name: u.name,
  kind: u.kind,
  path: u.path,
  countyCode: u.countyCode,
  schoolType: u.schoolType,
});

const indicatorBrief = (r: IndicatorRow) => ({
  code: r.code,
  name: r.name,
  groupCode: r.group_code,
  unit: r.unit,
  decimals: r.decimals,
  better: r.better,
  cityOnly: r.city_only,
  description: r.description,
  source: r.source,
  numeratorLabel: r.numerator_label,
  denominatorLabel: r.denominator_label,
});

const parentPath = (path: string) => path.replace(/[^/]+\/$/, "");

/**
 * Indicator results, live: computed from the source data on request and cached per (indicator,
 * period) until the data or a definition changes (FactsProvider decides when the data has changed;
 * `invalidate()` is called on every definition change). After a data change only the units whose
 * facts changed are evaluated again, and the sums up the tree are redone. Results are shown within
 * the caller's scope: units in it, and the aggregates of the units above it.
 */
export class ResultService {
  private defs: { at: number; fingerprint: string; version: number; value: Promise<Definitions> } | null =
    null;
  private version = 0;
  private cache = new Map<string, ResultEntry>();
  /** Whole cockpit payloads by (scope, query, definitions, facts): a warm cockpit is a lookup. */
  private cockpits = new Map<string, CockpitResponse>();
  private drills = new Map<string, ResultsResponse>();

  constructor(
    private readonly repo: IndicatorRepository,
    private readonly facts: FactsProvider,
    private readonly opts: { fingerprintEveryMs?: number } = {},
  ) {}

  /** Drops compiled definitions and every cached result (after a definition change). */
  invalidate() {
    this.version++;
    this.defs = null;
    this.cache.clear();
    this.cockpits.clear();
    this.drills.clear();
  }

  private async definitions(): Promise<Definitions> {
    const every = this.opts.fingerprintEveryMs ?? 200;
    if (this.defs && this.defs.version === this.version && Date.now() - this.defs.at < every)
      return this.defs.value;
    const fingerprint = await this.repo.fingerprint();
    if (this.defs && this.defs.version === this.version && this.defs.fingerprint === fingerprint) {
      this.defs.at = Date.now();
      return this.defs.value;
    }
    if (this.defs && this.defs.fingerprint !== fingerprint) this.version++;
    const version = this.version;
    const value = this.loadDefinitions(version);
    this.defs = { at: Date.now(), fingerprint, version, value };
    value.catch(() => {
      if (this.defs?.value === value) this.defs = null;
    });
    return value;
  }

  private async loadDefinitions(version: number): Promise<Definitions> {
    const [groups, rows, targets] = await Promise.all([
      this.repo.groups(),
      this.repo.indicators(false),
      this.repo.targets({}, null),
    ]);
    const elements = new Set<string>();
    let needHealth = false;
    let needSafety = false;
    const indicators = rows.map((row): CompiledIndicator => {
      try {
        const numerator = compileExpression(row.numerator, null);
        const denominator = row.denominator ? compileExpression(row.denominator, null) : null;
        for (const c of [numerator, denominator]) {
          if (!c) continue;
          for (const e of c.elements) elements.add(e);
          if (c.sources.has("health")) needHealth = true;
          if (c.sources.has("safety")) needSafety = true;
        }
        return { row, formula: { numerator, denominator, factor: Number(row.factor) } };
      } catch {
        return { row, formula: null };
      }
    });
    const groupOrder = new Map(groups.map((g, i) => [g.code, i]));
    indicators.sort(
      (a, b) =>
        (groupOrder.get(a.row.group_code ?? "") ?? 999) - (groupOrder.get(b.row.group_code ?? "") ?? 999) ||
        a.row.ordinal - b.row.ordinal ||
        a.row.code.localeCompare(b.row.code),
    );
    return {
      version,
      groups,
      indicators,
      byCode: new Map(indicators.map((i) => [i.row.code, i])),
      targets: new Map(
        targets.map((t) => [
          targetKey(t.indicator_code, Number(t.org_unit_id), t.period_code),
          { kind: t.kind, direction: t.direction, value: Number(t.value) },
        ]),
      ),
      elements: [...elements],
      needHealth,
      needSafety,
    };
  }

  private async periodFacts(defs: Definitions, period: string) {
    return this.facts.facts(period, defs.elements, defs.needHealth, defs.needSafety);
  }

  /** The figures of one indicator in one period, for every node of the tree, and the counties' ranks. */
  private figures(
    defs: Definitions,
    ind: CompiledIndicator,
    facts: PeriodFacts,
    /** The period's live people counts stand for a later period (cellsFor): none for this one. */
    liveElsewhere = false,
  ): PeriodFigures {
    // An indicator counting students or staff has no figures where the period's counts are unknown
    // (before the latest census, without one of its own: people_census).
    if (readsPeople(ind) && (facts.people === "none" || liveElsewhere))
      return { period: facts.period, figures: new Map(), ranks: new Map() };
    const key = `${ind.row.code}|${facts.period}`;
    const hit = this.cache.get(key);
    if (hit && hit.facts === facts && hit.version === defs.version) return hit.figures;
    // New facts of the same period under the same definitions: only the units whose facts changed
    // are evaluated again (FactsProvider keeps the facts object of a unit that did not change).
    const previous = hit && hit.version === defs.version ? (hit.summands ?? undefined) : undefined;
    const summands = ind.formula ? contributions(ind.formula, facts.units, previous) : null;
    const figures: FigureLookup =
      ind.formula && summands ? sumUp(ind.formula, treeOf(facts.units), summands) : new Map();
    const counties = facts.units.filter((u) => u.kind === "county" && u.current).map((u) => u.path);
    const ranks = rankPaths(figures, counties, ind.row.better, ind.row.decimals);
    const entry = {
      facts,
      version: defs.version,
      figures: { period: facts.period, figures, ranks },
      summands,
    };
    this.cache.set(key, entry);
    return entry.figures;
  }

  /** Periods for a trend of n points ending at `period`, oldest first, and the one before the first. */
  private periods(period: string, n: number): string[] {
    const out = [parsePeriod(period).code];
    while (out.length < n + 1) out.unshift(previousPeriod(out[0]).code);
    return out;
  }

  private async series(defs: Definitions, period: string, trend: number) {
    const codes = this.periods(period, Math.max(trend, 1));
    const facts = await Promise.all(codes.map((p) => this.periodFacts(defs, p)));
    return { codes, facts };
  }

  private targetOf(defs: Definitions) {
    return (indicator: string, orgUnitId: number, period: string) =>
      defs.targets.get(targetKey(indicator, orgUnitId, period));
  }

  private cellsFor(
    defs: Definitions,
    ind: CompiledIndicator,
    facts: PeriodFacts[],
    trend: number,
  ): (u: UnitFacts) => Cell {
    // facts[0] is the period before the first trend point; the last is the period shown.
    // Two periods counted from the same live registry are the same counts, not a change: of the
    // periods whose people counts are live, only the latest keeps its people-based figures.
    const lastLive = facts.map((f) => f.people).lastIndexOf("live");
    const all = facts.map((f, i) => this.figures(defs, ind, f, f.people === "live" && i !== lastLive));
    const shown = all.slice(1);
    const previous = all[all.length - 2];
    const lookup = this.targetOf(defs);
    return (u) => buildCell(ind.row, u, shown, previous, lookup, trend);
  }

  private cityOf(actor: Actor, facts: PeriodFacts): UnitFacts {
    const cities = facts.units.filter((u) => u.kind === "city");
    const city = cities.find((c) => visiblePath(actor, c.path)) ?? cities[0];
    if (!city) throw notFound("城市");
    return city;
  }

  async cockpit(actor: Actor, q: { period: string; trend: number }): Promise<CockpitResponse> {
    requirePermission(actor, "indicators.read");
    const defs = await this.definitions();
    const { codes, facts } = await this.series(defs, q.period, q.trend);
    const key = [actor.scopePaths.join(","), q.period, q.trend, defs.version, ...facts.map((f) => f.id)].join(
      "|",
    );
    const hit = this.cockpits.get(key);
    if (hit) return hit;
    const built = this.buildCockpit(actor, defs, codes, facts, q);
    if (this.cockpits.size >= 200) this.cockpits.clear();
    this.cockpits.set(key, built);
    return built;
  }

  private buildCockpit(
    actor: Actor,
    defs: Definitions,
    codes: string[],
    facts: PeriodFacts[],
    q: { period: string; trend: number },
  ): CockpitResponse {
    const now = facts[facts.length - 1];
    const city = this.cityOf(actor, now);
    const counties = now.units.filter(
      (u) => u.kind === "county" && u.current && u.path.startsWith(city.path) && visiblePath(actor, u.path),
    );
    const allCounties = now.units.filter(
      (u) => u.kind === "county" && u.current && u.path.startsWith(city.path),
    );
    // A county's cockpit (an actor below the city) leaves out what is counted for the city only.
    const cityWide = actor.scopePaths.some((p) => city.path.startsWith(p));
    const shownIndicators = defs.indicators.filter((ind) => cityWide || !ind.row.city_only);
    return {
      period: { code: codes[codes.length - 1], label: parsePeriod(q.period).label },
      previousPeriod: { code: codes[codes.length - 2], label: parsePeriod(codes[codes.length - 2]).label },
      periods: codes.slice(1),
      asOf: latest(facts).toISOString(),
      city: brief(city),
      counties: counties.map((c) => ({
        ...brief(c),
        access: actor.scopePaths.some((p) => c.path.startsWith(p)) ? ("full" as const) : ("partial" as const),
      })),
      groups: defs.groups.map((g) => ({
        code: g.code,
        name: g.name,
        ordinal: g.ordinal,
        description: g.description,
        source: g.source,
      })),
      indicators: shownIndicators.map((ind) => {
        const cell = this.cellsFor(defs, ind, facts, q.trend);
        const shown = this.figures(defs, ind, now);
        return {
          ...indicatorBrief(ind.row),
          city: cell(city),
          counties: counties.map(cell),
          rankedCounties: allCounties.filter((c) => shown.ranks.has(c.path)).length,
        };
      }),
    };
  }

  async results(
    actor: Actor,
    q: { indicator: string; period: string; orgUnit?: string; children: "direct" | "schools"; trend: number },
  ): Promise<ResultsResponse> {
    requirePermission(actor, "indicators.read");
    const defs = await this.definitions();
    const ind = defs.byCode.get(q.indicator);
    if (!ind) throw notFound("指标");
    const { facts } = await this.series(defs, q.period, q.trend);
    const key = [
      actor.scopePaths.join(","),
      q.indicator,
      q.period,
      q.orgUnit,
      q.children,
      q.trend,
      defs.version,
    ]
      .concat(facts.map((f) => String(f.id)))
      .join("|");
    const hit = this.drills.get(key);
    if (hit) return hit;
    const built = this.buildResults(actor, defs, ind, facts, q);
    if (this.drills.size >= 200) this.drills.clear();
    this.drills.set(key, built);
    return built;
  }

  private buildResults(
    actor: Actor,
    defs: Definitions,
    ind: CompiledIndicator,
    facts: PeriodFacts[],
    q: { orgUnit?: string; children: "direct" | "schools"; trend: number },
  ): ResultsResponse {
    const now = facts[facts.length - 1];
    const node = this.nodeFor(actor, now, q.orgUnit);
    const cell = this.cellsFor(defs, ind, facts, q.trend);
    const figures = this.figures(defs, ind, now).figures;
    const children = now.units.filter((u) => {
      if (u.path === node.path || !u.path.startsWith(node.path) || !visiblePath(actor, u.path)) return false;
      // counted for the city only: no county nor anything in one (the city's own units stay)
      if (ind.row.city_only && u.countyCode !== null) return false;
      const f = figures.get(u.path);
      const relevant = !!f && (f.numerator !== 0 || (f.denominator ?? 0) !== 0 || f.reported > 0);
      if (q.children === "schools") return u.kind === "school" && relevant;
      if (parentPath(u.path) !== node.path) return false;
      return relevant || (u.kind === "county" && u.current);
    });
    return {
      indicator: indicatorBrief(ind.row),
      period: { code: now.period, label: parsePeriod(now.period).label },
      asOf: latest(facts).toISOString(),
      orgUnit: brief(node),
      node: cell(node),
      parents: this.ancestors(now, node).map((u) => ({ ...brief(u), cell: cell(u) })),
      children: children.map((u) => ({ ...brief(u), cell: cell(u) })),
    };
  }

  /** Every active indicator at one org unit (a school's own indicator page), beside its county and city. */
  async unitPage(
    actor: Actor,
    code: string,
    q: { period: string; trend: number },
  ): Promise<UnitPageResponse> {
    requirePermission(actor, "indicators.read");
    const defs = await this.definitions();
    const { facts } = await this.series(defs, q.period, q.trend);
    const now = facts[facts.length - 1];
    const node = this.nodeFor(actor, now, code);
    const parents = this.ancestors(now, node);
    return {
      orgUnit: brief(node),
      period: { code: now.period, label: parsePeriod(now.period).label },
      asOf: latest(facts).toISOString(),
      parents: parents.map(brief),
      groups: defs.groups.map((g) => ({ code: g.code, name: g.name, ordinal: g.ordinal })),
      indicators: defs.indicators.map((ind) => {
        const cell = this.cellsFor(defs, ind, facts, q.trend);
        const f = this.figures(defs, ind, now).figures.get(node.path);
        return {
          ...indicatorBrief(ind.row),
          applies:
            !!f &&
            (f.numerator !== 0 || (f.denominator ?? 0) !== 0 || f.reported > 0) &&
            !(ind.row.city_only && node.countyCode !== null),
          self: cell(node),
          parents: parents.map(cell),
        };
      }),
    };
  }

  private nodeFor(actor: Actor, facts: PeriodFacts, code: string | undefined): UnitFacts {
    if (code) {
      const u = facts.byCode.get(code);
      if (!u || !visiblePath(actor, u.path)) throw notFound("机构");
      return u;
    }
    if (actor.scopePaths.length === 1 && actor.scopePaths[0] !== "/") {
      const u = facts.byPath.get(actor.scopePaths[0]);
      if (u) return u;
    }
    return this.cityOf(actor, facts);
  }

  /** The units above a node, nearest first (a school's county, then the city). */
  private ancestors(facts: PeriodFacts, node: UnitFacts): UnitFacts[] {
    const out: UnitFacts[] = [];
    let p = parentPath(node.path);
    while (p.length > 1) {
      const u = facts.byPath.get(p);
      if (u) out.push(u);
      p = parentPath(p);
    }
    return out;
  }
}

const latest = (facts: PeriodFacts[]) => new Date(Math.max(...facts.map((f) => f.readAt.getTime())));

/** Whether the indicator counts students or staff (students(), staff() in either expression). */
function readsPeople(ind: CompiledIndicator): boolean {
  const f = ind.formula;
  return !!f && (f.numerator.sources.has("people") || !!f.denominator?.sources.has("people"));
}
