import { maskResidentId } from "../../shared/resident-id.js";
import {
  enrolmentStatusLabels,
  genderLabels,
  gradeLabels,
  keyLevelLabels,
  type Stage,
  staffStatusLabels,
  stageLabels,
} from "../registry/codes.js";
import type { ClassGroupOut } from "./class-group-schemas.js";
import type { StaffOut } from "./staff-schemas.js";
import type { StudentOut } from "./student-schemas.js";

/** Rows as the repositories read them (the person's row with school and class names joined). */
export interface StudentView {
  id: number;
  student_number: string;
  name: string;
  gender: "M" | "F";
  resident_id: string | null;
  birth_date: string;
  school_id: number;
  school_code: string;
  school_name: string;
  org_path: string;
  county_code: string;
  stage: string;
  grade: number;
  class_group_id: number | null;
  class_group_name: string | null;
  status: StudentOut["status"];
  enrolled_on: string | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

export interface StaffView {
  id: number;
  staff_number: string;
  name: string;
  gender: "M" | "F";
  resident_id: string | null;
  birth_date: string | null;
  school_id: number;
  school_code: string;
  school_name: string;
  org_path: string;
  county_code: string;
  posts: string[];
  subjects: string[];
  education: string | null;
  title: string | null;
  key_level: "county" | "city" | "province" | null;
  teaching_certificate: string | null;
  school_start_date: string | null;
  status: "active" | "left" | "retired";
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

export interface ClassGroupView {
  id: number;
  school_id: number;
  school_code: string;
  school_name: string;
  school_type: string | null;
  org_path: string;
  county_code: string;
  school_year: number;
  stage: string;
  grade: number;
  name: string;
  homeroom_staff_number: string | null;
  homeroom_name: string | null;
  student_count: number;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

const iso = (d: Date | string) => new Date(d).toISOString();
/** The ID number in full only for holders of people.pii; everyone else sees 141102********1234. */
const residentId = (id: string | null, pii: boolean) => (pii ? id : maskResidentId(id));

export function presentStudent(s: StudentView, pii: boolean): StudentOut {
  return {
    studentNumber: s.student_number,
    name: s.name,
    gender: s.gender,
    genderLabel: genderLabels[s.gender],
    residentId: residentId(s.resident_id, pii),
    residentIdMasked: !pii && s.resident_id !== null,
    birthDate: s.birth_date,
    schoolCode: s.school_code,
    schoolName: s.school_name,
    countyCode: s.county_code,
    stage: s.stage,
    stageLabel: stageLabels[s.stage as Stage] ?? s.stage,
    grade: s.grade,
    gradeLabel: gradeLabels[s.grade] ?? String(s.grade),
    classGroupId: s.class_group_id,
    classGroupName: s.class_group_name,
    status: s.status,
    statusLabel: enrolmentStatusLabels[s.status],
    enrolledOn: s.enrolled_on,
    createdAt: iso(s.created_at),
    updatedAt: iso(s.updated_at),
  };
}

export function presentStaff(s: StaffView, pii: boolean): StaffOut {
  return {
    staffNumber: s.staff_number,
    name: s.name,
    gender: s.gender,
    genderLabel: genderLabels[s.gender],
    residentId: residentId(s.resident_id, pii),
    residentIdMasked: !pii && s.resident_id !== null,
    birthDate: s.birth_date,
    schoolCode: s.school_code,
    schoolName: s.school_name,
    countyCode: s.county_code,
    posts: s.posts,
    subjects: s.subjects,
    education: s.education,
    title: s.title,
    keyLevel: s.key_level,
    keyLevelLabel: s.key_level ? keyLevelLabels[s.key_level] : null,
    teachingCertificate: s.teaching_certificate,
    schoolStartDate: s.school_start_date,
    status: s.status,
    statusLabel: staffStatusLabels[s.status],
    createdAt: iso(s.created_at),
    updatedAt: iso(s.updated_at),
  };
}

export function presentClassGroup(c: ClassGroupView): ClassGroupOut {
  return {
    id: c.id,
    schoolCode: c.school_code,
    schoolName: c.school_name,
    countyCode: c.county_code,
    schoolYear: c.school_year,
    stage: c.stage,
    stageLabel: stageLabels[c.stage as Stage] ?? c.stage,
    grade: c.grade,
    gradeLabel: gradeLabels[c.grade] ?? String(c.grade),
    name: c.name,
    homeroomStaffNumber: c.homeroom_staff_number,
    homeroomName: c.homeroom_name,
    studentCount: c.student_count,
    createdAt: iso(c.created_at),
    updatedAt: iso(c.updated_at),
  };
}

/** Audit snapshots keep the full ID number: the audit log is itself restricted (audit.read). */
export function studentSnapshot(s: StudentView) {
  return {
    studentNumber: s.student_number,
    name: s.name,
    gender: s.gender,
    residentId: s.resident_id,
    birthDate: s.birth_date,
    schoolCode: s.school_code,
    grade: s.grade,
    classGroupId: s.class_group_id,
    status: s.status,
    enrolledOn: s.enrolled_on,
  };
}

export function staffSnapshot(s: StaffView) {
  return {
    staffNumber: s.staff_number,
    name: s.name,
    gender: s.gender,
    residentId: s.resident_id,
    birthDate: s.birth_date,
    schoolCode: s.school_code,
    posts: s.posts,
    subjects: s.subjects,
    education: s.education,
    title: s.title,
    keyLevel: s.key_level,
    teachingCertificate: s.teaching_certificate,
    schoolStartDate: s.school_start_date,
    status: s.status,
  };
}
