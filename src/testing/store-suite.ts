/**
 * The one behavioural suite every LockStore passes, driven through the public API
 * (`createLocks({ store, prefix })`). Timing is generous: the suite asserts order and outcome, never speed,
 * because it runs on loaded CI machines next to other test files.
 *
 * Shipped as `locksmith-js/testing`; the project's own stores run it through that same module.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocks, LockLostError, LockTimeoutError, type LockManager, type LockStore } from '../index.js';

/** What the suite's `setup` returns: the store under test and how to dispose of it after the suite. */
export interface StoreSetup {
  store: LockStore;
  cleanup: () => Promise<void>;
}

/** What the store under test promises beyond the contract's minimum (optional cases of the suite). */
export interface StoreSuiteOptions {
  /**
   * `true` when the store hands the lock to fair waiters in arrival order (FIFO handoff, like MemoryStore and
   * RedisStore): the suite then also checks that order, and that nobody takes the lock between two handoffs.
   * A store without a queue (waiters only woken, like QuorumStore) leaves it out.
   */
  readonly fifo?: boolean;
}

/** Resolves once `check()` is true; rejects after `withinMs` (a bound that proves "does not hang"). */
async function until(check: () => Promise<boolean>, withinMs = 10_000): Promise<void> {
  const end = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`condition not met within ${withinMs} ms`);
    await sleep(20);
  }
}

/** Resolves with the signal's reason once it aborts; rejects if it does not within `withinMs`. */
function aborted(signal: AbortSignal, withinMs = 10_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return resolve(signal.reason);
    const timer = setTimeout(() => reject(new Error(`signal did not abort within ${withinMs} ms`)), withinMs);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve(signal.reason);
    });
  });
}

/**
 * Registers the store suite (a vitest `describe` block of 30-odd tests) for the store `setup` creates once.
 * Each test uses fresh lock names under a random prefix, so the store may be shared with other tests.
 * `options` adds the cases for what the store promises beyond the contract (see {@link StoreSuiteOptions}).
 */
export function describeStoreSuite(
  label: string,
  setup: () => Promise<StoreSetup>,
  options: StoreSuiteOptions = {},
): void {
  describe(`store suite: ${label}`, () => {
    let store: LockStore;
    let cleanup: () => Promise<void>;
    let locks: LockManager;
    const prefix = `suite-${label.replace(/\W+/g, '-')}-${randomUUID().slice(0, 8)}:`;
    let counter = 0;
    /** A fresh lock name per test, so tests never see each other's locks. */
    const fresh = (what = 'res'): string => `test:${what}:${++counter}`;

    beforeAll(async () => {
      ({ store, cleanup } = await setup());
      locks = createLocks({ store, prefix });
    });

    afterAll(async () => {
      await cleanup();
    });

    it('acquires, excludes a contender, and releases', async () => {
      const name = fresh();
      const a = locks.lock(name, 30);
      const b = locks.lock(name, 30);
      expect(a.owner).not.toBe(b.owner);
      expect(await a.get()).toBe(true);
      expect(await b.get()).toBe(false);
      expect(await a.get()).toBe(false); // not re-entrant: the name is taken
      expect(await a.release()).toBe(true);
      expect(await a.release()).toBe(false);
      expect(await b.get()).toBe(true);
      expect(await b.release()).toBe(true);
    });

    it('stores the owner token under prefix + name', async () => {
      const name = fresh();
      const lock = locks.lock(name, 30);
      expect(await lock.get()).toBe(true);
      expect(await store.currentOwner(prefix + name)).toBe(lock.owner);
      expect(await store.currentOwner(name)).toBeNull();
      await lock.release();
      expect(await store.currentOwner(prefix + name)).toBeNull();
    });

    it('lets no other owner release or refresh it', async () => {
      const name = fresh();
      const holder = locks.lock(name, 30);
      const other = locks.lock(name, 30);
      expect(await holder.get()).toBe(true);
      expect(await other.release()).toBe(false);
      expect(await other.refresh()).toBe(false);
      expect(await other.refresh(0)).toBe(false);
      expect(await holder.isOwnedByCurrentProcess()).toBe(true);
      expect(await store.remainingLease(prefix + name, other.owner)).toBeNull();
      expect(await holder.release()).toBe(true);
    });

    it('releases through restoreLock with a saved owner token', async () => {
      const name = fresh();
      const original = locks.lock(name, 30);
      expect(await original.get()).toBe(true);
      const restored = locks.restoreLock(name, original.owner);
      expect(restored.owner).toBe(original.owner);
      expect(restored.name).toBe(name);
      expect(await restored.isOwnedByCurrentProcess()).toBe(true);
      expect(await restored.release()).toBe(true);
      expect(await original.isLocked()).toBe(false);
    });

    it('accepts a given owner token', async () => {
      const name = fresh();
      const lock = locks.lock(name, 30, { owner: 'worker-7' });
      expect(lock.owner).toBe('worker-7');
      expect(await lock.get()).toBe(true);
      expect(await store.currentOwner(prefix + name)).toBe('worker-7');
      expect(await locks.restoreLock(name, 'worker-7').release()).toBe(true);
    });

    it('forceRelease frees a lock whoever holds it', async () => {
      const name = fresh();
      const holder = locks.lock(name, 30);
      expect(await holder.get()).toBe(true);
      await locks.lock(name).forceRelease();
      expect(await holder.isLocked()).toBe(false);
      expect(await holder.isOwnedByCurrentProcess()).toBe(false);
      expect(await holder.release()).toBe(false);
      await locks.lock(name).forceRelease(); // on a free name: a no-op
    });

    it.each([
      [0.5, 0.5],
      ['500ms', 0.5],
      ['0.5s', 0.5],
    ] as const)('expires after a ttl of %j', async (ttl, seconds) => {
      const name = fresh();
      const lock = locks.lock(name, ttl);
      expect(lock.ttl).toBe(seconds);
      expect(await lock.get()).toBe(true);
      const lease = await store.remainingLease(prefix + name, lock.owner);
      expect(lease).toBeGreaterThan(0);
      expect(lease).toBeLessThanOrEqual(500);
      await until(async () => !(await lock.isLocked()));
      expect(await lock.isOwnedByCurrentProcess()).toBe(false);
      expect(await lock.release()).toBe(false);
      const next = locks.lock(name, 30);
      expect(await next.get()).toBe(true);
      await next.release();
    });

    it('rounds a sub-millisecond ttl up to 1 ms instead of "never expires"', async () => {
      const name = fresh();
      const lock = locks.lock(name, 0.0001);
      expect(lock.ttl).toBe(0.001);
      await lock.get();
      await until(async () => !(await lock.isLocked()));
    });

    it('never expires with ttl 0 (the default)', async () => {
      const name = fresh();
      const lock = locks.lock(name);
      expect(lock.ttl).toBe(0);
      expect(await lock.get()).toBe(true);
      expect(await store.remainingLease(prefix + name, lock.owner)).toBe(-1);
      await sleep(300);
      expect(await lock.isOwnedByCurrentProcess()).toBe(true);
      expect(await lock.release()).toBe(true);
    });

    it('refresh(ttl) extends, refresh(0) persists, refresh() reuses the lock ttl', async () => {
      const name = fresh();
      const lock = locks.lock(name, 0.5);
      const key = prefix + name;
      expect(await lock.get()).toBe(true);
      expect(await lock.refresh(30)).toBe(true);
      expect(await store.remainingLease(key, lock.owner)).toBeGreaterThan(1_000);
      await sleep(700);
      expect(await lock.isOwnedByCurrentProcess()).toBe(true);
      expect(await lock.refresh(0)).toBe(true);
      expect(await store.remainingLease(key, lock.owner)).toBe(-1);
      expect(await lock.refresh()).toBe(true);
      const lease = await store.remainingLease(key, lock.owner);
      expect(lease).toBeGreaterThan(0);
      expect(lease).toBeLessThanOrEqual(500);
      expect(await lock.refresh('2m')).toBe(true);
      expect(await store.remainingLease(key, lock.owner)).toBeGreaterThan(60_000);
      expect(await lock.release()).toBe(true);
      expect(await lock.refresh()).toBe(false);
    });

    it('reports isLocked and isOwnedByCurrentProcess for holder and others', async () => {
      const name = fresh();
      const holder = locks.lock(name, 30);
      const other = locks.lock(name, 30);
      expect(await holder.isLocked()).toBe(false);
      expect(await holder.isOwnedByCurrentProcess()).toBe(false);
      await holder.get();
      expect(await holder.isLocked()).toBe(true);
      expect(await other.isLocked()).toBe(true);
      expect(await holder.isOwnedByCurrentProcess()).toBe(true);
      expect(await other.isOwnedByCurrentProcess()).toBe(false);
      await holder.release();
      expect(await other.isLocked()).toBe(false);
    });

    it('runs get(fn) and block(wait, fn) closures, returns their results and releases', async () => {
      const name = fresh();
      const lock = locks.lock(name, 30);
      const seen: unknown[] = [];
      const result = await lock.get(async ({ signal, lock: held }) => {
        seen.push(held, signal.aborted, await store.currentOwner(prefix + name));
        return { ok: 1 };
      });
      expect(result).toEqual({ ok: 1 });
      expect(seen).toEqual([lock, false, lock.owner]);
      expect(await lock.isLocked()).toBe(false);

      expect(await lock.block(5, () => 'sync result')).toBe('sync result');
      expect(await lock.block('5s', async () => undefined)).toBeUndefined();
      expect(await lock.isLocked()).toBe(false);
      expect(await lock.block(5)).toBe(true);
      expect(await lock.release()).toBe(true);
    });

    it('get(fn) returns false without calling fn when the lock is held', async () => {
      const name = fresh();
      const holder = locks.lock(name, 30);
      await holder.get();
      let calls = 0;
      const result = await locks.lock(name, 30).get(() => {
        calls++;
        return 'ran';
      });
      expect(result).toBe(false);
      expect(calls).toBe(0);
      expect(await holder.isOwnedByCurrentProcess()).toBe(true);
      await holder.release();
    });

    it('propagates a closure throw unchanged, after releasing', async () => {
      const name = fresh();
      const lock = locks.lock(name, 30);
      const boom = new Error('boom');
      let lockedDuring: boolean | undefined;
      await expect(
        lock.get(async () => {
          lockedDuring = await lock.isOwnedByCurrentProcess();
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(lockedDuring).toBe(true);
      expect(await lock.isLocked()).toBe(false);

      const thrown = { not: 'an Error' };
      await expect(
        lock.block(5, () => {
          throw thrown;
        }),
      ).rejects.toBe(thrown);
      expect(await lock.isLocked()).toBe(false);
    });

    it('block(wait) throws LockTimeoutError naming the lock and the wait', async () => {
      const name = fresh();
      const holder = locks.lock(name, 30);
      await holder.get();
      const waiter = locks.lock(name, 30);
      const error = await waiter.block(0.3).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LockTimeoutError);
      expect(error).toMatchObject({ lockName: name, waited: 0.3 });
      expect((error as Error).message).toContain(name);
      expect((error as Error).message).toContain('0.3s');

      const once = await waiter.block(0).catch((e: unknown) => e);
      expect(once).toMatchObject({ name: 'LockTimeoutError', lockName: name, waited: 0 });

      let called = false;
      await expect(
        waiter.block('200ms', () => {
          called = true;
        }),
      ).rejects.toMatchObject({ lockName: name, waited: 0.2 });
      expect(called).toBe(false);
      expect(await holder.isOwnedByCurrentProcess()).toBe(true);
      await holder.release();
    });

    it('block(0) is one attempt that succeeds on a free lock', async () => {
      const lock = locks.lock(fresh(), 30);
      expect(await lock.block(0)).toBe(true);
      await lock.release();
    });

    for (const fair of [true, false]) {
      const mode = fair ? '' : ' (a barging waiter, fair: false)';
      it(`wakes a blocked waiter when the holder releases${mode} (ttl 0: only the release can free it)`, async () => {
        const name = fresh();
        const holder = locks.lock(name, 0, { fair });
        await holder.get();
        const waiter = locks.lock(name, 30, { fair });
        expect(waiter.fair).toBe(fair);
        const order: string[] = [];
        const waiting = waiter.block(20).then((acquired) => {
          order.push('acquired');
          return acquired;
        });
        await sleep(200);
        order.push('releasing');
        expect(await holder.release()).toBe(true);
        expect(await waiting).toBe(true);
        expect(order).toEqual(['releasing', 'acquired']);
        expect(await waiter.isOwnedByCurrentProcess()).toBe(true);
        expect(await waiter.release()).toBe(true);
        expect(await holder.isLocked()).toBe(false);
      });
    }

    it('hands an expired lock to a waiter', async () => {
      const name = fresh();
      const holder = locks.lock(name, 0.4);
      await holder.get();
      const waiter = locks.lock(name, 30);
      expect(await waiter.block(20)).toBe(true);
      expect(await holder.isOwnedByCurrentProcess()).toBe(false);
      await waiter.release();
    });

    it('stops waiting when the signal aborts, with the signal reason', async () => {
      const name = fresh();
      const holder = locks.lock(name, 30);
      await holder.get();
      const controller = new AbortController();
      const reason = new Error('shutting down');
      const waiting = locks.lock(name, 30).block(30, { signal: controller.signal });
      setTimeout(() => controller.abort(reason), 150);
      await expect(waiting).rejects.toBe(reason);

      let called = false;
      const controller2 = new AbortController();
      const waiting2 = locks.lock(name, 30).block(
        30,
        () => {
          called = true;
        },
        { signal: controller2.signal },
      );
      setTimeout(() => controller2.abort(), 150);
      await expect(waiting2).rejects.toMatchObject({ name: 'AbortError' });
      expect(called).toBe(false);
      expect(await holder.isOwnedByCurrentProcess()).toBe(true);
      await holder.release();
    });

    it('does not acquire with an already aborted signal', async () => {
      const name = fresh();
      const lock = locks.lock(name, 30);
      await expect(lock.block(5, { signal: AbortSignal.abort('nope') })).rejects.toBe('nope');
      expect(await lock.isLocked()).toBe(false);
    });

    it('releases on asyncDispose (await using)', async () => {
      const name = fresh();
      {
        await using held = locks.lock(name, 30);
        expect(await held.get()).toBe(true);
        expect(await held.isLocked()).toBe(true);
      }
      expect(await locks.lock(name).isLocked()).toBe(false);

      // Disposing a handle that does not hold the lock leaves the holder alone.
      const holder = locks.lock(name, 30);
      await holder.get();
      {
        await using other = locks.lock(name, 30);
        expect(await other.get()).toBe(false);
      }
      expect(await holder.isOwnedByCurrentProcess()).toBe(true);
      await holder.release();
    });

    it('isolates prefixes on the same store', async () => {
      const name = fresh();
      const left = createLocks({ store, prefix: `${prefix}left:` });
      const right = createLocks({ store, prefix: `${prefix}right:` });
      const a = left.lock(name, 30);
      const b = right.lock(name, 30);
      expect(await a.get()).toBe(true);
      expect(await b.get()).toBe(true);
      expect(await left.lock(name, 30).get()).toBe(false);
      expect(await store.currentOwner(`${prefix}left:${name}`)).toBe(a.owner);
      expect(await store.currentOwner(`${prefix}right:${name}`)).toBe(b.owner);
      await a.release();
      expect(await b.isOwnedByCurrentProcess()).toBe(true);
      await b.release();
    });

    it('serves many waiters on one key in turn, one at a time', async () => {
      const name = fresh('many');
      const holder = locks.lock(name, 30);
      await holder.get();
      let inside = 0;
      let maxInside = 0;
      let counter = 0;
      const served: number[] = [];
      const workers = Array.from({ length: 12 }, (_, i) =>
        locks.lock(name, 30).block(60, async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          const read = counter;
          await sleep(5);
          counter = read + 1; // a lost update if two ran at once
          served.push(i);
          inside--;
        }),
      );
      await sleep(100);
      await holder.release();
      await Promise.all(workers);
      expect(counter).toBe(12);
      expect(maxInside).toBe(1);
      expect([...served].sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => i));
      expect(await holder.isLocked()).toBe(false);
    });

    it('barging waiters and a holder that re-takes the lock at once keep mutual exclusion, and all are served', async () => {
      const name = fresh('barging');
      const barging = createLocks({ store, prefix, fair: false });
      let inside = 0;
      let maxInside = 0;
      let counter = 0;
      const section = async (): Promise<void> => {
        inside++;
        maxInside = Math.max(maxInside, inside);
        const read = counter;
        await sleep(2);
        counter = read + 1; // a lost update if two ran at once
        inside--;
      };
      const holder = barging.lock(name, 30);
      expect(await holder.get()).toBe(true);
      const workers = Array.from({ length: 8 }, () => barging.lock(name, 30).block(60, section));
      await sleep(100);
      expect(await holder.release()).toBe(true);
      // A releasing process that re-takes at once, again and again: it may win, the others are still served.
      const retaker = (async () => {
        for (let i = 0; i < 8; i++) await barging.lock(name, 30).block(60, section);
      })();
      await Promise.all([...workers, retaker]);
      expect(counter).toBe(16);
      expect(maxInside).toBe(1);
      expect(await holder.isLocked()).toBe(false);
    });

    it('fair and barging waiters on one name are all served, one at a time', async () => {
      const name = fresh('mixed');
      const holder = locks.lock(name, 30);
      await holder.get();
      let inside = 0;
      let maxInside = 0;
      const served: number[] = [];
      const workers = Array.from({ length: 10 }, (_, i) =>
        locks.lock(name, 30, { fair: i % 2 === 0 }).block(60, async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await sleep(3);
          served.push(i);
          inside--;
        }),
      );
      await sleep(100);
      await holder.release();
      await Promise.all(workers);
      expect(maxInside).toBe(1);
      expect([...served].sort((x, y) => x - y)).toEqual(Array.from({ length: 10 }, (_, i) => i));
      expect(await holder.isLocked()).toBe(false);
    });

    it('a barging waiter that times out or is aborted leaves nothing behind: the next release frees the lock', async () => {
      const name = fresh('barging');
      const holder = locks.lock(name, 30);
      await holder.get();
      await expect(locks.lock(name, 30, { fair: false }).block(0.3)).rejects.toBeInstanceOf(LockTimeoutError);
      const controller = new AbortController();
      const waiting = locks.lock(name, 30, { fair: false }).block(20, { signal: controller.signal });
      await sleep(100);
      controller.abort(new Error('gave up'));
      await expect(waiting).rejects.toThrow('gave up');
      expect(await holder.release()).toBe(true);
      expect(await holder.isLocked()).toBe(false); // not held for a waiter that left
      const next = locks.lock(name, 30, { fair: false });
      expect(await next.get()).toBe(true);
      await next.release();
    });

    it('aborts a closure signal when the lock is force-released', async () => {
      const name = fresh();
      const reason = await locks.lock(name, 30).get(async ({ signal }) => {
        await sleep(100);
        await locks.lock(name).forceRelease();
        return aborted(signal);
      });
      expect(reason).toBeInstanceOf(LockLostError);
      expect(reason).toMatchObject({ lockName: name });
    });

    it('aborts a closure signal when the lock is taken over after a force-release', async () => {
      const name = fresh();
      const other = locks.lock(name, 30);
      const reason = await locks.lock(name, 30).get(async ({ signal }) => {
        await sleep(100);
        await locks.lock(name).forceRelease();
        expect(await other.get()).toBe(true);
        return aborted(signal);
      });
      expect(reason).toBeInstanceOf(LockLostError);
      expect(await other.isOwnedByCurrentProcess()).toBe(true); // the closure's release did not free it
      await other.release();
    });

    it('aborts a closure signal on force-release while another waiter queues and takes over', async () => {
      const name = fresh();
      const first = locks.lock(name); // ttl 0: no lease end to notice the loss by
      await first.get();
      let holderSignal: AbortSignal | undefined;
      const holding = locks.lock(name, 30).block(20, ({ signal }) => {
        holderSignal = signal;
        return aborted(signal);
      });
      await sleep(100);
      const next = locks.lock(name, 30);
      const nextWaiting = next.block(20); // queued behind `holding`, and before its watch subscribes
      await sleep(100);
      await first.release(); // `holding` (first in line) takes the lock; `next` keeps waiting
      await until(async () => holderSignal !== undefined);
      await sleep(100);
      await locks.lock(name).forceRelease(); // wakes `next`, which takes the lock
      expect(await nextWaiting).toBe(true);
      const reason = await holding;
      expect(reason).toBeInstanceOf(LockLostError);
      expect(await next.isOwnedByCurrentProcess()).toBe(true); // the loser's release did not free it
      await next.release();
    });

    it('aborts a closure signal when the ttl elapses', async () => {
      const name = fresh();
      const lock = locks.lock(name, 0.4);
      const reason = await lock.get(({ signal }) => aborted(signal));
      expect(reason).toBeInstanceOf(LockLostError);
      expect(reason).toMatchObject({ lockName: name });
      expect((reason as LockLostError).reason).toMatch(/expired/);
    });

    it('keeps a closure signal quiet when the closure refreshes the lock itself', async () => {
      const name = fresh();
      const result = await locks.lock(name, 0.4).get(async ({ signal, lock }) => {
        expect(await lock.refresh(30)).toBe(true);
        await sleep(800);
        return signal.aborted;
      });
      expect(result).toBe(false);
    });

    it('autoExtend keeps a short lease through a longer closure', async () => {
      const name = fresh();
      const result = await locks.lock(name, 0.5, { autoExtend: true }).get(async ({ signal }) => {
        for (let i = 0; i < 6; i++) {
          await sleep(250);
          expect(await locks.lock(name, 30).get()).toBe(false);
        }
        return signal.aborted;
      });
      expect(result).toBe(false);
      expect(await locks.lock(name).isLocked()).toBe(false);
    });

    if (options.fifo === true) {
      it('fair waiters acquire in arrival order, and a contender never gets in between', async () => {
        const name = fresh('fifo');
        const holder = locks.lock(name, 30);
        await holder.get();
        const order: number[] = [];
        const waiters: Promise<unknown>[] = [];
        for (let i = 0; i < 5; i++) {
          waiters.push(
            locks.lock(name, 30).block(30, async () => {
              order.push(i);
              await sleep(20);
            }),
          );
          await sleep(100); // each waiter queued before the next starts
        }
        let done = false;
        let contenderWins = 0;
        const contender = locks.lock(name, 30);
        const contending = (async () => {
          while (!done) {
            if (await contender.get()) {
              // Once the last waiter is in, the lock is free again after its release: only earlier wins count.
              if (order.length < 5) contenderWins++;
              await contender.release();
            }
            await sleep(1);
          }
        })();
        await holder.release();
        await Promise.all(waiters);
        done = true;
        await contending;
        expect(order).toEqual([0, 1, 2, 3, 4]);
        expect(contenderWins).toBe(0);
      });
    }

    it('issues strictly increasing fencing tokens across holders', async () => {
      const name = fresh();
      const tokens: number[] = [];
      for (let i = 0; i < 5; i++) {
        const lock = locks.lock(name, 30, { fencing: true });
        expect(lock.fencingToken).toBeUndefined();
        expect(await lock.get()).toBe(true);
        expect(typeof lock.fencingToken).toBe('number');
        tokens.push(lock.fencingToken as number);
        await lock.release();
      }
      const viaClosure = locks.lock(name, 30, { fencing: true });
      const inside = await viaClosure.block(5, ({ lock }) => lock.fencingToken);
      tokens.push(inside as number);
      for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1] as number);

      const plain = locks.lock(name, 30);
      await plain.get();
      expect(plain.fencingToken).toBeUndefined();
      await plain.release();
    });
  });
}
