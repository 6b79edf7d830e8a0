import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { actorOf } from "../../server/plugins/auth.js";
import {
  myopiaQuery,
  myopiaRuleSchema,
  myopiaSummary,
  screeningListQuery,
  screeningPage,
} from "./schemas.js";
import type { HealthService } from "./service.js";

const tags = ["health"];

/** Vision screenings and the myopia rate. Imports go through /api/imports?kind=vision-screenings. */
export function healthRoutes(health: HealthService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      "/api/health/myopia-rule",
      {
        schema: {
          tags,
          summary: "筛查性近视判定规则（WS/T 663-2020；阈值为数据）",
          response: { 200: myopiaRuleSchema },
        },
      },
      async (request) => {
        actorOf(request);
        return health.currentRule();
      },
    );

    app.get(
      "/api/health/myopia",
      {
        schema: {
          tags,
          summary: "近视率：本机构、下级机构和各年级（筛查人数、近视人数、较上期变化；按数据范围）",
          querystring: myopiaQuery,
          response: { 200: myopiaSummary },
        },
      },
      (request) => health.myopia(actorOf(request), request.query),
    );

    app.get(
      "/api/health/screenings",
      {
        schema: {
          tags,
          summary: "视力筛查记录（按数据范围；含近视判定）",
          querystring: screeningListQuery,
          response: { 200: screeningPage },
        },
      },
      (request) => health.list(actorOf(request), request.query),
    );
  };
}
