/**
 * The fault-injection scenarios that run in CI (`npm test`): several worker processes do a read-modify-write
 * under the lock while a fault is injected. The full set is `npm run test:faults`
 * (test/faults/*.fault.ts as well).
 */
import { describe, it } from 'vitest';
import { runAndCheck } from './support/scenarios.js';

describe('fault injection (CI subset)', { timeout: 120_000 }, () => {
  it('a holder SIGKILLed mid-hold: others acquire after the TTL, not before; no overlap, no lost update', async () => {
    await runAndCheck('holder-sigkill');
  });

  it('connections dropped with CLIENT KILL: no overlap, no lost update, nothing hung', async () => {
    await runAndCheck('client-kill');
  });

  // Guards RedisStore's retried queue leave: without it a release after the reconnect hands the lock to a
  // waiter that already gave up, and the lock sits unused for a whole TTL.
  it('connections dropped, then quiet: releases reach live waiters again (no lock left to a waiter that gave up)', async () => {
    await runAndCheck('client-kill-recovery');
  });

  it('Redis restarted mid-hold without persistence: nothing hangs, fencing reveals every stale write', async () => {
    await runAndCheck('redis-restart');
  });

  it('a holder paused with SIGSTOP past its TTL: the overlap happens and fencing reveals the stale writes', async () => {
    await runAndCheck('holder-sigstop');
  });
});
