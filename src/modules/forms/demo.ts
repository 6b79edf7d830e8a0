import { sql } from "kysely";
import type { Logger } from "pino";
import type { BulkTx, Database } from "../../db/connect.js";
import { withIndexesDeferred } from "../../demo/bulk-indexes.js";
import { markDemoExtra } from "../../demo/extras.js";
import { systemActor } from "../../shared/actor.js";
import { dataEvents } from "../../shared/data-events.js";
import type { Stage } from "../registry/codes.js";
import {
  type CensusCounty,
  type CensusSchool,
  type GeneratedSubmission,
  generateCensus,
} from "./census-generator.js";
import { DefinitionRepository } from "./definition-repository.js";
import { CENSUS_PACK, installFormPack, readFormPack } from "./pack.js";

/** Who the demo's returns are recorded as (an honest name: no such person exists). */
const DEMO_ACTOR = "demo";
const ts = (date: string, hour: number) => `${date} ${String(hour).padStart(2, "0")}:00:00+08`;

async function readCity(tx: BulkTx): Promise<{ schools: CensusSchool[]; counties: CensusCounty[] }> {
  const counties =
    await sql<CensusCounty>`select id, code, path from org_unit where kind = 'county' order by code`.execute(
      tx.db,
    );
  const schools = await sql<
    Omit<CensusSchool, "students">
  >`select id, code, path, county_code as "countyCode",
      school_type as "schoolType", valid_from::text as "validFrom", valid_to::text as "validTo"
    from org_unit where kind = 'school' and school_type is not null order by path`.execute(tx.db);
  const counts = await sql<{
    school_id: number;
    stage: Stage;
    n: number;
  }>`select school_id, stage, count(*)::int as n
    from student where deleted_at is null and status in ('enrolled', 'suspended') group by 1, 2`.execute(
    tx.db,
  );
  const bySchool = new Map<number, Partial<Record<Stage, number>>>();
  for (const c of counts.rows) {
    const m = bySchool.get(c.school_id) ?? {};
    m[c.stage] = c.n;
    bySchool.set(c.school_id, m);
  }
  return {
    counties: counties.rows,
    schools: schools.rows.map((r) => ({ ...r, students: bySchool.get(r.id) ?? {} })),
  };
}

/** Writes generated submissions with their values (COPY), value history and approval trail. */
async function writeSubmissions(tx: BulkTx, generated: GeneratedSubmission[]) {
  const defs = new DefinitionRepository(tx.db);
  const forms = {
    school_census: (await defs.form("school_census"))!,
    county_census: (await defs.form("county_census"))!,
  };
  const subs = generated.map((g) => {
    const returned = g.status === "returned";
    const returnedOn = returned ? ts(g.submittedOn, 16) : null;
    return [
      String(forms[g.form].id),
      g.period,
      String(g.orgUnitId),
      g.orgPath,
      g.countyCode,
      g.status,
      g.comment,
      g.status === "draft" ? null : ts(g.submittedOn, 10),
      g.status === "draft" ? null : DEMO_ACTOR,
      g.approvedOn && ts(g.approvedOn, 11),
      g.approvedOn && DEMO_ACTOR,
      g.acceptedOn && ts(g.acceptedOn, 15),
      g.acceptedOn && DEMO_ACTOR,
      returnedOn,
      returned ? DEMO_ACTOR : null,
      ts(g.submittedOn, 9),
      ts(g.acceptedOn ?? g.approvedOn ?? g.submittedOn, 16),
    ];
  });
  await tx.copyRows(
    "form_submission",
    "form_id,period_code,org_unit_id,org_path,county_code,status,comment,submitted_at,submitted_by,approved_at,approved_by,accepted_at,accepted_by,returned_at,returned_by,created_at,updated_at".split(
      ",",
    ),
    subs,
  );
  const ids = await sql<{ id: number; form_id: number; period_code: string; org_unit_id: number }>`
    select id, form_id, period_code, org_unit_id from form_submission`.execute(tx.db);
  const idOf = new Map(ids.rows.map((r) => [`${r.form_id}/${r.period_code}/${r.org_unit_id}`, r.id]));
  const values: (string | null)[][] = [];
  const events: (string | null)[][] = [];
  for (const g of generated) {
    const form = forms[g.form];
    const id = String(idOf.get(`${form.id}/${g.period}/${g.orgUnitId}`));
    const byCode = new Map(form.elements.map((e) => [e.code, e]));
    const at = ts(g.submittedOn, 9);
    for (const v of g.values) {
      const el = byCode.get(v.element)!;
      const num = typeof v.value === "number" ? String(v.value) : null;
      const bool = typeof v.value === "boolean" ? (v.value ? "t" : "f") : null;
      const text = typeof v.value === "string" ? v.value : null;
      values.push([
        id,
        String(el.id),
        v.disaggregation,
        num,
        bool,
        text,
        g.period,
        String(g.orgUnitId),
        g.orgPath,
        g.countyCode,
        at,
        DEMO_ACTOR,
      ]);
    }
    const trail: [string, string | null, string, string | null, string][] = [];
    if (g.status !== "draft") trail.push(["submit", "draft", "submitted", null, ts(g.submittedOn, 10)]);
    if (g.status === "returned")
      trail.push(["return", "submitted", "returned", g.comment, ts(g.submittedOn, 16)]);
    if (g.approvedOn) trail.push(["approve", "submitted", "approved", null, ts(g.approvedOn, 11)]);
    if (g.acceptedOn) trail.push(["accept", "approved", "accepted", null, ts(g.acceptedOn, 15)]);
    for (const [action, from, to, comment, when] of trail)
      events.push([id, action, from, to, comment, DEMO_ACTOR, when, g.orgPath, g.countyCode]);
  }
  // The three big tables are empty before the demo: COPY them with keys and indexes set aside (one
  // index build instead of a per-row key check and index update: seconds on PGlite).
  await withIndexesDeferred(tx, ["form_value", "form_value_history", "form_submission_event"], async () => {
    await tx.copyRows(
      "form_value",
      "submission_id,element_id,disaggregation,num_value,bool_value,text_value,period_code,org_unit_id,org_path,county_code,updated_at,updated_by".split(
        ",",
      ),
      values,
    );
    // each value's history: its first entry (nothing → value, as shown to people)
    await tx.exec(`insert into form_value_history (submission_id, element_id, disaggregation, old_value,
        new_value, changed_at, changed_by, via, org_path, county_code)
      select v.submission_id, v.element_id, v.disaggregation, null,
        case when v.bool_value is not null then case when v.bool_value then '是' else '否' end
             when v.num_value is not null then v.num_value::text
             else coalesce((select o->>'name' from jsonb_array_elements(e.options) o
                            where o->>'code' = v.text_value), v.text_value) end,
        v.updated_at, v.updated_by, 'entry', v.org_path, v.county_code
      from form_value v join data_element e on e.id = v.element_id`);
    await tx.copyRows(
      "form_submission_event",
      "submission_id,action,from_status,to_status,comment,actor_name,at,org_path,county_code".split(","),
      events,
    );
  });
  return { submissions: subs.length, values: values.length, events: events.length };
}

/**
 * Loads the census definitions (packs/lvliang/census-forms.json) and the demo city's returns for
 * 2021 and 2022 in one transaction, all or nothing.
 */
export async function loadCensusDemo(database: Database, log?: Logger): Promise<Record<string, number>> {
  const summary = await database.bulkTransaction(async (tx) => {
    await installFormPack(tx.db, readFormPack(CENSUS_PACK), systemActor(DEMO_ACTOR));
    const { schools, counties } = await readCity(tx);
    const counts = await writeSubmissions(tx, generateCensus(schools, counties));
    const summary = { schools: schools.length, counties: counties.length, ...counts };
    await markDemoExtra(tx.db, "forms.census", summary);
    return summary;
  });
  dataEvents.changed("forms");
  log?.info(summary, "census returns (办学条件年报) loaded");
  return summary;
}
