import { defineConfig } from "vitest/config";

/**
 * `npm run test:reliability`: faults and load against real processes, databases and SMTP
 * (test/reliability). ASSENT_RELIABILITY=short (the default under CI) runs the short form, a
 * few minutes in all; otherwise the long form (a 10-minute soak among them).
 */
export default defineConfig({
  test: {
    include: ["test/reliability/**/*.test.ts"],
    pool: "forks",
    // One suite at a time: each starts its own processes, and load runs must not share 2 cores.
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 900_000,
    hookTimeout: 300_000,
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
