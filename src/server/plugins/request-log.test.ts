import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import type { InjectOptions } from "fastify";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../test/db.js";
import { smallCity, TEST_PASSWORD, user } from "../../../test/factories.js";
import { loadConfig } from "../../config.js";
import type { Database } from "../../db/connect.js";
import { buildApp } from "../app.js";
import { SESSION_COOKIE } from "./auth.js";

/**
 * The request log against the public report page's promise ("平台不记录您的 IP 地址、浏览器或设备
 * 信息"): the real app with its logger writing into an array, a visitor loading the public pages, their
 * files and their API, then a staff member signing in, and someone failing to.
 */

// What a browser sends that could identify it; none of it may reach a line of an anonymous request.
const UA = "Mozilla/5.0 (X11; privacy-test) Chrome/131";
const REFERER = "https://referrer.example/some/page";
const FORWARDED = "198.51.100.23";
const visitor = { "user-agent": UA, referer: REFERER, "x-forwarded-for": FORWARDED };

interface Line {
  reqId?: string;
  msg: string;
  req?: { method: string; url: string; remoteAddress?: string; remotePort?: number };
  res?: { statusCode: number };
}

let database: Database;
let root: string;
beforeAll(async () => {
  database = await createTestDatabase();
  await smallCity(database.db);
  await user(database.db, "lishi", ["county_admin"], ["141102"]);
  root = fs.mkdtempSync(path.join(os.tmpdir(), "edu-log-"));
  fs.mkdirSync(path.join(root, "assets"));
  fs.writeFileSync(path.join(root, "index.html"), "<!doctype html><div id=root></div>");
  fs.writeFileSync(path.join(root, "assets", "index-abc123.js"), "console.log(1)");
});
afterAll(async () => {
  await database.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe("request log", () => {
  it("names the client on sign-in attempts and signed-in API use only", async () => {
    const raw: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        raw.push(String(chunk));
        done();
      },
    });
    const config = loadConfig({ DATA_DIR: `/tmp/edu-test-data-${process.pid}` });
    const app = await buildApp({
      config,
      database,
      logger: pino({ level: "info" }, sink),
      webRoot: root,
    });
    await app.ready();

    // Each request from its own address (TEST-NET-3), sent one after another: the n-th "incoming
    // request" line is the n-th request's, and its reqId finds the request's other lines.
    const sent: { ip: string; url: string; identified: boolean }[] = [];
    let host = 0;
    const send = async (opts: InjectOptions & { url: string }, identified: boolean) => {
      const ip = `203.0.113.${++host}`;
      const res = await app.inject({ ...opts, remoteAddress: ip, headers: { ...visitor, ...opts.headers } });
      sent.push({ ip, url: opts.url, identified });
      return res;
    };
    let session = "";
    try {
      // a staff member signs in (their address is logged) …
      const login = await send(
        { method: "POST", url: "/api/auth/login", payload: { username: "lishi", password: TEST_PASSWORD } },
        true,
      );
      expect(login.statusCode).toBe(200);
      session = login.cookies.find((c) => c.name === SESSION_COOKIE)?.value ?? "";
      expect(session).not.toBe("");
      const me = await send(
        { method: "GET", url: "/api/auth/me", cookies: { [SESSION_COOKIE]: session } },
        true,
      );
      expect(me.json().user.username).toBe("lishi");
      // … someone fails to …
      const failed = await send(
        { method: "POST", url: "/api/auth/login", payload: { username: "lishi", password: "wrong-1234" } },
        true,
      );
      expect(failed.statusCode).toBe(401);
      // … and a visitor opens the public report page: the shell, its script, its API, who-am-I
      expect((await send({ method: "GET", url: "/public/report" }, false)).statusCode).toBe(200);
      expect((await send({ method: "GET", url: "/assets/index-abc123.js" }, false)).statusCode).toBe(200);
      expect((await send({ method: "GET", url: "/" }, false)).statusCode).toBe(200);
      const options = await send({ method: "GET", url: "/api/public/report-options" }, false);
      expect(options.statusCode).toBe(200);
      const nobody = await send({ method: "GET", url: "/api/auth/me" }, false);
      expect(nobody.json()).toEqual({ user: null, csrfToken: null });
      expect((await send({ method: "GET", url: "/login?from=%2Fpublic%2Ffollow" }, false)).statusCode).toBe(
        200,
      );
      // the staff member's own browser on the public page sends the session cookie along: the page
      // and the public API still do not name the client
      const withCookie = { cookies: { [SESSION_COOKIE]: session } };
      expect((await send({ method: "GET", url: "/public/follow", ...withCookie }, false)).statusCode).toBe(
        200,
      );
      const lookup = await send(
        { method: "GET", url: "/api/public/org-units?q=%E5%AE%9E%E9%AA%8C", ...withCookie },
        false,
      );
      expect(lookup.statusCode).toBe(200);
    } finally {
      await app.close();
    }

    const lines = raw.map((l) => JSON.parse(l) as Line);
    const incoming = lines.filter((l) => l.msg === "incoming request");
    expect(incoming.map((l) => l.req?.url.split("?")[0])).toEqual(sent.map((s) => s.url.split("?")[0]));
    // the visitor's requests first (the point of the test), then the staff member's
    const order = [...sent.entries()].sort(([, a], [, b]) => Number(a.identified) - Number(b.identified));
    for (const [i, s] of order) {
      const own = lines.filter((l) => l.reqId === incoming[i].reqId);
      const text = own.map((l) => JSON.stringify(l)).join("\n");
      expect(own.length, s.url).toBeGreaterThanOrEqual(2);
      // headers are never logged, whoever sends them
      for (const secret of [UA, "privacy-test", REFERER, FORWARDED, session]) {
        expect(text, s.url).not.toContain(secret);
      }
      if (!s.identified) {
        expect(text, s.url).not.toContain(s.ip);
        expect(text, s.url).not.toContain("remoteAddress");
        expect(text, s.url).not.toContain("remotePort");
      }
      // the completed line says what was asked and how it went; the client only where allowed
      const completed = own.find((l) => l.msg === "request completed");
      expect(completed?.res?.statusCode, s.url).toBeDefined();
      if (s.identified) expect(completed?.req?.remoteAddress, s.url).toBe(s.ip);
      // what a visitor typed into the query string stays out too
      else expect(completed?.req?.url, s.url).toBe(s.url.split("?")[0]);
    }
  });
});
