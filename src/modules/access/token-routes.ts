import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { actorOf } from "../../server/plugins/auth.js";
import { pageOf, pageQuery } from "../../shared/paging.js";
import { createdToken, createTokenBody, tokenParams, tokenView } from "./schemas.js";
import type { TokenService } from "./token-service.js";

/** /api/tokens: API tokens for other platforms (permission tokens.manage). */
export function tokenRoutes(tokens: TokenService): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ["tokens"];
    app.post(
      "/api/tokens",
      {
        schema: {
          tags,
          summary: "新建接口令牌 (the secret is returned once; only its hash is kept)",
          body: createTokenBody,
          response: { 201: createdToken },
        },
      },
      async (request, reply) => reply.code(201).send(await tokens.create(actorOf(request), request.body)),
    );

    app.get(
      "/api/tokens",
      {
        schema: {
          tags,
          summary: "接口令牌列表 (no secrets)",
          querystring: pageQuery,
          response: { 200: pageOf(tokenView) },
        },
      },
      async (request) => tokens.list(actorOf(request), request.query),
    );

    app.post(
      "/api/tokens/:id/revoke",
      {
        schema: {
          tags,
          summary: "吊销接口令牌 (refused from the next request on)",
          params: tokenParams,
          response: { 200: tokenView },
        },
      },
      async (request) => tokens.revoke(actorOf(request), { id: request.params.id }),
    );
  };
}
