import type { ImportStatus } from "../../db/types.js";
import type { ImportKind } from "./kind.js";
import { kinds } from "./kinds.js";
import type { ImportJobRow } from "./repository.js";

export const importStatusLabels: Record<ImportStatus, string> = {
  validating: "校验中",
  validated: "校验通过，待提交",
  invalid: "有错误",
  committing: "提交中",
  committed: "已导入",
  failed: "失败",
};

export interface ImportJobView {
  id: string;
  kind: ImportKind;
  kindLabel: string;
  fileName: string;
  fileSize: number;
  sheetName: string | null;
  status: ImportStatus;
  statusLabel: string;
  progress: number;
  rowsTotal: number;
  rowsDone: number;
  rowsValid: number;
  errorCount: number;
  errorsStored: number;
  inserted: number;
  updated: number;
  unchanged: number;
  message: string | null;
  createdBy: string;
  committedBy: string | null;
  createdAt: string;
  finishedAt: string | null;
  committedAt: string | null;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function presentJob(j: ImportJobRow): ImportJobView {
  const kind = j.kind as ImportKind;
  return {
    id: j.id,
    kind,
    kindLabel: kinds[kind]?.label ?? j.kind,
    fileName: j.file_name,
    fileSize: Number(j.file_size),
    sheetName: j.sheet_name,
    status: j.status,
    statusLabel: importStatusLabels[j.status],
    progress: Math.round(j.progress * 1000) / 1000,
    rowsTotal: j.rows_total,
    rowsDone: j.rows_done,
    rowsValid: j.rows_valid,
    errorCount: j.error_count,
    errorsStored: j.errors_stored,
    inserted: j.inserted,
    updated: j.updated,
    unchanged: j.unchanged,
    message: j.message,
    createdBy: j.created_by_name,
    committedBy: j.committed_by_name,
    createdAt: iso(j.created_at) as string,
    finishedAt: iso(j.finished_at),
    committedAt: iso(j.committed_at),
  };
}
