import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { actorOf } from "../../server/plugins/auth.js";
import { countiesResponse } from "./schemas.js";
import type { StatsService } from "./service.js";

export function statsRoutes(stats: StatsService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      "/api/stats/counties",
      {
        schema: {
          tags: ["stats"],
          summary: "各县（市、区）学校、学生、教职工数（按数据范围）",
          response: { 200: countiesResponse },
        },
      },
      async (request) => stats.counties(actorOf(request)),
    );
  };
}
