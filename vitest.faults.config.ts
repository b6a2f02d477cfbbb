// `npm run test:faults`: every fault-injection scenario (test/faults), the CI subset and the slower rest.
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/faults/**/*.{test,fault}.ts'],
    // One scenario at a time: each already runs several worker processes on the machine's cores.
    maxWorkers: 1,
  },
});
