import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../server/plugins/auth.js";
import { stringifyOnly } from "../../shared/http-json.js";
import type { XlsxColumn } from "../../shared/xlsx.js";
import { sendXlsx } from "../registry/xlsx-reply.js";
import {
  type StaffOut,
  staffCreateBody,
  staffFilterQuery,
  staffListQuery,
  staffNumberParams,
  staffOut,
  staffPage,
  staffPatchBody,
} from "./staff-schemas.js";
import type { StaffService } from "./staff-service.js";

const tags = ["people"];

const exportColumns: XlsxColumn<StaffOut>[] = [
  { header: "工号", width: 16, value: (s) => s.staffNumber },
  { header: "姓名", value: (s) => s.name },
  { header: "性别", value: (s) => s.genderLabel },
  { header: "身份证号", width: 22, value: (s) => s.residentId },
  { header: "出生日期", width: 12, value: (s) => s.birthDate },
  { header: "学校标识码", width: 14, value: (s) => s.schoolCode },
  { header: "学校名称", width: 28, value: (s) => s.schoolName },
  { header: "岗位", width: 20, value: (s) => s.posts.join("、") },
  { header: "任教学科", width: 20, value: (s) => s.subjects.join("、") },
  { header: "学历", value: (s) => s.education },
  { header: "职称", value: (s) => s.title },
  { header: "骨干级别", value: (s) => s.keyLevelLabel },
  { header: "教师资格证", width: 20, value: (s) => s.teachingCertificate },
  { header: "到校时间", width: 12, value: (s) => s.schoolStartDate },
  { header: "在职状态", value: (s) => s.statusLabel },
];

export function staffRoutes(service: StaffService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      "/api/staff",
      {
        schema: {
          tags,
          summary: "教职工列表与检索 (scoped; ID numbers masked without people.pii)",
          querystring: staffListQuery,
          response: { 200: staffPage },
        },
        serializerCompiler: stringifyOnly,
      },
      (request) => service.list(actorOf(request), request.query),
    );

    app.get(
      "/api/staff/export.xlsx",
      {
        schema: {
          tags,
          summary: "导出教职工 (xlsx, the list's filters; permission exchange.export)",
          querystring: staffFilterQuery,
        },
      },
      async (request, reply) => {
        const rows = await service.exportRows(actorOf(request), request.query);
        return sendXlsx(reply, "教职工.xlsx", "教职工", exportColumns, rows);
      },
    );

    app.get(
      "/api/staff/:staffNumber",
      {
        schema: {
          tags,
          summary: "教职工详情 (full record; each read is audited)",
          params: staffNumberParams,
          response: { 200: staffOut },
        },
      },
      (request) => service.get(actorOf(request), request.params.staffNumber),
    );

    app.post(
      "/api/staff",
      { schema: { tags, summary: "新增教职工", body: staffCreateBody, response: { 201: staffOut } } },
      async (request, reply) => reply.status(201).send(await service.create(actorOf(request), request.body)),
    );

    app.patch(
      "/api/staff/:staffNumber",
      {
        schema: {
          tags,
          summary: "修改教职工 (schoolCode moves the person to another school in scope)",
          params: staffNumberParams,
          body: staffPatchBody,
          response: { 200: staffOut },
        },
      },
      (request) => service.update(actorOf(request), request.params.staffNumber, request.body),
    );

    app.delete(
      "/api/staff/:staffNumber",
      {
        schema: {
          tags,
          summary: "删除教职工 (soft)",
          params: staffNumberParams,
          response: { 200: z.object({ deleted: z.literal(true) }) },
        },
      },
      async (request) => {
        await service.remove(actorOf(request), request.params.staffNumber);
        return { deleted: true as const };
      },
    );
  };
}
