import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply } from "fastify";

/** web/dist, built by `npm run build:web` (and by `npm start` when missing or stale). */
export const defaultWebRoot = fileURLToPath(new URL("../../../web/dist/", import.meta.url));

/**
 * The SPA's headers. The CSP keeps the browser on this origin: scripts, data and map boundaries
 * come only from here. Styles need 'unsafe-inline' because antd writes its CSS-in-JS into <style>
 * elements and ECharts positions its tooltip with inline styles.
 */
const pageHeaders = {
  "content-security-policy": [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; "),
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
};

export interface WebOptions {
  /** The folder holding the built SPA (index.html, assets/). */
  root?: string;
}

/**
 * Serves the built SPA from the same process as the API: files from web/dist, and index.html for
 * every other non-/api path (the client-side router's URLs, such as /counties/141102). Unknown /api
 * paths stay JSON 404s. Hashed files under assets/ are cached for a year; index.html never, so a
 * new build reaches browsers on their next visit.
 */
export async function registerWeb(app: FastifyInstance, { root = defaultWebRoot }: WebOptions = {}) {
  const absRoot = path.resolve(root);
  if (!fs.existsSync(path.join(absRoot, "index.html"))) {
    app.log.warn({ root: absRoot }, "web bundle not built: run `npm run build:web` (npm start does it)");
    return;
  }
  await app.register(fastifyStatic, { root: absRoot, serve: false });

  const sendIndex = (reply: FastifyReply) =>
    reply
      .headers({ ...pageHeaders, "cache-control": "no-cache" })
      .sendFile("index.html", { cacheControl: false });

  app.get("/*", { schema: { hide: true }, config: { public: true } }, async (request, reply) => {
    const pathname = request.url.split("?")[0];
    if (pathname === "/api" || pathname.startsWith("/api/")) return reply.callNotFound();
    let rel: string;
    try {
      rel = decodeURIComponent(pathname).replace(/^\/+/, "");
    } catch {
      return reply.callNotFound();
    }
    if (rel === "" || rel === "index.html") return sendIndex(reply);
    const file = path.resolve(absRoot, rel);
    const inside = file.startsWith(absRoot + path.sep);
    if (!inside || rel.split("/").some((part) => part.startsWith("."))) return reply.callNotFound();
    if (fs.statSync(file, { throwIfNoEntry: false })?.isFile()) {
      const hashed = rel.startsWith("assets/");
      return reply
        .headers(pageHeaders)
        .sendFile(rel, { cacheControl: true, maxAge: hashed ? "365d" : 0, immutable: hashed });
    }
    // A missing file (a script of an old build, a typo'd image) is a 404, never the page itself:
    // a browser that asked for JavaScript must not receive HTML.
    if (rel.startsWith("assets/") || path.extname(rel) !== "") return reply.callNotFound();
    return sendIndex(reply);
  });
}
