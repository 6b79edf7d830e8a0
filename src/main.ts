import { loadConfig } from "./config.js";
import { startPlatform } from "./server/start.js";

/**
 * `npm start`: the platform on the embedded database with the demo city (--demo).
 * `npm run serve`: production mode (no demo accounts), PostgreSQL when DATABASE_URL is set.
 */
const demo = process.argv.includes("--demo");
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig({ ...process.env, ...(demo ? { DEMO: "1" } : {}) });
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
await startPlatform(config);
