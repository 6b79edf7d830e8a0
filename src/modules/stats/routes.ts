import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { actorOf } from "../../server/plugins/auth.js";
import { countiesResponse, countyBreakdown, countyCodeParams } from "./schemas.js";
import type { StatsService } from "./service.js";

export function statsRoutes(stats: StatsService): FastifyPluginAsyncZod {
  return async (app) => {
    // Fill the per-school summary once the server listens, so the first map does not wait (not on
    // `ready`: tests seed their data after it).
    app.addHook("onListen", async () => stats.warm());
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

    app.get(
      "/api/stats/counties/:code",
      {
        schema: {
          tags: ["stats"],
          summary: "某县（市、区）学校按办学类型和举办者、在读学生按学段（按数据范围）",
          params: countyCodeParams,
          response: { 200: countyBreakdown },
        },
      },
      async (request) => stats.county(actorOf(request), request.params.code),
    );
  };
}
