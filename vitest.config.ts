import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration and e2e tests start processes and servers; two cores here.
    pool: 'forks',
    maxWorkers: 2,
  },
});
