import type { z } from "zod";
import { ownershipLabels, schoolTypeByCode, urbanRuralLabels } from "./codes.js";
import { type OrgUnitOut, orgKindLabels, type orgUnitVersionOut } from "./schemas.js";

/** An org unit as the repository reads it: the unit's row (or one version of it) with joined codes. */
export interface OrgUnitView {
  id: number;
  code: string;
  kind: "city" | "county" | "school" | "department";
  name: string;
  short_name: string | null;
  parent_id: number | null;
  parent_code: string | null;
  path: string;
  county_code: string | null;
  county_name: string | null;
  school_type: string | null;
  ownership: "public" | "private" | null;
  inclusive: boolean | null;
  urban_rural: "urban" | "town" | "rural" | null;
  boarding: boolean | null;
  address: string | null;
  lng: number | null;
  lat: number | null;
  valid_from: string;
  valid_to: string | null;
  successor_id: number | null;
  successor_code: string | null;
  end_reason: "merged" | "closed" | null;
  updated_at: Date;
}

export interface OrgUnitVersionView {
  valid_from: string;
  valid_to: string | null;
  name: string;
  parent_code: string | null;
  school_type: string | null;
  ownership: string | null;
  inclusive: boolean | null;
  urban_rural: string | null;
  boarding: boolean | null;
  end_reason: string | null;
  successor_code: string | null;
  note: string | null;
  recorded_at: Date;
}

const label = <K extends string>(labels: Record<K, string>, v: K | null) => (v ? labels[v] : null);

/** Database row → API object: codes with their Chinese labels. */
export function presentOrgUnit(u: OrgUnitView, today: string): OrgUnitOut {
  return {
    code: u.code,
    kind: u.kind,
    kindLabel: orgKindLabels[u.kind],
    name: u.name,
    shortName: u.short_name,
    parentCode: u.parent_code,
    countyCode: u.county_code,
    countyName: u.county_name,
    schoolType: u.school_type,
    schoolTypeLabel: u.school_type ? (schoolTypeByCode.get(u.school_type)?.label ?? null) : null,
    ownership: u.ownership,
    ownershipLabel: label(ownershipLabels, u.ownership),
    inclusive: u.inclusive,
    urbanRural: u.urban_rural,
    urbanRuralLabel: label(urbanRuralLabels, u.urban_rural),
    boarding: u.boarding,
    address: u.address,
    lng: u.lng,
    lat: u.lat,
    validFrom: u.valid_from,
    validTo: u.valid_to,
    endReason: u.end_reason,
    successorCode: u.successor_code,
    current: u.valid_from <= today && (u.valid_to === null || u.valid_to > today),
    updatedAt: new Date(u.updated_at).toISOString(),
  };
}

export function presentVersion(v: OrgUnitVersionView): z.infer<typeof orgUnitVersionOut> {
  return {
    validFrom: v.valid_from,
    validTo: v.valid_to,
    name: v.name,
    parentCode: v.parent_code,
    schoolType: v.school_type,
    schoolTypeLabel: v.school_type ? (schoolTypeByCode.get(v.school_type)?.label ?? null) : null,
    ownership: v.ownership,
    inclusive: v.inclusive,
    urbanRural: v.urban_rural,
    boarding: v.boarding,
    endReason: v.end_reason,
    successorCode: v.successor_code,
    note: v.note,
    recordedAt: new Date(v.recorded_at).toISOString(),
  };
}

/** The audit snapshot of a unit: its own fields, without joined names. */
export function orgUnitSnapshot(u: OrgUnitView) {
  return {
    code: u.code,
    kind: u.kind,
    name: u.name,
    shortName: u.short_name,
    parentCode: u.parent_code,
    countyCode: u.county_code,
    schoolType: u.school_type,
    ownership: u.ownership,
    inclusive: u.inclusive,
    urbanRural: u.urban_rural,
    boarding: u.boarding,
    address: u.address,
    lng: u.lng,
    lat: u.lat,
    validFrom: u.valid_from,
    validTo: u.valid_to,
    successorCode: u.successor_code,
    endReason: u.end_reason,
  };
}
