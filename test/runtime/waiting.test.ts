/**
 * Waiting is wake-on-release, not polling: a blocked waiter makes no store calls until a release is
 * announced, one release wakes one waiter, and the fallback re-check covers releases nobody announces.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createLocks, type AcquireRequest, type Handoff, type ReleaseSubscription } from 'locksmith-js';
import { SwitchStore } from './doubles.js';

describe('waiting', () => {
  it('makes no store calls while blocked, however long', async () => {
    const store = new SwitchStore();
    const locks = createLocks({ store, recheckInterval: 60 });
    const holder = locks.lock('wait:quiet:1'); // ttl 0: no lease end to re-check for
    await holder.get();
    const waiters = Array.from({ length: 5 }, () => locks.lock('wait:quiet:1', 30).block(30, () => sleep(5)));
    await sleep(100);
    const settled = store.count('acquire');
    // Each waiter: one attempt, subscribe, one attempt after subscribing.
    expect(settled).toBe(1 + 5 * 2);
    await sleep(700);
    expect(store.count('acquire')).toBe(settled);

    // Each release hands the lock to the next queued waiter: no attempt at all.
    await holder.release();
    for (const waiter of waiters) await waiter;
    expect(store.count('acquire')).toBe(settled);
  });

  it('with fair: false, one release wakes one waiter (no thundering herd) and each winner wakes the next', async () => {
    const store = new SwitchStore();
    const locks = createLocks({ store, recheckInterval: 60, fair: false });
    const holder = locks.lock('wait:quiet:2');
    await holder.get();
    const waiters = Array.from({ length: 5 }, () => locks.lock('wait:quiet:2', 30).block(30, () => sleep(5)));
    await sleep(100);
    const settled = store.count('acquire');
    expect(settled).toBe(1 + 5 * 2);
    await sleep(700);
    expect(store.count('acquire')).toBe(settled);

    await holder.release();
    for (const waiter of waiters) await waiter;
    expect(store.count('acquire')).toBe(settled + 5);
  });

  it('hands the lock to waiters in the order they started waiting (MemoryStore is FIFO)', async () => {
    const locks = createLocks({ store: new SwitchStore() });
    const holder = locks.lock('wait:fifo:1', 30);
    await holder.get();
    const order: number[] = [];
    const waiters = [];
    for (let i = 0; i < 6; i++) {
      waiters.push(
        locks.lock('wait:fifo:1', 30).block(30, async () => {
          order.push(i);
          await sleep(1);
        }),
      );
      await sleep(10);
    }
    await holder.release();
    await Promise.all(waiters);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('passes a wake-up on when the woken waiter has given up', async () => {
    const store = new SwitchStore();
    const locks = createLocks({ store, recheckInterval: 60 });
    const holder = locks.lock('wait:pass:1');
    await holder.get();
    const controller = new AbortController();
    const first = locks.lock('wait:pass:1', 30).block(30, { signal: controller.signal });
    await sleep(20);
    const second = locks.lock('wait:pass:1', 30).block(30);
    await sleep(50);
    controller.abort();
    await expect(first).rejects.toMatchObject({ name: 'AbortError' });
    await holder.release();
    expect(await second).toBe(true);
  });

  it('re-checks at the recheck ceiling when a release is never announced', async () => {
    const store = new SwitchStore();
    // A store that never delivers announcements (like a release by a client that does not publish).
    store.override.set('subscribe', async (): Promise<ReleaseSubscription> => {
      let timer: NodeJS.Timeout | undefined;
      let wake: ((value: boolean) => void) | undefined;
      return {
        next: (timeoutMs) =>
          new Promise<boolean>((resolve) => {
            wake = resolve;
            timer = setTimeout(() => resolve(false), timeoutMs);
          }),
        close: () => {
          clearTimeout(timer);
          wake?.(false);
        },
      };
    });
    const locks = createLocks({ store, recheckInterval: '100ms' });
    await locks.lock('wait:silent:1').get();
    const waiting = locks.lock('wait:silent:1', 30).block(20);
    await sleep(150);
    await store.inner.forceRelease('wait:silent:1');
    expect(await waiting).toBe(true);
  });

  it("leaves the fallback re-check to a store that declares recheckIntervalMs", async () => {
    const silent = async (): Promise<ReleaseSubscription> => ({
      next: (timeoutMs) => sleep(timeoutMs, false, { ref: false }),
      close: () => undefined,
    });
    const attemptsWhileBlocked = async (declares: boolean): Promise<number> => {
      const store = new SwitchStore();
      store.override.set('subscribe', silent);
      const locks = createLocks({
        store: declares ? Object.assign(store, { recheckIntervalMs: 60_000 }) : store,
        recheckInterval: '50ms',
      });
      await locks.lock('wait:declared:1').get(); // ttl 0: no lease end to re-check for
      await expect(locks.lock('wait:declared:1', 30).block(0.6)).rejects.toThrow(/within 0.6s/);
      return store.count('acquire') - 1;
    };
    // Declared: the first attempt, the one after subscribing, the last one at the deadline. Nothing between.
    expect(await attemptsWhileBlocked(true)).toBe(3);
    // Not declared: the core re-checks every ~50 ms itself.
    expect(await attemptsWhileBlocked(false)).toBeGreaterThan(5);
  });

  it('gives back a lock acquired in the same instant as the abort', async () => {
    const store = new SwitchStore();
    store.override.set('acquire', async (request) => {
      await sleep(150); // the abort lands while this successful attempt is in flight
      return store.inner.acquire(request as AcquireRequest);
    });
    const locks = createLocks({ store });
    const controller = new AbortController();
    const waiting = locks.lock('wait:abort-race:1', 30).block(10, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('cancelled')), 50);
    await expect(waiting).rejects.toThrow('cancelled');
    const end = Date.now() + 10_000;
    while ((await store.inner.currentOwner('wait:abort-race:1')) !== null && Date.now() < end) await sleep(10);
    expect(await store.inner.currentOwner('wait:abort-race:1')).toBeNull();
    expect(store.count('release')).toBe(1);
  });

  it('never hangs on a subscription whose next() ignores its timeout and signal', async () => {
    const store = new SwitchStore();
    store.override.set('subscribe', async (): Promise<ReleaseSubscription> => ({
      next: () => new Promise<boolean>(() => undefined),
      close: () => undefined,
    }));
    const locks = createLocks({ store: Object.assign(store, { recheckIntervalMs: 60_000 }) });
    await locks.lock('wait:stuck:1').get();
    await expect(locks.lock('wait:stuck:1', 30).block(0.3)).rejects.toMatchObject({ name: 'LockTimeoutError' });
    const controller = new AbortController();
    const waiting = locks.lock('wait:stuck:1', 30).block(60, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 100);
    await expect(waiting).rejects.toThrow('stop');
  });

  it('takes a lock handed over through next() without another attempt, with its fencing token', async () => {
    const store = new SwitchStore();
    const requests: AcquireRequest[] = [];
    store.override.set('acquire', async (request) => {
      requests.push(request as AcquireRequest);
      return { acquired: false };
    });
    let subscription: ReleaseSubscription | undefined;
    store.override.set('subscribe', async (): Promise<ReleaseSubscription> => {
      subscription = {
        next: async (): Promise<Handoff> => {
          await sleep(50);
          return { handedOff: true, fencingToken: 42, at: performance.now() };
        },
        leave: async () => {
          throw new Error('a waiter that holds the lock must not leave');
        },
        close: () => undefined,
      };
      return subscription;
    });
    const locks = createLocks({ store: Object.assign(store, { recheckIntervalMs: 60_000 }) });
    const lock = locks.lock('wait:handed:1', 30, { fencing: true });
    expect(await lock.block(5)).toBe(true);
    expect(lock.fencingToken).toBe(42);
    // The plain first attempt, then one queued attempt naming the active subscription; nothing after the handoff.
    expect(requests).toHaveLength(2);
    expect(requests[0]?.queue).toBeUndefined();
    expect(requests[1]?.queue?.subscription).toBe(subscription);
    expect(requests[1]?.queue?.waitMs).toBeGreaterThan(0);
    expect(requests[1]?.queue?.waitMs).toBeLessThanOrEqual(5_000);
  });

  it('leaves the queue before closing the subscription when it stops without the lock', async () => {
    const events: string[] = [];
    const leaving = async (): Promise<ReleaseSubscription> => ({
      next: (timeoutMs, signal) => sleep(Math.min(timeoutMs, 50), false, { signal }).catch(() => false),
      leave: async () => {
        events.push('leave');
      },
      close: () => {
        events.push('close');
      },
    });
    const store = new SwitchStore();
    store.override.set('subscribe', leaving);
    const locks = createLocks({ store: Object.assign(store, { recheckIntervalMs: 60_000 }) });
    await locks.lock('wait:leave:1').get();
    await expect(locks.lock('wait:leave:1', 30).block(0.2)).rejects.toMatchObject({ name: 'LockTimeoutError' });
    expect(events).toEqual(['leave', 'close']);

    events.length = 0;
    const controller = new AbortController();
    const waiting = locks.lock('wait:leave:1', 30).block(20, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 100);
    await expect(waiting).rejects.toThrow('stop');
    expect(events).toEqual(['leave', 'close']);

    // Acquired by an attempt: nothing to leave.
    events.length = 0;
    const next = locks.lock('wait:leave:1', 30).block(20);
    await sleep(100);
    await store.inner.forceRelease('wait:leave:1');
    expect(await next).toBe(true);
    expect(events).toEqual(['close']);
  });

  it('re-checks when the holder lease should have ended, even with a long ceiling', async () => {
    const store = new SwitchStore();
    const locks = createLocks({ store, recheckInterval: 60 });
    // Leave expiry unannounced: the store reports the lease, the waiter must come back by itself.
    store.override.set('subscribe', async (): Promise<ReleaseSubscription> => ({
      next: (timeoutMs) => sleep(timeoutMs, false, { ref: false }),
      close: () => undefined,
    }));
    await locks.lock('wait:lease:1', 0.3).get();
    const started = Date.now();
    expect(await locks.lock('wait:lease:1', 30).block(30)).toBe(true);
    expect(Date.now() - started).toBeLessThan(20_000); // bound: far below the 60 s ceiling
  });
});
