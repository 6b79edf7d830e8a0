import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { smallCity, user } from "../../../test/factories.js";
import { makeResidentId } from "../../shared/resident-id.js";
import { ImportRepository } from "./repository.js";
import { ImportService } from "./service.js";
import { commitJob, csvText, dryRunOf, waitForJob } from "./test-helpers.js";

let t: TestContext;
let lishi: Client;

const header = ["学籍号", "姓名", "身份证号", "学校标识码", "年级"];
const sid = (seq: number) => makeResidentId("141102", "2014-03-05", seq);
const file = (seqs: number[], school = "1411020001") =>
  csvText([header, ...seqs.map((s) => [`G${sid(s)}`, `学生${s}`, sid(s), school, "三年级"])]);
const count = async (table: "student" | "student_status_history" | "audit_log") =>
  (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(t.database.db))
    .rows[0].n;
const stagingTables = async () =>
  (
    await sql<{
      n: number;
    }>`select count(*)::int as n from pg_tables where schemaname = 'import_stage'`.execute(t.database.db)
  ).rows[0].n;

beforeAll(async () => {
  t = await createTestApp();
  await smallCity(t.database.db);
  await user(t.database.db, "lishi", ["county_admin"], ["141102"]);
  lishi = await signIn(t.app, "lishi");
});
afterAll(() => t.close());

describe("all or nothing", () => {
  it("a failure late in the commit leaves nothing behind", async () => {
    const { job } = await dryRunOf(lishi, "students", "a.csv", file([1, 2, 3, 4, 5]));
    expect(job?.status).toBe("validated");
    expect(await stagingTables()).toBe(1);
    const audits = await count("audit_log");
    // The job's own audit row is written after the students, their audit and history rows.
    await t.database.exec(`create function refuse_import() returns trigger language plpgsql as $$
      begin if new.action = 'import' then raise exception 'disk full (test)'; end if; return new; end $$;
      create trigger refuse_import before insert on audit_log for each row execute function refuse_import();`);
    try {
      const done = await commitJob(lishi, job!.id);
      expect(done.status).toBe("failed");
      expect(done.message).toContain("未写入任何数据");
      expect(done).toMatchObject({ inserted: 0, updated: 0 });
    } finally {
      await t.database.exec("drop trigger refuse_import on audit_log; drop function refuse_import();");
    }
    expect(await count("student")).toBe(0);
    expect(await count("student_status_history")).toBe(0);
    expect(await count("audit_log")).toBe(audits);
    expect(await stagingTables()).toBe(0);

    const retry = await dryRunOf(lishi, "students", "a.csv", file([1, 2, 3, 4, 5]));
    expect(await commitJob(lishi, retry.job!.id)).toMatchObject({ status: "committed", inserted: 5 });
    expect(await count("student")).toBe(5);
  });

  it("checks again at commit time: a school closed after the dry run stops the whole file", async () => {
    const { job } = await dryRunOf(
      lishi,
      "students",
      "b.csv",
      file([10, 11]).concat(`\r\n${file([12], "1411020002").split("\r\n")[1]}`),
    );
    expect(job).toMatchObject({ status: "validated", rowsTotal: 3 });
    await t.database.db
      .updateTable("org_unit")
      .set({ valid_to: "2020-07-01", end_reason: "closed" })
      .where("code", "=", "1411020002")
      .execute();
    const done = await commitJob(lishi, job!.id);
    expect(done.status).toBe("invalid");
    expect(done.message).toContain("未写入任何数据");
    const errors = (await lishi.get(`/api/imports/${job!.id}/errors`)).json().items;
    expect(errors).toEqual([
      {
        row: 4,
        column: "学校标识码",
        value: "1411020002",
        reason: "学校标识码不存在或不在您的管理范围内，或已撤并、关闭",
      },
    ]);
    expect(await count("student")).toBe(5);
    expect(await stagingTables()).toBe(0);
  });

  it("two commits of one job: one wins, the other is refused", async () => {
    const { job } = await dryRunOf(lishi, "students", "c.csv", file([20, 21]));
    const [a, b] = await Promise.all([
      lishi.post(`/api/imports/${job!.id}/commit`),
      lishi.post(`/api/imports/${job!.id}/commit`),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([202, 409]);
    expect(await waitForJob(lishi, job!.id)).toMatchObject({ status: "committed", inserted: 2 });
  });

  it("drops the staging table a restart left behind, and expires validated jobs never committed", async () => {
    const { job } = await dryRunOf(lishi, "students", "d.csv", file([30]));
    expect(await stagingTables()).toBe(1);
    // what start-up does to a job that was running when the process died
    await t.database.db
      .updateTable("import_job")
      .set({ status: "failed" })
      .where("id", "=", job!.id)
      .execute();
    const other = await dryRunOf(lishi, "students", "e.csv", file([31]));
    expect(other.job?.status).toBe("validated");
    expect(await stagingTables()).toBe(1);
    const service = new ImportService(new ImportRepository(t.database), {
      uploadDir: `/tmp/edu-import-sweep-${process.pid}`,
      maxUploadBytes: 1 << 20,
      validatedTtlMs: -1000,
    });
    await service.sweep();
    expect(await stagingTables()).toBe(0);
    const expired = await waitForJob(lishi, other.job!.id);
    expect(expired).toMatchObject({
      status: "failed",
      message: "校验结果超过有效期未提交，已失效，请重新上传",
    });
    expect((await lishi.post(`/api/imports/${other.job!.id}/commit`)).statusCode).toBe(409);
  });
});
