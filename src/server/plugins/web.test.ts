import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerErrorHandler } from "./errors.js";
import { registerWeb } from "./web.js";

let root: string;
const app = Fastify();

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "edu-web-"));
  fs.mkdirSync(path.join(root, "assets"));
  fs.writeFileSync(path.join(root, "index.html"), "<!doctype html><title>吕梁</title><div id=root></div>");
  fs.writeFileSync(path.join(root, "assets", "index-abc123.js"), "console.log(1)");
  fs.writeFileSync(path.join(root, "favicon.svg"), "<svg/>");
  fs.writeFileSync(path.join(root, ".build-hash"), "deadbeef");
  registerErrorHandler(app);
  app.get("/api/health", async () => ({ status: "ok" }));
  await registerWeb(app, { root });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe("serving the SPA", () => {
  it("serves index.html at / with a same-origin CSP and no caching", async () => {
    const res = await app.inject("/");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/text\/html/);
    expect(res.body).toContain("吕梁");
    expect(res.headers["cache-control"]).toBe("no-cache");
    expect(res.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(res.headers["content-security-policy"]).toContain("connect-src 'self'");
  });

  it("answers client-side routes with index.html (the SPA fallback)", async () => {
    for (const url of ["/counties/141102", "/login?from=%2F", "/schools/1411020001/students"]) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toContain("<div id=root>");
    }
  });

  it("serves hashed assets with a long immutable cache", async () => {
    const res = await app.inject("/assets/index-abc123.js");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/javascript/);
    expect(res.headers["cache-control"]).toMatch(/max-age=31536000.*immutable/);
    expect((await app.inject("/favicon.svg")).statusCode).toBe(200);
  });

  it("answers a missing script or file with 404, never with the page", async () => {
    for (const url of ["/assets/index-old.js", "/missing.png", "/.build-hash", "/..%2f..%2fetc%2fpasswd"]) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body, url).not.toContain("<div id=root>");
    }
  });

  it("leaves /api to the API: known routes answer, unknown ones are JSON 404s", async () => {
    expect((await app.inject("/api/health")).json()).toEqual({ status: "ok" });
    const res = await app.inject("/api/no-such-thing");
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: "NOT_FOUND" });
  });

  it("registers nothing when the bundle has not been built", async () => {
    const bare = Fastify();
    registerErrorHandler(bare);
    await registerWeb(bare, { root: path.join(root, "does-not-exist") });
    expect((await bare.inject("/")).statusCode).toBe(404);
    await bare.close();
  });
});
