import { z } from "zod";

const instant = z
  .string()
  .max(40)
  .describe(
    "2024-05-01 (a whole day, China Standard Time) or an ISO date-time such as 2024-05-01T08:30:00+08:00",
  );

export const auditFilterQuery = z.object({
  actor: z.string().max(100).optional().describe("Username, token name (token:<name>) or system name"),
  entity: z.string().max(64).optional().describe("user, role, api_token, session, student, org_unit …"),
  entityKey: z.string().max(200).optional().describe("The changed record's key, e.g. a username"),
  action: z.string().max(64).optional().describe("create, update, login, login_failed, logout …"),
  from: instant.optional().describe("From this instant (inclusive)"),
  to: instant.optional().describe("Up to this instant (a day: to its end)"),
});

export const auditListQuery = auditFilterQuery.extend({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});

export const auditEntry = z.object({
  id: z.number(),
  at: z.string(),
  actorType: z.string().describe("user, token, system or public (no credentials)"),
  actorId: z.number().nullable(),
  actorName: z.string(),
  action: z.string(),
  actionLabel: z.string().describe("中文"),
  entity: z.string(),
  entityLabel: z.string().describe("中文"),
  entityKey: z.string().nullable(),
  orgPath: z.string().nullable(),
  before: z.unknown().describe("The record before the change (JSON)"),
  after: z.unknown().describe("The record after the change (JSON)"),
  context: z.unknown().describe("Request details: IP, reason, filters (JSON)"),
});
