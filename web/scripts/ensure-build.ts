/**
 * `prestart`: builds the web bundle (web/dist) when it is missing or stale, so that `npm start`
 * alone brings up the API and the screens. "Stale" is decided by a hash of the build's inputs
 * (web sources, the Vite config, the server files the screens import, the lockfile), not by file
 * times, which a fresh clone resets.
 * `--force` rebuilds regardless.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { build } from "vite";

const web = path.resolve(import.meta.dirname, "..");
const root = path.resolve(web, "..");
const dist = path.join(web, "dist");
const stampFile = path.join(dist, ".build-hash");

function* files(dir: string): Generator<string> {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(p);
    else yield p;
  }
}

export function inputsHash(): string {
  const h = crypto.createHash("sha256");
  const inputs = [
    ...files(path.join(web, "src")),
    ...files(path.join(web, "public")),
    path.join(web, "index.html"),
    path.join(web, "vite.config.ts"),
    path.join(root, "src/modules/registry/codes.ts"),
    path.join(root, "src/modules/forms/validation.ts"),
    path.join(root, "package-lock.json"),
  ];
  for (const f of inputs) {
    if (!fs.existsSync(f)) continue;
    h.update(path.relative(root, f));
    h.update(fs.readFileSync(f));
  }
  return h.digest("hex");
}

const hash = inputsHash();
const current = fs.existsSync(stampFile) ? fs.readFileSync(stampFile, "utf8").trim() : null;
if (current === hash && !process.argv.includes("--force")) {
  console.log("web bundle is up to date (web/dist)");
} else {
  const t0 = performance.now();
  console.log(
    current ? "web sources changed: rebuilding web/dist …" : "building the web bundle (web/dist) …",
  );
  // The bundle is always a production build. Vitest sets NODE_ENV=test and the browser journeys'
  // global setup inherits it; Vite honours NODE_ENV, so without this the journeys would run a
  // development bundle (React and antd development warnings, a larger bundle) unlike `npm start`.
  process.env.NODE_ENV = "production";
  await build({ configFile: path.join(web, "vite.config.ts"), logLevel: "warn" });
  fs.writeFileSync(stampFile, `${hash}\n`);
  console.log(`web bundle built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
