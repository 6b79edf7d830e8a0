import type { Insertable, Kysely } from "kysely";
import type { ClassGroupTable, DB, StaffTable, StudentTable } from "../src/db/types.js";
import { stageOfGrade } from "../src/modules/registry/codes.js";
import { makeResidentId } from "../src/shared/resident-id.js";
import { type Client, signIn, type TestContext } from "./app.js";
import { orgUnit, orgUnitByCode, smallCity, user } from "./factories.js";

/**
 * Factories for people, written straight to the database with sensible defaults: a valid ID number
 * whose region and birth date fit the school and grade, the school's path and county.
 */

let seq = 0;
const next = () => ++seq;

/** A birth date that fits a grade in school year 2024 (six and a half in grade 1). */
export function birthDateForGrade(grade: number) {
  return `${2019 - grade}-03-15`;
}

export async function classGroup(
  db: Kysely<DB>,
  c: { schoolCode: string; grade?: number; name?: string } & Partial<Insertable<ClassGroupTable>>,
) {
  const s = await orgUnitByCode(db, c.schoolCode);
  const { schoolCode, ...rest } = c;
  const grade = c.grade ?? 1;
  return db
    .insertInto("class_group")
    .values({
      school_id: s.id,
      org_path: s.path,
      county_code: s.county_code ?? "",
      school_year: 2024,
      stage: stageOfGrade(grade),
      name: `${grade}年级${next()}班`,
      ...rest,
      grade,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function student(
  db: Kysely<DB>,
  s: { schoolCode: string; grade?: number; sequence?: number } & Partial<Insertable<StudentTable>>,
) {
  const sch = await orgUnitByCode(db, s.schoolCode);
  const { schoolCode, sequence, ...rest } = s;
  const grade = s.grade ?? 1;
  const n = sequence ?? next();
  const birth = birthDateForGrade(grade);
  const residentId = s.resident_id ?? makeResidentId(sch.county_code ?? "141100", birth, (n % 900) + 100);
  const row = await db
    .insertInto("student")
    .values({
      student_number: `G${residentId.slice(0, 12)}${String(n).padStart(6, "0")}`,
      name: `学生${n}`,
      gender: Number(residentId[16]) % 2 === 1 ? "M" : "F",
      resident_id: residentId,
      birth_date: `${residentId.slice(6, 10)}-${residentId.slice(10, 12)}-${residentId.slice(12, 14)}`,
      school_id: sch.id,
      org_path: sch.path,
      county_code: sch.county_code ?? "",
      stage: stageOfGrade(grade),
      grade,
      ...rest,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await db
    .insertInto("student_status_history")
    .values({
      student_id: row.id,
      status: row.status,
      school_id: sch.id,
      effective_on: "2020-09-01",
      note: "建档",
    })
    .execute();
  return row;
}

export async function staff(db: Kysely<DB>, t: { schoolCode: string } & Partial<Insertable<StaffTable>>) {
  const sch = await orgUnitByCode(db, t.schoolCode);
  const { schoolCode, ...rest } = t;
  const n = next();
  const residentId = makeResidentId(sch.county_code ?? "141100", "1985-06-01", (n % 900) + 100);
  return db
    .insertInto("staff")
    .values({
      staff_number: `T${sch.code}${String(n).padStart(4, "0")}`,
      name: `教师${n}`,
      gender: Number(residentId[16]) % 2 === 1 ? "M" : "F",
      resident_id: residentId,
      birth_date: "1985-06-01",
      school_id: sch.id,
      org_path: sch.path,
      county_code: sch.county_code ?? "",
      posts: ["教师"],
      subjects: ["语文"],
      education: "本科",
      title: "一级教师",
      ...rest,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * The small city with people for the student API tests: a junior school beside the two primary
 * schools of 离石区, users of every kind signed in, two classes and four students.
 */
export async function studentWorld(t: TestContext) {
  const db = t.database.db;
  await smallCity(db);
  await orgUnit(db, { code: "1411020010", name: "离石区第一中学", parentCode: "141102", school_type: "311" });
  await user(db, "admin", ["city_admin"], ["141100"]);
  await user(db, "lishi", ["county_admin"], ["141102"]);
  await user(db, "school1", ["school_admin"], ["1411020001"]);
  await user(db, "teacher1", ["teacher"], ["1411020001"]);
  await user(db, "exam", ["exam_office"], ["141102"]);
  const [admin, lishi, school1, teacher, exam] = await Promise.all(
    ["admin", "lishi", "school1", "teacher1", "exam"].map((u) => signIn(t.app, u)),
  );
  const class1 = (await classGroup(db, { schoolCode: "1411020001", grade: 3, name: "三年级1班" })).id;
  const classOther = (await classGroup(db, { schoolCode: "1411020002", grade: 3, name: "三年级1班" })).id;
  const s = {
    wang: (await student(db, { schoolCode: "1411020001", grade: 3, name: "王小明", class_group_id: class1 }))
      .student_number,
    wang2: (await student(db, { schoolCode: "1411020001", grade: 5, name: "王芳" })).student_number,
    li: (await student(db, { schoolCode: "1411020002", grade: 3, name: "李雷", status: "suspended" }))
      .student_number,
    xiaoyi: (await student(db, { schoolCode: "1411810001", grade: 3, name: "王孝义" })).student_number,
  } as Record<string, string>;
  const clients: Record<"admin" | "lishi" | "school1" | "teacher" | "exam", Client> = {
    admin,
    lishi,
    school1,
    teacher,
    exam,
  };
  return { clients, s, class1, classOther };
}
