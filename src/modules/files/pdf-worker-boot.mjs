// Entry of the PDF worker thread (pdf-worker.ts): the thread does not inherit tsx's loader on
// Node 20, so it registers it before loading the TypeScript entry named in workerData.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.entry);
