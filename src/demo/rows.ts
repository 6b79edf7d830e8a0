import type {
  DemoClassGroup,
  DemoOrgUnit,
  DemoOrgUnitVersion,
  DemoStaff,
  DemoStatusHistory,
  DemoStudent,
} from "./model.js";

/**
 * The demo city's rows as COPY fields: column lists matching src/db/migrations/0001-core.sql, and
 * each record as text (null stays NULL). Columns not listed take their defaults (created_at …).
 */
type Field = string | null;

const text = (v: string | null) => v;
const num = (v: number | null) => (v === null ? null : String(v));
const bool = (v: boolean | null) => (v === null ? null : v ? "t" : "f");
/** A PostgreSQL text[] literal; the demo's posts and subjects hold no commas, quotes or braces. */
const array = (v: string[]) => `{${v.join(",")}}`;

export const orgUnitRows = {
  columns: [
    "id",
    "code",
    "kind",
    "name",
    "short_name",
    "parent_id",
    "path",
    "county_code",
    "school_type",
    "ownership",
    "inclusive",
    "urban_rural",
    "boarding",
    "address",
    "lng",
    "lat",
    "valid_from",
    "valid_to",
    "successor_id",
    "end_reason",
  ],
  row: (u: DemoOrgUnit): Field[] => [
    num(u.id),
    u.code,
    u.kind,
    u.name,
    text(u.shortName),
    num(u.parentId),
    u.path,
    text(u.countyCode),
    text(u.schoolType),
    text(u.ownership),
    bool(u.inclusive),
    text(u.urbanRural),
    bool(u.boarding),
    text(u.address),
    num(u.lng),
    num(u.lat),
    u.validFrom,
    text(u.validTo),
    num(u.successorId),
    text(u.endReason),
  ],
};

export const versionRows = {
  columns: [
    "org_unit_id",
    "valid_from",
    "valid_to",
    "name",
    "parent_id",
    "path",
    "school_type",
    "ownership",
    "inclusive",
    "urban_rural",
    "boarding",
    "successor_id",
    "end_reason",
    "note",
  ],
  row: (v: DemoOrgUnitVersion): Field[] => [
    num(v.orgUnitId),
    v.validFrom,
    text(v.validTo),
    v.name,
    num(v.parentId),
    v.path,
    text(v.schoolType),
    text(v.ownership),
    bool(v.inclusive),
    text(v.urbanRural),
    bool(v.boarding),
    num(v.successorId),
    text(v.endReason),
    text(v.note),
  ],
};

export const classGroupRows = {
  columns: [
    "id",
    "school_id",
    "org_path",
    "county_code",
    "school_year",
    "stage",
    "grade",
    "name",
    "homeroom_staff_number",
  ],
  row: (c: DemoClassGroup): Field[] => [
    num(c.id),
    num(c.schoolId),
    c.orgPath,
    c.countyCode,
    num(c.schoolYear),
    c.stage,
    num(c.grade),
    c.name,
    text(c.homeroomStaffNumber),
  ],
};

export const staffRows = {
  columns: [
    "id",
    "staff_number",
    "name",
    "gender",
    "resident_id",
    "birth_date",
    "school_id",
    "org_path",
    "county_code",
    "posts",
    "subjects",
    "education",
    "title",
    "key_level",
    "teaching_certificate",
    "school_start_date",
  ],
  row: (s: DemoStaff): Field[] => [
    num(s.id),
    s.staffNumber,
    s.name,
    s.gender,
    s.residentId,
    s.birthDate,
    num(s.schoolId),
    s.orgPath,
    s.countyCode,
    array(s.posts),
    array(s.subjects),
    text(s.education),
    text(s.title),
    text(s.keyLevel),
    text(s.teachingCertificate),
    s.schoolStartDate,
  ],
};

export const studentRows = {
  columns: [
    "id",
    "student_number",
    "name",
    "gender",
    "resident_id",
    "birth_date",
    "school_id",
    "org_path",
    "county_code",
    "stage",
    "grade",
    "class_group_id",
    "status",
    "enrolled_on",
  ],
  row: (s: DemoStudent): Field[] => [
    String(s.id),
    s.studentNumber,
    s.name,
    s.gender,
    s.residentId,
    s.birthDate,
    String(s.schoolId),
    s.orgPath,
    s.countyCode,
    s.stage,
    String(s.grade),
    num(s.classGroupId),
    s.status,
    s.enrolledOn,
  ],
};

export const statusHistoryRows = {
  columns: ["student_id", "status", "school_id", "effective_on", "note", "recorded_by"],
  row: (h: DemoStatusHistory): string[] => [
    String(h.studentId),
    h.status,
    String(h.schoolId),
    h.effectiveOn,
    h.note,
    "seed-demo",
  ],
};
