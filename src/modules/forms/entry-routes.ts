import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { actorOf } from "../../server/plugins/auth.js";
import type { EntryService } from "./entry-service.js";
import {
  commentBody,
  completenessOut,
  entryOut,
  entryParams,
  historyOut,
  roundParams,
  saveBody,
  submissionListQuery,
  submissionPage,
} from "./schemas.js";

const tags = ["forms"];
const base = "/api/forms/:code/periods/:period";

/** Entry (填报), approval (审核), the round's reporters and completeness (上报率). */
export function formEntryRoutes(service: EntryService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      `${base}/submissions`,
      {
        schema: {
          tags,
          summary: "填报单位及状态 (the round's reporters in the caller's area; status none = 未填报)",
          params: roundParams,
          querystring: submissionListQuery,
          response: { 200: submissionPage },
        },
      },
      (request) => service.list(actorOf(request), request.params.code, request.params.period, request.query),
    );

    app.get(
      `${base}/completeness`,
      {
        schema: {
          tags,
          summary: "上报率 by county (expected reporters and counts by status)",
          params: roundParams,
          response: { 200: completenessOut },
        },
      },
      (request) => service.completeness(actorOf(request), request.params.code, request.params.period),
    );

    app.get(
      `${base}/entries/:orgCode`,
      {
        schema: {
          tags,
          summary: "一个单位的填报 (values, status, issues, approval trail, allowed actions)",
          params: entryParams,
          response: { 200: entryOut },
        },
      },
      (request) =>
        service.get(actorOf(request), request.params.code, request.params.period, request.params.orgCode),
    );

    app.put(
      `${base}/entries/:orgCode`,
      {
        schema: {
          tags,
          summary: "保存填报 (values; submit: true also submits; permission forms.fill)",
          description:
            "Values not sent stay as they are; value null clears one. A draft may break rules (they come back in " +
            "`issues`); a submission may not. Refused once approved or accepted, and after the due date when the " +
            "round locks.",
          params: entryParams,
          body: saveBody,
          response: { 200: entryOut },
        },
      },
      (request) =>
        service.save(
          actorOf(request),
          request.params.code,
          request.params.period,
          request.params.orgCode,
          request.body,
        ),
    );

    for (const action of ["submit", "approve", "return", "accept", "reopen"] as const) {
      const summaries = {
        submit: "上报",
        approve: "审核通过 (the level above; forms.approve)",
        return: "退回 (comment required; forms.approve)",
        accept: "确认 (the city; forms.accept) — the data is then locked",
        reopen: "重新打开已确认的报表 (comment required; forms.accept)",
      };
      app.post(
        `${base}/entries/:orgCode/${action}`,
        {
          schema: {
            tags,
            summary: summaries[action],
            params: entryParams,
            body: commentBody.nullish(),
            response: { 200: entryOut },
          },
        },
        (request) =>
          service.act(
            actorOf(request),
            action,
            request.params.code,
            request.params.period,
            request.params.orgCode,
            request.body?.comment,
          ),
      );
    }

    app.get(
      `${base}/entries/:orgCode/history`,
      {
        schema: {
          tags,
          summary: "数据修改记录 (every value change: who, when, old → new)",
          params: entryParams,
          response: { 200: historyOut },
        },
      },
      (request) =>
        service.history(actorOf(request), request.params.code, request.params.period, request.params.orgCode),
    );
  };
}
