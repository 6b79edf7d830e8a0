/**
 * The two servers the search benchmark loads, each in its own process:
 *   platform <port> <url>          the real platform app (auth, scope, validation, presenters)
 *   bare <port> <url> <sql.json>   a bare Fastify + pg handler running the same search SQL
 * The bare one is the ceiling of this stack on this machine.
 */
import fs from "node:fs";
import Fastify from "fastify";
import pg from "pg";
import { loadConfig } from "../src/config.js";
import { connect, statementName } from "../src/db/connect.js";
import { buildApp } from "../src/server/app.js";

const [mode, port, url, sqlFile] = process.argv.slice(2);

if (mode === "platform") {
  const database = await connect({ url, poolSize: 10 });
  const app = await buildApp({ config: loadConfig({ DATABASE_URL: url, PORT: port }), database });
  await app.listen({ port: Number(port), host: "127.0.0.1" });
} else {
  const statements: { sql: string; parameters: unknown[] }[][] = JSON.parse(fs.readFileSync(sqlFile, "utf8"));
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const app = Fastify();
  app.get<{ Querystring: { i: string } }>("/search", async (request) => {
    const out: unknown[] = [];
    // Prepared under a name, as the platform's own pool does (src/db/connect.ts).
    for (const s of statements[Number(request.query.i)])
      out.push((await pool.query({ name: statementName(s.sql), text: s.sql, values: s.parameters })).rows);
    return out;
  });
  await app.listen({ port: Number(port), host: "127.0.0.1" });
}
console.log("ready");
