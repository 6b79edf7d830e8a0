import type { Writable } from "node:stream";
import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import { type Actor, can, requirePermission } from "../../shared/actor.js";
import { notFound } from "../../shared/errors.js";
import { maskResidentId } from "../../shared/resident-id.js";
import { writeXlsx } from "../../shared/xlsx.js";
import { recordAudit } from "../audit/record.js";
import {
  enrolmentStatusLabels,
  genderLabels,
  gradeLabels,
  keyLevelLabels,
  ownershipLabels,
  schoolTypeByCode,
  staffStatusLabels,
  urbanRuralLabels,
} from "../registry/codes.js";
import { type ExportRecord, ExportRepository } from "./export-repository.js";
import type { ImportKind } from "./kind.js";
import { kinds } from "./kinds.js";

const BATCH = 5000;
const yesNo = (v: unknown) => (v == null ? null : v ? "是" : "否");
const label = <K extends string>(labels: Record<K, string>, v: unknown) =>
  v == null ? null : (labels[v as K] ?? String(v));

/** Template-shaped display values of one record (labels, not codes), by column key. */
function present(kind: ImportKind, r: ExportRecord, pii: boolean): Record<string, unknown> {
  switch (kind) {
    case "students":
    case "staff": {
      const base = {
        ...r,
        gender: label(genderLabels, r.gender),
        residentId: pii ? r.residentId : maskResidentId(r.residentId as string | null),
        grade: r.grade == null ? null : label(gradeLabels as Record<string, string>, String(r.grade)),
      };
      if (kind === "students") return { ...base, status: label(enrolmentStatusLabels, r.status) };
      return {
        ...base,
        posts: (r.posts as string[]).join("、"),
        subjects: (r.subjects as string[]).join("、"),
        keyLevel: label(keyLevelLabels, r.keyLevel),
        status: label(staffStatusLabels, r.status),
      };
    }
    case "schools":
      return {
        ...r,
        county: r.parentKind === "city" ? r.county : null,
        schoolType: schoolTypeByCode.get(r.schoolType as string)?.label ?? r.schoolType,
        ownership: label(ownershipLabels, r.ownership),
        inclusive: yesNo(r.inclusive),
        urbanRural: label(urbanRuralLabels, r.urbanRural),
        boarding: yesNo(r.boarding),
        lng: r.lng == null ? null : String(r.lng),
        lat: r.lat == null ? null : String(r.lat),
      };
    case "vision-screenings":
      return r;
    case "class-groups":
      return {
        ...r,
        schoolYear: `${r.schoolYear}-${Number(r.schoolYear) + 1}`,
        grade: label(gradeLabels as Record<string, string>, String(r.grade)),
      };
  }
}

/**
 * Exports a kind in the shape of its import template, streamed into an xlsx workbook: within the
 * actor's scope, optionally one county. ID numbers in full only with people.pii. Audited.
 */
export async function exportKind(
  db: Kysely<DB>,
  actor: Actor,
  kind: ImportKind,
  out: Writable,
  opts: { county?: string } = {},
): Promise<number> {
  requirePermission(actor, "exchange.export");
  requirePermission(actor, kind === "schools" ? "registry.read" : "people.read");
  if (kind === "vision-screenings") requirePermission(actor, "health.read");
  const repo = new ExportRepository(db);
  let within = ["/"];
  if (opts.county) {
    const p = await repo.countyPath(opts.county);
    if (!p) throw notFound(`县（市、区）${opts.county} `);
    within = [p];
  }
  const pii = can(actor, "people.pii");
  await recordAudit(db, actor, {
    action: "export",
    entity: kinds[kind].entity,
    orgPath: within[0] === "/" ? null : within[0],
    context: { kind, county: opts.county ?? null, pii },
  });
  const def = kinds[kind];
  async function* rows() {
    let after = "";
    for (;;) {
      const batch = await repo.batch(kind, actor.scopePaths, within, after, BATCH);
      for (const r of batch) yield present(kind, r, pii);
      if (batch.length < BATCH) return;
      after = batch[batch.length - 1].key;
    }
  }
  return writeXlsx(
    out,
    def.label,
    def.columns.map((c) => ({
      header: c.header,
      width: c.width,
      value: (r: Record<string, unknown>) => {
        const v = r[c.key];
        return v == null ? null : typeof v === "number" ? String(v) : (v as string);
      },
    })),
    rows(),
  );
}
