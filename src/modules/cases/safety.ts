import { type Kysely, sql } from "kysely";
import { z } from "zod";
import { underPaths } from "../../db/scope.js";
import type { DB } from "../../db/types.js";
import { type Actor, requirePermission } from "../../shared/actor.js";
import { type DataEvents, dataEvents } from "../../shared/data-events.js";
import { AppError, invalid, notFound } from "../../shared/errors.js";
import { parsePeriod } from "../../shared/period.js";
import { recordAudit } from "../audit/record.js";
import { todayInChina } from "../registry/calendar.js";
import { relationsOf } from "./engine/transition.js";
import { actorFacts, type CaseService } from "./service.js";

/**
 * 平安校园 inspections: a checklist per school (专职保安, 封闭化管理, 一键报警与视频监控联网, 护学岗 …,
 * table safety_checklist_item), results per item, a hazard filed for each failed item, and the
 * school's 平安校园 status in a period, which feeds the 平安校园覆盖率 indicator (the indicators
 * module reads safeCampusBySchool as its IndicatorSafetySource; a recorded inspection announces the
 * data event topic "safety").
 */

export const inspectionBody = z.object({
  schoolCode: z.string().trim().min(1, "请选择学校"),
  periodCode: z.string().trim().min(4, "请选择学期或学年"),
  inspectedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "日期格式为 YYYY-MM-DD"),
  results: z
    .array(
      z.object({
        itemCode: z.string().trim().min(1),
        passed: z.boolean(),
        note: z.string().trim().max(500).optional().nullable(),
      }),
    )
    .min(1, "至少填写一项检查结果"),
  notes: z.string().trim().max(2000).optional().nullable(),
  /** File a hazard for each failed item (default yes). */
  fileHazards: z.boolean().default(true),
});
export type InspectionBody = z.infer<typeof inspectionBody>;

export interface SafeCampusRow {
  orgUnitId: number;
  orgPath: string;
  countyCode: string | null;
  inspected: boolean;
  passed: boolean;
}

const sourceLabels = {
  self_check: "学校自查",
  county_inspection: "县级检查",
  city_spot_check: "市级抽查",
} as const;

export class SafetyService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly cases: CaseService,
    private readonly events: DataEvents = dataEvents,
  ) {}

  checklist() {
    return this.db
      .selectFrom("safety_checklist_item")
      .select(["code", "name", "description", "category", "required", "sort"])
      .where("active", "=", true)
      .orderBy("sort")
      .execute();
  }

  /**
   * Records an inspection of a school. The source follows the inspector's level (a school's own is a
   * self-check, a county's an inspection, the city's a spot check). Every active checklist item must
   * have a result; a failed item files a hazard (较大 when the item is required for 平安校园, 一般
   * otherwise) linked to the result. All in one transaction.
   */
  async record(actor: Actor, body: InspectionBody) {
    requirePermission(actor, "inspection.write");
    parsePeriod(body.periodCode);
    const now = this.cases.now();
    if (body.inspectedOn > todayInChina(now))
      throw invalid([{ field: "inspectedOn", message: "检查日期不能晚于今天" }]);
    const items = await this.checklist();
    const known = new Map(items.map((i) => [i.code, i]));
    const given = new Set(body.results.map((r) => r.itemCode));
    const unknown = body.results.filter((r) => !known.has(r.itemCode)).map((r) => r.itemCode);
    if (unknown.length) throw invalid([{ field: "results", message: `未知检查项：${unknown.join("、")}` }]);
    const missing = items.filter((i) => !given.has(i.code)).map((i) => i.name);
    if (missing.length) throw invalid([{ field: "results", message: `缺少检查项：${missing.join("、")}` }]);
    const school = await this.cases.repo.orgUnitByCode(body.schoolCode);
    if (school?.kind !== "school" || !school.current) throw notFound(`学校 ${body.schoolCode}`);
    const rel = relationsOf(actorFacts(actor), school.path);
    const source = rel.has("target")
      ? "self_check"
      : rel.has("county")
        ? "county_inspection"
        : rel.has("city")
          ? "city_spot_check"
          : null;
    if (!source) throw notFound(`学校 ${body.schoolCode}`);
    const passed = body.results.every((r) => r.passed || !known.get(r.itemCode)!.required);
    const id = await this.db.transaction().execute(async (tx) => {
      const ins = await tx
        .insertInto("safety_inspection")
        .values({
          org_unit_id: school.id,
          org_path: school.path,
          county_code: school.county_code,
          period_code: body.periodCode,
          inspected_on: body.inspectedOn,
          source,
          inspector_id: actorFacts(actor).id,
          inspector_name: actor.displayName,
          passed,
          notes: body.notes ?? null,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      for (const r of body.results) {
        const item = known.get(r.itemCode)!;
        let hazardId: number | null = null;
        if (!r.passed && body.fileHazards)
          hazardId = await this.cases.create(
            actor,
            {
              kind: "hazard",
              orgUnitCode: school.code,
              form: {
                title: `${item.name}不达标`,
                category: item.category,
                severity: item.required ? "significant" : "ordinary",
                source,
                description:
                  r.note?.trim() || `${sourceLabels[source]}（${body.inspectedOn}）发现：${item.name}不达标`,
              },
            },
            { tx, quiet: true },
          );
        await tx
          .insertInto("safety_inspection_result")
          .values({
            inspection_id: ins.id,
            item_code: r.itemCode,
            passed: r.passed,
            note: r.note ?? null,
            hazard_case_id: hazardId,
          })
          .execute();
      }
      await recordAudit(tx, actor, {
        action: "create",
        entity: "safety_inspection",
        entityKey: String(ins.id),
        orgPath: school.path,
        after: { ...body, source, passed },
      });
      return ins.id;
    });
    this.cases.changed();
    this.events.changed("safety");
    return this.get(actor, id);
  }

  async get(actor: Actor, id: number) {
    const row = await this.db
      .selectFrom("safety_inspection as i")
      .innerJoin("org_unit as o", "o.id", "i.org_unit_id")
      .select([
        "i.id",
        "o.code as schoolCode",
        "o.name as schoolName",
        "i.county_code as countyCode",
        "i.period_code as periodCode",
        sql<string>`i.inspected_on::text`.as("inspectedOn"),
        "i.source",
        "i.inspector_name as inspectorName",
        "i.passed",
        "i.notes",
      ])
      .where("i.id", "=", id)
      .where(underPaths("i.org_path", actor.scopePaths))
      .executeTakeFirst();
    if (!row) throw notFound("检查记录");
    const results = await this.db
      .selectFrom("safety_inspection_result as r")
      .innerJoin("safety_checklist_item as t", "t.code", "r.item_code")
      .select([
        "r.item_code as itemCode",
        "t.name",
        "t.required",
        "r.passed",
        "r.note",
        "r.hazard_case_id as hazardId",
      ])
      .where("r.inspection_id", "=", id)
      .orderBy("t.sort")
      .execute();
    return { ...row, sourceLabel: sourceLabels[row.source], results };
  }

  async list(actor: Actor, q: { schoolCode?: string; periodCode?: string; page: number; pageSize: number }) {
    if (!actor.permissions.has("hazard.read") && !actor.permissions.has("inspection.write"))
      throw new AppError("FORBIDDEN");
    let query = this.db
      .selectFrom("safety_inspection as i")
      .innerJoin("org_unit as o", "o.id", "i.org_unit_id")
      .where(underPaths("i.org_path", actor.scopePaths));
    if (q.schoolCode) query = query.where("o.code", "=", q.schoolCode);
    if (q.periodCode) query = query.where("i.period_code", "=", q.periodCode);
    const [rows, count] = await Promise.all([
      query
        .select([
          "i.id",
          "o.code as schoolCode",
          "o.name as schoolName",
          "i.county_code as countyCode",
          "i.period_code as periodCode",
          sql<string>`i.inspected_on::text`.as("inspectedOn"),
          "i.source",
          "i.inspector_name as inspectorName",
          "i.passed",
        ])
        .orderBy("i.inspected_on", "desc")
        .orderBy("i.id", "desc")
        .limit(q.pageSize)
        .offset((q.page - 1) * q.pageSize)
        .execute(),
      query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirst(),
    ]);
    return {
      items: rows.map((r) => ({ ...r, sourceLabel: sourceLabels[r.source] })),
      page: q.page,
      pageSize: q.pageSize,
      total: Number(count?.n ?? 0),
      totalExact: true,
    };
  }

  /**
   * Every school current in the period with its 平安校园 status: inspected when a county inspection
   * or a city spot check of it falls in the period (a school cannot certify itself), passed when the
   * latest such inspection passed every required item. Not scoped: the indicators module calls it
   * and applies its own scope.
   */
  async safeCampusBySchool(periodCode: string): Promise<SafeCampusRow[]> {
    const p = parsePeriod(periodCode);
    const r = await sql<{ id: number; path: string; county_code: string | null; passed: boolean | null }>`
      select o.id, o.path, o.county_code, last.passed
      from org_unit o
      left join lateral (
        select i.passed from safety_inspection i
        where i.org_unit_id = o.id and i.source <> 'self_check'
          and i.inspected_on between ${p.start}::date and ${p.end}::date
        order by i.inspected_on desc, i.id desc limit 1
      ) last on true
      where o.kind = 'school' and o.valid_from <= ${p.end}::date
        and (o.valid_to is null or o.valid_to > ${p.start}::date)
      order by o.path`.execute(this.db);
    return r.rows.map((x) => ({
      orgUnitId: x.id,
      orgPath: x.path,
      countyCode: x.county_code,
      inspected: x.passed !== null,
      passed: x.passed === true,
    }));
  }
}
