import fs from "node:fs";
import { sql } from "kysely";
import type { Database } from "../src/db/connect.js";

/**
 * The screening benches' file: one screening per student of the database, as a school doctor's
 * export would hold it (学籍号, 姓名, date, readings, institution), CSV. Returns the row count.
 */
export async function writeScreeningsCsv(database: Database, file: string): Promise<number> {
  const r = await sql<{ student_number: string; name: string; id: number }>`
    select student_number, name, id from student where deleted_at is null order by id`.execute(database.db);
  const out = fs.createWriteStream(file);
  out.write("学籍号,姓名,筛查日期,左眼裸眼视力,右眼裸眼视力,左眼等效球镜,右眼等效球镜,筛查机构\n");
  let chunk = "";
  for (const s of r.rows) {
    const k = Number(s.id);
    const va = (4.0 + (k % 14) / 10).toFixed(1);
    const se = (-((k * 7) % 24) / 4 + 1).toFixed(2);
    chunk += `${s.student_number},${s.name},2023-10-${String(1 + (k % 28)).padStart(2, "0")},${va},5.0,${se},0.25,吕梁市妇幼保健院\n`;
    if (chunk.length > 1 << 20) {
      out.write(chunk);
      chunk = "";
    }
  }
  out.write(chunk);
  await new Promise<void>((resolve) => out.end(resolve));
  return r.rows.length;
}
