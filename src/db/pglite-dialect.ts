import type { PGlite } from "@electric-sql/pglite";
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
} from "kysely";

/**
 * A Kysely dialect for PGlite. PGlite is a single connection: without a lock, a transaction begun
 * by one request would swallow the queries of every other request until it commits. This driver
 * hands its one connection to one holder at a time (Kysely acquires a connection per query, and
 * holds it for a whole transaction), so concurrent requests queue instead of interleaving.
 * (kysely-pglite's driver has no such lock, which is why it is not used.)
 */
export class PGliteDialect implements Dialect {
  /** `lock` null: the caller already holds the connection (a bulk transaction). */
  constructor(
    private readonly client: PGlite,
    private readonly lock: Mutex | null,
  ) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.client, this.lock);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  // biome-ignore lint/suspicious/noExplicitAny: Kysely's own signature takes Kysely<any>
  createIntrospector(db: any) {
    return new PostgresIntrospector(db);
  }
}

/** A FIFO lock: `acquire()` resolves with the function that releases it. */
export class Mutex {
  private queue: Promise<void> = Promise.resolve();
  acquire(): Promise<() => void> {
    let release!: () => void;
    const previous = this.queue;
    this.queue = new Promise<void>((r) => {
      release = r;
    });
    return previous.then(() => release);
  }
}

class PGliteDriver implements Driver {
  private readonly connection: PGliteConnection;

  constructor(
    client: PGlite,
    private readonly lock: Mutex | null,
  ) {
    this.connection = new PGliteConnection(client);
  }
  async init() {}
  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.lock) this.connection.release = await this.lock.acquire();
    return this.connection;
  }
  async beginTransaction(c: DatabaseConnection) {
    await c.executeQuery(CompiledQuery.raw("BEGIN"));
  }
  async commitTransaction(c: DatabaseConnection) {
    await c.executeQuery(CompiledQuery.raw("COMMIT"));
  }
  async rollbackTransaction(c: DatabaseConnection) {
    await c.executeQuery(CompiledQuery.raw("ROLLBACK"));
  }
  async releaseConnection(c: DatabaseConnection) {
    (c as PGliteConnection).release();
  }
  async destroy() {}
}

class PGliteConnection implements DatabaseConnection {
  release: () => void = () => {};
  constructor(readonly client: PGlite) {}
  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    const r = await this.client.query<R>(q.sql, [...q.parameters]);
    const affected = r.affectedRows ?? 0;
    return {
      rows: r.rows,
      ...(q.query.kind !== "SelectQueryNode" ? { numAffectedRows: BigInt(affected) } : {}),
    } as QueryResult<R>;
  }
  // biome-ignore lint/correctness/useYield: PGlite returns whole results; streaming is not offered
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("PGlite does not support streaming queries");
  }
}
