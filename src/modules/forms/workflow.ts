/**
 * The approval state machine of a submission (上报 → 审核 → 确认). Pure: no I/O; the service
 * supplies the facts (current status, the actor's level and permissions, the round's lock) and
 * gets the next status or the reason for refusal in Chinese.
 *
 *   (none) ─save→ draft ─submit→ submitted ─approve→ approved ─accept→ accepted (locked)
 *                   ↑                 │ return            │ return        │ reopen
 *                   └──── returned ←──┴───────────────────┴───────────────┘
 *
 * The school (or its county, on its behalf) saves and submits; an org unit above the reporter
 * (county for schools, city for counties) approves or returns with a comment; the city accepts.
 * Accepted data is locked; only an acceptor can reopen it, with a comment.
 */
import type { SubmissionStatus } from "../../db/types.js";

export type Status = SubmissionStatus | "none";
export type Action = "save" | "submit" | "approve" | "return" | "accept" | "reopen";

export const statusNames: Record<Status, string> = {
  none: "未填报",
  draft: "草稿",
  submitted: "已上报",
  approved: "已审核",
  returned: "已退回",
  accepted: "已确认",
};

export const actionNames: Record<Action, string> = {
  save: "保存",
  submit: "上报",
  approve: "审核通过",
  return: "退回",
  accept: "确认",
  reopen: "重新打开",
};

export interface TransitionFacts {
  status: Status;
  /** The actor's scope holds the reporter's subtree from strictly above it (county for a school). */
  actorAbove: boolean;
  can: { fill: boolean; approve: boolean; accept: boolean };
  /** The round's due date has passed and it locks after it. */
  roundLocked: boolean;
  comment?: string | null;
}

export type TransitionResult = { ok: true; to: SubmissionStatus } | { ok: false; reason: string };

const refuse = (reason: string): TransitionResult => ({ ok: false, reason });

/** The status after `action`, or why it is refused. */
export function transition(action: Action, f: TransitionFacts): TransitionResult {
  const s = f.status;
  const needsComment = () => !f.comment || f.comment.trim() === "";
  switch (action) {
    case "save":
    case "submit": {
      if (!f.can.fill) return refuse("没有填报权限");
      if (s === "accepted") return refuse("报表已确认，数据已锁定");
      if (s === "approved") return refuse("报表已审核通过，需审核人退回后才能修改");
      if (f.roundLocked) return refuse("已过截止日期，报表已锁定");
      if (action === "submit" && s === "submitted") return refuse("报表已上报，等待审核");
      if (action === "save") return { ok: true, to: s === "none" ? "draft" : s };
      return { ok: true, to: "submitted" };
    }
    case "approve":
      if (!f.can.approve || !f.actorAbove) return refuse("只有上级单位可以审核");
      if (s !== "submitted") return refuse(`报表${statusNames[s]}，不能审核`);
      return { ok: true, to: "approved" };
    case "return":
      if (!f.can.approve || !f.actorAbove) return refuse("只有上级单位可以退回");
      if (s !== "submitted" && s !== "approved") return refuse(`报表${statusNames[s]}，不能退回`);
      if (needsComment()) return refuse("退回时必须填写退回意见");
      return { ok: true, to: "returned" };
    case "accept":
      if (!f.can.accept || !f.actorAbove) return refuse("只有市级可以确认");
      if (s !== "approved") return refuse(`报表${statusNames[s]}，需先审核通过才能确认`);
      return { ok: true, to: "accepted" };
    case "reopen":
      if (!f.can.accept || !f.actorAbove) return refuse("只有市级可以重新打开已确认的报表");
      if (s !== "accepted") return refuse(`报表${statusNames[s]}，无需重新打开`);
      if (needsComment()) return refuse("重新打开时必须填写原因");
      return { ok: true, to: "returned" };
  }
}

/** Statuses whose values the indicators read: everything a reporter has handed in. */
export const reportedStatuses: SubmissionStatus[] = ["submitted", "approved", "accepted"];

/** Whether a round is locked on `today` (ISO dates compare as strings). */
export function roundLocked(round: { due_date: string; lock_after_due: boolean }, today: string): boolean {
  return round.lock_after_due && today > round.due_date;
}
