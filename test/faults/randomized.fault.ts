/**
 * The randomized safety test, long budget (`npm run test:faults`): many seeds, longer schedules, against
 * RedisStore under the nemesis and against MemoryStore. New seeds every run unless `LOCKSMITH_SEED` is set
 * (`LOCKSMITH_SEED=12345 npm run test:faults -- randomized`; `LOCKSMITH_SEED_COUNT` sets how many fresh
 * ones); every seed is printed with its result.
 */
import { randomInt } from 'node:crypto';
import { describeRandomized, LONG_BUDGET, seedsToRun } from './support/randomized.js';

const SEED_COUNT = Number(process.env.LOCKSMITH_SEED_COUNT ?? 10);
const seeds = seedsToRun(Array.from({ length: SEED_COUNT }, () => randomInt(1, 2 ** 31)));

describeRandomized('randomized safety (long budget)', seeds, LONG_BUDGET, 'test/faults/randomized.fault.ts', 600_000);
