import { z } from "zod";
import { pageOf, pageQuery } from "../../shared/paging.js";
import { importKinds } from "./kind.js";

export const kindParam = z.object({
  kind: z.enum(importKinds).describe("schools | students | staff | class-groups | vision-screenings"),
});

export const templateQuery = z.object({
  format: z.enum(["xlsx", "csv"]).default("xlsx"),
});

export const uploadQuery = z.object({
  kind: z.enum(importKinds).describe("What the file holds: schools | students | staff | class-groups"),
});

export const jobParams = z.object({ id: z.uuid().describe("Import job id") });

export const jobListQuery = pageQuery.extend({ kind: z.enum(importKinds).optional() });

export const importJob = z.object({
  id: z.string(),
  kind: z.enum(importKinds),
  kindLabel: z.string(),
  fileName: z.string(),
  fileSize: z.number(),
  sheetName: z.string().nullable().describe("The worksheet read (xlsx)"),
  status: z
    .enum(["validating", "validated", "invalid", "committing", "committed", "failed"])
    .describe("validating → validated | invalid; validated → committing → committed | invalid | failed"),
  statusLabel: z.string(),
  progress: z.number().describe("0..1 of the current phase"),
  rowsTotal: z.number(),
  rowsDone: z.number(),
  rowsValid: z.number(),
  errorCount: z.number(),
  errorsStored: z.number().describe("Errors listed (the first 100,000); errorCount counts all"),
  inserted: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  message: z.string().nullable(),
  createdBy: z.string(),
  committedBy: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  committedAt: z.string().nullable(),
});

export const jobPage = pageOf(importJob);

export const importError = z.object({
  row: z.number().describe("Row number as Excel shows it (0: the file as a whole)"),
  column: z.string().describe("Column header, or 表头 / 文件"),
  value: z.string().nullable(),
  reason: z.string(),
});

export const errorPage = pageOf(importError);
