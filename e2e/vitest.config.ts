import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** Journeys run in the order of their numbered names: a later one looks for what an earlier one did. */
class InOrder extends BaseSequencer {
  async sort(files: TestSpecification[]) {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  }
}

/**
 * The browser journeys (`npm run test:e2e`): one real server on a fresh demo database, started by
 * global-setup.ts, and Debian's Chromium driven by playwright-core. Files run one after another:
 * they share the server, and some change data (users, imports) that a later journey looks for.
 */
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ["**/*.e2e.ts"],
    globalSetup: ["./global-setup.ts"],
    testTimeout: 120_000,
    // expect.poll gives up after 1 s by default; a busy 2-core machine needs longer for a screen to
    // settle after a request.
    expect: { poll: { timeout: 30_000, interval: 100 } },
    // Building the bundle and loading the full-size demo city can take a few minutes on 2 cores.
    hookTimeout: 600_000,
    fileParallelism: false,
    maxWorkers: 1,
    pool: "forks",
    sequence: { sequencer: InOrder },
  },
});
