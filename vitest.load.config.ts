import { defineConfig } from 'vitest/config';

/**
 * The load test (test/hostile/load.test.ts) measures acknowledgement latency on loopback: it runs
 * on its own, after the other tests, so that no other test file competes for the machine's cores.
 */
export default defineConfig({
  test: {
    include: ['test/hostile/load.test.ts'],
    testTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
