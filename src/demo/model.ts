import type { Stage } from "../modules/registry/codes.js";

/**
 * The demo city as plain data: what the generator returns and the loader writes. Ids are assigned
 * by the generator (the loader writes them as they are into an empty database), so rows can refer
 * to each other without a round trip.
 */

/** The school year the demo city stands in: 2022–2023, which starts on 1 September 2022. */
export const SCHOOL_YEAR = 2022;

export interface DemoOrgUnit {
  id: number;
  code: string;
  kind: "city" | "county" | "school" | "department";
  name: string;
  shortName: string | null;
  parentId: number | null;
  path: string;
  countyCode: string | null;
  schoolType: string | null;
  ownership: "public" | "private" | null;
  inclusive: boolean | null;
  urbanRural: "urban" | "town" | "rural" | null;
  boarding: boolean | null;
  address: string | null;
  lng: number | null;
  lat: number | null;
  validFrom: string;
  validTo: string | null;
  successorId: number | null;
  endReason: "merged" | "closed" | null;
}

export interface DemoOrgUnitVersion {
  orgUnitId: number;
  validFrom: string;
  validTo: string | null;
  name: string;
  parentId: number | null;
  path: string;
  schoolType: string | null;
  ownership: string | null;
  inclusive: boolean | null;
  urbanRural: string | null;
  boarding: boolean | null;
  successorId: number | null;
  endReason: string | null;
  /** Why the version began or ended (撤并，并入…), shown in the unit's history. */
  note: string | null;
}

export interface DemoClassGroup {
  id: number;
  schoolId: number;
  orgPath: string;
  countyCode: string;
  schoolYear: number;
  stage: Stage;
  grade: number;
  name: string;
  homeroomStaffNumber: string | null;
  /** How many students the generator puts in it (not a column). */
  size: number;
}

export interface DemoStaff {
  id: number;
  staffNumber: string;
  name: string;
  gender: "M" | "F";
  residentId: string;
  birthDate: string;
  schoolId: number;
  orgPath: string;
  countyCode: string;
  posts: string[];
  subjects: string[];
  education: string | null;
  title: string | null;
  keyLevel: "county" | "city" | "province" | null;
  teachingCertificate: string | null;
  schoolStartDate: string;
}

export interface DemoStudent {
  id: number;
  studentNumber: string;
  name: string;
  gender: "M" | "F";
  residentId: string;
  birthDate: string;
  schoolId: number;
  orgPath: string;
  countyCode: string;
  stage: Stage;
  grade: number;
  classGroupId: number | null;
  status: "enrolled" | "transferred" | "suspended";
  enrolledOn: string;
}

export interface DemoStatusHistory {
  studentId: number;
  status: "enrolled" | "transferred" | "suspended";
  schoolId: number;
  effectiveOn: string;
  note: string;
}

/** The students of one school with their status history rows: the unit the loader streams. */
export interface DemoStudentBatch {
  students: DemoStudent[];
  history: DemoStatusHistory[];
}
