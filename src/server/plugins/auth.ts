import type { FastifyInstance, FastifyRequest } from "fastify";
import type { AuthService } from "../../modules/access/auth-service.js";
import type { Actor } from "../../shared/actor.js";
import { AppError } from "../../shared/errors.js";

export const SESSION_COOKIE = "edu_session";
export const CSRF_HEADER = "x-csrf-token";

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in user or API token; null on public routes without credentials. */
    actor: Actor | null;
    sessionId: string | null;
  }
  interface FastifyContextConfig {
    /** The route answers without credentials. */
    public?: boolean;
  }
}

const unsafeMethods = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Authenticates every /api request from the session cookie or a bearer token. State-changing
 * requests made with a cookie must carry the session's CSRF token in X-CSRF-Token (a bearer token
 * is not sent by browsers on their own, so it needs none). The public report page's API
 * (/api/public/*) never reads credentials: a signed-in staff member's browser sends its cookie
 * there too, and filing a report must not touch (or be refused for) that member's session.
 */
export function registerAuth(app: FastifyInstance, auth: AuthService) {
  app.decorateRequest("actor", null);
  app.decorateRequest("sessionId", null);
  app.addHook("onRequest", async (request) => {
    if (!request.url.startsWith("/api/")) return;
    if (request.routeOptions.url?.startsWith("/api/public/")) return;
    const header = request.headers.authorization;
    if (header?.startsWith("Bearer ")) {
      request.actor = await auth.resolveToken(header.slice(7).trim());
      if (!request.actor) throw new AppError("UNAUTHENTICATED", "接口令牌无效或已吊销");
      return;
    }
    const sessionId = request.cookies[SESSION_COOKIE];
    if (sessionId) {
      const resolved = await auth.resolveSession(sessionId);
      if (resolved) {
        request.actor = resolved.actor;
        request.sessionId = sessionId;
        if (unsafeMethods.has(request.method) && request.headers[CSRF_HEADER] !== resolved.csrfToken) {
          throw new AppError("CSRF_FAILED");
        }
      }
    }
    if (!request.actor && !request.routeOptions.config?.public) {
      throw new AppError("UNAUTHENTICATED", sessionId ? "登录已过期，请重新登录" : undefined);
    }
  });
}

/** The actor of an authenticated route (the hook has already refused anonymous requests). */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new AppError("UNAUTHENTICATED");
  return request.actor;
}
