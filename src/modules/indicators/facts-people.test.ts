import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestContext } from "../../../test/app.js";
import { orgUnitByCode, orgUnitId } from "../../../test/factories.js";
import { indicatorCity } from "../../../test/indicator-city.js";
import { student } from "../../../test/people-factories.js";
import { DataEvents } from "../../shared/data-events.js";
import { FactsProvider } from "./facts.js";
import { RegistryReadModel } from "./registry-read-model.js";

/**
 * People counts after a change: a student's or staff member's edit re-reads only the schools it
 * touched (those its notice names and those of rows stamped since the last read), and the facts
 * are the same as a whole read's. A notice that names no school re-reads every school.
 */
let t: TestContext;

/** The registry read model, recording which schools each people read asked for (null: all). */
class RecordingReadModel extends RegistryReadModel {
  studentReads: (readonly number[] | null)[] = [];
  override studentCounts(schoolIds?: readonly number[]) {
    this.studentReads.push(schoolIds ? [...schoolIds].sort((a, b) => a - b) : null);
    return super.studentCounts(schoolIds);
  }
}

const unitsOf = async (p: FactsProvider) => (await p.facts("2022", [], false)).units;
/** What a fresh provider, reading every table, says. */
const wholeRead = () =>
  unitsOf(new FactsProvider(new RegistryReadModel(t.database.db), new DataEvents(), null, null));
const idOf = (code: string) => orgUnitId(t.database.db, code);
const enrolled = (units: Awaited<ReturnType<typeof unitsOf>>, id: number) =>
  units.find((u) => u.id === id)!.students.reduce((n, g) => n + g.n, 0);

beforeAll(async () => {
  t = await createTestApp();
  await indicatorCity(t.database.db);
});
afterAll(() => t.close());

describe("people counts after a change", () => {
  it("re-reads only the schools a transfer touched, the school left included", async () => {
    const events = new DataEvents();
    const read = new RecordingReadModel(t.database.db);
    const p = new FactsProvider(read, events, null, null, { fingerprintEveryMs: 0 });
    const [a, b] = await Promise.all([idOf("1411020001"), idOf("1411020002")]);
    const mover = await student(t.database.db, { schoolCode: "1411020001", grade: 4 });
    const before = await unitsOf(p);
    expect(read.studentReads).toEqual([null]);

    // The transfer as the student service writes it (the row stamped by its trigger), then its notice.
    const to = await orgUnitByCode(t.database.db, "1411020002");
    await sql`update student set school_id = ${to.id}, org_path = ${to.path} where id = ${mover.id}`.execute(
      t.database.db,
    );
    events.changed("people", { schoolIds: [a, b] });
    const after = await unitsOf(p);

    expect(read.studentReads).toEqual([null, [a, b].sort((x, y) => x - y)]);
    expect(enrolled(after, a)).toBe(enrolled(before, a) - 1);
    expect(enrolled(after, b)).toBe(enrolled(before, b) + 1);
    expect(after).toEqual(await wholeRead());
  });

  it("catches rows another process changed (stamped since the last read) without a notice", async () => {
    const events = new DataEvents();
    const read = new RecordingReadModel(t.database.db);
    const p = new FactsProvider(read, events, null, null, { fingerprintEveryMs: 0 });
    const c = await idOf("1411810002");
    await unitsOf(p);
    await student(t.database.db, { schoolCode: "1411810002", grade: 3 });
    const after = await unitsOf(p);
    expect(read.studentReads).toEqual([null, [c]]);
    expect(after).toEqual(await wholeRead());
  });

  it("re-reads every school after a notice that names none (an import, a merger)", async () => {
    const events = new DataEvents();
    const read = new RecordingReadModel(t.database.db);
    const p = new FactsProvider(read, events, null, null, { fingerprintEveryMs: 0 });
    await unitsOf(p);
    await student(t.database.db, { schoolCode: "1411020002", grade: 5 });
    events.changed("people", { schoolIds: [await idOf("1411020002")] });
    events.changed("people");
    const after = await unitsOf(p);
    expect(read.studentReads).toEqual([null, null]);
    expect(after).toEqual(await wholeRead());
  });
});
