/**
 * The form round's reporters as xlsx (GET …/submissions.xlsx): wall and CPU seconds of the Node
 * process and of the bench database's PostgreSQL backends, for the whole city (admin) and a county
 * (lishi), all reporters and 未填报 only. Each sheet is read back and its rows compared with the JSON
 * list's total for the same filter.
 *
 *   npx tsx bench/forms-export.ts   (BENCH_DATABASE_URL, default postgres://…/edu_bench)
 *
 * The bench database must hold the census demo (办学条件年报 2022), as `npm start`'s demo loads it.
 */
import os from "node:os";
import ExcelJS from "exceljs";
import { loadConfig } from "../src/config.js";
import { buildApp } from "../src/server/app.js";
import { DEFAULT_BENCH_URL, ensureBenchDatabase } from "./lib.js";
import { ServerCpu } from "./server-cpu.js";

const url = process.env.BENCH_DATABASE_URL ?? DEFAULT_BENCH_URL;
const database = await ensureBenchDatabase(url);
const app = await buildApp({ config: loadConfig({ DATABASE_URL: url }), database });
await app.ready();
const pgCpu = await ServerCpu.of(database);
const round = "/api/forms/school_census/periods/2022";

for (const username of ["admin", "lishi"]) {
  const login = await app.inject({
    method: "POST",
    url: "/api/auth/login",
    payload: { username, password: "demo1234" },
  });
  const cookie = `edu_session=${login.cookies.find((c) => c.name === "edu_session")?.value}`;
  for (const status of ["", "none"]) {
    const q = status ? `?status=${status}` : "";
    for (let run = 1; run <= 3; run++) {
      const pg0 = await pgCpu?.read();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const res = await app.inject({
        method: "GET",
        url: `${round}/submissions.xlsx${q}`,
        headers: { cookie },
      });
      const wallMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const pgMs = pg0 && pgCpu ? (await pgCpu.since(pg0)) * 1000 : null;
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
      const list = await app.inject({
        method: "GET",
        url: `${round}/submissions?pageSize=1${status ? `&status=${status}` : ""}`,
        headers: { cookie },
      });
      console.log(
        JSON.stringify({
          username,
          status: status || "all",
          run,
          http: res.statusCode,
          rows: wb.worksheets[0].rowCount - 1,
          listTotal: list.json().total,
          kB: Math.round(res.rawPayload.length / 1024),
          wallMs: Math.round(wallMs),
          nodeCpuMs: Math.round((cpu.user + cpu.system) / 1000),
          pgCpuMs: pgMs === null ? null : Math.round(pgMs),
          loadAverage: os.loadavg()[0].toFixed(1),
        }),
      );
    }
  }
}
await app.close();
await database.close();
