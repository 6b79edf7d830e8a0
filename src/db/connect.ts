import fs from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, type KyselyConfig, PostgresDialect, sql } from "kysely";
import pg from "pg";
import pgCopy from "pg-copy-streams";
import { Mutex, PGliteDialect } from "./pglite-dialect.js";
import type { DB } from "./types.js";

export type Engine = "pglite" | "postgres";

/** One connection inside an open transaction, for bulk work (imports, the demo city). */
export interface BulkTx {
  db: Kysely<DB>;
  /** COPY rows into `table(columns)`; values are strings or null (NULL). */
  copyRows(table: string, columns: string[], rows: (string | null)[][]): Promise<void>;
  /** COPY rows already encoded as CSV (CsvEncoder) into `table(columns)`. */
  copyCsv(table: string, columns: string[], csv: Uint8Array): Promise<void>;
  /** Runs SQL text that may hold several statements (no parameters). */
  exec(sqlText: string): Promise<void>;
}

export interface Database {
  db: Kysely<DB>;
  engine: Engine;
  /** Runs `fn` in one transaction on one connection with COPY available; rolls back on throw. */
  bulkTransaction<T>(fn: (tx: BulkTx) => Promise<T>): Promise<T>;
  /** Runs SQL text that may hold several statements (no parameters), outside a transaction. */
  exec(sqlText: string): Promise<void>;
  /** PGlite only: the data folder as a tarball (tests load migrated copies from it). */
  dumpDataDir?: (compression?: "none" | "gzip") => Promise<Blob>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** PostgreSQL server URL. When absent, PGlite is used. */
  url?: string;
  /** PGlite data folder; "memory://" for an in-memory database. */
  pgliteDir?: string;
  /** PGlite: start from this data-dir dump (a migrated template in tests). */
  loadDataDir?: Blob;
  poolSize?: number;
  /** Called with every query's SQL and parameters (benchmarks capture the SQL a route runs). */
  onQuery?: (sql: string, parameters: readonly unknown[]) => void;
}

// Dates stay strings (YYYY-MM-DD); bigint ids come back as numbers (they stay far below 2^53).
pg.types.setTypeParser(1082, (v) => v);
pg.types.setTypeParser(20, (v) => Number(v));
// bigint[] (oid 1016) arrives as strings; make them numbers too.
const INT8_ARRAY = 1016 as Parameters<typeof pg.types.getTypeParser>[0];
const parseInt8Array = pg.types.getTypeParser(INT8_ARRAY);
pg.types.setTypeParser(INT8_ARRAY, (v) => (parseInt8Array(v) as string[]).map(Number));

export async function connect(opts: ConnectOptions): Promise<Database> {
  return opts.url ? connectPostgres(opts.url, opts.poolSize ?? 10, opts.onQuery) : connectPGlite(opts);
}

function queryLogger(onQuery: ConnectOptions["onQuery"]): KyselyConfig["log"] {
  if (!onQuery) return undefined;
  return (event) => {
    if (event.level === "query") onQuery(event.query.sql, event.query.parameters);
  };
}

async function connectPostgres(
  url: string,
  max: number,
  onQuery?: ConnectOptions["onQuery"],
): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max });
  // An idle client whose connection the server ended (restart, DROP DATABASE … WITH (FORCE)) is
  // reported here; without a listener it would crash the process. The pool replaces it.
  pool.on("error", () => {});
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: preparing(pool) }),
    log: queryLogger(onQuery),
  });
  return {
    db,
    engine: "postgres",
    async bulkTransaction(fn) {
      const client = await pool.connect();
      const single = {
        connect: async () => ({ query: client.query.bind(client), release() {} }),
        end: async () => {},
      };
      const txDb = new Kysely<DB>({ dialect: new PostgresDialect({ pool: single as never }) });
      try {
        await client.query("BEGIN");
        const result = await fn({
          db: txDb,
          async exec(text) {
            await client.query(text);
          },
          async copyRows(table, columns, rows) {
            await copyCsvPostgres(client, table, columns, (write) => {
              const chunk = 2000;
              for (let i = 0; i < rows.length; i += chunk) write(csvBytes(rows.slice(i, i + chunk)));
            });
          },
          async copyCsv(table, columns, csv) {
            await copyCsvPostgres(client, table, columns, (write) => write(csv));
          },
        });
        await client.query("COMMIT");
        return result;
      } catch (e) {
        await client.query("ROLLBACK").catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },
    async exec(text) {
      await pool.query(text);
    },
    async close() {
      await db.destroy();
      // Kysely ends the pool only if it ran a query itself; a process that used only exec and
      // bulkTransaction (migrate, the demo loader) would otherwise keep its connections open.
      if (!pool.ending) await pool.end();
    },
  };
}

/** Distinct statement texts given a name per process; beyond it, statements run unnamed. */
const MAX_PREPARED = 2000;
const statementNames = new Map<string, string>();

/** The name under which `text` is prepared, or undefined once MAX_PREPARED texts have names. */
export function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_PREPARED) {
    name = `k${statementNames.size}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * The pool as Kysely sees it, with every parameterised statement prepared: pg sends a named Parse
 * once per connection and then only Bind/Execute, so PostgreSQL neither parses nor (once it settles
 * on a generic plan) plans the API's hot queries again. Planning was more than half of the student
 * search's database time (0.38 of 0.63 ms). Statement texts are fixed per code path (values are
 * parameters), so the set of names stays small; cursors and unparameterised SQL pass through.
 */
function preparing(pool: pg.Pool) {
  return {
    async connect() {
      const client = await pool.connect();
      return {
        query(text: unknown, values?: unknown[]) {
          if (typeof text === "string" && values && values.length > 0) {
            const name = statementName(text);
            if (name) return client.query({ name, text, values });
          }
          return client.query(text as string, values);
        },
        release() {
          client.release();
        },
      };
    },
    end: () => pool.end(),
  } as unknown as pg.Pool;
}

async function connectPGlite(opts: ConnectOptions): Promise<Database> {
  const dir = opts.pgliteDir ?? "memory://";
  if (!dir.startsWith("memory://")) fs.mkdirSync(dir, { recursive: true });
  // Dates stay strings (YYYY-MM-DD) on both engines, as with pg above (1082 = date).
  const parsers = { 1082: (v: string) => v };
  const client = await PGlite.create(
    dir,
    opts.loadDataDir ? { loadDataDir: opts.loadDataDir, parsers } : { parsers },
  );
  const lock = new Mutex();
  const db = new Kysely<DB>({ dialect: new PGliteDialect(client, lock), log: queryLogger(opts.onQuery) });
  return {
    db,
    engine: "pglite",
    async bulkTransaction(fn) {
      const release = await lock.acquire();
      const txDb = new Kysely<DB>({ dialect: new PGliteDialect(client, null) });
      try {
        await client.query("BEGIN");
        const result = await fn({
          db: txDb,
          async exec(text) {
            await client.exec(text);
          },
          async copyRows(table, columns, rows) {
            if (rows.length) await copyCsvPGlite(client, table, columns, csvBytes(rows));
          },
          async copyCsv(table, columns, csv) {
            if (csv.length) await copyCsvPGlite(client, table, columns, csv);
          },
        });
        await client.query("COMMIT");
        return result;
      } catch (e) {
        await client.query("ROLLBACK").catch(() => {});
        throw e;
      } finally {
        release();
      }
    },
    async dumpDataDir(compression = "none") {
      const release = await lock.acquire();
      try {
        return await client.dumpDataDir(compression);
      } finally {
        release();
      }
    },
    async exec(text) {
      const release = await lock.acquire();
      try {
        await client.exec(text);
      } finally {
        release();
      }
    },
    async close() {
      await client.close();
    },
  };
}

function copyCsvPostgres(
  client: pg.PoolClient,
  table: string,
  columns: string[],
  send: (write: (bytes: Uint8Array) => void) => void,
): Promise<void> {
  const stream = client.query(
    pgCopy.from(`COPY ${table} (${columns.join(",")}) FROM STDIN WITH (FORMAT csv)`),
  );
  return new Promise<void>((resolve, reject) => {
    stream.on("finish", resolve);
    stream.on("error", reject);
    send((bytes) => stream.write(bytes));
    stream.end();
  });
}

async function copyCsvPGlite(client: PGlite, table: string, columns: string[], csv: Uint8Array) {
  await client.query(`COPY ${table} (${columns.join(",")}) FROM '/dev/blob' WITH (FORMAT csv)`, [], {
    blob: new Blob([csv as Uint8Array<ArrayBuffer>]),
  });
}

/** Rows to CSV for COPY: null is an unquoted empty field (NULL), every other value is quoted. */
export function toCsv(rows: (string | null)[][]): string {
  let out = "";
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      const v = row[i];
      if (i > 0) out += ",";
      if (v !== null) out += `"${v.includes('"') ? v.replaceAll('"', '""') : v}"`;
    }
    out += "\n";
  }
  return out;
}

/**
 * Rows encoded as CSV for COPY (null is an unquoted empty field, NULL; every other value is quoted),
 * written as UTF-8 bytes straight into a growing buffer: several times faster than building the
 * text (string concatenation and the Blob's own encoding dominated a 550,000-row COPY). A caller
 * that encodes each row as it is made (the import's dry run) lets the row's values die young
 * instead of keeping thousands of them alive until the batch is copied.
 */
export class CsvEncoder {
  private buf: Buffer;
  private pos = 0;
  /** Rows added since the last take(). */
  rows = 0;

  constructor(initialBytes = 1 << 16) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** Appends one row; `first`, when given, is written as its first field (e.g. a row number). */
  add(row: readonly (string | null)[], first?: string): void {
    if (first !== undefined) {
      this.field(first);
      this.buf[this.pos++] = 44; // ,
    }
    for (let i = 0; i < row.length; i++) {
      if (i > 0) {
        this.room(1);
        this.buf[this.pos++] = 44;
      }
      const v = row[i];
      if (v !== null) this.field(v);
    }
    this.room(1);
    this.buf[this.pos++] = 10; // \n
    this.rows++;
  }

  /** The bytes so far, as a fresh copy (a stream may hold on to it); the encoder starts again. */
  take(): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(this.buf.subarray(0, this.pos));
    this.pos = 0;
    this.rows = 0;
    return out;
  }

  /** A quoted field: ASCII byte by byte (most fields); from the first other character on, Buffer.write. */
  private field(v: string) {
    // At most 3 bytes per UTF-16 unit, doubled quotes, the two quotes and a separator.
    this.room(v.length * 6 + 4);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = 34; // "
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c >= 128 || c === 34) {
        pos += buf.write(v.slice(i).replaceAll('"', '""'), pos, "utf8");
        break;
      }
      buf[pos++] = c;
    }
    buf[pos++] = 34;
    this.pos = pos;
  }

  private room(bytes: number) {
    if (this.buf.length - this.pos >= bytes) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }
}

const sharedEncoder = new CsvEncoder(1 << 20);

/** The same CSV as toCsv, as UTF-8 bytes (a fresh copy). */
export function csvBytes(rows: readonly (readonly (string | null)[])[]): Uint8Array<ArrayBuffer> {
  for (const row of rows) sharedEncoder.add(row);
  return sharedEncoder.take();
}

export async function ping(db: Kysely<DB>): Promise<boolean> {
  const r = await sql<{ ok: number }>`select 1 as ok`.execute(db);
  return r.rows[0]?.ok === 1;
}
