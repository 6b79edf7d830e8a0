import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../server/plugins/auth.js";
import type { PeopleCensusService } from "./census.js";

const tags = ["indicators"];

const censusOut = z.object({
  period: z.string().describe("统计期代码，如 2021"),
  students: z.number().int().describe("在校生人数（快照合计）"),
  staff: z.number().int().describe("教职工人数（快照合计）"),
  note: z.string().nullable(),
  takenBy: z.string(),
  takenAt: z.string(),
});
const periodParams = z.object({ period: z.string().trim().min(4).max(16) });
const takeBody = z.object({
  replace: z.boolean().default(false).describe("已有快照时覆盖"),
  note: z.string().max(500).nullish(),
});

/** 在校生、教职工统计快照 (people census): list, take (freeze today's counts for a period), remove. */
export function censusRoutes(service: PeopleCensusService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      "/api/people-censuses",
      {
        schema: {
          tags,
          summary: "统计快照：各统计期冻结的在校生、教职工人数（指标按期计数用）",
          response: { 200: z.array(censusOut) },
        },
      },
      (req) => service.list(actorOf(req)),
    );
    app.put(
      "/api/people-censuses/:period",
      {
        schema: {
          tags,
          summary:
            "把当前学籍、教职工人数冻结为该统计期的快照（indicators.manage；已有快照须 replace: true）",
          params: periodParams,
          body: takeBody,
          response: { 200: censusOut },
        },
      },
      (req) =>
        service.take(actorOf(req), req.params.period, {
          replace: req.body.replace,
          note: req.body.note ?? null,
        }),
    );
    app.delete(
      "/api/people-censuses/:period",
      { schema: { tags, summary: "删除统计快照（indicators.manage）", params: periodParams } },
      async (req, reply) => {
        await service.remove(actorOf(req), req.params.period);
        return reply.code(204).send();
      },
    );
  };
}
