import { defineConfig } from 'vitest/config';

// One vitest run over every workspace. Tests import the built packages (`pnpm build` runs
// first), because the pool's worker module must be JavaScript on disk.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
