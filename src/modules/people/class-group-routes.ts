import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../server/plugins/auth.js";
import type { XlsxColumn } from "../../shared/xlsx.js";
import { sendXlsx } from "../registry/xlsx-reply.js";
import {
  type ClassGroupOut,
  classGroupCreateBody,
  classGroupFilterQuery,
  classGroupListQuery,
  classGroupOut,
  classGroupPage,
  classGroupParams,
  classGroupPatchBody,
} from "./class-group-schemas.js";
import type { ClassGroupService } from "./class-group-service.js";

const tags = ["people"];

const exportColumns: XlsxColumn<ClassGroupOut>[] = [
  { header: "班级编号", value: (c) => c.id },
  { header: "学校标识码", width: 14, value: (c) => c.schoolCode },
  { header: "学校名称", width: 28, value: (c) => c.schoolName },
  { header: "学年", value: (c) => `${c.schoolYear}-${c.schoolYear + 1}` },
  { header: "学段", value: (c) => c.stageLabel },
  { header: "年级", value: (c) => c.gradeLabel },
  { header: "班级名称", width: 16, value: (c) => c.name },
  { header: "班主任工号", width: 16, value: (c) => c.homeroomStaffNumber },
  { header: "班主任", value: (c) => c.homeroomName },
  { header: "学生人数", value: (c) => c.studentCount },
];

export function classGroupRoutes(service: ClassGroupService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      "/api/class-groups",
      {
        schema: {
          tags,
          summary: "班级列表 (per school and school year, scoped)",
          querystring: classGroupListQuery,
          response: { 200: classGroupPage },
        },
      },
      (request) => service.list(actorOf(request), request.query),
    );

    app.get(
      "/api/class-groups/export.xlsx",
      {
        schema: {
          tags,
          summary: "导出班级 (xlsx, the list's filters; permission exchange.export)",
          querystring: classGroupFilterQuery,
        },
      },
      async (request, reply) => {
        const rows = await service.exportRows(actorOf(request), request.query);
        return sendXlsx(reply, "班级.xlsx", "班级", exportColumns, rows);
      },
    );

    app.get(
      "/api/class-groups/:id",
      { schema: { tags, summary: "班级详情", params: classGroupParams, response: { 200: classGroupOut } } },
      (request) => service.get(actorOf(request), request.params.id),
    );

    app.post(
      "/api/class-groups",
      { schema: { tags, summary: "新增班级", body: classGroupCreateBody, response: { 201: classGroupOut } } },
      async (request, reply) => reply.status(201).send(await service.create(actorOf(request), request.body)),
    );

    app.patch(
      "/api/class-groups/:id",
      {
        schema: {
          tags,
          summary: "修改班级 (name, grade, 班主任)",
          params: classGroupParams,
          body: classGroupPatchBody,
          response: { 200: classGroupOut },
        },
      },
      (request) => service.update(actorOf(request), request.params.id, request.body),
    );

    app.delete(
      "/api/class-groups/:id",
      {
        schema: {
          tags,
          summary: "删除班级 (soft; refused while students are assigned)",
          params: classGroupParams,
          response: { 200: z.object({ deleted: z.literal(true) }) },
        },
      },
      async (request) => {
        await service.remove(actorOf(request), request.params.id);
        return { deleted: true as const };
      },
    );
  };
}
