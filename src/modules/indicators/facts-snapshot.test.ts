import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestContext } from "../../../test/app.js";
import { indicatorCity } from "../../../test/indicator-city.js";
import { student } from "../../../test/people-factories.js";
import { DataEvents } from "../../shared/data-events.js";
import { FactsProvider } from "./facts.js";
import { RegistryReadModel } from "./registry-read-model.js";
import { SourceSnapshots } from "./snapshots.js";

/**
 * The source snapshot (indicator_source_snapshot): a provider started after another (a restart) takes
 * the org units and people counts from it instead of aggregating the tables, and gets the same facts;
 * it never uses one saved under another fingerprint, and a data event always re-reads the tables.
 */
let t: TestContext;

/** The registry read model, counting its aggregate reads. */
class CountingReadModel extends RegistryReadModel {
  reads = { units: 0, students: 0, staff: 0 };
  override units() {
    this.reads.units++;
    return super.units();
  }
  override studentCounts(schoolIds?: readonly number[]) {
    this.reads.students++;
    return super.studentCounts(schoolIds);
  }
  override staffCounts(schoolIds?: readonly number[]) {
    this.reads.staff++;
    return super.staffCounts(schoolIds);
  }
}

const snapshots = () => new SourceSnapshots(t.database.db);
const unitsOf = async (p: FactsProvider) => (await p.facts("2022", [], false)).units;

/** Waits for the background saves of a provider's first read. */
async function saved(fingerprintOf: (name: string) => Promise<string | undefined>) {
  for (const until = Date.now() + 60_000; Date.now() < until; ) {
    if ((await fingerprintOf("registry-units")) && (await fingerprintOf("people-counts"))) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("the snapshots were not saved");
}
const fingerprintOf = async (name: string) => (await snapshots().load(name))?.fingerprint;

beforeAll(async () => {
  t = await createTestApp();
  await indicatorCity(t.database.db);
});
afterAll(() => t.close());

describe("source snapshots", () => {
  it("lets a restarted provider start from the snapshot, with the same facts as from the tables", async () => {
    await sql`delete from indicator_source_snapshot`.execute(t.database.db);
    const first = new FactsProvider(
      new RegistryReadModel(t.database.db),
      new DataEvents(),
      null,
      null,
      {},
      snapshots(),
    );
    const fromTables = await unitsOf(first);
    await saved(fingerprintOf);
    expect(fromTables.some((u) => u.students.length > 0)).toBe(true);
    expect(fromTables.some((u) => u.staff.length > 0)).toBe(true);

    const read = new CountingReadModel(t.database.db);
    const restarted = new FactsProvider(
      read,
      new DataEvents(),
      null,
      null,
      { snapshotSaveAfterMs: 0 },
      snapshots(),
    );
    expect(await unitsOf(restarted)).toEqual(fromTables);
    expect(read.reads).toEqual({ units: 0, students: 0, staff: 0 });
  });

  it("does not use a snapshot saved under an older fingerprint", async () => {
    const before = await fingerprintOf("people-counts");
    await student(t.database.db, { schoolCode: "1411020001", grade: 3 });
    const read = new CountingReadModel(t.database.db);
    const restarted = new FactsProvider(
      read,
      new DataEvents(),
      null,
      null,
      { snapshotSaveAfterMs: 0 },
      snapshots(),
    );
    const units = await unitsOf(restarted);
    expect(read.reads).toMatchObject({ students: 1, staff: 1 });
    const plain = new FactsProvider(new RegistryReadModel(t.database.db), new DataEvents(), null, null);
    expect(units).toEqual(await unitsOf(plain));
    // and the snapshot is saved again under the new fingerprint
    for (const until = Date.now() + 60_000; Date.now() < until; ) {
      if ((await fingerprintOf("people-counts")) !== before) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await fingerprintOf("people-counts")).not.toBe(before);
  });

  it("does not save a read under a fingerprint that moved before the save", async () => {
    await sql`delete from indicator_source_snapshot`.execute(t.database.db);
    const p = new FactsProvider(
      new RegistryReadModel(t.database.db),
      new DataEvents(),
      null,
      null,
      { snapshotSaveAfterMs: 3_600_000 },
      snapshots(),
    );
    await unitsOf(p);
    await student(t.database.db, { schoolCode: "1411020002", grade: 2 });
    await p.flushSnapshots();
    expect(await fingerprintOf("people-counts")).toBeUndefined();
    // the registry did not move: its read is kept
    expect(await fingerprintOf("registry-units")).toBeDefined();
  });

  it("re-reads the tables on a data event, even with the fingerprint unchanged", async () => {
    const seed = new FactsProvider(
      new RegistryReadModel(t.database.db),
      new DataEvents(),
      null,
      null,
      { snapshotSaveAfterMs: 3_600_000 },
      snapshots(),
    );
    await unitsOf(seed);
    await seed.flushSnapshots();
    const events = new DataEvents();
    const read = new CountingReadModel(t.database.db);
    const p = new FactsProvider(read, events, null, null, { snapshotSaveAfterMs: 0 }, snapshots());
    const fp0 = await new RegistryReadModel(t.database.db).fingerprint();
    await unitsOf(p);
    expect(read.reads.students).toBe(0);
    // a change the fingerprint does not see (updated_at kept), announced by its write path
    await t.database.db.transaction().execute(async (tx) => {
      await sql`alter table student disable trigger student_touch`.execute(tx);
      await sql`update student set grade = grade + 1 where id = (select min(id) from student)`.execute(tx);
      await sql`alter table student enable trigger student_touch`.execute(tx);
    });
    expect(await new RegistryReadModel(t.database.db).fingerprint()).toEqual(fp0);
    events.changed("people");
    const units = await unitsOf(p);
    expect(read.reads.students).toBe(1);
    const plain = new FactsProvider(new RegistryReadModel(t.database.db), new DataEvents(), null, null);
    expect(units).toEqual(await unitsOf(plain));
  });
});
