import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { actorOf } from "../../server/plugins/auth.js";
import { changesQuery, changesResponse } from "./schemas.js";
import type { ChangeFeedService } from "./service.js";

export function changeRoutes(service: ChangeFeedService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      "/api/changes",
      {
        schema: {
          tags: ["exchange"],
          summary: "变更数据 (change feed: updated_since / cursor, deletions and mergers included)",
          description:
            "Rows of one entity ordered by (updatedAt, key). Start with updatedSince (or nothing for everything), " +
            "then pass nextCursor until hasMore is false, and keep it to poll later. A row written by a " +
            "transaction still open when you read may appear later with an earlier updatedAt: to be safe, " +
            "re-read from a cursor or time a minute behind; items are idempotent upserts by key.",
          querystring: changesQuery,
          response: { 200: changesResponse },
        },
      },
      (request) => service.list(actorOf(request), request.query),
    );
  };
}
