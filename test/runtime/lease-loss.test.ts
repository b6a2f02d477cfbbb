/**
 * How the lock core notices a lost lease while a closure runs, with autoExtend: a refused extension, a
 * store unreachable until the lease ends, an event loop stalled past the lease. And that extensions are
 * scheduled from the lease the store reports.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createLocks, LockLostError } from 'locksmith-js';
import { aborted, SwitchStore } from './doubles.js';


describe('autoExtend', () => {
  it('aborts the signal when an extension is refused', async () => {
    const store = new SwitchStore();
    store.override.set('refresh', async () => false);
    const locks = createLocks({ store });
    const reason = await locks.lock('lease:refused:1', 0.3, { autoExtend: true }).get(({ signal }) => aborted(signal));
    expect(reason).toBeInstanceOf(LockLostError);
    expect(reason).toMatchObject({ lockName: 'lease:refused:1', reason: expect.stringMatching(/refused/) });
  });

  it('aborts the signal when the store stays unreachable until the lease ends', async () => {
    const store = new SwitchStore();
    const cause = new Error('ETIMEDOUT');
    store.override.set('refresh', () => Promise.reject(cause));
    const locks = createLocks({ store });
    const reason = await locks.lock('lease:down:1', 0.4, { autoExtend: true }).get(({ signal }) => aborted(signal));
    expect(reason).toBeInstanceOf(LockLostError);
    expect((reason as LockLostError).reason).toMatch(/unreachable/);
    expect((reason as LockLostError).cause).toBeInstanceOf(Error);
    expect(store.count('refresh')).toBeGreaterThanOrEqual(2); // it retried before giving up
  });

  it('aborts the signal when the event loop stalled past the lease', async () => {
    const locks = createLocks({ store: new SwitchStore() });
    const reason = await locks.lock('lease:stall:1', 0.3, { autoExtend: true }).get(async ({ signal }) => {
      await sleep(30); // let the watch start
      const until = Date.now() + 700;
      while (Date.now() < until) {
        // a synchronous stall: no timer can run
      }
      return aborted(signal);
    });
    expect(reason).toBeInstanceOf(LockLostError);
    expect((reason as LockLostError).reason).toMatch(/stalled/);
  });

  it('schedules extensions from the lease the store reports, not the local ttl', async () => {
    const store = new SwitchStore();
    // The store says 300 ms are left although the lock asked for 60 s.
    store.override.set('remainingLease', async () => 300);
    const locks = createLocks({ store });
    await locks.lock('lease:reported:1', 60, { autoExtend: true }).get(() => sleep(800));
    expect(store.count('refresh')).toBeGreaterThanOrEqual(1);
  });

  it('does not extend a lock without expiry, nor a lock without autoExtend', async () => {
    const store = new SwitchStore();
    const locks = createLocks({ store });
    await locks.lock('lease:forever:1', 0, { autoExtend: true }).get(() => sleep(300));
    await locks.lock('lease:plain:1', 0.6).get(() => sleep(300));
    expect(store.count('refresh')).toBe(0);
  });
});

describe('the lease watch', () => {
  it('reports a failed subscription to onError and still runs the closure', async () => {
    const store = new SwitchStore();
    store.override.set('subscribe', () => Promise.reject(new Error('no pub/sub')));
    const reported: unknown[] = [];
    const locks = createLocks({ store, onError: (error) => reported.push(error) });
    expect(await locks.lock('watch:nosub:1', 30).get(() => sleep(100, 'ran'))).toBe('ran');
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ name: 'LockStoreError', operation: 'subscribe' });
  });

  it('aborts with "expired" when a plain lease runs out, and the closure result is still returned', async () => {
    const locks = createLocks({ store: new SwitchStore() });
    const lock = locks.lock('watch:expire:1', 0.2);
    const result = await lock.get(async ({ signal }) => {
      const reason = await aborted(signal);
      return (reason as LockLostError).reason;
    });
    expect(result).toBe('expired');
  });
});

describe('very long durations (beyond the 2^31-1 ms a Node timer can wait)', () => {
  it('watch a 1000 h lease without re-checking in a loop, and honour a 1000 h timeout', async () => {
    const store = new SwitchStore();
    const locks = createLocks({ store, timeout: '1000h' });
    const result = await locks.lock('lease:long:1', '1000h', { autoExtend: true }).get(() => sleep(300, 'ran'));
    expect(result).toBe('ran');
    expect(store.count('remainingLease')).toBeLessThanOrEqual(2);
    expect(store.count('refresh')).toBeLessThanOrEqual(1);
    await locks.lock('lease:long:2', '1000h').get(() => sleep(300));
    expect(store.count('remainingLease')).toBeLessThanOrEqual(4);
  });
});
