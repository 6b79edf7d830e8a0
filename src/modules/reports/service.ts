import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import { type Actor, requirePermission } from "../../shared/actor.js";
import { AppError, notFound } from "../../shared/errors.js";
import { recordAudit } from "../audit/record.js";
import type { CaseService } from "../cases/service.js";
import type { FileService } from "../files/service.js";
import type { StoredFile } from "../files/store.js";
import { trainingCaseCategories } from "../training/kind.js";
import { publicStateLabels, reportCategories } from "./kind.js";
import { hashSecret, newReceipt, parseReceiptCode, secretMatches } from "./receipt.js";
import type { ReportRepository } from "./repository.js";
import type { AnswerInput, FollowOut, PublicReportInput } from "./schemas.js";

/** Failed secrets per receipt code before it locks, and for how long. */
export const MAX_FAILED_ATTEMPTS = 5;
export const LOCK_MINUTES = 15;

/**
 * The public page's intake: the actor that files a case for a member of the public. It carries no
 * user, no session and no address: an anonymous report stays anonymous in the case, its timeline and
 * the audit log. Its one permission, reports.intake, lets it file reports and training complaints.
 */
export function publicIntake(): Actor {
  return {
    type: "public" as Actor["type"],
    id: null,
    name: "public",
    displayName: "网上举报",
    roles: [],
    permissions: new Set(["reports.intake"]),
    scopePaths: ["/"],
  };
}

/** Who answered a question, on the timeline. */
const reporterOnTimeline = {
  type: "public" as Actor["type"],
  id: null,
  name: "public",
  displayName: "举报人",
};

const trainingStateLabels: Record<string, string> = {
  filed: "已收到，待核查",
  investigating: "已立案，调查取证中",
  rectifying: "已责令机构整改",
  closed: "已办结（已依法处理）",
  unfounded: "已办结（查无违规）",
  dismissed: "已办结（不予立案）",
};

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/**
 * 监督举报 on the case engine: filing from the public page with a receipt, following it with the
 * receipt's secret (attempts limited per code), questions to the reporter and their answers, and the
 * ethics negative list that an upheld report feeds (hooks.ts).
 */
export class ReportService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly repo: ReportRepository,
    private readonly cases: CaseService,
    private readonly files: FileService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Files a report (or a training complaint) from the public page; returns the receipt, shown once. */
  async file(input: PublicReportInput): Promise<{ code: string; secret: string }> {
    const intake = publicIntake();
    const receipt = newReceipt();
    const caseId = await this.db.transaction().execute(async (tx) => {
      let id: number;
      if (input.about === "institution") {
        const inst = await tx
          .selectFrom("training_institution")
          .select(["id", "county_code"])
          .where("id", "=", input.institutionId!)
          .executeTakeFirst();
        if (!inst)
          throw new AppError("VALIDATION_FAILED", "请选择被投诉的培训机构", {
            issues: [{ field: "institutionId", message: "培训机构不存在" }],
          });
        id = await this.cases.create(
          intake,
          {
            kind: "training",
            orgUnitCode: inst.county_code,
            form: {
              title: input.title,
              category: input.category,
              source: "public_complaint",
              institutionId: inst.id,
              description: describe(input),
            },
            attachments: input.attachments,
          },
          { tx, quiet: true },
        );
      } else {
        id = await this.cases.create(
          intake,
          {
            kind: "report",
            orgUnitCode: input.orgUnitCode!,
            form: {
              title: input.title,
              category: input.category,
              source: input.anonymous ? "online_anonymous" : "online_named",
              subjectName: input.subjectName,
              subjectPost: input.subjectPost,
              occurredOn: input.occurredOn,
              description: input.description,
            },
            attachments: input.attachments,
          },
          { tx, quiet: true },
        );
      }
      await this.repo.insertReceipt(tx, id, receipt.code, hashSecret(receipt.code, receipt.secret));
      if (!input.anonymous)
        await this.repo.insertContact(tx, id, {
          name: input.contactName!,
          phone: input.contactPhone ?? null,
          email: input.contactEmail ?? null,
        });
      await recordAudit(tx, intake, {
        action: "receipt.issue",
        entity: "case",
        entityKey: String(id),
        after: { anonymous: input.anonymous },
      });
      return id;
    });
    this.cases.changed();
    void caseId;
    return receipt;
  }

  /** The report as its reporter may see it. */
  async follow(code: string, secret: string): Promise<FollowOut> {
    const { caseId, canonical } = await this.authenticate(code, secret);
    return this.reporterView(caseId, canonical);
  }

  /** The reporter answers one question; a second answer to the same question is refused. */
  async answer(input: AnswerInput): Promise<FollowOut> {
    const { caseId, canonical } = await this.authenticate(input.code, input.secret);
    await this.db.transaction().execute(async (tx) => {
      const q = await this.repo.questionState(tx, caseId, input.questionId);
      if (!q) throw notFound("问题");
      if (q.answered_at) throw new AppError("CONFLICT", "该问题已经答复过，重复提交不会改变原答复");
      const c = await this.repo.caseForReporter(caseId, tx);
      if (c.closed_at) throw new AppError("CONFLICT", "该事项已办结，不能再答复");
      const files: StoredFile[] = await this.files.claim(tx, null, input.attachments, `cases:${caseId}`);
      if (!(await this.repo.answerQuestion(tx, caseId, input.questionId, input.answer, files)))
        throw new AppError("CONFLICT", "该问题已经答复过，重复提交不会改变原答复");
      const now = this.now();
      await this.cases.addEvent(
        tx,
        reporterOnTimeline,
        { id: caseId, kind: c.kind },
        "reporter_answer",
        null,
        null,
        input.answer,
        { questionId: input.questionId },
        files,
        now,
      );
      await tx.updateTable("case_record").set({ updated_at: now }).where("id", "=", caseId).execute();
      await recordAudit(tx, publicIntake(), {
        action: "reporter.answer",
        entity: "case",
        entityKey: String(caseId),
        after: { questionId: input.questionId, attachments: files.length },
      });
    });
    this.cases.changed();
    return this.reporterView(caseId, canonical);
  }

  /**
   * Checks a receipt: a code we cannot have issued (format, check symbol) is refused before the
   * database; a locked code is refused even with the right secret; a wrong secret counts toward the
   * lock. The failure count is committed even though the request fails.
   */
  private async authenticate(code: string, secret: string): Promise<{ caseId: number; canonical: string }> {
    const parsed = parseReceiptCode(code);
    if ("problem" in parsed)
      throw new AppError(
        "VALIDATION_FAILED",
        parsed.problem === "check"
          ? "查询码有误（校验位不符），请核对后重新输入"
          : "查询码格式不正确，应为 12 位字母数字（XXXX-XXXX-XXXX）",
        { issues: [{ field: "code", message: "查询码无效" }] },
      );
    const canonical = parsed.code;
    const now = this.now();
    const outcome = await this.db.transaction().execute(async (tx) => {
      const row = await this.repo.receiptForUpdate(tx, canonical);
      if (!row) return { error: "unknown" as const };
      if (row.locked_until && new Date(row.locked_until) > now)
        return { error: "locked" as const, until: new Date(row.locked_until) };
      if (!secretMatches(canonical, secret, row.secret_hash)) {
        const failed = row.failed_attempts + 1;
        const lock = failed >= MAX_FAILED_ATTEMPTS;
        await this.repo.recordFailure(
          tx,
          canonical,
          lock ? 0 : failed,
          lock ? new Date(now.getTime() + LOCK_MINUTES * 60_000) : null,
        );
        await recordAudit(tx, publicIntake(), {
          action: lock ? "receipt.locked" : "receipt.failed",
          entity: "case",
          entityKey: String(row.case_id),
          context: { failedAttempts: failed },
        });
        return {
          error: lock ? ("locked" as const) : ("wrong" as const),
          left: MAX_FAILED_ATTEMPTS - failed,
          until: new Date(now.getTime() + LOCK_MINUTES * 60_000),
        };
      }
      await this.repo.resetFailures(tx, canonical);
      return { caseId: row.case_id };
    });
    if (outcome.caseId !== undefined) return { caseId: outcome.caseId, canonical };
    if (outcome.error === "locked")
      throw new AppError(
        "ACCOUNT_LOCKED",
        `查询密码错误次数过多，该查询码已锁定 ${LOCK_MINUTES} 分钟，请稍后再试`,
      );
    throw new AppError(
      "INVALID_CREDENTIALS",
      outcome.error === "wrong" && outcome.left !== undefined
        ? `查询码或查询密码不正确（再错 ${outcome.left} 次将锁定 ${LOCK_MINUTES} 分钟）`
        : "查询码或查询密码不正确",
    );
  }

  private async reporterView(caseId: number, code: string): Promise<FollowOut> {
    const c = await this.repo.caseForReporter(caseId);
    const questions = await this.repo.questions(caseId);
    const kind = c.kind === "training" ? "training" : "report";
    const labels = kind === "training" ? trainingStateLabels : publicStateLabels;
    return {
      code,
      kind,
      title: c.title,
      status: labels[c.state] ?? "办理中",
      closed: c.closed_at !== null,
      filedAt: iso(c.created_at)!,
      closedAt: iso(c.closed_at),
      reply: c.reply,
      questions: questions.map(presentQuestion),
    };
  }

  // ---------------------------------------------------------------- inside

  /** What only a report (or a complaint) filed with a receipt has: contact, questions. */
  async extra(actor: Actor, caseId: number) {
    const c = await this.cases.get(actor, caseId); // NOT_FOUND when the actor may not see it
    if (c.kind !== "report" && c.kind !== "training") throw notFound("举报");
    const receipt = await this.db
      .selectFrom("report_receipt")
      .select("case_id")
      .where("case_id", "=", caseId)
      .executeTakeFirst();
    const contact = await this.repo.contact(caseId);
    return {
      viaReceipt: receipt !== undefined,
      anonymous: receipt !== undefined && contact === undefined,
      contact: contact ?? null,
      questions: (await this.repo.questions(caseId)).map(presentQuestion),
    };
  }

  /** Asks the reporter a question; they see it when they follow the report with the receipt. */
  async ask(actor: Actor, caseId: number, question: string) {
    const c = await this.cases.get(actor, caseId);
    if (c.kind === "report") requirePermission(actor, "reports.handle");
    else if (c.kind === "training") requirePermission(actor, "training.enforce");
    else throw notFound("举报");
    await this.db.transaction().execute(async (tx) => {
      const receipt = await tx
        .selectFrom("report_receipt")
        .select("case_id")
        .where("case_id", "=", caseId)
        .executeTakeFirst();
      if (!receipt) throw new AppError("CONFLICT", "此事项不是网上提交的，无法向举报人提问");
      const row = await tx
        .selectFrom("case_record")
        .select(["closed_at", "org_path"])
        .where("id", "=", caseId)
        .forUpdate()
        .executeTakeFirstOrThrow();
      if (row.closed_at) throw new AppError("CONFLICT", "事项已办结，不能再提问");
      const q = await this.repo.insertQuestion(tx, caseId, actor.type === "user" ? actor.id : null, question);
      const now = this.now();
      await this.cases.addEvent(
        tx,
        actor,
        { id: caseId, kind: c.kind },
        "ask_reporter",
        null,
        null,
        question,
        { questionId: q.id },
        [],
        now,
      );
      await tx.updateTable("case_record").set({ updated_at: now }).where("id", "=", caseId).execute();
      await recordAudit(tx, actor, {
        action: "reporter.ask",
        entity: "case",
        entityKey: String(caseId),
        orgPath: row.org_path,
        after: { questionId: q.id, question },
      });
    });
    this.cases.changed();
    return this.extra(actor, caseId);
  }

  async negativeList(
    actor: Actor,
    q: { page: number; pageSize: number; staffNumber?: string; countyCode?: string },
  ) {
    requirePermission(actor, "ethics.read");
    const { rows, total, totalExact } = await this.repo.negativeList(actor.scopePaths, q);
    const label = (code: string) => reportCategories.find((c) => c.code === code)?.label ?? code;
    return {
      items: rows.map((r) => ({
        id: r.id,
        staffNumber: r.staff_number,
        staffName: r.staff_name,
        schoolName: r.school_name,
        countyCode: r.county_code,
        category: r.category,
        categoryLabel: label(r.category),
        finding: r.finding,
        measure: r.measure,
        decidedOn: r.decided_on,
        recordedBy: r.recorded_by,
      })),
      page: q.page,
      pageSize: q.pageSize,
      total,
      totalExact,
    };
  }
}

function presentQuestion(q: {
  id: number;
  asked_at: Date | string;
  question: string;
  answered_at: Date | string | null;
  answer: string | null;
  answer_attachments: unknown;
}) {
  const files = (Array.isArray(q.answer_attachments) ? q.answer_attachments : []) as StoredFile[];
  return {
    id: q.id,
    askedAt: iso(q.asked_at)!,
    question: q.question,
    answeredAt: iso(q.answered_at),
    answer: q.answer,
    answerAttachments: files.map((f) => ({ name: f.name, size: f.size, mime: f.mime })),
  };
}

/** A training complaint's description carries what the public form asked beyond the case form. */
function describe(input: PublicReportInput): string {
  const label = trainingCaseCategories.find((c) => c.code === input.category)?.label;
  const extra = [input.occurredOn && `发生时间：${input.occurredOn}`, label && `投诉类型：${label}`].filter(
    Boolean,
  );
  return [input.description, ...extra].join("\n");
}
