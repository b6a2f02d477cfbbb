import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: {
      'locksmith-js/eslint-plugin': fileURLToPath(new URL('./rules/index.ts', import.meta.url)),
      'locksmith-js/testing': fileURLToPath(new URL('./src/testing/index.ts', import.meta.url)),
      'locksmith-js/otel': fileURLToPath(new URL('./src/otel/index.ts', import.meta.url)),
      'locksmith-js': fileURLToPath(new URL('./src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Tests that run many processes or Redis servers compete for 2 cores; keep them from starving each other.
    maxWorkers: 2,
    unstubEnvs: true,
  },
});
