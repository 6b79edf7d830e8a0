/** Kept for files that import it from here; the helper lives in src/db/url.ts. */
export { withDatabase } from "../src/db/url.js";
