import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { actorOf } from "../../server/plugins/auth.js";
import type { XlsxColumn } from "../../shared/xlsx.js";
import type { OrgUnitChanges } from "./org-unit-changes.js";
import type { OrgUnitEndings } from "./org-unit-endings.js";
import type { OrgUnitService } from "./org-unit-service.js";
import {
  closeBody,
  codeParams,
  mergeBody,
  mergeResult,
  type OrgUnitOut,
  orgUnitCreateBody,
  orgUnitFilterQuery,
  orgUnitHistory,
  orgUnitListQuery,
  orgUnitOut,
  orgUnitPage,
  orgUnitPatchBody,
  orgUnitProfile,
  treeQuery,
  treeResponse,
} from "./schemas.js";
import { sendXlsx, yesNo } from "./xlsx-reply.js";

const tags = ["registry"];

/** Column headers are the Chinese names a bureau uses in its own spreadsheets. */
const exportColumns: XlsxColumn<OrgUnitOut>[] = [
  { header: "机构代码", width: 14, value: (u) => u.code },
  { header: "机构名称", width: 30, value: (u) => u.name },
  { header: "简称", value: (u) => u.shortName },
  { header: "机构类别", value: (u) => u.kindLabel },
  { header: "上级机构代码", width: 14, value: (u) => u.parentCode },
  { header: "县（市、区）代码", value: (u) => u.countyCode },
  { header: "县（市、区）", value: (u) => u.countyName },
  { header: "办学类型代码", value: (u) => u.schoolType },
  { header: "办学类型", width: 16, value: (u) => u.schoolTypeLabel },
  { header: "举办者", value: (u) => u.ownershipLabel },
  { header: "普惠性", value: (u) => yesNo(u.inclusive) },
  { header: "城乡分类", value: (u) => u.urbanRuralLabel },
  { header: "寄宿制", value: (u) => yesNo(u.boarding) },
  { header: "地址", width: 30, value: (u) => u.address },
  { header: "经度", value: (u) => u.lng },
  { header: "纬度", value: (u) => u.lat },
  { header: "生效日期", value: (u) => u.validFrom },
  { header: "失效日期", value: (u) => u.validTo },
  {
    header: "终止原因",
    value: (u) => (u.endReason === "merged" ? "撤并" : u.endReason === "closed" ? "关闭" : null),
  },
  { header: "并入学校代码", width: 14, value: (u) => u.successorCode },
];

export function orgUnitRoutes(
  service: OrgUnitService,
  changes: OrgUnitChanges,
  endings: OrgUnitEndings,
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      "/api/org-units",
      {
        schema: {
          tags,
          summary: "组织机构列表 (paged; now, or as of a date)",
          querystring: orgUnitListQuery,
          response: { 200: orgUnitPage },
        },
      },
      (request) => service.list(actorOf(request), request.query),
    );

    app.get(
      "/api/org-units/export.xlsx",
      {
        schema: {
          tags,
          summary: "导出组织机构 (xlsx, the list's filters; permission exchange.export)",
          querystring: orgUnitFilterQuery,
        },
      },
      async (request, reply) => {
        const rows = await service.exportRows(actorOf(request), request.query);
        return sendXlsx(reply, "组织机构.xlsx", "组织机构", exportColumns, rows);
      },
    );

    app.get(
      "/api/org-units/tree",
      {
        schema: {
          tags,
          summary: "机构树 (city → counties → schools in scope, as of a date)",
          querystring: treeQuery,
          response: { 200: treeResponse },
        },
      },
      (request) => service.tree(actorOf(request), request.query),
    );

    app.get(
      "/api/org-units/:code",
      {
        schema: {
          tags,
          summary: "机构详情 (profile, member counts, successor)",
          params: codeParams,
          response: { 200: orgUnitProfile },
        },
      },
      (request) => service.get(actorOf(request), request.params.code),
    );

    app.get(
      "/api/org-units/:code/history",
      {
        schema: {
          tags,
          summary: "机构沿革 (versions, merger or closure, units merged into it)",
          params: codeParams,
          response: { 200: orgUnitHistory },
        },
      },
      (request) => service.history(actorOf(request), request.params.code),
    );

    app.post(
      "/api/org-units",
      {
        schema: {
          tags,
          summary: "新建学校或科室 (under a parent in scope)",
          body: orgUnitCreateBody,
          response: { 201: orgUnitOut },
        },
      },
      async (request, reply) => reply.status(201).send(await changes.create(actorOf(request), request.body)),
    );

    app.patch(
      "/api/org-units/:code",
      {
        schema: {
          tags,
          summary: "修改机构 (from effectiveFrom: ends the current version, opens a new one)",
          params: codeParams,
          body: orgUnitPatchBody,
          response: { 200: orgUnitOut },
        },
      },
      (request) => changes.patch(actorOf(request), request.params.code, request.body),
    );

    app.post(
      "/api/org-units/:code/merge",
      {
        schema: {
          tags,
          summary: "撤并 (merge into a successor; moves enrolled students, active staff, current classes)",
          params: codeParams,
          body: mergeBody,
          response: { 200: mergeResult },
        },
      },
      (request) => endings.merge(actorOf(request), request.params.code, request.body),
    );

    app.post(
      "/api/org-units/:code/close",
      {
        schema: {
          tags,
          summary: "关闭机构 (only without enrolled students, active staff or current sub-units)",
          params: codeParams,
          body: closeBody,
          response: { 200: orgUnitOut },
        },
      },
      (request) => endings.close(actorOf(request), request.params.code, request.body),
    );
  };
}
