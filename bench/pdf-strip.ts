import os from "node:os";
import zlib from "node:zlib";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { PdfWorker } from "../src/modules/files/pdf-thread.js";
import { stripPdf } from "../src/modules/files/strip-pdf.js";
import { cameraJpeg, metadataPdf, pdfFile } from "../src/modules/files/test-samples.js";

/**
 * PDF metadata stripping (src/modules/files/strip-pdf.ts): size and pages before/after, wall and
 * CPU time per file, on an office-like document, worst cases for the parser and a decompression
 * bomb; then the heap pdf-lib keeps for good after files full of distinct names (its PDFName pool
 * is never emptied), in process and through the store's worker thread (pdf-thread.ts).
 * Run: `node --expose-gc --import tsx bench/pdf-strip.ts`.
 */
const pages = async (pdf: Buffer) => (await PDFDocument.load(pdf, { updateMetadata: false })).getPageCount();

async function measure(label: string, pdf: Buffer) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const out = await stripPdf(pdf).catch((e: Error) => e);
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - t0;
  const result =
    out instanceof Buffer
      ? `${(out.length / 1e6).toFixed(2)} MB, pages ${await pages(pdf)} → ${await pages(out)}`
      : `refused: ${(out as Error).message}`;
  console.log(
    `${label.padEnd(34)} ${(pdf.length / 1e6).toFixed(2)} MB → ${result}; ${wall.toFixed(0)} ms wall, ` +
      `${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU (load ${os.loadavg()[0].toFixed(1)})`,
  );
}

const office = await PDFDocument.create();
office.setAuthor("张三");
const font = await office.embedFont(StandardFonts.Helvetica);
const photo = await office.embedJpg(cameraJpeg({ width: 1600, height: 1200 }));
for (let p = 0; p < 300; p++) {
  const page = office.addPage();
  for (let l = 0; l < 40; l++)
    page.drawText(`Line ${l} of page ${p}: the quick brown fox jumps over the lazy dog`, {
      x: 30,
      y: 800 - l * 18,
      size: 10,
      font,
    });
  if (p % 15 === 0) page.drawImage(photo, { x: 50, y: 50, width: 400, height: 300 });
}
await measure("metadataPdf (test sample)", metadataPdf());
await measure("300 pages, 20 photos, object streams", Buffer.from(await office.save()));
await measure("same, plain xref table", Buffer.from(await office.save({ useObjectStreams: false })));

const page = [
  "<< /Type /Catalog /Pages 2 0 R >>",
  "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
  "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>",
];
const tiny = [...page];
for (let i = 0; tiny.length < 150_000; i++) tiny.push(`<< /A ${i} /B [1 2 3] >>`);
await measure("150,000 small objects", pdfFile(tiny, "/Root 1 0 R"));

const bomb = zlib.deflateSync(Buffer.alloc(1024 * 1024 * 1024, 0x20), { level: 9 });
const bombed = pdfFile(
  [
    ...page,
    `<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length ${bomb.length} >>\nstream\n${bomb.toString("latin1")}\nendstream`,
  ],
  "/Root 1 0 R",
);
await measure("1 MB object stream inflating to 1 GB", bombed);

const gc = (globalThis as { gc?: () => void }).gc;
const namesPdf = (round: number) => {
  const names = [...page];
  for (let d = 0; d < 5; d++) {
    const entries: string[] = [];
    for (let i = 0; i < 40_000; i++) entries.push(`/N${round}x${d}x${i} 1`);
    names.push(`<< ${entries.join(" ")} >>`);
  }
  return pdfFile(names, "/Root 1 0 R");
};
gc?.();
let heap0 = process.memoryUsage().heapUsed;
for (let round = 1; round <= 3; round++) {
  await measure(`200,000 distinct names, round ${round}`, namesPdf(round));
  gc?.();
  console.log(`  heap kept after GC: ${((process.memoryUsage().heapUsed - heap0) / 1e6).toFixed(0)} MB`);
}

// The same through the worker thread the store uses: the server's heap does not keep them.
const worker = new PdfWorker();
await worker.strip(metadataPdf()); // start the thread
gc?.();
heap0 = process.memoryUsage().heapUsed;
for (let round = 4; round <= 10; round++) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await worker.strip(namesPdf(round));
  const cpu = process.cpuUsage(cpu0);
  gc?.();
  console.log(
    `worker, names round ${round}: ${(performance.now() - t0).toFixed(0)} ms wall, ` +
      `${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU (process, both threads); main heap kept ` +
      `${((process.memoryUsage().heapUsed - heap0) / 1e6).toFixed(0)} MB; thread heap ${(worker.heapUsed / 1e6).toFixed(0)} MB, threads started ${worker.started}`,
  );
}
await worker.close();
