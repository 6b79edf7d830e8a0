import { type Kysely, sql } from "kysely";
import { underPaths } from "../../db/scope.js";
import type { DB } from "../../db/types.js";
import type { ImportKindDef, ImportLookups, OrgRef, SchoolRef } from "./kind.js";

/**
 * Everything a kind's validator looks up, loaded once per file inside the actor's scope (the
 * import repository's SQL, kept in a file of its own).
 */
export async function loadLookups(
  db: Kysely<DB>,
  def: ImportKindDef,
  scopePaths: string[],
  today: string,
  schoolYear: number,
): Promise<ImportLookups> {
  const lookups: ImportLookups = {
    today,
    schoolYear,
    schools: new Map(),
    parents: new Map(),
    counties: new Map(),
    classGroups: new Map(),
  };
  if (def.needs.schools) {
    const rows = await sql<{
      id: number;
      code: string;
      name: string;
      path: string;
      county_code: string | null;
      school_type: string | null;
      current: boolean;
    }>`select id, code, name, path, county_code, school_type,
        (valid_to is null or valid_to > ${today}::date) as current
      from org_unit u where kind = 'school' and ${underPaths("u.path", scopePaths)}`.execute(db);
    for (const r of rows.rows) {
      const s: SchoolRef = {
        id: Number(r.id),
        code: r.code,
        name: r.name,
        path: r.path,
        countyCode: r.county_code ?? "",
        schoolType: r.school_type,
        current: r.current,
      };
      lookups.schools.set(r.code, s);
    }
  }
  if (def.needs.parents) {
    const rows = await sql<OrgRow>`select id, code, name, kind, path, county_code,
        (valid_to is null or valid_to > ${today}::date) as current
      from org_unit u where kind in ('city', 'county')`.execute(db);
    const inScope = new Set(
      (
        await sql<{ id: number }>`select id from org_unit u
          where kind in ('city', 'county') and ${underPaths("u.path", scopePaths)}`.execute(db)
      ).rows.map((r) => Number(r.id)),
    );
    for (const r of rows.rows) {
      const o = orgRef(r);
      if (inScope.has(o.id)) {
        lookups.parents.set(o.code, o);
        lookups.parents.set(o.name, o);
      }
      if (o.kind === "county") {
        lookups.counties.set(o.code, o);
        lookups.counties.set(o.name, o);
      }
    }
  }
  if (def.needs.classGroups) {
    const rows = await sql<{
      id: number;
      school_id: number;
      school_year: number;
      name: string;
      grade: number;
    }>`
      select id, school_id, school_year, name, grade from class_group c
      where deleted_at is null and school_year = ${schoolYear} and ${underPaths("c.org_path", scopePaths)}`.execute(
      db,
    );
    for (const r of rows.rows)
      lookups.classGroups.set(`${r.school_id}|${r.school_year}|${r.name}`, {
        id: Number(r.id),
        grade: r.grade,
      });
  }
  return lookups;
}

interface OrgRow {
  id: number;
  code: string;
  name: string;
  kind: string;
  path: string;
  county_code: string | null;
  current: boolean;
}

const orgRef = (r: OrgRow): OrgRef => ({
  id: Number(r.id),
  code: r.code,
  name: r.name,
  kind: r.kind,
  path: r.path,
  countyCode: r.county_code,
  current: r.current,
});
