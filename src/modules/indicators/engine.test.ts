import { describe, expect, it } from "vitest";
import {
  type Contributions,
  computeIndicator,
  contributions,
  type Formula,
  sumUp,
  unitTree,
} from "./engine.js";
import { compileExpression } from "./expression/check.js";
import type { StaffGroup, StudentGroup } from "./expression/evaluate.js";
import { assemble } from "./facts.js";
import type { UnitRow } from "./registry-read-model.js";
import type { FormValueRow, MyopiaRow, SafeCampusRow } from "./sources.js";

/**
 * The incremental engine: summands per unit summed up a slot tree give computeIndicator's figures to
 * the last bit, and after a change only the units whose facts changed are evaluated again (the
 * others keep their facts object from the previous assembly, and their summands).
 */
const row = (id: number, path: string, over: Partial<UnitRow> = {}): UnitRow => ({
  id,
  code: path.split("/").filter(Boolean).pop() as string,
  name: `单位${id}`,
  kind: path.split("/").length > 4 ? "school" : path.split("/").length === 4 ? "county" : "city",
  path,
  county_code: path.split("/").length > 3 ? (path.split("/")[2] ?? null) : null,
  school_type: path.split("/").length > 4 ? "211" : null,
  ownership: "public",
  inclusive: null,
  urban_rural: null,
  boarding: null,
  valid_from: "2000-01-01",
  valid_to: null,
  end_reason: null,
  ...over,
});

// 吕梁市 / 离石区 / three schools, and a school under a county that is not among the units.
const units: UnitRow[] = [
  row(1, "/141100/"),
  row(2, "/141100/141102/"),
  row(3, "/141100/141102/1411020001/"),
  row(4, "/141100/141102/1411020002/", { ownership: "private" }),
  row(5, "/141100/141102/1411020003/"),
  row(6, "/141100/141199/1411990001/"),
];
const people = {
  students: new Map<number, StudentGroup[]>([
    [3, [{ stage: "primary", grade: 1, gender: "M", n: 30 }]],
    [4, [{ stage: "primary", grade: 2, gender: "F", n: 7 }]],
    [6, [{ stage: "primary", grade: 1, gender: "F", n: 11 }]],
  ]),
  staff: new Map<number, StaffGroup[]>([
    [3, [{ posts: ["教师"], keyLevel: null, title: null, education: "本科", n: 3 }]],
  ]),
};
const value = (orgUnitId: number, elementCode: string, v: number): FormValueRow => ({
  orgUnitId,
  orgPath: units.find((u) => u.id === orgUnitId)!.path,
  countyCode: "141102",
  elementCode,
  disaggregation: "",
  value: v,
  status: "submitted",
});
const screening = (orgUnitId: number, screened: number, myopic: number): MyopiaRow => ({
  orgUnitId,
  orgPath: units.find((u) => u.id === orgUnitId)!.path,
  countyCode: "141102",
  screened,
  myopic,
});

const inspection = (orgUnitId: number, passed: boolean): SafeCampusRow => ({
  orgUnitId,
  orgPath: units.find((u) => u.id === orgUnitId)!.path,
  countyCode: "141102",
  inspected: true,
  passed,
});

const formula = (numerator: string, denominator: string | null, factor = 100): Formula => ({
  numerator: compileExpression(numerator, null),
  denominator: denominator ? compileExpression(denominator, null) : null,
  factor,
});
const formulas = [
  formula("students()", null, 1),
  formula('students(ownership = "public")', "students()"),
  formula('schools(value("uplink_mbps") >= 1000)', "schools()"),
  formula('value("uplink_mbps") * 0.1', null, 1),
  formula("myopic()", "screened()"),
  formula("staff()", "students()"),
  formula("safeCampusPassed()", "schools()"),
];

const safety1 = [inspection(3, true), inspection(4, false)];
const period = (
  forms: FormValueRow[],
  health: MyopiaRow[],
  previous?: ReturnType<typeof assemble>,
  safety: SafeCampusRow[] = safety1,
) => assemble("2022", "2022-01-01", "2022-12-31", units, people, forms, health, safety, previous);

/** The tree sums agree with computeIndicator on every path it gives, and give nothing else. */
function expectSameFigures(f: Formula, facts: ReturnType<typeof assemble>, c: Contributions) {
  const full = computeIndicator(f, facts.units);
  const tree = sumUp(f, unitTree(facts.units), c);
  for (const [path, figure] of full) expect(tree.get(path), path).toEqual(figure);
  for (const p of ["/141100/141199/", "/999/"]) expect(tree.get(p)).toEqual(full.get(p));
}

describe("the incremental engine", () => {
  const forms1 = [
    value(3, "uplink_mbps", 1000),
    value(4, "uplink_mbps", 100.3),
    value(6, "uplink_mbps", 0.7),
  ];
  const health1 = [screening(3, 30, 12), screening(6, 11, 3)];

  it("sums summands up the tree to the same figures as computeIndicator", () => {
    const facts = period(forms1, health1);
    for (const f of formulas) expectSameFigures(f, facts, contributions(f, facts.units));
    // a path with no unit of its own appears once something below it counts
    const tree = sumUp(formulas[0], unitTree(facts.units), contributions(formulas[0], facts.units));
    expect(tree.get("/141100/141199/")).toMatchObject({ numerator: 11 });
  });

  it("keeps the facts object of every unit whose facts did not change", () => {
    const first = period(forms1, health1);
    const second = period([...forms1.slice(0, 1), value(4, "uplink_mbps", 2000), forms1[2]], health1, first);
    const kept = second.units.map((u, i) => u === first.units[i]);
    expect(kept).toEqual([true, true, true, false, true, true]);
    // the same data again: every object kept
    const third = period([...forms1.slice(0, 1), value(4, "uplink_mbps", 2000), forms1[2]], health1, second);
    expect(third.units.every((u, i) => u === second.units[i])).toBe(true);
    // a changed screening
    const fourth = period(forms1, [screening(3, 30, 13), health1[1]], first);
    expect(fourth.units.map((u, i) => u === first.units[i])).toEqual([true, true, false, true, true, true]);
    // a changed inspection result (1411020002 now passes), and a new inspection (1411990001)
    const fifth = period(forms1, health1, first, [inspection(3, true), inspection(4, true)]);
    expect(fifth.units.map((u, i) => u === first.units[i])).toEqual([true, true, true, false, true, true]);
    const sixth = period(forms1, health1, first, [...safety1, inspection(6, false)]);
    expect(sixth.units.map((u, i) => u === first.units[i])).toEqual([true, true, true, true, true, false]);
  });

  it("evaluates only the units whose facts changed, and gives the figures of a full computation", () => {
    const first = period(forms1, health1);
    const second = period([...forms1.slice(0, 1), value(4, "uplink_mbps", 2000), forms1[2]], health1, first);
    for (const f of formulas) {
      const before = contributions(f, first.units);
      const after = contributions(f, second.units, before);
      expect(after).toEqual(contributions(f, second.units));
      expectSameFigures(f, second, after);
      // summands of kept units are taken, not evaluated: poisoned ones come through unchanged
      const poisoned = { ...before, n: before.n.map(() => 999) };
      const reused = contributions(f, second.units, poisoned);
      expect(Array.from(reused.n).map((n, i) => (i === 3 ? "evaluated" : n))).toEqual([
        999,
        999,
        999,
        "evaluated",
        999,
        999,
      ]);
    }
  });

  it("matches units by object when units were added or removed", () => {
    const first = period(forms1, health1);
    const more = [...units, row(7, "/141100/141102/1411020007/")];
    const second = assemble(
      "2022",
      "2022-01-01",
      "2022-12-31",
      more,
      people,
      forms1,
      health1,
      safety1,
      first,
    );
    for (const f of formulas) {
      const after = contributions(f, second.units, contributions(f, first.units));
      expect(after).toEqual(contributions(f, second.units));
      expectSameFigures(f, second, after);
    }
  });
});
