import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { withDatabase } from "../src/db/url.js";

const root = path.resolve(import.meta.dirname, "..");
const tsx = path.join(root, "node_modules/tsx/dist/cli.mjs");

/** A free loopback port: bind to 0, read it, let it go. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function psql(url: string, statement: string) {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Starts the platform as `npm start` does — the web bundle built if stale, then src/main.ts in demo
 * mode — on a fresh database: a PGlite folder in a temp dir, or a new database on the PostgreSQL
 * server when E2E_DATABASE_URL is set. Waits for /api/health, hands the URL to the journeys, and
 * stops the server (and removes the database) afterwards.
 */
export default async function setup(project: TestProject) {
  // E2E_BASE_URL: run the journeys against a server that is already up (while developing).
  if (process.env.E2E_BASE_URL) {
    project.provide("baseUrl", process.env.E2E_BASE_URL.replace(/\/$/, ""));
    project.provide("casesClockFile", "");
    return;
  }
  const built = spawnSync(process.execPath, [tsx, "web/scripts/ensure-build.ts"], {
    cwd: root,
    stdio: "inherit",
  });
  if (built.status !== 0) throw new Error("web build failed");

  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "edu-e2e-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    DEMO: "1",
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? "warn",
    // the cases journey (08) lets a deadline pass by writing a clock offset here
    CASES_CLOCK_FILE: path.join(dataDir, "cases-clock-offset-ms"),
  };
  delete env.DATABASE_URL;
  let dbName: string | null = null;
  const pgUrl = process.env.E2E_DATABASE_URL;
  if (pgUrl) {
    dbName = `edu_e2e_${crypto.randomBytes(5).toString("hex")}`;
    await psql(pgUrl, `create database ${dbName}`);
    env.DATABASE_URL = withDatabase(pgUrl, dbName);
  }

  const t0 = performance.now();
  let listenedAt: number | null = null;
  const server: ChildProcess = spawn(process.execPath, [tsx, "src/main.ts", "--demo"], {
    cwd: root,
    env,
    stdio: ["ignore", "inherit", "inherit"],
  });
  let exited: number | null = null;
  server.once("exit", (code) => {
    exited = code ?? -1;
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  for (;;) {
    if (exited !== null) throw new Error(`the server exited with ${exited} before it answered`);
    try {
      const res = await fetch(`${baseUrl}/api/health`);
      // Demo mode loads the capabilities' demo extras after listening: the journeys need them.
      const demo = res.ok ? ((await res.json()) as { demo?: string }).demo : null;
      if (res.ok) listenedAt ??= performance.now();
      if (demo === "failed") throw new Error("the demo extras failed to load (see the server log)");
      if (res.ok && demo !== "loading") break;
    } catch {
      // not listening yet
    }
    if (listenedAt === null && performance.now() - t0 > 540_000)
      throw new Error("the server did not answer within 9 minutes");
    // The demo extras load after listening; on a busy machine they may take long (one of them
    // alone is ~80 s wall on PGlite).
    if (listenedAt !== null && performance.now() - listenedAt > 900_000)
      throw new Error("the demo extras did not finish within 15 minutes of the server listening");
    await new Promise((r) => setTimeout(r, 500));
  }
  const seconds = (t: number) => ((t - t0) / 1000).toFixed(1);
  console.log(
    `e2e: platform serving at ${baseUrl} on ${pgUrl ? "PostgreSQL" : "PGlite"} after ${seconds(listenedAt ?? performance.now())} s, demo extras in after ${seconds(performance.now())} s`,
  );
  project.provide("baseUrl", baseUrl);
  project.provide("casesClockFile", env.CASES_CLOCK_FILE ?? "");

  return async () => {
    if (exited === null) {
      const done = new Promise((r) => server.once("exit", r));
      server.kill("SIGTERM");
      const timer = setTimeout(() => server.kill("SIGKILL"), 15_000);
      await done;
      clearTimeout(timer);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (pgUrl && dbName) await psql(pgUrl, `drop database if exists ${dbName} with (force)`);
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    /** File of the server's case-deadline clock offset in ms ("" when the server is not ours). */
    casesClockFile: string;
  }
}
