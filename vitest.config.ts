import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Measured alone, after the rest: npm test runs it with vitest.load.config.ts.
    exclude: ['test/hostile/load.test.ts', '**/node_modules/**'],
    testTimeout: 30_000,
    pool: 'forks',
  },
});
