import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // Browser and process tests poll for what the UI or a child shows; on a busy 2-core
    // machine that can take longer than the 1 s default.
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 60_000,
    // Integration and e2e tests start processes and servers; two cores here.
    pool: 'forks',
    maxWorkers: 2,
  },
});
