import path from "node:path";
import { z } from "zod";

/**
 * The platform's configuration, read once from the environment and validated at boot.
 * A bad value stops the process with a message naming the variable.
 */
const schema = z.object({
  /** HTTP port. */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Interface to listen on. */
  HOST: z.string().default("127.0.0.1"),
  /** Folder for the embedded database (PGlite) and uploaded files. */
  DATA_DIR: z.string().default("./data"),
  /** PostgreSQL server URL; when set, the platform uses it instead of the embedded database. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "必须是 postgres:// 开头的连接串")
    .optional(),
  /** Demo mode: load the synthetic Lüliang city into an empty database and create demo accounts. */
  DEMO: z
    .enum(["0", "1", "true", "false"])
    .default("0")
    .transform((v) => v === "1" || v === "true"),
  /** Session lifetime in minutes (idle timeout). */
  SESSION_TTL_MINUTES: z.coerce
    .number()
    .int()
    .min(5)
    .max(7 * 24 * 60)
    .default(8 * 60),
  /** Largest accepted upload, in megabytes. */
  MAX_UPLOAD_MB: z.coerce.number().int().min(1).max(1024).default(100),
  /** Largest accepted attachment (photo, PDF) of a case or report, in megabytes. */
  ATTACHMENT_MAX_MB: z.coerce.number().int().min(1).max(100).default(10),
  /** Mark session cookies Secure (set behind HTTPS). */
  COOKIE_SECURE: z
    .enum(["0", "1", "true", "false"])
    .default("0")
    .transform((v) => v === "1" || v === "true"),
  /**
   * Testing only (browser journeys): a file holding a number of milliseconds added to the clock of
   * case deadlines, so a journey can let a deadline pass. Never set in production.
   */
  CASES_CLOCK_FILE: z.string().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Config = z.infer<typeof schema> & { uploadDir: string; pgliteDir: string; filesDir: string };

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`配置错误 (invalid configuration):\n${lines.join("\n")}`);
  }
  const c = parsed.data;
  const dataDir = path.resolve(c.DATA_DIR);
  return {
    ...c,
    DATA_DIR: dataDir,
    uploadDir: path.join(dataDir, "uploads"),
    pgliteDir: path.join(dataDir, "pglite"),
    filesDir: path.join(dataDir, "files"),
  };
}
