import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../server/plugins/auth.js";
import { pageOf } from "../../shared/paging.js";
import {
  createUserBody,
  patchUserBody,
  resetPasswordBody,
  userListQuery,
  usernameParams,
  userView,
} from "./schemas.js";
import type { UserAdminService } from "./user-service.js";

/** /api/users: account administration (permission users.manage, within the actor's scope). */
export function userRoutes(users: UserAdminService): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ["users"];
    app.get(
      "/api/users",
      {
        schema: {
          tags,
          summary: "用户列表 (users whose whole scope lies within yours)",
          querystring: userListQuery,
          response: { 200: pageOf(userView) },
        },
      },
      async (request) => {
        const { page, pageSize, ...filter } = request.query;
        return users.list(actorOf(request), filter, { page, pageSize });
      },
    );

    app.get(
      "/api/users/:username",
      {
        schema: { tags, summary: "用户详情", params: usernameParams, response: { 200: userView } },
      },
      async (request) => users.get(actorOf(request), request.params.username),
    );

    app.post(
      "/api/users",
      {
        schema: {
          tags,
          summary: "新建用户 (scope within yours; only roles whose permissions you hold)",
          body: createUserBody,
          response: { 201: userView },
        },
      },
      async (request, reply) => {
        const user = await users.create(actorOf(request), request.body);
        return reply.code(201).send(user);
      },
    );

    app.patch(
      "/api/users/:username",
      {
        schema: {
          tags,
          summary: "修改用户 (display name, roles, scope, disabled)",
          params: usernameParams,
          body: patchUserBody,
          response: { 200: userView },
        },
      },
      async (request) => users.update(actorOf(request), request.params.username, request.body),
    );

    app.post(
      "/api/users/:username/reset-password",
      {
        schema: {
          tags,
          summary: "重置密码 (temporary password, must be changed; ends the user's sessions; unlocks)",
          params: usernameParams,
          body: resetPasswordBody,
          response: { 200: z.object({ ok: z.boolean(), sessionsEnded: z.number() }) },
        },
      },
      async (request) => ({
        ok: true,
        ...(await users.resetPassword(actorOf(request), request.params.username, request.body.password)),
      }),
    );

    for (const [verb, disabled] of [
      ["disable", true],
      ["enable", false],
    ] as const) {
      app.post(
        `/api/users/:username/${verb}`,
        {
          schema: {
            tags,
            summary: disabled ? "停用用户 (ends the user's sessions)" : "启用用户",
            params: usernameParams,
            response: { 200: userView },
          },
        },
        async (request) => users.setDisabled(actorOf(request), request.params.username, disabled),
      );
    }
  };
}
