import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import { type Actor, requirePermission } from "../../shared/actor.js";
import { AppError, invalid, notFound } from "../../shared/errors.js";
import type { Page } from "../../shared/paging.js";
import { coversWholeTree } from "../access/grant-rules.js";
import { recordAudit } from "../audit/record.js";
import { todayInChina } from "../registry/calendar.js";
import type { TrainingRepository } from "./repository.js";
import { evaluateInspection, type Finding } from "./rules.js";
import type {
  Inspection,
  InspectionInput,
  InspectionQuery,
  Institution,
  InstitutionInput,
  InstitutionPatch,
  InstitutionQuery,
} from "./schemas.js";

/** Opens an enforcement case on the case engine inside `tx`; returns its id. */
export type OpenEnforcementCase = (
  tx: Kysely<DB>,
  actor: Actor,
  c: {
    countyCode: string;
    institutionId: number;
    title: string;
    description: string;
    source: string;
    /** The first finding's rule code. */
    category?: string;
  },
) => Promise<number>;

type InstitutionRow = NonNullable<Awaited<ReturnType<TrainingRepository["get"]>>>;

export function presentInstitution(r: InstitutionRow): Institution {
  return {
    id: r.id,
    name: r.name,
    creditCode: r.credit_code,
    category: r.category,
    subjects: r.subjects,
    licenceNo: r.licence_no,
    licenceValidTo: r.licence_valid_to,
    online: r.online,
    address: r.address,
    countyCode: r.county_code,
    countyName: r.county_name,
    prepayBank: r.prepay_bank,
    prepayAccount: r.prepay_account,
    status: r.status,
    lastInspectedOn: r.last_inspected_on,
    openCases: Number(r.open_cases),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

/**
 * 校外培训: the institution registry (scoped by county), the inspection rules (thresholds as data)
 * and inspections whose findings the rules engine derives from what was observed. Enforcement cases
 * are opened on the case engine through `openCase`.
 */
export class TrainingService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly repo: TrainingRepository,
    private readonly openCase: OpenEnforcementCase,
    /** After a commit that opened a case: case lists and indicators recompute. */
    private readonly casesChanged: () => void = () => {},
  ) {}

  async list(actor: Actor, q: InstitutionQuery): Promise<Page<Institution>> {
    requirePermission(actor, "training.read");
    const { rows, total, totalExact } = await this.repo.list(actor.scopePaths, q);
    return { items: rows.map(presentInstitution), page: q.page, pageSize: q.pageSize, total, totalExact };
  }

  async all(actor: Actor): Promise<Institution[]> {
    requirePermission(actor, "training.read");
    return (await this.repo.all(actor.scopePaths)).map(presentInstitution);
  }

  async get(actor: Actor, id: number) {
    requirePermission(actor, "training.read");
    const row = await this.repo.get(actor.scopePaths, id);
    if (!row) throw notFound("培训机构");
    const [inspections, cases] = await Promise.all([
      this.inspections(actor, { page: 1, pageSize: 50, institutionId: id }),
      this.repo.casesOf(id),
    ]);
    return {
      ...presentInstitution(row),
      inspections: inspections.items,
      cases: cases.map((c) => ({
        id: c.id,
        title: c.title,
        state: c.state,
        createdAt: new Date(c.created_at).toISOString(),
      })),
    };
  }

  async create(actor: Actor, input: InstitutionInput): Promise<Institution> {
    requirePermission(actor, "training.write");
    const county = await this.repo.county(actor.scopePaths, input.countyCode);
    if (!county) throw invalid([{ field: "countyCode", message: "县（市、区）不存在或不在数据范围内" }]);
    const id = await this.db.transaction().execute(async (tx) => {
      const { id } = await this.repo.insert(tx, input, county.path).catch(conflict);
      await recordAudit(tx, actor, {
        action: "create",
        entity: "training_institution",
        entityKey: String(id),
        orgPath: county.path,
        after: input,
      });
      return id;
    });
    return presentInstitution((await this.repo.get(actor.scopePaths, id))!);
  }

  async update(actor: Actor, id: number, patch: InstitutionPatch): Promise<Institution> {
    requirePermission(actor, "training.write");
    const before = await this.repo.get(actor.scopePaths, id);
    if (!before) throw notFound("培训机构");
    await this.db.transaction().execute(async (tx) => {
      await this.repo.update(tx, id, patch).catch(conflict);
      await recordAudit(tx, actor, {
        action: "update",
        entity: "training_institution",
        entityKey: String(id),
        orgPath: before.org_path,
        before: presentInstitution(before),
        after: patch,
      });
    });
    return presentInstitution((await this.repo.get(actor.scopePaths, id))!);
  }

  async rules(actor: Actor) {
    requirePermission(actor, "training.read");
    return this.repo.rules();
  }

  /** A threshold is the city's to set (one rule for every county). */
  async setRule(actor: Actor, code: string, value: number) {
    requirePermission(actor, "training.write");
    if (!coversWholeTree(actor.scopePaths)) throw new AppError("FORBIDDEN", "阈值由市级统一设定");
    const before = (await this.repo.rules()).find((r) => r.code === code);
    if (!before) throw notFound("规则");
    if (before.value === null) throw invalid([{ field: "value", message: "此项规则没有阈值" }]);
    await this.db.transaction().execute(async (tx) => {
      await this.repo.setRuleValue(tx, code, value);
      await recordAudit(tx, actor, {
        action: "update",
        entity: "training_rule",
        entityKey: code,
        before: { value: before.value },
        after: { value },
      });
    });
    return (await this.repo.rules()).find((r) => r.code === code)!;
  }

  /**
   * Records an inspection: the rules engine turns the observations into findings; with `openCase`
   * and at least one finding, an enforcement case is opened in the same transaction.
   */
  async inspect(actor: Actor, institutionId: number, input: InspectionInput): Promise<Inspection> {
    requirePermission(actor, "training.write");
    if (input.openCase) requirePermission(actor, "training.enforce");
    const inst = await this.repo.get(actor.scopePaths, institutionId);
    if (!inst) throw notFound("培训机构");
    if (input.inspectedOn > todayInChina())
      throw invalid([{ field: "inspectedOn", message: "检查日期不能晚于今天" }]);
    const findings: Finding[] = evaluateInspection(
      { category: inst.category, licenceNo: inst.licence_no, licenceValidTo: inst.licence_valid_to },
      input.observations,
      await this.repo.rules(),
      input.inspectedOn,
    );
    if (input.openCase && findings.length === 0)
      throw invalid([{ field: "openCase", message: "没有发现问题，不能立案" }]);
    const id = await this.db.transaction().execute(async (tx) => {
      const id = await this.repo.insertInspection(
        tx,
        {
          institutionId,
          orgPath: inst.org_path,
          countyCode: inst.county_code,
          inspectedOn: input.inspectedOn,
          inspectors: input.inspectors,
          note: input.note,
          createdBy: actor.name,
        },
        findings,
      );
      await recordAudit(tx, actor, {
        action: "inspect",
        entity: "training_inspection",
        entityKey: String(id),
        orgPath: inst.org_path,
        after: { institutionId, ...input, findings },
      });
      if (input.openCase) {
        const caseId = await this.openCase(tx, actor, {
          countyCode: inst.county_code,
          institutionId,
          title: `${inst.name}：${findings.map((f) => f.detail).join("；")}`.slice(0, 100),
          description: findings.map((f) => f.detail).join("\n"),
          source: "inspection",
          category: findings[0].ruleCode,
        });
        await this.repo.setFindingsCase(tx, id, caseId);
      }
      return id;
    });
    if (input.openCase) this.casesChanged();
    const page = await this.inspections(actor, { page: 1, pageSize: 1, institutionId });
    return page.items.find((i) => i.id === id) ?? page.items[0];
  }

  async inspections(actor: Actor, q: InspectionQuery): Promise<Page<Inspection>> {
    requirePermission(actor, "training.read");
    const { rows, findings, total, totalExact } = await this.repo.inspections(actor.scopePaths, q);
    return {
      items: rows.map((r) => ({
        id: r.id,
        institutionId: r.institution_id,
        institutionName: r.institution_name,
        countyCode: r.county_code,
        inspectedOn: r.inspected_on,
        inspectors: r.inspectors,
        note: r.note,
        createdBy: r.created_by,
        findings: findings
          .filter((f) => f.inspection_id === r.id)
          .map((f) => ({
            id: f.id,
            ruleCode: f.rule_code,
            ruleLabel: f.rule_label,
            measured: f.measured === null ? null : Number(f.measured),
            detail: f.detail,
            caseId: f.case_id,
          })),
      })),
      page: q.page,
      pageSize: q.pageSize,
      total,
      totalExact,
    };
  }
}

function conflict(e: unknown): never {
  if ((e as { code?: string }).code === "23505")
    throw new AppError("CONFLICT", "统一社会信用代码已登记", {
      issues: [{ field: "creditCode", message: "该统一社会信用代码已被其他机构使用" }],
    });
  throw e;
}
