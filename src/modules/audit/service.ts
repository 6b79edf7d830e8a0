import type { Writable } from "node:stream";
import { type Actor, requirePermission } from "../../shared/actor.js";
import { invalid } from "../../shared/errors.js";
import type { Page } from "../../shared/paging.js";
import { writeXlsx, type XlsxColumn } from "../../shared/xlsx.js";
import { coversWholeTree } from "../access/grant-rules.js";
import { actionLabel, actorTypeLabels, entityLabel, labelOf } from "./labels.js";
import { recordAudit } from "./record.js";
import type { AuditFilter, AuditRepository, AuditScope } from "./repository.js";

/** The filters as the API receives them: times as text. */
export interface AuditQuery {
  actor?: string;
  entity?: string;
  entityKey?: string;
  action?: string;
  /** 2024-05-01 (a day in China Standard Time) or an ISO date-time with offset. */
  from?: string;
  to?: string;
}

export interface AuditEntryView {
  id: number;
  at: string;
  actorType: string;
  actorId: number | null;
  actorName: string;
  action: string;
  actionLabel: string;
  entity: string;
  entityLabel: string;
  entityKey: string | null;
  orgPath: string | null;
  before: unknown;
  after: unknown;
  context: unknown;
}

type AuditRow = Awaited<ReturnType<AuditRepository["batch"]>>[number];

/** Excel holds 1,048,576 rows a sheet, one of them the header. */
export const EXPORT_ROW_LIMIT = 1_048_575;
/** Excel refuses cells longer than this. */
const CELL_LIMIT = 32_767;
const EXPORT_BATCH = 2_000;
/** China Standard Time, UTC+8 all year (no daylight saving since 1991). */
const CST_OFFSET_MS = 8 * 3600_000;

/** The audit viewer: read and export, for holders of audit.read, within their scope. */
export class AuditService {
  constructor(private readonly repo: AuditRepository) {}

  async list(
    actor: Actor,
    q: AuditQuery,
    page: { page: number; pageSize: number },
  ): Promise<Page<AuditEntryView>> {
    requirePermission(actor, "audit.read");
    const r = await this.repo.page(scopeOf(actor), parseFilter(q), page);
    return {
      items: r.rows.map(present),
      page: page.page,
      pageSize: page.pageSize,
      total: r.total,
      totalExact: r.totalExact,
    };
  }

  /**
   * Checks permission and filters, records the export itself in the audit log, and returns a
   * function that streams the workbook. Errors surface before the first byte is sent.
   */
  async prepareExport(actor: Actor, q: AuditQuery): Promise<(out: Writable) => Promise<number>> {
    requirePermission(actor, "audit.read");
    const filter = parseFilter(q);
    const scope = scopeOf(actor);
    await this.repo.transaction((tx) =>
      recordAudit(tx, actor, {
        action: "export",
        entity: "audit_log",
        orgPath: actor.scopePaths[0] ?? null,
        context: { filter: q },
      }),
    );
    return (out) => writeXlsx(out, "审计记录", exportColumns, this.rows(scope, filter));
  }

  private async *rows(scope: AuditScope, filter: AuditFilter): AsyncIterable<AuditRow> {
    let beforeId: number | null = null;
    let n = 0;
    while (n < EXPORT_ROW_LIMIT) {
      const batch = await this.repo.batch(
        scope,
        filter,
        beforeId,
        Math.min(EXPORT_BATCH, EXPORT_ROW_LIMIT - n),
      );
      for (const row of batch) yield row;
      n += batch.length;
      if (batch.length < EXPORT_BATCH) return;
      beforeId = batch[batch.length - 1].id;
    }
  }
}

function scopeOf(actor: Actor): AuditScope {
  return { paths: actor.scopePaths, wholeTree: coversWholeTree(actor.scopePaths) };
}

/** A day (YYYY-MM-DD, China Standard Time) or an ISO date-time; `end` makes a day inclusive. */
export function parseInstant(s: string, field: string, end: boolean): { at: Date; inclusive: boolean } {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const message = "时间格式应为 2024-05-01 或 2024-05-01T08:30:00+08:00";
  if (day) {
    const start = Date.UTC(+day[1], +day[2] - 1, +day[3]) - CST_OFFSET_MS;
    const at = new Date(end ? start + 86_400_000 : start);
    if (Number.isNaN(at.getTime()) || new Date(start + CST_OFFSET_MS).getUTCDate() !== +day[3])
      throw invalid([{ field, message }]);
    return { at, inclusive: false };
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(s) || Number.isNaN(Date.parse(s))) throw invalid([{ field, message }]);
  return { at: new Date(s), inclusive: end };
}

export function parseFilter(q: AuditQuery): AuditFilter {
  const from = q.from ? parseInstant(q.from, "from", false).at : undefined;
  const to = q.to ? parseInstant(q.to, "to", true) : undefined;
  if (from && to && to.at < from) throw invalid([{ field: "to", message: "结束时间早于开始时间" }]);
  return { actor: q.actor, entity: q.entity, entityKey: q.entityKey, action: q.action, from, to };
}

function present(r: AuditRow): AuditEntryView {
  return {
    id: r.id,
    at: new Date(r.at).toISOString(),
    actorType: r.actor_type,
    actorId: r.actor_id,
    actorName: r.actor_name,
    action: r.action,
    actionLabel: actionLabel(r.action, r.context),
    entity: r.entity,
    entityLabel: entityLabel(r.entity),
    entityKey: r.entity_key,
    orgPath: r.org_path,
    before: r.before ?? null,
    after: r.after ?? null,
    context: r.context ?? null,
  };
}

/** "2024-05-01 08:30:00" in China Standard Time: what a bureau reads in Excel. */
export function chinaTime(d: Date | string): string {
  return new Date(new Date(d).getTime() + CST_OFFSET_MS).toISOString().replace("T", " ").slice(0, 19);
}

const json = (v: unknown) => (v === null || v === undefined ? "" : JSON.stringify(v).slice(0, CELL_LIMIT));

const exportColumns: XlsxColumn<AuditRow>[] = [
  { header: "编号", width: 10, value: (r) => r.id },
  { header: "时间（北京时间）", width: 20, value: (r) => chinaTime(r.at) },
  { header: "操作者类型", value: (r) => labelOf(actorTypeLabels, r.actor_type) },
  { header: "操作者", width: 18, value: (r) => r.actor_name },
  { header: "操作", value: (r) => actionLabel(r.action, r.context) },
  { header: "对象类型", value: (r) => entityLabel(r.entity) },
  { header: "对象标识", width: 20, value: (r) => r.entity_key ?? "" },
  { header: "机构路径", width: 30, value: (r) => r.org_path ?? "" },
  { header: "变更前", width: 40, value: (r) => json(r.before) },
  { header: "变更后", width: 40, value: (r) => json(r.after) },
  { header: "上下文", width: 40, value: (r) => json(r.context) },
];
