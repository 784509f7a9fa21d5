import { defineConfig } from 'vitest/config';

/**
 * The load tests run on their own, after the other tests, so that no other test file competes for
 * the machine's cores: test/hostile/load.test.ts measures acknowledgement latency on loopback, and
 * test/load/*.load.ts run the built App as deployed (a web process and two workers on Redis and
 * PostgreSQL, GitHub faked on loopback) under load and faults. The latter are named `.load.ts`
 * so that the main suite (vitest.config.ts: test/**\/*.test.ts) does not run them as well.
 */
export default defineConfig({
  test: {
    include: ['test/hostile/load.test.ts', 'test/load/**/*.load.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
