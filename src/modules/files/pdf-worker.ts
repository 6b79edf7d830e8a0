import { parentPort } from "node:worker_threads";
import { EncryptedFile, MalformedFile } from "./file-errors.js";
import { stripPdf } from "./strip-pdf.js";

/** The worker side of PdfWorker (pdf-thread.ts): one PDF in, the stripped PDF or the refusal out. */
export type PdfReply =
  | { ok: Uint8Array; heapUsed: number }
  | { refused: "encrypted" | "malformed" | "error"; message: string; heapUsed: number };

parentPort?.on("message", async (bytes: Uint8Array) => {
  let reply: PdfReply;
  try {
    const ok = await stripPdf(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    reply = { ok, heapUsed: process.memoryUsage().heapUsed };
  } catch (e) {
    const refused =
      e instanceof EncryptedFile ? "encrypted" : e instanceof MalformedFile ? "malformed" : "error";
    reply = { refused, message: (e as Error).message, heapUsed: process.memoryUsage().heapUsed };
  }
  parentPort?.postMessage(reply);
});
