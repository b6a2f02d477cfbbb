/**
 * The randomized safety test, long budget (`npm run test:faults`): many seeds, longer schedules, against
 * RedisStore under the nemesis and against MemoryStore. New seeds every run unless `LOCKSMITH_SEED` is set
 * (`LOCKSMITH_SEED=12345 npm run test:faults -- randomized`); every seed is printed with its result.
 */
import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { explain, LONG_BUDGET, runRandomized, seedsToRun, summary } from './support/randomized.js';

const SEED_COUNT = Number(process.env.LOCKSMITH_SEED_COUNT ?? 10);
const seeds = seedsToRun(Array.from({ length: SEED_COUNT }, () => randomInt(1, 2 ** 31)));

describe('randomized safety (long budget)', () => {
  for (const seed of seeds) {
    it(`seed ${seed}: RedisStore clients under the nemesis keep mutual exclusion, hang nothing, reject nothing unhandled`, { timeout: 600_000 }, async () => {
      const report = await runRandomized(seed, 'redis', LONG_BUDGET);
      console.log(summary(report));
      expect(report.violations, explain(report, 'test/faults/randomized.fault.ts')).toEqual([]);
    });

    it(`seed ${seed}: MemoryStore clients sharing one store keep mutual exclusion`, { timeout: 300_000 }, async () => {
      const report = await runRandomized(seed, 'memory', LONG_BUDGET);
      console.log(summary(report));
      expect(report.violations, explain(report, 'test/faults/randomized.fault.ts')).toEqual([]);
    });
  }
});
