import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../server/plugins/auth.js";
import type { RoleService } from "./role-service.js";
import { createRoleBody, patchRoleBody, roleList, roleParams, roleView } from "./schemas.js";

/** /api/roles: read by user administrators; custom roles written by city admins only. */
export function roleRoutes(roles: RoleService): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ["roles"];
    app.get(
      "/api/roles",
      {
        schema: {
          tags,
          summary: "角色列表 (with permissions and their Chinese labels)",
          response: { 200: roleList },
        },
      },
      async (request) => roles.list(actorOf(request)),
    );

    app.post(
      "/api/roles",
      {
        schema: {
          tags,
          summary: "新建自定义角色 (city admin; only permissions you hold)",
          body: createRoleBody,
          response: { 201: roleView },
        },
      },
      async (request, reply) => reply.code(201).send(await roles.create(actorOf(request), request.body)),
    );

    app.patch(
      "/api/roles/:code",
      {
        schema: {
          tags,
          summary: "修改自定义角色 (city admin; built-in roles are read-only)",
          params: roleParams,
          body: patchRoleBody,
          response: { 200: roleView },
        },
      },
      async (request) => roles.update(actorOf(request), request.params.code, request.body),
    );

    app.delete(
      "/api/roles/:code",
      {
        schema: {
          tags,
          summary:
            "删除自定义角色 (city admin; only a role no account holds; built-in roles cannot be deleted)",
          params: roleParams,
          response: { 200: z.object({ deleted: z.literal(true) }) },
        },
      },
      async (request) => {
        await roles.remove(actorOf(request), request.params.code);
        return { deleted: true as const };
      },
    );
  };
}
