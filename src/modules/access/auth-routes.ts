import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Config } from "../../config.js";
import { actorOf, SESSION_COOKIE } from "../../server/plugins/auth.js";
import { AppError } from "../../shared/errors.js";
import type { AuthService, RequestMeta } from "./auth-service.js";
import { changePasswordBody, loginBody, loginResponse, signedInUser } from "./schemas.js";

/** The request's origin for the audit log. */
export function requestMeta(request: FastifyRequest): RequestMeta {
  const ua = request.headers["user-agent"];
  return { ip: request.ip, ...(ua ? { userAgent: ua.slice(0, 200) } : {}) };
}

export function authRoutes(auth: AuthService, config: Config): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      "/api/auth/login",
      {
        config: { public: true },
        schema: {
          tags: ["auth"],
          summary: "登录 (sign in); sets the session cookie, returns the CSRF token",
          body: loginBody,
          response: { 200: loginResponse },
        },
      },
      async (request, reply) => {
        const { sessionId, csrfToken, user } = await auth.login(
          request.body.username,
          request.body.password,
          requestMeta(request),
        );
        reply.setCookie(SESSION_COOKIE, sessionId, {
          path: "/",
          httpOnly: true,
          sameSite: "strict",
          secure: config.COOKIE_SECURE,
          maxAge: config.SESSION_TTL_MINUTES * 60,
        });
        return { user, csrfToken };
      },
    );

    app.post(
      "/api/auth/logout",
      {
        schema: {
          tags: ["auth"],
          summary: "退出登录 (sign out)",
          response: { 200: z.object({ ok: z.boolean() }) },
        },
      },
      async (request, reply) => {
        if (request.sessionId) await auth.logout(request.sessionId, request.actor, requestMeta(request));
        reply.clearCookie(SESSION_COOKIE, { path: "/" });
        return { ok: true };
      },
    );

    app.post(
      "/api/auth/password",
      {
        schema: {
          tags: ["auth"],
          summary: "修改本人密码 (change own password; ends the user's other sessions)",
          body: changePasswordBody,
          response: { 200: z.object({ ok: z.boolean(), otherSessionsEnded: z.number() }) },
        },
      },
      async (request) => {
        const r = await auth.changePassword(
          actorOf(request),
          request.sessionId,
          request.body.currentPassword,
          request.body.newPassword,
        );
        return { ok: true, ...r };
      },
    );

    app.get(
      "/api/auth/me",
      {
        // "Who am I" is a normal question before sign-in (the sign-in page asks it): nobody is an
        // answer, not an error, so an anonymous visitor's browser logs no failed request.
        config: { public: true },
        schema: {
          tags: ["auth"],
          summary:
            "当前用户 (the signed-in user, with a fresh CSRF token; user and csrfToken are null without a valid session)",
          response: {
            200: z.object({ user: signedInUser.nullable(), csrfToken: z.string().nullable() }),
          },
        },
      },
      async (request) => {
        if (!request.actor) return { user: null, csrfToken: null };
        const actor = request.actor;
        if (actor.type !== "user" || actor.id === null)
          throw new AppError("FORBIDDEN", "接口令牌没有用户信息");
        const session = request.sessionId ? await auth.resolveSession(request.sessionId) : null;
        return { user: await auth.describe(actor.id), csrfToken: session?.csrfToken ?? null };
      },
    );
  };
}
