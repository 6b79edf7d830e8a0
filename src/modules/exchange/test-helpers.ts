import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import ExcelJS from "exceljs";
import type { LightMyRequestResponse } from "fastify";
import type { Client } from "../../../test/app.js";

/**
 * Fixtures of the import tests: workbooks and CSV files written on the fly (nothing binary is
 * committed), a multipart body for inject, and a wait for a job to leave its running state.
 */

export type CellInput = string | number | Date | null | { formula: string; result?: string | number };

export interface SheetInput {
  name: string;
  rows: CellInput[][];
  merges?: string[];
  /** Columns (1-based) written as text cells. */
  textColumns?: number[];
}

export async function xlsxBuffer(sheets: SheetInput[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  for (const s of sheets) {
    const ws = wb.addWorksheet(s.name);
    for (const r of s.rows) {
      const row = ws.addRow(
        r.map((v) =>
          v && typeof v === "object" && "formula" in v ? { formula: v.formula, result: v.result } : v,
        ),
      );
      for (const c of s.textColumns ?? []) row.getCell(c).numFmt = "@";
    }
    for (const m of s.merges ?? []) ws.mergeCells(m);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** CSV text of rows (quoted where needed), CRLF line ends. */
export function csvText(rows: (string | number | null)[][]): string {
  return rows
    .map((r) =>
      r
        .map((v) => {
          const s = v === null ? "" : String(v);
          return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
        })
        .join(","),
    )
    .join("\r\n");
}

export function tmpFile(name: string, content: Buffer | string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "edu-import-"));
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

/**
 * A zip whose one part inflates to `bytes` of repeated worksheet XML: a "zip bomb" in miniature
 * (1:1000 compression, like the real ones), wrapped as an xlsx with a valid workbook.
 */
export function zipBomb(bytes: number, header: string[] = [], cells: string[] = ["0000000000"]): Buffer {
  const inline = (values: string[]) =>
    `<row>${values.map((v) => `<c t="inlineStr"><is><t>${v}</t></is></c>`).join("")}</row>`;
  const rowXml = inline(cells);
  const body = Buffer.concat([
    Buffer.from(header.length ? inline(header) : ""),
    Buffer.from(rowXml.repeat(Math.ceil(bytes / rowXml.length))),
  ]);
  const sheet = Buffer.concat([
    Buffer.from(
      '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>',
    ),
    body,
    Buffer.from("</sheetData></worksheet>"),
  ]);
  return zipOf({
    "[Content_Types].xml":
      '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    "xl/workbook.xml":
      '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="学生" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels":
      '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    "xl/worksheets/sheet1.xml": sheet,
  });
}

/** A minimal ZIP (deflated parts, no data descriptors). */
export function zipOf(parts: Record<string, string | Buffer>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(parts)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const deflated = zlib.deflateRawSync(data, { level: 9 });
    const nameBuf = Buffer.from(name);
    const crc = zlib.crc32 ? zlib.crc32(data) : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(deflated.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(deflated.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, deflated);
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + deflated.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(parts).length, 8);
  end.writeUInt16LE(Object.keys(parts).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** A multipart/form-data body with one file in the field `file`. */
export function multipart(fileName: string, content: Buffer | string) {
  const boundary = `----edu${crypto.randomBytes(8).toString("hex")}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    payload: Buffer.concat([head, Buffer.isBuffer(content) ? content : Buffer.from(content), tail]),
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
  };
}

export function upload(client: Client, kind: string, fileName: string, content: Buffer | string) {
  const body = multipart(fileName, content);
  return client.request({ method: "POST", url: `/api/imports?kind=${kind}`, ...body });
}

export interface JobJson {
  id: string;
  status: string;
  message: string | null;
  errorCount: number;
  rowsTotal: number;
  rowsValid: number;
  inserted: number;
  updated: number;
  unchanged: number;
  sheetName: string | null;
  [k: string]: unknown;
}

/** Polls the job until it leaves validating/committing (the server runs it in the background). */
export async function waitForJob(client: Client, id: string): Promise<JobJson> {
  for (;;) {
    const res = await client.get(`/api/imports/${id}`);
    if (res.statusCode !== 200) throw new Error(`job ${id}: ${res.statusCode} ${res.body}`);
    const job = res.json() as JobJson;
    if (job.status !== "validating" && job.status !== "committing") return job;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Uploads, waits for the dry run, and returns the job with its errors. */
export async function dryRunOf(client: Client, kind: string, fileName: string, content: Buffer | string) {
  const res: LightMyRequestResponse = await upload(client, kind, fileName, content);
  if (res.statusCode !== 202) return { res, job: null, errors: [] as ErrorJson[] };
  const job = await waitForJob(client, res.json().id);
  const errors = (await client.get(`/api/imports/${job.id}/errors?pageSize=200`)).json().items as ErrorJson[];
  return { res, job, errors };
}

export interface ErrorJson {
  row: number;
  column: string;
  value: string | null;
  reason: string;
}

export async function commitJob(client: Client, id: string): Promise<JobJson> {
  const res = await client.post(`/api/imports/${id}/commit`);
  if (res.statusCode !== 202) throw new Error(`commit ${id}: ${res.statusCode} ${res.body}`);
  return waitForJob(client, id);
}
