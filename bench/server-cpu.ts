import fs from "node:fs";
import { sql } from "kysely";
import type { Database } from "../src/db/connect.js";

/**
 * CPU seconds of the PostgreSQL backends serving one database, read from /proc (the server runs on
 * this machine in the benches). On a machine shared with other work, wall seconds say little; the
 * CPU seconds of the bench's own Node process and of its own backends are the steadier figures.
 * Backends that exit between two readings, and parallel query workers, are not counted.
 */
export class ServerCpu {
  private constructor(
    private readonly database: Database,
    private readonly name: string,
  ) {}

  /** Null on PGlite (its work is the Node process's own CPU) or when /proc is not readable. */
  static async of(database: Database): Promise<ServerCpu | null> {
    if (database.engine !== "postgres" || !fs.existsSync("/proc/self/stat")) return null;
    const r = await sql<{ name: string }>`select current_database() as name`.execute(database.db);
    return new ServerCpu(database, r.rows[0].name);
  }

  /** The CPU seconds of each backend of the database, by process id. */
  async read(): Promise<Map<number, number>> {
    const r = await sql<{ pid: number }>`select pid from pg_stat_activity
      where datname = ${this.name} and backend_type = 'client backend'`.execute(this.database.db);
    const out = new Map<number, number>();
    for (const { pid } of r.rows) {
      try {
        const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
        out.set(pid, (Number(fields[11]) + Number(fields[12])) / 100);
      } catch {
        // the backend ended
      }
    }
    return out;
  }

  /** CPU seconds used since `before` (a read()). */
  async since(before: Map<number, number>): Promise<number> {
    return ServerCpu.between(before, await this.read());
  }

  /** CPU seconds used between two readings. */
  static between(before: Map<number, number>, after: Map<number, number>): number {
    let s = 0;
    for (const [pid, cpu] of after) s += cpu - (before.get(pid) ?? 0);
    return s;
  }
}
