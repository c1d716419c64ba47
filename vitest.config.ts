import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "migrations/**/*.test.ts"],
    // Faults and load run on their own: `npm run test:reliability` (vitest.reliability.config.ts).
    exclude: ["**/node_modules/**", "test/reliability/**"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: more workers than that only adds contention (argon2id, PGlite are CPU-bound).
    maxWorkers: 2,
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
