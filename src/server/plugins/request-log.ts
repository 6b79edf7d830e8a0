import {
  type FastifyBaseLogger,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
} from "fastify";

/**
 * Whether a request's log lines may say who sent it (its address and port). The public report page
 * promises that the platform records nothing identifying its visitors, and everyone's browser
 * loads the same shell and scripts, so only two kinds of request are logged with the address:
 *
 * - sign-in attempts (`POST /api/auth/login`): security needs the address of failed sign-ins;
 * - signed-in API use: an /api request (outside /api/public/) that carries a session resolved by the
 *   auth hook, or a bearer token (valid or not; browsers never send one on their own).
 *
 * Everything else is logged with method and path only, without the query string: the SPA shell and
 * its client-side routes (/public/report, /login, …), files under /assets and the like, the public
 * page's API (/api/public/*, even with a session cookie), and /api requests without a session
 * (/api/auth/me asked by the sign-in page, /api/health, a refused call). The request's headers
 * (user agent, referer, cookies, X-Forwarded-For) are never logged.
 *
 * The session is known only after the auth hook, so the "incoming request" line of a signed-in
 * request carries no address; its "request completed" line does.
 */
export function logsClient(request: FastifyRequest): boolean {
  const route = request.routeOptions.url ?? "";
  if (route.startsWith("/api/public/")) return false;
  if (route === "/api/auth/login") return true;
  if (!request.url.startsWith("/api/")) return false;
  return request.actor !== null || request.headers.authorization?.startsWith("Bearer ") === true;
}

/** The `req` of every log line: see logsClient for when it names the client. */
function requestForLog(request: FastifyRequest) {
  // Log lines of other shapes (a raw request, a plain object) keep only method and path.
  const known = typeof request.routeOptions === "object" && "actor" in request;
  const path = (request.url ?? "").split("?")[0];
  if (!known || !logsClient(request)) return { method: request.method, url: path };
  return {
    method: request.method,
    url: request.url,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

const logSerializers = { req: requestForLog };

/**
 * Fastify's request lines, with the request on the "request completed" line too (by then the
 * session is resolved, so a signed-in request's line carries the address).
 */
class RequestLogController extends LogController {
  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    if (this.isLogDisabled(request)) return;
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, "request errored");
    else reply.log.info(line, "request completed");
  }
}

/**
 * The logger options of the app: the given logger (a pino instance, pino options, true or false)
 * with the request serializer above in place of Fastify's, which writes remoteAddress for all.
 */
export function requestLogOptions(
  logger: FastifyServerOptions["logger"] | FastifyBaseLogger,
): Pick<FastifyServerOptions, "logger" | "loggerInstance" | "logController"> {
  const logController = new RequestLogController();
  if (typeof logger === "object" && logger !== null && "child" in logger) {
    // A child's serializers take precedence over Fastify's defaults.
    return { loggerInstance: logger.child({}, { serializers: logSerializers }), logController };
  }
  if (!logger) return { logger: false };
  const options = logger === true ? {} : logger;
  return {
    logger: { ...options, serializers: { ...options.serializers, ...logSerializers } },
    logController,
  };
}
