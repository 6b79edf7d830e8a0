import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import exifr from "exifr";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { smallCity, user } from "../../../test/factories.js";
import { systemActor } from "../../shared/actor.js";
import { AppError } from "../../shared/errors.js";
import { sniffType } from "./formats.js";
import { sanitiseFileName } from "./names.js";
import { FileService } from "./service.js";
import { FileStore } from "./store.js";
import { exifOrientation, stripJpeg, stripPng } from "./strip.js";
import { stripPdf } from "./strip-pdf.js";
import {
  cameraJpeg,
  encryptedPdf,
  metadataPdf,
  multipartFile,
  plainJpeg,
  SAMPLE_GPS,
  smallPdf,
  texturedPng,
} from "./test-samples.js";

const tmpRoot = () => fs.mkdtempSync(path.join(os.tmpdir(), "edu-files-"));

/** The APP segments (marker, first bytes) of a JPEG, up to the first scan. */
function appSegments(buf: Buffer): string[] {
  const out: string[] = [];
  let pos = 2;
  while (pos < buf.length && buf[pos] === 0xff) {
    const marker = buf[pos + 1];
    if (marker === 0xda) break;
    const len = buf.readUInt16BE(pos + 2);
    if ((marker >= 0xe0 && marker <= 0xef) || marker === 0xfe)
      out.push(`${marker.toString(16)}:${buf.subarray(pos + 4, pos + 10).toString("latin1")}`);
    pos += 2 + len;
  }
  return out;
}

describe("type by content", () => {
  it("knows JPEG, PNG and PDF by their magic bytes, whatever else", () => {
    expect(sniffType(cameraJpeg())).toBe("image/jpeg");
    expect(sniffType(texturedPng())).toBe("image/png");
    expect(sniffType(smallPdf())).toBe("application/pdf");
    expect(sniffType(Buffer.from("<html><script>alert(1)</script></html>"))).toBeNull();
    expect(sniffType(Buffer.from("MZ\x90\x00\x03\x00\x00\x00\x04\x00", "latin1"))).toBeNull();
    expect(sniffType(Buffer.from("GIF89a\x01\x00\x01\x00", "latin1"))).toBeNull();
    // a PDF header that is not at the start (a polyglot) is not a PDF to us
    expect(sniffType(Buffer.from("<html>%PDF-1.4\n%%EOF"))).toBeNull();
  });
});

describe("JPEG metadata", () => {
  it("the sample really carries GPS, camera, author, XMP and a comment (checked by exifr)", async () => {
    const photo = cameraJpeg();
    const gps = await exifr.gps(photo);
    expect(gps.latitude).toBeCloseTo(SAMPLE_GPS.lat, 3);
    const tags = await exifr.parse(photo, { xmp: true });
    expect(tags.Make).toBe("TestPhone");
    expect(appSegments(photo).some((s) => s.startsWith("fe:"))).toBe(true);
  });

  it("strips EXIF, GPS, XMP and comments, keeps the orientation and the image itself", async () => {
    const photo = cameraJpeg({ orientation: 6 });
    const clean = stripJpeg(photo);
    expect(await exifr.gps(clean)).toBeUndefined();
    const tags = (await exifr.parse(clean, { xmp: true, tiff: true, exif: true, gps: true })) ?? {};
    expect(tags.Make).toBeUndefined();
    expect(tags.Model).toBeUndefined();
    expect(tags.Artist).toBeUndefined();
    expect(tags.creator).toBeUndefined();
    expect(tags.Orientation).toBeDefined(); // exifr names it ("Rotate 90 CW")
    expect(clean.includes(Buffer.from("张三"))).toBe(false);
    expect(clean.includes(Buffer.from("TestPhone"))).toBe(false);
    expect(clean.includes(Buffer.from("http://ns.adobe.com/xap"))).toBe(false);
    expect(appSegments(clean).filter((s) => s.startsWith("fe:"))).toEqual([]);
    // The pixels are untouched: jpeg-js decodes the same image as from the file without metadata.
    const a = jpeg.decode(clean, { useTArray: true });
    const b = jpeg.decode(plainJpeg(), { useTArray: true });
    expect([a.width, a.height]).toEqual([64, 48]);
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
  });

  it("writes no EXIF at all for an upright photo", () => {
    const clean = stripJpeg(cameraJpeg({ orientation: 1 }));
    expect(appSegments(clean).some((s) => s.startsWith("e1:"))).toBe(false);
  });

  it("reads the orientation tag from either byte order and ignores nonsense", () => {
    const clean = stripJpeg(cameraJpeg({ orientation: 8 }));
    const app1 = clean.indexOf(Buffer.from("Exif\u0000\u0000", "latin1"));
    const len = clean.readUInt16BE(app1 - 2);
    expect(exifOrientation(clean.subarray(app1, app1 + len - 2))).toBe(8);
    expect(exifOrientation(Buffer.from("Exif\u0000\u0000XX garbage", "latin1"))).toBeNull();
  });

  it("drops bytes after the end marker (no polyglot survives) and refuses a truncated file", () => {
    const photo = plainJpeg();
    const polyglot = Buffer.concat([photo, Buffer.from("<script>alert(1)</script>")]);
    const clean = stripJpeg(polyglot);
    expect(clean.includes(Buffer.from("<script>"))).toBe(false);
    expect(() => stripJpeg(photo.subarray(0, photo.length - 200))).toThrow(/不完整/);
    expect(() => stripJpeg(Buffer.from([0xff, 0xd8, 0xff, 0xd9]))).toThrow(/图像数据/);
  });
});

describe("PNG metadata", () => {
  it("drops text and time chunks, keeps the image (decoded by pngjs)", () => {
    const shot = texturedPng();
    expect(shot.includes(Buffer.from("Zhang San"))).toBe(true);
    const clean = stripPng(shot);
    for (const s of ["tEXt", "iTXt", "tIME", "Zhang San", "家里拍的"])
      expect(clean.includes(Buffer.from(s))).toBe(false);
    const a = PNG.sync.read(clean);
    const b = PNG.sync.read(shot);
    expect([a.width, a.height]).toEqual([32, 24]);
    expect(a.data.equals(b.data)).toBe(true);
  });

  it("refuses a chunk with a wrong CRC and a file without IEND", () => {
    const shot = texturedPng();
    const bad = Buffer.from(shot);
    bad[40] ^= 0xff;
    expect(() => stripPng(bad)).toThrow(/校验失败|结构/);
    expect(() => stripPng(shot.subarray(0, shot.length - 12))).toThrow(/IEND/);
  });
});

describe("file names", () => {
  it("refuses names that try to be paths", () => {
    for (const name of [
      "../../etc/passwd.jpg",
      "/etc/passwd.png",
      "C:\\Windows\\x.jpg",
      "a/../b.pdf",
      "x\u0000.jpg",
    ])
      expect(() => sanitiseFileName(name, "image/jpeg"), name).toThrow(/路径/);
  });

  it("neutralises the rest and sets the extension from the content", () => {
    expect(sanitiseFileName("现场照片.JPG", "image/jpeg")).toBe("现场照片.JPG".replace("JPG", "jpg"));
    expect(sanitiseFileName("photo.jpeg", "image/jpeg")).toBe("photo.jpeg");
    expect(sanitiseFileName("shot.jpg", "image/png")).toBe("shot.png");
    expect(sanitiseFileName("invoice.exe", "application/pdf")).toBe("invoice.pdf");
    expect(sanitiseFileName("..", "image/png")).toBe("附件.png");
    expect(sanitiseFileName("", "image/png")).toBe("附件.png");
    expect(sanitiseFileName(".htaccess", "image/png")).toBe("htaccess.png");
    expect(sanitiseFileName("a<b>:c|d?.pdf", "application/pdf")).toBe("a_b__c_d_.pdf");
    // right-to-left override: "report\u202Efdp.exe" would read as "reportexe.pdf"
    expect(sanitiseFileName("report\u202Egpj.exe", "image/jpeg")).toBe("reportgpj.jpg");
    expect(sanitiseFileName(`${"长".repeat(200)}.pdf`, "application/pdf")).toBe(`${"长".repeat(80)}.pdf`);
  });
});

describe("FileStore", () => {
  it("stores content-addressed, once per content, stripped, atomically", async () => {
    const root = tmpRoot();
    const store = new FileStore(root, 1024 * 1024);
    const photo = cameraJpeg();
    const a = await store.store(photo, "a.jpg");
    const b = await store.store(Readable.from([photo.subarray(0, 100), photo.subarray(100)]), "b.jpeg");
    expect(a.sha256).toBe(b.sha256);
    expect(a.mime).toBe("image/jpeg");
    expect([a.name, b.name]).toEqual(["a.jpg", "b.jpeg"]);
    const onDisk = store.pathOf(a.sha256);
    expect(onDisk).toBe(path.join(root, a.sha256.slice(0, 2), a.sha256.slice(2, 4), a.sha256));
    const bytes = fs.readFileSync(onDisk);
    expect(bytes.length).toBe(a.size);
    expect(await exifr.gps(bytes)).toBeUndefined();
    expect(fs.readdirSync(path.join(root, "tmp"))).toEqual([]);
  });

  it("refuses oversized, empty, disguised and broken files, writing nothing", async () => {
    const root = tmpRoot();
    const store = new FileStore(root, 20_000);
    const refuse = async (input: Buffer | Readable, name: string) => {
      const e = await store.store(input, name).then(
        () => null,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(AppError);
      return e as AppError;
    };
    expect((await refuse(Buffer.alloc(20_001, 0xff), "big.jpg")).code).toBe("FILE_TOO_LARGE");
    expect((await refuse(Readable.from([Buffer.alloc(15_000), Buffer.alloc(15_000)]), "big.jpg")).code).toBe(
      "FILE_TOO_LARGE",
    );
    expect((await refuse(Buffer.alloc(0), "empty.png")).code).toBe("UNSUPPORTED_FILE");
    const html = await refuse(Buffer.from("<html><script>alert(document.cookie)</script>"), "photo.jpg");
    expect(html.code).toBe("UNSUPPORTED_FILE");
    expect(html.message).toContain("与文件名无关");
    expect((await refuse(Buffer.from("MZ\x90\x00 this is an exe", "latin1"), "scan.pdf")).code).toBe(
      "UNSUPPORTED_FILE",
    );
    expect((await refuse(Buffer.from("%PDF-1.4\n1 0 obj <<>> endobj\n"), "cut.pdf")).message).toContain(
      "%%EOF",
    );
    expect((await refuse(plainJpeg(), "../../../etc/cron.d/x.jpg")).code).toBe("VALIDATION_FAILED");
    expect(fs.existsSync(root) ? fs.readdirSync(root) : []).toEqual([]);
  });

  it("never builds a path from anything but a SHA-256", () => {
    const store = new FileStore(tmpRoot(), 1000);
    for (const bad of ["../../etc/passwd", "a".repeat(63), `${"a".repeat(63)}/`, "A".repeat(64)])
      expect(() => store.pathOf(bad)).toThrow(AppError);
  });
});

describe("uploads and owners (database, HTTP)", () => {
  let ctx: TestContext;
  let files: FileService;
  beforeAll(async () => {
    ctx = await createTestApp({ ATTACHMENT_MAX_MB: "1" });
    await smallCity(ctx.database.db);
    await user(ctx.database.db, "uploader", ["school_admin"], ["1411020001"]);
    await user(ctx.database.db, "other", ["school_admin"], ["1411020001"]);
    files = new FileService(ctx.database.db, new FileStore(tmpRoot(), 1024 * 1024));
  });
  afterAll(() => ctx.close());

  it("uploads over HTTP: id, hash, real type, clean name; refusals are clear", async () => {
    const client = await signIn(ctx.app, "uploader");
    const ok = await client.request({
      method: "POST",
      url: "/api/files",
      ...multipartFile("现场.jpg", cameraJpeg()),
    });
    expect(ok.statusCode).toBe(201);
    const body = ok.json();
    expect(body).toMatchObject({ mime: "image/jpeg", name: "现场.jpg" });
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    const row = await ctx.database.db
      .selectFrom("file_upload")
      .selectAll()
      .where("id", "=", body.id)
      .executeTakeFirstOrThrow();
    expect(row.sha256).toBe(body.sha256);

    // a PDF is stored without its metadata: the hash is of the stripped bytes
    const pdf = await client.request({
      method: "POST",
      url: "/api/files",
      ...multipartFile("通知.pdf", metadataPdf()),
    });
    expect(pdf.statusCode, pdf.body).toBe(201);
    const stripped = await stripPdf(metadataPdf());
    expect(pdf.json()).toMatchObject({
      mime: "application/pdf",
      name: "通知.pdf",
      size: stripped.length,
      sha256: crypto.createHash("sha256").update(stripped).digest("hex"),
    });
    const locked = await client.request({
      method: "POST",
      url: "/api/files",
      ...multipartFile("a.pdf", encryptedPdf()),
    });
    expect(locked.statusCode).toBe(415);
    expect(locked.json().message).toBe("加密的 PDF 无法去除元数据，请去除密码后再上传");

    const disguised = await client.request({
      method: "POST",
      url: "/api/files",
      ...multipartFile("photo.jpg", Buffer.from("<svg onload=alert(1)>")),
    });
    expect(disguised.statusCode).toBe(415);
    expect(disguised.json().code).toBe("UNSUPPORTED_FILE");
    const big = await client.request({
      method: "POST",
      url: "/api/files",
      ...multipartFile("big.pdf", Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(1024 * 1024 + 10)])),
    });
    expect(big.statusCode).toBe(413);
    const tricky = await client.request({
      method: "POST",
      url: "/api/files",
      ...multipartFile("..\\..\\boot.ini.png", texturedPng()),
    });
    expect(tricky.statusCode).toBe(400);
    expect(tricky.json().message).toContain("文件名");
    const anonymous = await ctx.app.inject({
      method: "POST",
      url: "/api/files",
      ...multipartFile("a.png", texturedPng()),
    });
    expect(anonymous.statusCode).toBe(401);
  });

  it("a file is served only through an owner that says yes; 404 alike otherwise", async () => {
    const client = await signIn(ctx.app, "uploader");
    const up = (
      await client.request({ method: "POST", url: "/api/files", ...multipartFile("a.png", texturedPng()) })
    ).json();
    const res = await client.get(`/api/files/nobody/1/${up.sha256}`);
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toContain("附件不存在或无权访问");
    expect((await client.get("/api/files/cases/1/..%2F..%2Fetc%2Fpasswd")).statusCode).toBe(400);
  });

  it("claims: only the uploader's own, unclaimed uploads; all or nothing", async () => {
    const db = ctx.database.db;
    const uploader = await actorFor("uploader");
    const other = await actorFor("other");
    const a = await files.upload(uploader, cameraJpeg(), "a.jpg");
    const b = await files.upload(uploader, smallPdf(), "b.pdf");
    const anon = await files.upload(null, texturedPng(), "c.png");
    // someone else cannot claim my uploads, and a bad id spoils the whole claim
    await expect(db.transaction().execute((tx) => files.claim(tx, other, [a.id], "test:1"))).rejects.toThrow(
      /无效/,
    );
    await expect(
      db.transaction().execute((tx) => files.claim(tx, uploader, [a.id, "not-a-uuid"], "test:1")),
    ).rejects.toThrow(/not-a-uuid/);
    await expect(
      db.transaction().execute((tx) => files.claim(tx, uploader, [anon.id], "test:1")),
    ).rejects.toThrow();
    const claimed = await db.transaction().execute((tx) => files.claim(tx, uploader, [a.id, b.id], "test:1"));
    expect(claimed.map((c) => c.name)).toEqual(["a.jpg", "b.pdf"]);
    await expect(
      db.transaction().execute((tx) => files.claim(tx, uploader, [a.id], "test:2")),
    ).rejects.toThrow(/已被使用/);
    expect((await db.transaction().execute((tx) => files.claim(tx, null, [anon.id], "test:3")))[0].mime).toBe(
      "image/png",
    );
    // the owner decides who sees what
    files.registerOwner("test", async (actor, ownerId, sha256) =>
      actor.name === "uploader" && ownerId === "1"
        ? (claimed.find((c) => c.sha256 === sha256) ?? null)
        : null,
    );
    expect((await files.resolve(uploader, "test", "1", a.sha256)).name).toBe("a.jpg");
    await expect(files.resolve(other, "test", "1", a.sha256)).rejects.toThrow(/无权访问/);
    await expect(files.resolve(uploader, "test", "2", a.sha256)).rejects.toThrow(/无权访问/);
    await expect(files.resolve(uploader, "other", "1", a.sha256)).rejects.toThrow(/无权访问/);
    expect(() => files.registerOwner("test", async () => null)).toThrow(/twice/);
  });

  it("a sweep forgets uploads never claimed within 24 h and deletes bytes no receipt names", async () => {
    const db = ctx.database.db;
    const uploader = await actorFor("uploader");
    let now = new Date("2026-03-01T08:00:00Z");
    const root = tmpRoot();
    const swept = new FileService(db, new FileStore(root, 1024 * 1024), () => now);
    const kept = await swept.upload(uploader, cameraJpeg(), "kept.jpg");
    await db.transaction().execute((tx) => swept.claim(tx, uploader, [kept.id], "test:9"));
    // content no other test uploads
    const abandoned = await swept.upload(null, texturedPng(37, 29), "abandoned.png");
    // the same content as the claimed one, uploaded again and never used
    const again = await swept.upload(uploader, cameraJpeg(), "again.jpg");
    expect(again.sha256).toBe(kept.sha256);
    const tmp = path.join(root, "tmp", "cut-short");
    fs.writeFileSync(tmp, "half a file");
    fs.utimesSync(tmp, new Date(now.getTime() - 7200_000), new Date(now.getTime() - 7200_000));
    // not yet 24 hours: nothing but the stale half-written file goes
    now = new Date("2026-03-02T07:59:00Z");
    expect(await swept.sweep()).toEqual({ receipts: 0, files: 0, tmp: 1 });
    expect(swept.store.has(abandoned.sha256)).toBe(true);
    now = new Date("2026-03-02T08:01:00Z");
    expect(await swept.sweep()).toEqual({ receipts: 2, files: 1, tmp: 0 });
    expect(swept.store.has(abandoned.sha256)).toBe(false);
    expect(swept.store.has(kept.sha256)).toBe(true);
    const receipts = await db
      .selectFrom("file_upload")
      .select("id")
      .where("id", "in", [kept.id, abandoned.id, again.id])
      .execute();
    expect(receipts.map((r) => r.id)).toEqual([kept.id]);
    await expect(
      db.transaction().execute((tx) => swept.claim(tx, null, [abandoned.id], "test:10")),
    ).rejects.toThrow(/无效或已被使用/);
    // the abandoned content uploaded anew is written anew, and the next upload, ten minutes on,
    // sweeps by itself
    const fresh = await swept.upload(null, texturedPng(37, 29), "fresh.png");
    expect(fresh.sha256).toBe(abandoned.sha256);
    expect(swept.store.has(fresh.sha256)).toBe(true);
    now = new Date("2026-03-03T09:00:00Z");
    await swept.upload(uploader, smallPdf("sweep"), "next.pdf");
    expect(swept.store.has(fresh.sha256)).toBe(false);
  });

  async function actorFor(username: string) {
    const row = await ctx.database.db
      .selectFrom("app_user")
      .select(["id", "username"])
      .where("username", "=", username)
      .executeTakeFirstOrThrow();
    return { ...systemActor(username), type: "user" as const, id: row.id, name: row.username };
  }
});
