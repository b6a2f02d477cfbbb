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

  it('Redis restarted mid-hold without persistence: nothing hangs, fencing reveals every stale write', async () => {
    await runAndCheck('redis-restart');
  });

  it('a holder paused with SIGSTOP past its TTL: the overlap happens and fencing reveals the stale writes', async () => {
    await runAndCheck('holder-sigstop');
  });
});
