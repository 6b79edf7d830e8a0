import type { Kysely } from "kysely";
import type { DB } from "../src/db/types.js";
import type {
  FormValueRow,
  IndicatorFormsSource,
  IndicatorHealthSource,
  MyopiaRow,
} from "../src/modules/indicators/sources.js";
import { orgUnit, orgUnitByCode, smallCity } from "./factories.js";

/**
 * A small hand-made city for the indicator tests: smallCity (离石区 with two primary schools, 孝义市
 * with one) plus kindergartens, a private nine-year school, a merged village school, the bureau's
 * 教研室 and people. Every figure the 2022 indicators should give on it is worked out in
 * src/modules/indicators/plan-2022.test.ts from the counts here.
 */
export async function indicatorCity(db: Kysely<DB>) {
  const base = await smallCity(db);
  // 离石区: a public kindergarten opened in 2022, an inclusive private one opened in 2022, a private
  // non-inclusive one from long ago.
  await orgUnit(db, {
    code: "1411020003",
    parentCode: "141102",
    school_type: "111",
    valid_from: "2022-09-01",
  });
  await orgUnit(db, {
    code: "1411020004",
    parentCode: "141102",
    school_type: "111",
    ownership: "private",
    inclusive: true,
    valid_from: "2022-03-01",
  });
  await orgUnit(db, {
    code: "1411020005",
    parentCode: "141102",
    school_type: "111",
    ownership: "private",
    inclusive: false,
  });
  // 孝义市: a private non-inclusive kindergarten, a private nine-year school, a village school merged
  // in July 2022 and one merged in 2021.
  await orgUnit(db, {
    code: "1411810002",
    parentCode: "141181",
    school_type: "111",
    ownership: "private",
    inclusive: false,
  });
  await orgUnit(db, {
    code: "1411810003",
    parentCode: "141181",
    school_type: "312",
    ownership: "private",
    boarding: true,
  });
  await orgUnit(db, {
    code: "1411810009",
    parentCode: "141181",
    urban_rural: "rural",
    valid_to: "2022-07-01",
    end_reason: "merged",
  });
  await orgUnit(db, {
    code: "1411810008",
    parentCode: "141181",
    urban_rural: "rural",
    valid_to: "2021-07-01",
    end_reason: "merged",
  });
  // The city's 教研室 and 离石区's.
  await orgUnit(db, { code: "141100D06", parentCode: "141100", kind: "department", county_code: null });
  await orgUnit(db, { code: "141102D01", parentCode: "141102", kind: "department" });

  await students(db, "1411020003", 30, "preschool", 0);
  await students(db, "1411020004", 20, "preschool", 0);
  await students(db, "1411020005", 10, "preschool", -1);
  await students(db, "1411810002", 40, "preschool", 0);
  await students(db, "1411020001", 100, "primary", 3);
  await students(db, "1411020002", 50, "primary", 4);
  await students(db, "1411810001", 80, "primary", 5);
  await students(db, "1411810003", 10, "primary", 2);
  await students(db, "1411810003", 10, "junior", 8);
  // Not counted: graduated, or deleted.
  await students(db, "1411810003", 7, "junior", 9, { status: "graduated" });
  await students(db, "1411020001", 3, "primary", 3, { deleted: true });

  await staff(db, "141100D06", 2, ["教研员"]);
  await staff(db, "141100D06", 1, ["行政人员"]);
  await staff(db, "141102D01", 3, ["教研员"]);
  await staff(db, "1411020001", 1, ["教师", "教研员"]);
  await staff(db, "1411020001", 1, ["教研员"], "retired");
  await staff(db, "1411810001", 1, ["教师", "名师成长带头人"]);
  return base;
}

let seq = 0;

export async function students(
  db: Kysely<DB>,
  schoolCode: string,
  n: number,
  stage: string,
  grade: number,
  opts: { status?: "enrolled" | "graduated"; deleted?: boolean } = {},
) {
  const s = await orgUnitByCode(db, schoolCode);
  const rows = Array.from({ length: n }, (_, i) => ({
    student_number: `I${schoolCode}${++seq}`,
    name: `学生${i}`,
    gender: i % 2 ? ("F" as const) : ("M" as const),
    birth_date: "2015-03-01",
    school_id: s.id,
    org_path: s.path,
    county_code: s.county_code!,
    stage,
    grade,
    status: opts.status ?? "enrolled",
    deleted_at: opts.deleted ? new Date() : null,
  }));
  await db.insertInto("student").values(rows).execute();
}

export async function staff(
  db: Kysely<DB>,
  unitCode: string,
  n: number,
  posts: string[],
  status: "active" | "retired" = "active",
) {
  const s = await orgUnitByCode(db, unitCode);
  const rows = Array.from({ length: n }, (_, i) => ({
    staff_number: `S${unitCode}${++seq}`,
    name: `教工${i}`,
    gender: "F" as const,
    school_id: s.id,
    org_path: s.path,
    county_code: s.county_code ?? "",
    posts,
    status,
  }));
  await db.insertInto("staff").values(rows).execute();
}

/** A stand-in for the forms module (FormsService) with values set by the test. */
export class FakeForms implements IndicatorFormsSource {
  rows: Array<FormValueRow & { period: string }> = [];
  calls = 0;
  constructor(private readonly db: Kysely<DB>) {}

  async set(
    period: string,
    unitCode: string,
    elementCode: string,
    value: FormValueRow["value"],
    status = "submitted",
  ) {
    const u = await orgUnitByCode(this.db, unitCode);
    this.rows = this.rows.filter(
      (r) => !(r.period === period && r.orgUnitId === u.id && r.elementCode === elementCode),
    );
    this.rows.push({
      period,
      orgUnitId: u.id,
      orgPath: u.path,
      countyCode: u.county_code,
      elementCode,
      disaggregation: "",
      value,
      status,
    });
  }

  async valuesForIndicators(periodCode: string, elementCodes: string[]): Promise<FormValueRow[]> {
    this.calls++;
    return this.rows.filter((r) => r.period === periodCode && elementCodes.includes(r.elementCode));
  }

  async listElements() {
    return ["uplink_mbps", "class_bandwidth_mbps", "county_uplink_mbps"]
      .map((code) => ({ code, name: code, valueType: "number" }))
      .concat(
        ["rule_of_law_vp", "ideology_studio"].map((code) => ({ code, name: code, valueType: "boolean" })),
        [{ code: "safe_campus", name: "平安校园创建", valueType: "choice" }],
      );
  }
}

/** A stand-in for the health module (HealthService.myopiaBySchool). */
export class FakeHealth implements IndicatorHealthSource {
  rows: Array<MyopiaRow & { period: string }> = [];
  constructor(private readonly db: Kysely<DB>) {}

  async set(period: string, unitCode: string, screened: number, myopic: number) {
    const u = await orgUnitByCode(this.db, unitCode);
    this.rows.push({ period, orgUnitId: u.id, orgPath: u.path, countyCode: u.county_code, screened, myopic });
  }

  async myopiaBySchool(periodCode: string): Promise<MyopiaRow[]> {
    return this.rows.filter((r) => r.period === periodCode);
  }
}
