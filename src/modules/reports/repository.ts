import { type Kysely, sql } from "kysely";
import { underPaths } from "../../db/scope.js";
import type { DB } from "../../db/types.js";
import { COUNT_CAP } from "../../shared/paging.js";
import type { StoredFile } from "../files/store.js";

/** Receipts, contacts, questions and the ethics negative list. Only repositories hold SQL. */
export class ReportRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insertReceipt(tx: Kysely<DB>, caseId: number, code: string, secretHash: string) {
    await tx
      .insertInto("report_receipt")
      .values({ case_id: caseId, code, secret_hash: secretHash })
      .execute();
  }

  async insertContact(
    tx: Kysely<DB>,
    caseId: number,
    c: { name: string; phone: string | null; email: string | null },
  ) {
    await tx
      .insertInto("report_contact")
      .values({ case_id: caseId, ...c })
      .execute();
  }

  /** The receipt row, locked for the attempt bookkeeping. */
  receiptForUpdate(tx: Kysely<DB>, code: string) {
    return tx
      .selectFrom("report_receipt")
      .selectAll()
      .where("code", "=", code)
      .forUpdate()
      .executeTakeFirst();
  }

  async recordFailure(tx: Kysely<DB>, code: string, failed: number, lockedUntil: Date | null) {
    await tx
      .updateTable("report_receipt")
      .set({ failed_attempts: failed, locked_until: lockedUntil })
      .where("code", "=", code)
      .execute();
  }

  async resetFailures(tx: Kysely<DB>, code: string) {
    await tx
      .updateTable("report_receipt")
      .set({ failed_attempts: 0, locked_until: null })
      .where("code", "=", code)
      .where("failed_attempts", ">", 0)
      .execute();
  }

  /** The case as the reporter may see it: kind, state, created, and the conclusion's reply. */
  async caseForReporter(caseId: number, db: Kysely<DB> = this.db) {
    const row = await db
      .selectFrom("case_record")
      .select(["id", "kind", "state", "title", "category", "created_at", "closed_at"])
      .where("id", "=", caseId)
      .executeTakeFirstOrThrow();
    const reply = await db
      .selectFrom("case_event")
      .select(sql<string | null>`data->>'reply'`.as("reply"))
      .where("case_id", "=", caseId)
      .where(sql<boolean>`data ? 'reply'`)
      .orderBy("id", "desc")
      .executeTakeFirst();
    return { ...row, reply: reply?.reply ?? null };
  }

  questions(caseId: number, db: Kysely<DB> = this.db) {
    return db
      .selectFrom("report_question")
      .select(["id", "asked_at", "question", "answered_at", "answer", "answer_attachments"])
      .where("case_id", "=", caseId)
      .orderBy("id")
      .execute();
  }

  contact(caseId: number) {
    return this.db
      .selectFrom("report_contact")
      .select(["name", "phone", "email"])
      .where("case_id", "=", caseId)
      .executeTakeFirst();
  }

  async insertQuestion(tx: Kysely<DB>, caseId: number, askedBy: number | null, question: string) {
    return tx
      .insertInto("report_question")
      .values({ case_id: caseId, asked_by: askedBy, question })
      .returning(["id", "asked_at"])
      .executeTakeFirstOrThrow();
  }

  /** Sets the answer of an unanswered question of the case; returns whether one was set. */
  async answerQuestion(
    tx: Kysely<DB>,
    caseId: number,
    questionId: number,
    answer: string,
    files: StoredFile[],
  ) {
    const r = await tx
      .updateTable("report_question")
      .set({ answer, answered_at: new Date(), answer_attachments: JSON.stringify(files) })
      .where("id", "=", questionId)
      .where("case_id", "=", caseId)
      .where("answered_at", "is", null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  questionState(tx: Kysely<DB>, caseId: number, questionId: number) {
    return tx
      .selectFrom("report_question")
      .select(["id", "answered_at"])
      .where("id", "=", questionId)
      .where("case_id", "=", caseId)
      .executeTakeFirst();
  }

  /** A staff member of the case's school (or county), by staff number, inside that subtree. */
  staffUnder(tx: Kysely<DB>, orgPath: string, staffNumber: string) {
    return tx
      .selectFrom("staff")
      .select(["id", "name", "org_path", "county_code"])
      .where("staff_number", "=", staffNumber)
      .where("deleted_at", "is", null)
      .where(underPaths("org_path", [orgPath]))
      .executeTakeFirst();
  }

  async insertNegative(
    tx: Kysely<DB>,
    e: {
      staffId: number;
      orgPath: string;
      countyCode: string;
      category: string;
      finding: string;
      measure: string;
      decidedOn: string;
      caseId: number;
      recordedBy: string;
    },
  ) {
    return tx
      .insertInto("ethics_negative_entry")
      .values({
        staff_id: e.staffId,
        org_path: e.orgPath,
        county_code: e.countyCode,
        category: e.category,
        finding: e.finding,
        measure: e.measure,
        decided_on: e.decidedOn,
        source_case_id: e.caseId,
        recorded_by: e.recordedBy,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
  }

  async negativeList(
    scope: string[],
    q: { page: number; pageSize: number; staffNumber?: string; countyCode?: string },
  ) {
    let base = this.db
      .selectFrom("ethics_negative_entry as e")
      .innerJoin("staff as s", "s.id", "e.staff_id")
      .where(underPaths("e.org_path", scope));
    if (q.staffNumber) base = base.where("s.staff_number", "=", q.staffNumber);
    if (q.countyCode) base = base.where("e.county_code", "=", q.countyCode);
    const rows = await base
      .leftJoin("org_unit as o", "o.id", "s.school_id")
      .select([
        "e.id",
        "s.staff_number",
        "s.name as staff_name",
        "o.name as school_name",
        "e.county_code",
        "e.category",
        "e.finding",
        "e.measure",
        sql<string>`e.decided_on::text`.as("decided_on"),
        "e.recorded_by",
      ])
      .orderBy("e.decided_on", "desc")
      .orderBy("e.id", "desc")
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute();
    const counted = await base
      .select("e.id")
      .limit(COUNT_CAP + 1)
      .execute();
    return { rows, total: Math.min(counted.length, COUNT_CAP), totalExact: counted.length <= COUNT_CAP };
  }

  /** Open questions per case (for the 纪检 list: 待举报人答复). */
  openQuestionCases(caseIds: number[]) {
    if (!caseIds.length) return Promise.resolve([]);
    return this.db
      .selectFrom("report_question")
      .select("case_id")
      .where("case_id", "in", caseIds)
      .where("answered_at", "is", null)
      .execute();
  }
}
