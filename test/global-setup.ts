import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import type { TestProject } from "vitest/node";
import { connect } from "../src/db/connect.js";
import { migrate } from "../src/db/migrate.js";
import { syncBuiltinRoles } from "../src/modules/access/bootstrap.js";
import { withDatabase } from "./db-url.js";

/**
 * Migrates one template database before the tests: a PGlite data-dir dump (each test file loads a
 * copy in ~0.5 s instead of running initdb) and, when TEST_DATABASE_URL is set, a PostgreSQL
 * template database that each test file clones with CREATE DATABASE … TEMPLATE.
 */
export default async function setup(project: TestProject) {
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const admin = await connect({ url, poolSize: 1 });
    const old = await sql<{
      datname: string;
    }>`select datname from pg_database where datname like 'edu_test_%'`.execute(admin.db);
    for (const d of old.rows) await admin.exec(`drop database if exists "${d.datname}" with (force)`);
    await admin.exec("create database edu_test_template");
    await admin.close();
    const tpl = await connect({ url: withDatabase(url, "edu_test_template"), poolSize: 1 });
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
  return () => fs.rmSync(file, { force: true });
}

declare module "vitest" {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}
