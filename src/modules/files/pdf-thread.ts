import { Worker } from "node:worker_threads";
import { EncryptedFile, MalformedFile } from "./file-errors.js";
import type { PdfReply } from "./pdf-worker.js";

/**
 * Runs stripPdf in a worker thread, one file at a time, and replaces the thread now and then.
 * Why: pdf-lib interns every PDF name and object reference it ever reads in module-level pools
 * that are never emptied, so a file crafted with 200,000 distinct names left 14–34 MB on the
 * heap for good (bench/pdf-strip.ts); through the public upload that is a slow memory leak anyone
 * can drive. A thread's pools die with it: it is replaced after `maxJobs` files or once its heap
 * passes `maxHeapBytes`, and killed if a file takes longer than `timeoutMs` or its memory limit.
 * It also keeps the seconds a large PDF may take off the server's event loop.
 */
const LIMITS = { maxJobs: 200, maxHeapBytes: 128 * 1024 * 1024, timeoutMs: 30_000, threadHeapMb: 512 };

/** One thread for the process (every FileStore shares it); started with the first PDF. */
export const pdfWorker = (): PdfWorker => (shared ??= new PdfWorker());
let shared: PdfWorker | undefined;

export class PdfWorker {
  private worker: Worker | null = null;
  private jobs = 0;
  private queue: Promise<unknown> = Promise.resolve();
  /** Threads started so far, and the heap of the thread after its last file. */
  started = 0;
  heapUsed = 0;

  constructor(private readonly limits = LIMITS) {}

  /** The stripped PDF; rejects with MalformedFile or EncryptedFile as stripPdf does. */
  strip(bytes: Buffer): Promise<Buffer> {
    const job = this.queue.then(() => this.run(bytes));
    this.queue = job.catch(() => undefined);
    return job;
  }

  /** Ends the thread (a new one starts with the next file). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.jobs = 0;
    await worker?.terminate();
  }

  private spawn(): Worker {
    const worker = new Worker(new URL("./pdf-worker-boot.mjs", import.meta.url), {
      workerData: { entry: new URL("./pdf-worker.ts", import.meta.url).href },
      resourceLimits: { maxOldGenerationSizeMb: this.limits.threadHeapMb },
    });
    this.started++;
    worker.unref(); // an idle thread does not keep the process alive
    return worker;
  }

  private run(bytes: Buffer): Promise<Buffer> {
    this.worker ??= this.spawn();
    const worker = this.worker;
    return new Promise<Buffer>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onError);
      };
      const fail = (message: string) => {
        done();
        void this.close();
        reject(new MalformedFile(message));
      };
      const timer = setTimeout(() => fail("PDF 处理超时，文件可能已损坏"), this.limits.timeoutMs);
      const onError = () => fail("PDF 无法处理（超出内存限制或已损坏）");
      const onMessage = (reply: PdfReply) => {
        done();
        this.heapUsed = reply.heapUsed;
        if (++this.jobs >= this.limits.maxJobs || reply.heapUsed > this.limits.maxHeapBytes)
          void this.close();
        if ("ok" in reply) resolve(Buffer.from(reply.ok.buffer, reply.ok.byteOffset, reply.ok.byteLength));
        else if (reply.refused === "encrypted") reject(new EncryptedFile(reply.message));
        else if (reply.refused === "malformed") reject(new MalformedFile(reply.message));
        else reject(new Error(reply.message));
      };
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onError);
      worker.postMessage(bytes);
    });
  }
}
