import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../server/plugins/auth.js";
import { stringifyOnly } from "../../shared/http-json.js";
import type { XlsxColumn } from "../../shared/xlsx.js";
import { sendXlsx } from "../registry/xlsx-reply.js";
import {
  type StudentOut,
  studentCreateBody,
  studentFilterQuery,
  studentHistoryOut,
  studentListQuery,
  studentNumberParams,
  studentOut,
  studentPage,
  studentPatchBody,
  studentStatusBody,
} from "./student-schemas.js";
import type { StudentService } from "./student-service.js";

const tags = ["people"];

const exportColumns: XlsxColumn<StudentOut>[] = [
  { header: "学籍号", width: 22, value: (s) => s.studentNumber },
  { header: "姓名", value: (s) => s.name },
  { header: "性别", value: (s) => s.genderLabel },
  { header: "身份证号", width: 22, value: (s) => s.residentId },
  { header: "出生日期", width: 12, value: (s) => s.birthDate },
  { header: "学校标识码", width: 14, value: (s) => s.schoolCode },
  { header: "学校名称", width: 28, value: (s) => s.schoolName },
  { header: "学段", value: (s) => s.stageLabel },
  { header: "年级", value: (s) => s.gradeLabel },
  { header: "班级", value: (s) => s.classGroupName },
  { header: "学籍状态", value: (s) => s.statusLabel },
  { header: "入学日期", width: 12, value: (s) => s.enrolledOn },
];

export function studentRoutes(service: StudentService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      "/api/students",
      {
        schema: {
          tags,
          summary: "学生列表与检索 (scoped; ID numbers masked without people.pii)",
          querystring: studentListQuery,
          response: { 200: studentPage },
        },
        serializerCompiler: stringifyOnly,
      },
      (request) => service.list(actorOf(request), request.query),
    );

    app.get(
      "/api/students/export.xlsx",
      {
        schema: {
          tags,
          summary: "导出学生 (xlsx, the list's filters; permission exchange.export)",
          querystring: studentFilterQuery,
        },
      },
      async (request, reply) => {
        const rows = await service.exportRows(actorOf(request), request.query);
        return sendXlsx(reply, "学生.xlsx", "学生", exportColumns, rows);
      },
    );

    app.get(
      "/api/students/:studentNumber",
      {
        schema: {
          tags,
          summary: "学生详情 (full record; each read is audited)",
          params: studentNumberParams,
          response: { 200: studentOut },
        },
      },
      (request) => service.get(actorOf(request), request.params.studentNumber),
    );

    app.get(
      "/api/students/:studentNumber/history",
      {
        schema: {
          tags,
          summary: "学籍变动记录 (status history, oldest first)",
          params: studentNumberParams,
          response: { 200: studentHistoryOut },
        },
      },
      (request) => service.history(actorOf(request), request.params.studentNumber),
    );

    app.post(
      "/api/students",
      {
        schema: { tags, summary: "新增学生", body: studentCreateBody, response: { 201: studentOut } },
      },
      async (request, reply) => reply.status(201).send(await service.create(actorOf(request), request.body)),
    );

    app.patch(
      "/api/students/:studentNumber",
      {
        schema: {
          tags,
          summary: "修改学生信息 (not the school: use status 转学)",
          params: studentNumberParams,
          body: studentPatchBody,
          response: { 200: studentOut },
        },
      },
      (request) => service.update(actorOf(request), request.params.studentNumber, request.body),
    );

    app.post(
      "/api/students/:studentNumber/status",
      {
        schema: {
          tags,
          summary: "学籍变动 (在读/转学/休学/毕业 from a date; 转学 with toSchoolCode moves the student)",
          params: studentNumberParams,
          body: studentStatusBody,
          response: { 200: studentOut },
        },
      },
      (request) => service.changeStatus(actorOf(request), request.params.studentNumber, request.body),
    );

    app.delete(
      "/api/students/:studentNumber",
      {
        schema: {
          tags,
          summary: "删除学生 (soft: kept for history, reported by the change feed)",
          params: studentNumberParams,
          response: { 200: z.object({ deleted: z.literal(true) }) },
        },
      },
      async (request) => {
        await service.remove(actorOf(request), request.params.studentNumber);
        return { deleted: true as const };
      },
    );
  };
}
