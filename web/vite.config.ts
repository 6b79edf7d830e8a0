import path from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/**
 * The SPA's build. Root is web/, output web/dist, which the Fastify process serves
 * (src/server/plugins/web.ts). In development `npx vite web` proxies /api to a running server.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // echarts alone is ~1 MB minified; it is loaded only by the map and chart pages.
    chunkSizeWarningLimit: 1200,
    reportCompressedSize: false,
  },
  server: {
    // The screens import the server's code lists (src/modules/registry/codes.ts).
    fs: { allow: [path.resolve(import.meta.dirname, "..")] },
    proxy: { "/api": process.env.API_URL ?? "http://127.0.0.1:3000" },
  },
});
