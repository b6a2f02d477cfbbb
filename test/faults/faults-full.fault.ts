/**
 * The fault scenarios beyond the CI subset, run by `npm run test:faults` (with the CI ones). Not matched by
 * `npm test`'s `*.test.ts` pattern: together they take a few minutes of worker processes.
 */
import { describe, it } from 'vitest';
import { runAndCheck } from './support/scenarios.js';

describe('fault injection (full suite)', { timeout: 180_000 }, () => {
  it('a waiter SIGKILLed while queued: the lock never sits idle waiting for the dead waiter', async () => {
    await runAndCheck('waiter-sigkill');
  });

  it('Redis restarted mid-hold with AOF (fsync always): the lock survives, no overlap, no lost update', async () => {
    await runAndCheck('redis-restart-aof');
  });

  it('Redis paused with SIGSTOP past the TTL, then resumed: nothing hangs, fencing reveals any stale write', async () => {
    await runAndCheck('redis-sigstop');
  });

  it('quorum of 5 with 2 nodes SIGKILLed and restarted empty mid-run: no overlap, no lost update', async () => {
    await runAndCheck('quorum-minority-restart');
  });

  it('quorum of 5 with a holder paused past the TTL: the overlap happens and fencing reveals the stale writes', async () => {
    await runAndCheck('quorum-holder-sigstop');
  });

  it('quorum of 5 with connections dropped on every node: no overlap, no lost update, nothing hung', async () => {
    await runAndCheck('quorum-client-kill');
  });

  it('Sentinel failover (master SIGKILLed mid-hold): locks resume on the promoted replica; fencing reveals any stale write', async () => {
    await runAndCheck('sentinel-failover');
  });

  it('Sentinel failover while the replica lags: the last lock and its token are lost; the numbers are recorded', async () => {
    await runAndCheck('sentinel-failover-lagging');
  });
});
