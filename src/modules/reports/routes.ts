import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { actorOf } from "../../server/plugins/auth.js";
import { askInput, caseIdParams, negativePage, negativeQuery, reportExtraOut } from "./schemas.js";
import type { ReportService } from "./service.js";

const tags = ["reports"];

/** Inside: what a report filed with a receipt adds to the case page, questions, the negative list. */
export function reportRoutes(service: ReportService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      "/api/reports/:caseId/extra",
      {
        schema: {
          tags,
          summary: "举报的附加信息：是否匿名、实名联系方式、向举报人的提问与答复",
          params: caseIdParams,
          response: { 200: reportExtraOut },
        },
      },
      (request) => service.extra(actorOf(request), request.params.caseId),
    );

    app.post(
      "/api/reports/:caseId/questions",
      {
        schema: {
          tags,
          summary: "向举报人提问（举报人凭查询码查看并答复）",
          params: caseIdParams,
          body: askInput,
          response: { 201: reportExtraOut },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(await service.ask(actorOf(request), request.params.caseId, request.body.question)),
    );

    app.get(
      "/api/ethics/negative-list",
      {
        schema: {
          tags,
          summary: "师德负面清单（按数据范围）",
          querystring: negativeQuery,
          response: { 200: negativePage },
        },
      },
      (request) => service.negativeList(actorOf(request), request.query),
    );
  };
}
