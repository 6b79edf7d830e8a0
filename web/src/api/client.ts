import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "./schema";

/**
 * The one API client. Every request and response type comes from schema.d.ts, generated from the
 * server's OpenAPI document (`npm run gen:api`): no request shape is written by hand here.
 */

/** The error body every API error carries (src/server/plugins/errors.ts). */
export interface ApiErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** The 200 JSON body of a route, e.g. ApiData<"/api/stats/counties", "get">. */
export type ApiData<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: { 200: { content: { "application/json": infer R } } };
}
  ? R
  : never;

/** The 201 JSON body of a route that creates something. */
export type ApiCreated<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: { 201: { content: { "application/json": infer R } } };
}
  ? R
  : never;

/** The 202 JSON body of a route that answers "accepted" (jobs). */
export type ApiAccepted<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: { 202: { content: { "application/json": infer R } } };
}
  ? R
  : never;

let csrfToken: string | null = null;
/** The session's CSRF token, sent as X-CSRF-Token on every state-changing request. */
export function setCsrfToken(token: string | null) {
  csrfToken = token;
}

/**
 * A multipart upload (the generated types cannot describe a file body): the same CSRF header and
 * error handling as every other call.
 */
export async function upload<T>(url: string, file: File): Promise<T> {
  const form = new FormData();
  form.append("file", file, file.name);
  const response = await fetch(url, {
    method: "POST",
    body: form,
    credentials: "same-origin",
    headers: csrfToken ? { "X-CSRF-Token": csrfToken } : {},
  }).catch(() => {
    throw new ApiError(0, "NETWORK", "无法连接服务器，请检查网络");
  });
  const body = await response.json().catch(() => ({}));
  if (response.status === 401) expiredListener?.((body as ApiErrorBody).message ?? "登录已过期，请重新登录");
  if (!response.ok) {
    const e = body as Partial<ApiErrorBody>;
    throw new ApiError(
      response.status,
      e.code ?? `HTTP_${response.status}`,
      e.message ?? `上传失败（${response.status}）`,
      e.details,
    );
  }
  return body as T;
}

let expiredListener: ((message: string) => void) | null = null;
/** Called when a signed-in request is refused with 401: the session has expired or was ended. */
export function onSessionExpired(listener: ((message: string) => void) | null) {
  expiredListener = listener;
}

const unsafe = new Set(["POST", "PUT", "PATCH", "DELETE"]);
// A refused sign-in answers 401 as a normal outcome, not an expiry.
const quiet401 = ["/api/auth/login"];

const middleware: Middleware = {
  onRequest({ request }) {
    if (unsafe.has(request.method) && csrfToken) request.headers.set("X-CSRF-Token", csrfToken);
    return request;
  },
  async onResponse({ request, response }) {
    const path = new URL(request.url).pathname;
    if (response.status === 401 && !quiet401.includes(path)) {
      const body = (await response
        .clone()
        .json()
        .catch(() => null)) as ApiErrorBody | null;
      expiredListener?.(body?.message ?? "登录已过期，请重新登录");
    }
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: "same-origin" });
api.use(middleware);

/** Awaits an openapi-fetch call and returns its data, or throws ApiError with the API's message. */
export async function call<T>(
  pending: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<NonNullable<T>> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await pending;
  } catch {
    throw new ApiError(0, "NETWORK", "无法连接服务器，请检查网络");
  }
  const { data, error, response } = result;
  if (!response.ok || error !== undefined) {
    const body = (error ?? {}) as Partial<ApiErrorBody>;
    throw new ApiError(
      response.status,
      body.code ?? `HTTP_${response.status}`,
      body.message ?? `请求失败（${response.status}）`,
      body.details,
    );
  }
  return data as NonNullable<T>;
}
