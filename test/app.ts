import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { loadConfig } from "../src/config.js";
import type { Database } from "../src/db/connect.js";
import { type App, buildApp } from "../src/server/app.js";
import { CSRF_HEADER, SESSION_COOKIE } from "../src/server/plugins/auth.js";
import { createTestDatabase } from "./db.js";
import { TEST_PASSWORD } from "./factories.js";

export interface TestContext {
  app: App;
  database: Database;
  close(): Promise<void>;
}

/** A fresh database and an app on it (not listening; requests go through inject). */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestContext> {
  const database = await createTestDatabase();
  const config = loadConfig({ DATA_DIR: `/tmp/edu-test-data-${process.pid}`, ...env });
  const app = await buildApp({ config, database });
  await app.ready();
  return {
    app,
    database,
    async close() {
      await app.close();
      await database.close();
    },
  };
}

/** A signed-in client: carries the session cookie and the CSRF token on every request. */
export interface Client {
  request(opts: InjectOptions): Promise<LightMyRequestResponse>;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, payload?: unknown): Promise<LightMyRequestResponse>;
  patch(url: string, payload?: unknown): Promise<LightMyRequestResponse>;
  delete(url: string): Promise<LightMyRequestResponse>;
}

export async function signIn(app: App, username: string, password = TEST_PASSWORD): Promise<Client> {
  const res = await app.inject({ method: "POST", url: "/api/auth/login", payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`sign-in of ${username} failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE)?.value;
  const csrf = res.json().csrfToken as string;
  const request = (opts: InjectOptions) =>
    app.inject({
      ...opts,
      cookies: { [SESSION_COOKIE]: cookie ?? "", ...(opts.cookies ?? {}) },
      headers: { [CSRF_HEADER]: csrf, ...(opts.headers ?? {}) },
    });
  return {
    request,
    get: (url) => request({ method: "GET", url }),
    post: (url, payload) => request({ method: "POST", url, payload: payload as InjectOptions["payload"] }),
    patch: (url, payload) => request({ method: "PATCH", url, payload: payload as InjectOptions["payload"] }),
    delete: (url) => request({ method: "DELETE", url }),
  };
}
