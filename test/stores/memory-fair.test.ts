import diagnostics from 'node:diagnostics_channel';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createLocks, MemoryStore } from 'locksmith-js';
import { LOCK_ACQUIRED } from '../../src/events.js';
import type { Handoff, ReleaseSubscription } from '../../src/stores/store.js';

/** Waits until `check` holds (the waiters' queued attempts are a few microtasks away). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; !check(); i++) {
    if (i > 200) throw new Error('condition never held');
    await sleep(5);
  }
}

describe('MemoryStore: fair waiters are handed the lock in arrival order', () => {
  it('a release hands the lock to the queued waiter: the releaser cannot take it back', async () => {
    const locks = createLocks({ store: new MemoryStore() });
    const holder = locks.lock('fair:hand:1', 30);
    expect(await holder.get()).toBe(true);
    let acquired = false;
    const waiter = locks.lock('fair:hand:1', 30);
    const waiting = waiter.block(5).then(() => (acquired = true));
    await sleep(20);
    // An attempt in the same tick as the release: the lock already belongs to the waiter, which has not even
    // heard of it yet (a barging store would let this attempt win).
    expect(await Promise.all([holder.release(), holder.get()])).toEqual([true, false]);
    expect(await waiter.isOwnedByCurrentProcess()).toBe(true);
    await waiting;
    expect(acquired).toBe(true);
    expect(await waiter.release()).toBe(true);
  });

  it('serves six waiters in arrival order, each release handing over before a same-tick attempt', async () => {
    const locks = createLocks({ store: new MemoryStore() });
    const holder = locks.lock('fair:order:1', 30);
    expect(await holder.get()).toBe(true);
    const order: number[] = [];
    const waiters = [];
    for (let i = 0; i < 6; i++) {
      const lock = locks.lock('fair:order:1', 30);
      waiters.push(lock);
      void lock.block(5).then(() => order.push(i));
      await sleep(5);
    }
    const barger = locks.lock('fair:order:1', 30);
    let releasing = holder;
    for (let i = 0; i < 6; i++) {
      expect(await Promise.all([releasing.release(), barger.get()])).toEqual([true, false]);
      await until(() => order.length === i + 1);
      releasing = waiters[order[i] ?? -1] ?? holder;
    }
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await Promise.all([releasing.release(), barger.get()])).toEqual([true, true]);
  });

  it('an expired lease hands the lock to the next waiter, not to a newcomer', async () => {
    const locks = createLocks({ store: new MemoryStore() });
    const handoffs: boolean[] = [];
    const onAcquired = (message: unknown): void => {
      const event = message as { name: string; handoff: boolean };
      if (event.name === 'fair:expiry:1') handoffs.push(event.handoff);
    };
    diagnostics.subscribe(LOCK_ACQUIRED, onAcquired);
    try {
      expect(await locks.lock('fair:expiry:1', 0.05).get()).toBe(true);
      const waiter = locks.lock('fair:expiry:1', 30);
      const waiting = waiter.block(5);
      await sleep(60);
      expect(await locks.lock('fair:expiry:1', 30).get()).toBe(false);
      await expect(waiting).resolves.toBe(true);
      expect(handoffs).toEqual([false, true]); // the first holder's get(), then the expiry's handoff
      expect(await waiter.release()).toBe(true);
    } finally {
      diagnostics.unsubscribe(LOCK_ACQUIRED, onAcquired);
    }
  });

  it('issues a fencing token with a handoff, above every token before it', async () => {
    const locks = createLocks({ store: new MemoryStore() });
    const holder = locks.lock('fair:fence:1', 30, { fencing: true });
    expect(await holder.get()).toBe(true);
    const waiter = locks.lock('fair:fence:1', 30, { fencing: true });
    const waiting = waiter.block(5);
    await sleep(10);
    await holder.release();
    await waiting;
    expect(waiter.fencingToken).toBeGreaterThan(holder.fencingToken ?? Infinity);
  });
});

describe('MemoryStore: barging waiters (fair: false)', () => {
  it('a release frees the lock and the releaser may take it back at once; the waiter keeps waiting', async () => {
    const locks = createLocks({ store: new MemoryStore(), fair: false });
    const holder = locks.lock('barge:retake:1', 30);
    expect(await holder.get()).toBe(true);
    let acquired = false;
    const waiter = locks.lock('barge:retake:1', 30);
    const waiting = waiter.block(5).then(() => (acquired = true));
    await sleep(20);
    // In one process the woken waiter and the releaser race through microtasks; an attempt sent in the same
    // tick as the release reaches the store first, as the releasing process's next attempt does on Redis.
    for (let i = 0; i < 5; i++) {
      expect(await Promise.all([holder.release(), holder.get()])).toEqual([true, true]);
      await sleep(5);
    }
    expect(acquired).toBe(false);
    await holder.release();
    await waiting;
    expect(acquired).toBe(true);
    expect(await waiter.release()).toBe(true);
  });

  it('a woken waiter that loses the race keeps its place ahead of later waiters', async () => {
    const store = new MemoryStore();
    const locks = createLocks({ store, fair: false });
    const holder = locks.lock('barge:place:1', 30);
    expect(await holder.get()).toBe(true);
    const order: string[] = [];
    const first = locks.lock('barge:place:1', 30).block(5, () => void order.push('first'));
    await sleep(10);
    const second = locks.lock('barge:place:1', 30).block(5, () => void order.push('second'));
    await sleep(10);
    // Each release wakes the head; the holder wins the race every time.
    for (let i = 0; i < 3; i++) {
      expect(await Promise.all([holder.release(), holder.get()])).toEqual([true, true]);
      await sleep(5);
    }
    expect(order).toEqual([]);
    await holder.release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
  });

  it('a queue of fair and barging waiters is served in order, each by its own mode', async () => {
    const locks = createLocks({ store: new MemoryStore() });
    const holder = locks.lock('mixed:order:1', 30);
    expect(await holder.get()).toBe(true);
    const fair1 = locks.lock('mixed:order:1', 30);
    const barging = locks.lock('mixed:order:1', 30, { fair: false });
    const fair2 = locks.lock('mixed:order:1', 30);
    const holding = new Map<string, () => void>();
    const wait = (name: string, lock: typeof fair1): Promise<unknown> =>
      lock.block(5, () => new Promise<void>((resolve) => holding.set(name, resolve)));
    const waits = [wait('fair1', fair1)];
    await sleep(5);
    waits.push(wait('barging', barging));
    await sleep(5);
    waits.push(wait('fair2', fair2));
    await sleep(5);

    await holder.release();
    expect(await holder.get()).toBe(false); // handed to fair1
    await until(() => holding.has('fair1'));
    holding.get('fair1')?.();
    // fair1's release woke the barging waiter (the key was free) and it took the lock: fair2 still waits.
    await until(() => holding.has('barging'));
    expect(holding.has('fair2')).toBe(false);
    holding.get('barging')?.();
    await until(() => holding.has('fair2'));
    holding.get('fair2')?.();
    await Promise.all(waits);
  });
});

describe('MemoryStore queue entries at the store level', () => {
  const request = (subscription: ReleaseSubscription, owner: string, waitMs = 5_000, fair = true) => ({
    key: 'k',
    owner,
    ttlMs: 30_000,
    fencing: false,
    queue: { subscription, waitMs, fair },
  });

  it('a waiter that leaves after being handed the lock passes it on to the next one', async () => {
    const store = new MemoryStore();
    expect((await store.acquire({ key: 'k', owner: 'h', ttlMs: 30_000, fencing: false })).acquired).toBe(true);
    const a = await store.subscribe('k');
    const b = await store.subscribe('k');
    expect((await store.acquire(request(a, 'a'))).acquired).toBe(false);
    expect((await store.acquire(request(b, 'b'))).acquired).toBe(false);
    expect(await store.release('k', 'h')).toBe(true);
    expect(await store.currentOwner('k')).toBe('a');
    await a.leave?.();
    a.close();
    expect(await store.currentOwner('k')).toBe('b');
    const handed = (await b.next(100)) as Handoff;
    expect(handed.handedOff).toBe(true);
    expect(await store.release('k', 'b', handed.hold)).toBe(true);
    expect(await store.currentOwner('k')).toBeNull();
    b.close();
    expect(store.trackedKeys).toBe(0);
  });

  it('a queued attempt after an unheard handoff reports the handoff instead of failing', async () => {
    const store = new MemoryStore();
    await store.acquire({ key: 'k', owner: 'h', ttlMs: 30_000, fencing: true });
    const a = await store.subscribe('k');
    expect((await store.acquire({ ...request(a, 'a'), fencing: true })).acquired).toBe(false);
    await store.release('k', 'h');
    const again = await store.acquire({ ...request(a, 'a'), fencing: true });
    expect(again).toMatchObject({ acquired: true, handedOff: true, fencingToken: 2 });
    a.close();
  });

  it('skips entries whose wait ended and subscriptions that closed', async () => {
    const store = new MemoryStore();
    await store.acquire({ key: 'k', owner: 'h', ttlMs: 30_000, fencing: false });
    const expired = await store.subscribe('k');
    const closed = await store.subscribe('k');
    expect((await store.acquire(request(expired, 'expired', 1))).acquired).toBe(false);
    expect((await store.acquire(request(closed, 'closed'))).acquired).toBe(false);
    closed.close();
    await sleep(10);
    expect(await store.release('k', 'h')).toBe(true);
    expect(await store.currentOwner('k')).toBeNull();
    expired.close();
    expect(store.trackedKeys).toBe(0);
  });

  it('a barging entry is woken, not handed the lock, and stays queued until it takes the lock', async () => {
    const store = new MemoryStore();
    await store.acquire({ key: 'k', owner: 'h', ttlMs: 30_000, fencing: false });
    const a = await store.subscribe('k');
    expect((await store.acquire(request(a, 'a', 5_000, false))).acquired).toBe(false);
    await store.release('k', 'h');
    expect(await store.currentOwner('k')).toBeNull();
    expect(await a.next(100)).toBe(true);
    // Someone else takes it first; the woken waiter loses and is woken again by the next release.
    await store.acquire({ key: 'k', owner: 'h', ttlMs: 30_000, fencing: false });
    expect((await store.acquire(request(a, 'a', 5_000, false))).acquired).toBe(false);
    await store.release('k', 'h');
    expect(await a.next(100)).toBe(true);
    expect((await store.acquire(request(a, 'a', 5_000, false))).acquired).toBe(true);
    await store.release('k', 'a');
    a.close();
    expect(store.trackedKeys).toBe(0);
  });

  it('ignores a queue request naming a subscription that is not one of its waiters on the key', async () => {
    const store = new MemoryStore();
    const other = new MemoryStore();
    await store.acquire({ key: 'k', owner: 'h', ttlMs: 30_000, fencing: false });
    const foreign = await other.subscribe('k');
    const watcher = await store.subscribe('k', { watch: true });
    expect((await store.acquire(request(foreign, 'f'))).acquired).toBe(false);
    expect((await store.acquire(request(watcher, 'w'))).acquired).toBe(false);
    await store.release('k', 'h');
    expect(await store.currentOwner('k')).toBeNull();
    foreign.close();
    watcher.close();
  });
});
