import type { DataEvents } from "../../shared/data-events.js";
import { parsePeriod } from "../../shared/period.js";
import { schoolTypeByCode } from "../registry/codes.js";
import { pathsUp } from "./engine.js";
import { type StaffGroup, type StudentGroup, type UnitFacts, valueKey } from "./expression/evaluate.js";
import type { RegistryReadModel, StaffCountRow, StudentCountRow, UnitRow } from "./registry-read-model.js";
import type { SourceSnapshots } from "./snapshots.js";
import {
  engineValue,
  type FormValueRow,
  type IndicatorFormsSource,
  type IndicatorHealthSource,
  type IndicatorSafetySource,
  type MyopiaRow,
  type SafeCampusRow,
  UNCOUNTED_STATUSES,
} from "./sources.js";

/** The facts of every org unit for one period, and the moment they were read. */
export interface PeriodFacts {
  period: string;
  units: UnitFacts[];
  byCode: Map<string, UnitFacts>;
  byPath: Map<string, UnitFacts>;
  /** When the newest of the underlying reads was made (the "as of" of figures computed from them). */
  readAt: Date;
  /** A number unique to this assembly: results computed from the same facts share it. */
  id: number;
  /**
   * Where the student and staff counts come from: the period's census (people_census), the
   * registry's live counts (a period after the latest census), or none (a period before it
   * without a census of its own: its counts are unknown).
   */
  people: "census" | "live" | "none";
}

/** Frozen people counts per period (在校生、教职工统计快照): census.ts. */
export interface PeopleCensusSource {
  /** The periods that have a census. */
  periods(): Promise<string[]>;
  /** One period's counts, as read from student and staff when it was taken. */
  counts(period: string): Promise<PeopleRows>;
}

let assemblies = 0;

type People = { students: Map<number, StudentGroup[]>; staff: Map<number, StaffGroup[]> };
export type PeopleRows = { students: StudentCountRow[]; staff: StaffCountRow[] };

/**
 * A change notice naming more schools than this makes the people counts be read whole rather than
 * school by school (an import touches hundreds; one school's counts cost as much as a few rows).
 */
const MAX_SCHOOLS_REREAD = 200;

/** How a source's value is kept in a snapshot (compact JSON) and read back. */
export interface Codec<T> {
  encode(value: T): unknown;
  decode(data: unknown): T;
}

/** Bumped whenever what a snapshot holds changes shape: older rows are then not used. */
const SNAPSHOT_FORMAT = "1";

const unitsCodec: Codec<UnitRow[]> = { encode: (v) => v, decode: (d) => d as UnitRow[] };

type StudentTuple = [number, string, number, string, number];
type StaffTuple = [number, string[], string | null, string | null, string | null, number];

export const peopleCodec: Codec<PeopleRows> = {
  encode: (v) => ({
    students: v.students.map((r): StudentTuple => [r.school_id, r.stage, r.grade, r.gender, r.n]),
    staff: v.staff.map((r): StaffTuple => [r.school_id, r.posts, r.key_level, r.title, r.education, r.n]),
  }),
  decode: (d) => {
    const x = d as { students: StudentTuple[]; staff: StaffTuple[] };
    return {
      students: x.students.map(([school_id, stage, grade, gender, n]) => ({
        school_id,
        stage,
        grade,
        gender,
        n,
      })),
      staff: x.staff.map(([school_id, posts, key_level, title, education, n]) => ({
        school_id,
        posts,
        key_level,
        title,
        education,
        n,
      })),
    };
  },
};

interface Stamped<T> {
  key: string;
  at: number;
  value: Promise<T>;
}

export interface FactsOptions {
  /** How often the registry/people fingerprint is read at most (ms). */
  fingerprintEveryMs?: number;
  /** Registry and people aggregates are re-read after this long whatever the fingerprint says (ms). */
  maxAgeMs?: number;
  /**
   * A source read from its tables is saved to its snapshot this long after the last such read (ms),
   * so that saving (a large write; on PGlite it holds the one connection) stays out of the way of
   * the requests that follow a change.
   */
  snapshotSaveAfterMs?: number;
}

/**
 * Gathers and caches the source figures the engine evaluates: registry and people aggregates
 * (re-read when their fingerprint or data-event version moves; after maxAgeMs in the background),
 * form values, screenings and 平安校园 inspections per period (re-read when the "forms" / "health" /
 * "safety" data-event version moves). Every part is single-flight: concurrent requests share one read. The org units and people
 * counts are also kept in the database (SourceSnapshots), so that the first request after a start
 * reads one row instead of aggregating every student while the tables are unchanged.
 */
export class FactsProvider {
  private fp: Stamped<{ registry: string; people: string }> | null = null;
  private unitRows: Stamped<UnitRow[]> | null = null;
  private people: Stamped<People> | null = null;
  /** Sources whose snapshot was looked at (only the first read of a process may use one). */
  private snapshotTried = new Set<string>();
  private forms = new Map<string, Stamped<FormValueRow[]>>();
  private health = new Map<string, Stamped<MyopiaRow[]>>();
  private safety = new Map<string, Stamped<SafeCampusRow[]>>();
  private assembled = new Map<string, { key: string; facts: Promise<PeriodFacts> }>();
  private censusPeriods: Stamped<string[]> | null = null;
  private censusCounts = new Map<string, Stamped<People>>();
  private censusVersion = 0;
  private readonly fingerprintEveryMs: number;
  private readonly maxAgeMs: number;
  private readonly snapshotSaveAfterMs: number;
  /** Reads waiting to be saved as snapshots, by name: the fingerprint they were read under. */
  private pendingSaves = new Map<
    string,
    { part: "registry" | "people"; fingerprint: string; data: () => unknown }
  >();
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  /**
   * The people counts of the last whole or partial read, the people fingerprint read before it, and
   * the read's sequence number: a later change re-reads only the schools it touched on top of it.
   */
  private peopleBase: { rows: PeopleRows; people: People; fingerprint: string; seq: number } | null = null;
  private peopleSeq = 0;
  /**
   * Schools named by "people" notices since the last keyed read began; "all" after a notice that
   * named none (an import, a merger) or a failed read.
   */
  private peopleDirty: Set<number> | "all" = "all";

  constructor(
    private readonly read: RegistryReadModel,
    private readonly events: DataEvents,
    private readonly formsSource: IndicatorFormsSource | null,
    private readonly healthSource: IndicatorHealthSource | null,
    opts: FactsOptions = {},
    private readonly snapshots: SourceSnapshots | null = null,
    private readonly safetySource: IndicatorSafetySource | null = null,
    private readonly census: PeopleCensusSource | null = null,
  ) {
    this.fingerprintEveryMs = opts.fingerprintEveryMs ?? 200;
    this.maxAgeMs = opts.maxAgeMs ?? 60_000;
    this.snapshotSaveAfterMs = opts.snapshotSaveAfterMs ?? 5_000;
    events.on((topic, detail) => {
      if (topic !== "people" || this.peopleDirty === "all") return;
      if (!detail?.schoolIds) this.peopleDirty = "all";
      else for (const id of detail.schoolIds) this.peopleDirty.add(Number(id)); // bigint ids may arrive as text
    });
  }

  /** A census was taken or removed: periods are assembled again with the right counts. */
  censusChanged() {
    this.censusVersion++;
  }

  /** The registry's student and staff counts now, read whole (what a census freezes). */
  async livePeopleRows(): Promise<PeopleRows> {
    const [students, staff] = await Promise.all([this.read.studentCounts(), this.read.staffCounts()]);
    return { students, staff };
  }

  /**
   * The people counts of a period: its census; else the live counts when the period ends after
   * every census (or there is none); else none.
   */
  private async peopleOf(period: { code: string; end: string }, live: Stamped<People>) {
    const periods = await (this.censusPeriods as Stamped<string[]>).value;
    if (periods.includes(period.code)) {
      const key = String(this.censusVersion);
      const c = this.cached(this.censusCounts.get(period.code), key, async () =>
        groupPeople(await (this.census as PeopleCensusSource).counts(period.code)),
      );
      this.censusCounts.set(period.code, c);
      return { source: "census" as const, people: await c.value };
    }
    const after = periods.every((p) => parsePeriod(p).end < period.end);
    return after
      ? { source: "live" as const, people: await live.value }
      : { source: "none" as const, people: { students: new Map(), staff: new Map() } };
  }

  /** Drops everything (after a definition change that adds data elements, or in tests). */
  clear() {
    this.fp = null;
    this.unitRows = null;
    this.people = null;
    this.peopleBase = null;
    this.peopleDirty = "all";
    this.forms.clear();
    this.health.clear();
    this.safety.clear();
    this.assembled.clear();
    this.censusPeriods = null;
    this.censusCounts.clear();
  }

  private async fingerprint() {
    const now = Date.now();
    if (!this.fp || now - this.fp.at >= this.fingerprintEveryMs) {
      const value = this.read.fingerprint();
      this.fp = { key: "", at: now, value };
      value.catch(() => {
        this.fp = null;
      });
    }
    return this.fp.value;
  }

  private cached<T>(
    slot: Stamped<T> | null | undefined,
    key: string,
    load: () => Promise<T>,
    maxAge = Infinity,
  ) {
    if (slot && slot.key === key && Date.now() - slot.at < maxAge) return slot;
    const value = load();
    return { key, at: Date.now(), value };
  }

  /**
   * The facts of a period; `elements` are the data element codes any indicator reads; screenings and
   * inspections are read only when an indicator reads them.
   */
  async facts(
    periodCode: string,
    elements: string[],
    needHealth: boolean,
    needSafety = false,
  ): Promise<PeriodFacts> {
    const period = parsePeriod(periodCode);
    const fp = await this.fingerprint();
    const regKey = `${fp.registry}|${this.events.version("registry")}`;
    const peopleKey = `${fp.people}|${this.events.version("people")}`;
    this.unitRows = this.cached(this.unitRows, regKey, () => this.loadUnits(fp.registry));
    this.people = this.cached(this.people, peopleKey, () => this.loadPeople(fp.people));
    const censusKey = String(this.censusVersion);
    this.censusPeriods = this.cached(this.censusPeriods, censusKey, () =>
      this.census ? this.census.periods() : Promise.resolve([]),
    );
    this.refreshIfOld();
    const elementsKey = [...elements].sort().join(",");
    const formsKey = `${this.events.version("forms")}|${elementsKey}`;
    const f = this.cached(this.forms.get(periodCode), formsKey, () =>
      this.formsSource && elements.length
        ? this.formsSource.valuesForIndicators(periodCode, [...elements].sort())
        : Promise.resolve([]),
    );
    this.forms.set(periodCode, f);
    const healthKey = `${this.events.version("health")}|${needHealth}`;
    const h = this.cached(this.health.get(periodCode), healthKey, () =>
      this.healthSource && needHealth ? this.healthSource.myopiaBySchool(periodCode) : Promise.resolve([]),
    );
    this.health.set(periodCode, h);
    const safetyKey = `${this.events.version("safety")}|${needSafety}`;
    const s = this.cached(this.safety.get(periodCode), safetyKey, () =>
      this.safetySource && needSafety
        ? this.safetySource.safeCampusBySchool(periodCode)
        : Promise.resolve([]),
    );
    this.safety.set(periodCode, s);

    const key = [
      this.unitRows.at,
      this.people.at,
      f.at,
      h.at,
      s.at,
      regKey,
      peopleKey,
      censusKey,
      formsKey,
      healthKey,
      safetyKey,
    ].join("|");
    const prev = this.assembled.get(periodCode);
    if (prev && prev.key === key) return prev.facts;
    const unitRows = this.unitRows;
    const people = this.people;
    const facts = (async () => {
      const [u, p, fv, hv, sv] = await Promise.all([
        unitRows.value,
        this.peopleOf(period, people),
        f.value,
        h.value,
        s.value,
      ]);
      // The previous assembly of the period lends the facts objects of units that did not change.
      const before = prev ? await prev.facts.catch(() => undefined) : undefined;
      return assemble(period.code, period.start, period.end, u, p.people, fv, hv, sv, before, p.source);
    })();
    this.assembled.set(periodCode, { key, facts });
    // A failed read is not remembered: the next request tries again.
    facts.catch(() => {
      if (this.assembled.get(periodCode)?.facts === facts) this.assembled.delete(periodCode);
      this.unitRows = null;
      this.people = null;
      this.forms.delete(periodCode);
      this.health.delete(periodCode);
      this.safety.delete(periodCode);
    });
    return facts;
  }

  private refreshing = false;

  /**
   * The safety net for a change no notice or fingerprint caught (another process's transaction that
   * committed with an older updated_at): registry and people aggregates older than maxAgeMs are read
   * again in the background, and swapped in when read, so no request waits for it.
   */
  private refreshIfOld() {
    const units = this.unitRows;
    const people = this.people;
    if (this.refreshing || !units || !people) return;
    const now = Date.now();
    if (now - units.at < this.maxAgeMs && now - people.at < this.maxAgeMs) return;
    this.refreshing = true;
    const u = this.loadUnits(null, false);
    const p = this.read.fingerprint().then((fp) => this.loadPeople(fp.people, false, "whole"));
    Promise.all([u, p])
      .then(() => {
        const at = Date.now();
        if (this.unitRows?.key === units.key) this.unitRows = { key: units.key, at, value: u };
        if (this.people?.key === people.key) this.people = { key: people.key, at, value: p };
      })
      .catch(() => {})
      .finally(() => {
        this.refreshing = false;
      });
  }

  /**
   * A source read from its tables, and its snapshot saved (in the background) under the fingerprint
   * read before it. The first read of a process uses the snapshot instead when the tables'
   * fingerprint is still the one it was saved under: a cold start does not aggregate every student.
   * Later reads (a data event, a moved fingerprint, the periodic re-read) always go to the tables.
   */
  private async kept<T>(
    name: string,
    part: "registry" | "people",
    /** The fingerprint read before this read (null: unknown, do not save). */
    fingerprint: string | null,
    read: () => Promise<T>,
    codec: Codec<T>,
    mayUseSnapshot = true,
  ): Promise<T> {
    if (this.snapshots && mayUseSnapshot && fingerprint !== null && !this.snapshotTried.has(name)) {
      this.snapshotTried.add(name);
      const kept = await this.snapshots.load(name).catch(() => undefined);
      if (kept && kept.fingerprint === `${SNAPSHOT_FORMAT}|${fingerprint}`)
        return codec.decode(JSON.parse(kept.data));
    }
    this.snapshotTried.add(name);
    const value = await read();
    if (fingerprint !== null) this.keepLater(name, part, fingerprint, value, codec);
    return value;
  }

  /** Schedules `value`, read under `fingerprint`, to be saved as the snapshot `name`. */
  private keepLater<T>(
    name: string,
    part: "registry" | "people",
    fingerprint: string,
    value: T,
    codec: Codec<T>,
  ) {
    if (!this.snapshots) return;
    this.snapshotTried.add(name);
    this.pendingSaves.set(name, { part, fingerprint, data: () => codec.encode(value) });
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.savePending(), this.snapshotSaveAfterMs);
    this.saveTimer.unref?.();
  }

  /** Saves the reads waiting to be kept now (at shutdown, in tests). */
  flushSnapshots(): Promise<void> {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    return this.savePending();
  }

  /**
   * Saves the reads waiting to be kept. `fingerprint` was read before its data; the data is saved
   * under it only if the tables' fingerprint is still the same now (then the data is what the tables
   * held under it). Otherwise a later read will be saved, or the next start reads the tables.
   */
  private async savePending() {
    this.saveTimer = null;
    const pending = [...this.pendingSaves];
    this.pendingSaves.clear();
    if (!this.snapshots || pending.length === 0) return;
    try {
      const now = await this.read.fingerprint();
      for (const [name, p] of pending) {
        if (now[p.part] === p.fingerprint)
          await this.snapshots.save(name, `${SNAPSHOT_FORMAT}|${p.fingerprint}`, JSON.stringify(p.data()));
      }
    } catch {
      // a snapshot is an optimisation: the next start reads the tables
    }
  }

  private loadUnits(fingerprint: string | null, mayUseSnapshot = true) {
    return this.kept(
      "registry-units",
      "registry",
      fingerprint,
      () => this.read.units(),
      unitsCodec,
      mayUseSnapshot,
    );
  }

  /**
   * The people counts. After a first whole read, a change re-reads only the schools it touched, on
   * top of the last read (the base): the schools named by this process's "people" notices (a
   * transfer names the school left) and the schools of every student or staff row stamped since the
   * base's fingerprint (edits by other processes too). One school instead of every student: on
   * PGlite 1.1–1.7 s became tens of ms. Every school is read again after a notice that named none
   * (an import, a merger), a failed read, more than MAX_SCHOOLS_REREAD schools, and in the periodic
   * refresh, which also catches what stamps miss (another process's transfer: the school left).
   */
  private async loadPeople(
    fingerprint: string | null,
    mayUseSnapshot = true,
    mode: "keyed" | "whole" = "keyed",
  ): Promise<People> {
    const seq = ++this.peopleSeq;
    let dirty: Set<number> | "all" = "all";
    if (mode === "keyed") {
      dirty = this.peopleDirty;
      this.peopleDirty = new Set();
    }
    const base = this.peopleBase;
    try {
      let rows: PeopleRows;
      let people: People;
      if (base && fingerprint !== null && dirty !== "all") {
        for (const id of await this.read.schoolsChangedSince(base.fingerprint)) dirty.add(id);
      }
      if (base && fingerprint !== null && dirty !== "all" && dirty.size <= MAX_SCHOOLS_REREAD) {
        const ids = [...dirty];
        const [students, staff] = await Promise.all([
          this.read.studentCounts(ids),
          this.read.staffCounts(ids),
        ]);
        const keep = <R extends { school_id: number }>(r: R) => !(dirty as Set<number>).has(r.school_id);
        rows = {
          students: base.rows.students.filter(keep).concat(students),
          staff: base.rows.staff.filter(keep).concat(staff),
        };
        // The other schools keep their group arrays: the assembly sees them unchanged at a glance.
        people = { students: new Map(base.people.students), staff: new Map(base.people.staff) };
        for (const id of dirty) {
          people.students.delete(id);
          people.staff.delete(id);
        }
        groupPeople({ students, staff }, people);
        this.keepLater("people-counts", "people", fingerprint, rows, peopleCodec);
      } else {
        rows = await this.kept(
          "people-counts",
          "people",
          fingerprint,
          async () => {
            const [students, staff] = await Promise.all([this.read.studentCounts(), this.read.staffCounts()]);
            return { students, staff };
          },
          peopleCodec,
          mayUseSnapshot,
        );
        people = groupPeople(rows);
      }
      if (fingerprint !== null && (!this.peopleBase || this.peopleBase.seq < seq))
        this.peopleBase = { rows, people, fingerprint, seq };
      return people;
    } catch (e) {
      if (mode === "keyed") this.peopleDirty = "all"; // the schools of this read are not re-read otherwise
      throw e;
    }
  }
}

/** Count rows by school, as the assembly reads them (into `into`'s maps, for schools not in them). */
function groupPeople(
  { students, staff }: PeopleRows,
  into: People = { students: new Map(), staff: new Map() },
): People {
  const s = into.students;
  for (const r of students) {
    const list = s.get(r.school_id) ?? [];
    if (list.length === 0) s.set(r.school_id, list);
    list.push({ stage: r.stage, grade: r.grade, gender: r.gender, n: r.n });
  }
  const t = into.staff;
  for (const r of staff) {
    const list = t.get(r.school_id) ?? [];
    if (list.length === 0) t.set(r.school_id, list);
    list.push({ posts: r.posts, keyLevel: r.key_level, title: r.title, education: r.education, n: r.n });
  }
  return into;
}

const NONE: never[] = [];

const sameGroups = <T extends object>(a: T[], b: T[]) => {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as Record<string, unknown>;
    const y = b[i] as Record<string, unknown>;
    for (const k in x) {
      const v = x[k];
      const w = y[k];
      if (v !== w && !(Array.isArray(v) && Array.isArray(w) && v.join("\u0000") === w.join("\u0000")))
        return false;
    }
  }
  return true;
};

const sameValues = (a: Map<string, number | string | null>, b: Map<string, number | string | null>) => {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v || (v === undefined && !b.has(k))) return false;
  return true;
};

/** Whether two facts of a unit say the same (so that figures computed from one hold for the other). */
function sameUnitFacts(a: UnitFacts, b: UnitFacts): boolean {
  return (
    a.id === b.id &&
    a.code === b.code &&
    a.name === b.name &&
    a.kind === b.kind &&
    a.path === b.path &&
    a.countyCode === b.countyCode &&
    a.schoolType === b.schoolType &&
    a.ownership === b.ownership &&
    a.inclusive === b.inclusive &&
    a.urbanRural === b.urbanRural &&
    a.boarding === b.boarding &&
    a.level === b.level &&
    a.current === b.current &&
    a.mergedInPeriod === b.mergedInPeriod &&
    a.openedInPeriod === b.openedInPeriod &&
    a.attrKey === b.attrKey &&
    sameGroups(a.students, b.students) &&
    sameGroups(a.staff, b.staff) &&
    sameValues(a.values, b.values) &&
    (a.health === b.health ||
      (a.health !== null &&
        b.health !== null &&
        a.health.screened === b.health.screened &&
        a.health.myopic === b.health.myopic)) &&
    (a.safety === b.safety || (a.safety !== null && b.safety !== null && a.safety.passed === b.safety.passed))
  );
}

/**
 * Builds the per-unit facts of one period from the raw reads. Pure. With `previous` (the period's
 * last assembly), a unit whose facts are the same keeps its facts object, so that results computed
 * from it are reused (ResultService re-evaluates only the units whose facts object is new).
 */
export function assemble(
  period: string,
  start: string,
  end: string,
  units: UnitRow[],
  people: { students: Map<number, StudentGroup[]>; staff: Map<number, StaffGroup[]> },
  forms: FormValueRow[],
  health: MyopiaRow[],
  safety: SafeCampusRow[],
  previous?: PeriodFacts,
  peopleSource: PeriodFacts["people"] = "live",
): PeriodFacts {
  const before =
    previous && previous.period === period ? new Map(previous.units.map((u) => [u.id, u])) : null;
  const values = new Map<number, Map<string, number | string | null>>();
  for (const r of forms) {
    if (UNCOUNTED_STATUSES.has(r.status)) continue;
    const m = values.get(r.orgUnitId) ?? new Map<string, number | string | null>();
    values.set(r.orgUnitId, m);
    m.set(valueKey(r.elementCode, r.disaggregation ?? ""), engineValue(r.value));
  }
  const screenings = new Map<number, { screened: number; myopic: number }>();
  for (const r of health) {
    const e = screenings.get(r.orgUnitId) ?? { screened: 0, myopic: 0 };
    e.screened += Number(r.screened);
    e.myopic += Number(r.myopic);
    screenings.set(r.orgUnitId, e);
  }
  const inspections = new Map<number, { passed: boolean }>();
  for (const r of safety) if (r.inspected) inspections.set(r.orgUnitId, { passed: r.passed });
  const out: UnitFacts[] = units.map((u) => {
    const stages = u.school_type ? (schoolTypeByCode.get(u.school_type)?.stages ?? []) : [];
    const made: UnitFacts = {
      id: u.id,
      code: u.code,
      name: u.name,
      kind: u.kind,
      path: u.path,
      countyCode: u.county_code,
      schoolType: u.school_type,
      ownership: u.ownership,
      inclusive: u.inclusive,
      urbanRural: u.urban_rural,
      boarding: u.boarding,
      stages,
      compulsory: stages.includes("primary") || stages.includes("junior"),
      level: u.county_code ? "county" : "city",
      current: u.valid_from <= end && (u.valid_to === null || u.valid_to > end),
      mergedInPeriod:
        u.end_reason === "merged" && u.valid_to !== null && u.valid_to >= start && u.valid_to <= end,
      openedInPeriod: u.valid_from >= start && u.valid_from <= end,
      students: people.students.get(u.id) ?? NONE,
      staff: people.staff.get(u.id) ?? NONE,
      values: values.get(u.id) ?? new Map(),
      health: screenings.get(u.id) ?? null,
      safety: inspections.get(u.id) ?? null,
      attrKey: [
        u.id,
        u.kind,
        u.path,
        u.county_code,
        u.school_type,
        u.ownership,
        u.inclusive,
        u.urban_rural,
        u.boarding,
      ].join("|"),
      ancestors: pathsUp(u.path),
    };
    const old = before?.get(u.id);
    return old && sameUnitFacts(old, made) ? old : made;
  });
  return {
    period,
    units: out,
    byCode: new Map(out.map((u) => [u.code, u])),
    byPath: new Map(out.map((u) => [u.path, u])),
    readAt: new Date(),
    id: ++assemblies,
    people: peopleSource,
  };
}
