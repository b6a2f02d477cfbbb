/**
 * The randomized safety test, CI budget (`npm test`): seeds 1, 2 and 3, 5 clients × 25 operations, against
 * RedisStore under the nemesis and against MemoryStore. The long budget is `randomized.fault.ts`
 * (`npm run test:faults`). `LOCKSMITH_SEED=12345 npx vitest run test/faults/randomized-ci.test.ts` reruns one
 * seed with this budget.
 */
import { CI_BUDGET, describeRandomized, seedsToRun } from './support/randomized.js';

describeRandomized('randomized safety (CI budget)', seedsToRun([1, 2, 3]), CI_BUDGET, 'test/faults/randomized-ci.test.ts', 120_000);
