import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import type { TestProject } from "vitest/node";
import { connect } from "../src/db/connect.js";
import { migrate } from "../src/db/migrate.js";
import { withDatabase } from "../src/db/url.js";
import { syncBuiltinRoles } from "../src/modules/access/bootstrap.js";

/**
 * Migrates one template database before the tests: a PGlite data-dir dump (each test file loads a
 * copy in ~0.5 s instead of running initdb) and, when TEST_DATABASE_URL is set, a PostgreSQL
 * template database that each test file clones with CREATE DATABASE … TEMPLATE.
 */
export default async function setup(project: TestProject) {
  const url = process.env.TEST_DATABASE_URL;
  // Databases of this run are named edu_test_<pid>_…; those of runs whose process is gone (crashed)
  // are dropped, while another run going on at the same time keeps its own.
  const run = String(process.pid);
  project.provide("pgTestRun", run);
  const dropDatabases = async (which: (name: string) => boolean) => {
    if (!url) return;
    const admin = await connect({ url, poolSize: 1 });
    const dbs = await sql<{
      datname: string;
    }>`select datname from pg_database where datname like 'edu_test_%'`.execute(admin.db);
    for (const d of dbs.rows)
      if (which(d.datname)) await admin.exec(`drop database if exists "${d.datname}" with (force)`);
    await admin.close();
  };
  if (url) {
    await dropDatabases((name) => {
      const pid = Number(/^edu_test_(\d+)_/.exec(name)?.[1]);
      return !pid || !isAlive(pid);
    });
    const admin = await connect({ url, poolSize: 1 });
    await admin.exec(`create database edu_test_${run}_tpl`);
    await admin.close();
    const tpl = await connect({ url: withDatabase(url, `edu_test_${run}_tpl`), poolSize: 1 });
    await migrate(tpl);
    await syncBuiltinRoles(tpl.db);
    await tpl.close();
  }
  const pgl = await connect({ pgliteDir: "memory://" });
  await migrate(pgl);
  await syncBuiltinRoles(pgl.db);
  const dump = await pgl.dumpDataDir?.();
  if (!dump) throw new Error("PGlite dump failed");
  const file = path.join(os.tmpdir(), `edu-test-template-${process.pid}.tar`);
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await pgl.close();
  project.provide("pgliteTemplate", file);
  return async () => {
    fs.rmSync(file, { force: true });
    await dropDatabases((name) => name.startsWith(`edu_test_${run}_`));
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    pgliteTemplate: string;
    /** Names this run's PostgreSQL databases: edu_test_<run>_tpl and edu_test_<run>_<random>. */
    pgTestRun: string;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
