import { createHash } from "node:crypto";
import { Writable } from "node:stream";
import { sql } from "kysely";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { smallCity, TEST_PASSWORD, user } from "../../../test/factories.js";
import { loadConfig } from "../../config.js";
import { buildApp } from "../../server/app.js";
import { SESSION_COOKIE } from "../../server/plugins/auth.js";
import { stripPdf } from "../files/strip-pdf.js";
import {
  cameraJpeg,
  encryptedPdf,
  metadataPdf,
  multipartFile,
  PDF_SECRETS,
  smallPdf,
} from "../files/test-samples.js";
import { newReceipt } from "./receipt.js";
import { LOCK_MINUTES, MAX_FAILED_ATTEMPTS } from "./service.js";

/**
 * 监督举报 end to end over HTTP, on PGlite and (with TEST_DATABASE_URL) PostgreSQL: the public page
 * files with an attachment and a receipt; only 纪检 sees the report; questions and answers; the
 * anonymity checks (no address anywhere in the database); receipt abuse; the negative list.
 */
// TEST-NET-3 (RFC 5737): the addresses of the anonymous reporters in these requests, one per request
// (so that the per-client rate limit does not get in the way of the other tests)
const NET = "203.0.113.";
let nextHost = 1;
const nextIp = () => `${NET}${(nextHost++ % 250) + 1}`;
const IP = `${NET}77`;
let ctx: TestContext;
let jijian: Client;
let county: Client;
let cityAdmin: Client;
let teacher: Client;

const xss = "<script>alert(1)</script>";
const reportBody = (over: Record<string, unknown> = {}) => ({
  about: "school",
  orgUnitCode: "1411020001",
  category: "paid_tutoring",
  title: `周末有偿补课${xss}`,
  subjectName: `王老师${xss}`,
  subjectPost: `数学教师${xss}`,
  occurredOn: `每周六${xss}`,
  description: `在校外租房组织学生有偿补课，每人每月 800 元。${xss}`,
  anonymous: true,
  attachments: [],
  ...over,
});

/** A public request as a browser at IP sends it (no cookie). */
const pub = (method: "GET" | "POST", url: string, payload?: unknown, extra: Record<string, unknown> = {}) =>
  ctx.app.inject({
    method,
    url,
    remoteAddress: nextIp(),
    headers: { "user-agent": "Mozilla/5.0 (fingerprint-test) Chrome/131", ...(extra.headers as object) },
    ...(payload !== undefined ? { payload: payload as object } : {}),
    ...extra,
  });

async function publicUpload(name: string, bytes: Buffer) {
  const body = multipartFile(name, bytes);
  return ctx.app.inject({ method: "POST", url: "/api/public/attachments", remoteAddress: nextIp(), ...body });
}

async function fileReport(over: Record<string, unknown> = {}) {
  const res = await pub("POST", "/api/public/reports", reportBody(over));
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { code: string; secret: string };
}

async function caseIdOf(code: string) {
  const r = await ctx.database.db
    .selectFrom("report_receipt")
    .select("case_id")
    .where("code", "=", code)
    .executeTakeFirstOrThrow();
  return r.case_id;
}

beforeAll(async () => {
  ctx = await createTestApp();
  const db = ctx.database.db;
  await smallCity(db);
  await user(db, "jijian", ["discipline"], ["141100"]);
  await user(db, "c1", ["county_admin"], ["141102"]);
  await user(db, "cityadmin", ["city_admin"], ["141100"]);
  await user(db, "t1", ["teacher"], ["1411020001"]);
  await db
    .insertInto("staff")
    .values({
      staff_number: "T1411020001001",
      name: "王某",
      gender: "M",
      school_id: (
        await db
          .selectFrom("org_unit")
          .select("id")
          .where("code", "=", "1411020001")
          .executeTakeFirstOrThrow()
      ).id,
      org_path: "/141100/141102/1411020001/",
      county_code: "141102",
      posts: ["教师"],
    })
    .execute();
  jijian = await signIn(ctx.app, "jijian");
  county = await signIn(ctx.app, "c1");
  cityAdmin = await signIn(ctx.app, "cityadmin");
  teacher = await signIn(ctx.app, "t1");
});
afterAll(() => ctx.close());

describe("filing on the public page", () => {
  it("files an anonymous report with a photo; the receipt is a code and a separate secret", async () => {
    const up = await publicUpload("补课现场.jpg", cameraJpeg());
    expect(up.statusCode, up.body).toBe(201);
    const receipt = await fileReport({ attachments: [up.json().id] });
    expect(receipt.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(receipt.secret).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    const row = await ctx.database.db
      .selectFrom("report_receipt")
      .selectAll()
      .where("code", "=", receipt.code)
      .executeTakeFirstOrThrow();
    expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.secret_hash).not.toContain(receipt.secret);
    const c = await ctx.database.db
      .selectFrom("case_record")
      .selectAll()
      .where("id", "=", row.case_id)
      .executeTakeFirstOrThrow();
    expect(c).toMatchObject({
      kind: "report",
      state: "received",
      reporter_id: null,
      source: "online_anonymous",
    });
    // the text is kept exactly as typed (shown as text by the UI, never as HTML)
    expect(c.title).toBe(`周末有偿补课${xss}`);
  });

  it("stores no IP address or browser fingerprint anywhere in the database", async () => {
    await fileReport();
    const db = ctx.database.db;
    const columns = await sql<{ table_name: string; column_name: string }>`
      select table_name, column_name from information_schema.columns
      where table_schema = 'public' and data_type in ('text', 'character varying', 'jsonb', 'json', 'inet', 'cidr', 'ARRAY')
    `.execute(db);
    expect(columns.rows.length).toBeGreaterThan(20);
    const hits: string[] = [];
    for (const { table_name, column_name } of columns.rows) {
      const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table_name)}
        where ${sql.ref(column_name)}::text like ${`%${NET}%`} or ${sql.ref(column_name)}::text like '%fingerprint-test%'`.execute(
        db,
      );
      if (r.rows[0].n > 0) hits.push(`${table_name}.${column_name}`);
    }
    expect(hits).toEqual([]);
  });

  it("refuses disguised, oversized and path-named attachments on the public route", async () => {
    const disguised = await publicUpload("证据.jpg", Buffer.from("<html><script>alert(1)</script></html>"));
    expect(disguised.statusCode).toBe(415);
    expect(disguised.json().message).toContain("与文件名无关");
    const locked = await publicUpload("证据.pdf", encryptedPdf());
    expect(locked.statusCode).toBe(415);
    expect(locked.json().message).toContain("加密的 PDF");
    const tricky = await publicUpload("../../../../etc/passwd.pdf", smallPdf());
    expect(tricky.statusCode).toBe(400);
    const big = await publicUpload(
      "big.pdf",
      Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(11 * 1024 * 1024)]),
    );
    expect(big.statusCode).toBe(413);
    const n = await ctx.database.db
      .selectFrom("file_upload")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(1); // only the good photo of the first test
  });

  it("refuses bad forms clearly and files nothing", async () => {
    const before = await countCases();
    const bad = await pub(
      "POST",
      "/api/public/reports",
      reportBody({ category: "nonsense", description: "" }),
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/类别|举报内容/);
    const named = await pub("POST", "/api/public/reports", reportBody({ anonymous: false }));
    expect(named.statusCode).toBe(400);
    expect(named.json().message).toContain("姓名");
    const stolen = await pub(
      "POST",
      "/api/public/reports",
      reportBody({ attachments: [crypto.randomUUID()] }),
    );
    expect(stolen.statusCode).toBe(400);
    expect(stolen.json().message).toContain("附件");
    expect(await countCases()).toBe(before);
  });

  it("a signed-in staff member's browser files like anyone's: its session cookie is not read", async () => {
    const login = await ctx.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "t1", password: TEST_PASSWORD },
    });
    const cookie = login.cookies.find((c) => c.name === SESSION_COOKIE)?.value ?? "";
    expect(cookie).not.toBe("");
    // the public page never asks who is signed in, so it has no CSRF token to send
    const res = await pub("POST", "/api/public/reports", reportBody(), {
      cookies: { [SESSION_COOKIE]: cookie },
    });
    expect(res.statusCode, res.body).toBe(201);
    const c = await ctx.database.db
      .selectFrom("case_record")
      .select(["reporter_id", "source"])
      .where("id", "=", await caseIdOf(res.json().code))
      .executeTakeFirstOrThrow();
    expect(c).toEqual({ reporter_id: null, source: "online_anonymous" });
  });
});

describe("who sees a report", () => {
  it("only 纪检: not the county, not the city administrator, not the reported school's teacher", async () => {
    const { code } = await fileReport({ title: "只给纪检看" });
    const id = await caseIdOf(code);
    expect((await jijian.get(`/api/cases/${id}`)).statusCode).toBe(200);
    const list = await jijian.get("/api/cases?kind=report");
    expect(list.json().items.some((c: { id: number }) => c.id === id)).toBe(true);
    for (const c of [county, cityAdmin, teacher]) {
      expect((await c.get(`/api/cases/${id}`)).statusCode).toBe(404);
      expect((await c.get(`/api/reports/${id}/extra`)).statusCode).toBe(404);
      const l = await c.get("/api/cases?kind=report");
      expect(l.statusCode === 200 ? l.json().items.length : 0).toBe(0);
    }
    // the case page names no reporter; the extra shows anonymity and no contact
    const detail = (await jijian.get(`/api/cases/${id}`)).body;
    expect(detail).not.toContain(NET);
    expect((await jijian.get(`/api/reports/${id}/extra`)).json()).toMatchObject({
      viaReceipt: true,
      anonymous: true,
      contact: null,
    });
  });

  it("a named report's contact is shown to 纪检 only", async () => {
    const { code } = await fileReport({
      anonymous: false,
      contactName: "李家长",
      contactPhone: "13800000000",
    });
    const id = await caseIdOf(code);
    const extra = (await jijian.get(`/api/reports/${id}/extra`)).json();
    expect(extra).toMatchObject({ anonymous: false, contact: { name: "李家长", phone: "13800000000" } });
    expect((await jijian.get(`/api/cases/${id}`)).body).not.toContain("13800000000");
  });
});

describe("following with the receipt", () => {
  it("shows the status only with the right secret; forged codes are refused before the database", async () => {
    const r = await fileReport();
    const ok = await pub("POST", "/api/public/follow", { code: r.code.toLowerCase(), secret: r.secret });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ code: r.code, status: "已收到，待初核", closed: false, questions: [] });
    const other = newReceipt();
    expect((await pub("POST", "/api/public/follow", { code: r.code, secret: other.secret })).statusCode).toBe(
      401,
    );
    // a well-formed code that was never issued
    const unknown = await pub("POST", "/api/public/follow", { code: other.code, secret: r.secret });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().message).toContain("查询码或查询密码不正确");
    // one symbol changed: the check symbol catches it
    const chars = r.code.split("");
    chars[0] = chars[0] === "A" ? "B" : "A";
    const forged = await pub("POST", "/api/public/follow", { code: chars.join(""), secret: r.secret });
    expect(forged.statusCode).toBe(400);
    expect(forged.json().message).toContain("校验位");
    expect(
      (await pub("POST", "/api/public/follow", { code: "hello", secret: r.secret })).json().message,
    ).toContain("格式");
  });

  it(`locks a code after ${MAX_FAILED_ATTEMPTS} wrong secrets, even against the right one, and logs it`, async () => {
    const r = await fileReport();
    const id = await caseIdOf(r.code);
    for (let i = 0; i < MAX_FAILED_ATTEMPTS - 1; i++) {
      const res = await pub("POST", "/api/public/follow", { code: r.code, secret: newReceipt().secret });
      expect(res.statusCode).toBe(401);
    }
    const last = await pub("POST", "/api/public/follow", { code: r.code, secret: newReceipt().secret });
    expect(last.statusCode).toBe(423);
    expect(last.json().message).toContain(`${LOCK_MINUTES} 分钟`);
    const right = await pub("POST", "/api/public/follow", { code: r.code, secret: r.secret });
    expect(right.statusCode).toBe(423);
    const audits = await ctx.database.db
      .selectFrom("audit_log")
      .select("action")
      .where("entity", "=", "case")
      .where("entity_key", "=", String(id))
      .where("action", "like", "receipt.%")
      .execute();
    expect(audits.map((a) => a.action).sort()).toEqual([
      "receipt.failed",
      "receipt.failed",
      "receipt.failed",
      "receipt.failed",
      "receipt.issue",
      "receipt.locked",
    ]);
    // once the lock has passed, the right secret works again
    await ctx.database.db
      .updateTable("report_receipt")
      .set({ locked_until: new Date(Date.now() - 1000) })
      .where("code", "=", r.code)
      .execute();
    expect((await pub("POST", "/api/public/follow", { code: r.code, secret: r.secret })).statusCode).toBe(
      200,
    );
  });

  it("纪检 asks, the reporter answers once with a PDF; a replayed answer changes nothing", async () => {
    const r = await fileReport();
    const id = await caseIdOf(r.code);
    const asked = await jijian.post(`/api/reports/${id}/questions`, { question: `补课地点在哪里？${xss}` });
    expect(asked.statusCode, asked.body).toBe(201);
    const q = asked.json().questions[0];
    expect((await county.post(`/api/reports/${id}/questions`, { question: "?" })).statusCode).toBe(404);
    const seen = (await pub("POST", "/api/public/follow", r)).json();
    expect(seen.questions[0]).toMatchObject({ id: q.id, question: `补课地点在哪里？${xss}`, answer: null });
    const pdf = (await publicUpload("收据.pdf", metadataPdf("receipt 800"))).json();
    const answer = { ...r, questionId: q.id, answer: "在某小区 3 号楼 2 单元", attachments: [pdf.id] };
    const first = await pub("POST", "/api/public/answer", answer);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().questions[0]).toMatchObject({ answer: "在某小区 3 号楼 2 单元" });
    const replay = await pub("POST", "/api/public/answer", {
      ...answer,
      answer: "改过的答复",
      attachments: [],
    });
    expect(replay.statusCode).toBe(409);
    const wrong = await pub("POST", "/api/public/answer", { ...answer, secret: newReceipt().secret });
    expect(wrong.statusCode).toBe(401);
    const extra = (await jijian.get(`/api/reports/${id}/extra`)).json();
    expect(extra.questions[0]).toMatchObject({ answer: "在某小区 3 号楼 2 单元" });
    expect(extra.questions[0].answerAttachments[0]).toMatchObject({
      name: "收据.pdf",
      mime: "application/pdf",
    });
    // the answer and its PDF are on the case's timeline, served to 纪检 only
    const detail = (await jijian.get(`/api/cases/${id}`)).json();
    const event = detail.events.find((e: { comment?: string }) => e.comment === "在某小区 3 号楼 2 单元");
    expect(event).toBeDefined();
    const file = await jijian.get(`/api/files/cases/${id}/${pdf.sha256}`);
    expect(file.statusCode).toBe(200);
    expect(file.headers["content-type"]).toBe("application/pdf");
    // stored and served without the reporter's metadata, under the hash of the stripped bytes
    const stripped = await stripPdf(metadataPdf("receipt 800"));
    expect(file.rawPayload.equals(stripped)).toBe(true);
    expect(createHash("sha256").update(stripped).digest("hex")).toBe(pdf.sha256);
    for (const secret of PDF_SECRETS) expect(file.rawPayload.includes(secret), secret).toBe(false);
    expect((await county.get(`/api/files/cases/${id}/${pdf.sha256}`)).statusCode).toBe(404);
  });
});

describe("conclusions", () => {
  it("an upheld report about a member of staff adds a negative-list entry; the reporter reads the reply", async () => {
    const r = await fileReport();
    const id = await caseIdOf(r.code);
    expect((await jijian.post(`/api/cases/${id}/steps`, { step: "accept" })).statusCode).toBe(200);
    // a staff number outside the reported school is refused and nothing changes
    const wrong = await jijian.post(`/api/cases/${id}/steps`, {
      step: "uphold",
      fields: { finding: "查实", measure: "警告", staffNumber: "NOPE", reply: "经查属实" },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().message).toContain("工号");
    const mid = await jijian.get(`/api/cases/${id}`);
    expect(mid.json().state).toBe("investigating");
    const ok = await jijian.post(`/api/cases/${id}/steps`, {
      step: "uphold",
      fields: {
        finding: "周末组织有偿补课属实",
        measure: "警告",
        staffNumber: "T1411020001001",
        reply: "经查属实，已依规处理",
      },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    const list = (await jijian.get("/api/ethics/negative-list")).json();
    expect(list.items[0]).toMatchObject({
      staffNumber: "T1411020001001",
      measure: "警告",
      categoryLabel: "违规补课",
    });
    expect(JSON.stringify(list)).not.toContain(r.code);
    // the county sees its staff's negative list (ethics.read), the teacher does not
    expect((await county.get("/api/ethics/negative-list")).json().total).toBe(1);
    expect((await teacher.get("/api/ethics/negative-list")).statusCode).toBe(403);
    const seen = (await pub("POST", "/api/public/follow", r)).json();
    expect(seen).toMatchObject({
      closed: true,
      status: "已办结（反映问题属实）",
      reply: "经查属实，已依规处理",
    });
    const late = await pub("POST", "/api/public/answer", { ...r, questionId: 1, answer: "x" });
    expect([404, 409]).toContain(late.statusCode);
  });
});

describe("logs", () => {
  it("public routes log method and path, never the client's address", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const config = loadConfig({ DATA_DIR: `/tmp/edu-test-data-${process.pid}` });
    const app = await buildApp({ config, database: ctx.database, logger: pino({ level: "info" }, sink) });
    await app.ready();
    try {
      const res = await app.inject({
        method: "POST",
        url: "/api/public/reports",
        remoteAddress: IP,
        payload: reportBody(),
      });
      expect(res.statusCode).toBe(201);
      const r = res.json();
      await app.inject({
        method: "POST",
        url: "/api/public/follow",
        remoteAddress: IP,
        payload: { ...r, secret: "WRONG" },
      });
      await app.inject({ method: "GET", url: "/api/public/report-options", remoteAddress: IP });
      // the same app does log the address of a sign-in attempt: the check below is not vacuous
      await app.inject({
        method: "POST",
        url: "/api/auth/login",
        remoteAddress: IP,
        payload: { username: "nobody-here", password: "wrong-1234" },
      });
    } finally {
      await app.close();
    }
    // every line of a public request (incoming, completed, warnings), found by its request id
    const ids = new Set(
      lines.filter((l) => l.includes("/api/public/")).map((l) => (JSON.parse(l) as { reqId: string }).reqId),
    );
    expect(ids.size).toBe(3);
    const publicLines = lines.filter((l) => ids.has((JSON.parse(l) as { reqId?: string }).reqId ?? ""));
    expect(publicLines.length).toBeGreaterThanOrEqual(6);
    expect(publicLines.filter((l) => l.includes(IP))).toEqual([]);
    expect(lines.some((l) => l.includes("/api/auth/login") && l.includes(IP))).toBe(true);
  });
});

describe("rate limit", () => {
  it("refuses a client filing too often, with a clear message", async () => {
    let last = 0;
    for (let i = 0; i < 8; i++) {
      const res = await ctx.app.inject({
        method: "POST",
        url: "/api/public/reports",
        remoteAddress: "198.51.100.9",
        payload: reportBody(),
      });
      last = res.statusCode;
      if (res.statusCode === 429) {
        expect(res.json()).toMatchObject({ code: "RATE_LIMITED" });
        expect(res.json().message).toContain("请求过于频繁");
        break;
      }
    }
    expect(last).toBe(429);
  });
});

async function countCases() {
  const r = await ctx.database.db
    .selectFrom("case_record")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
