/**
 * The lock events (`locksmith:*` on node:diagnostics_channel), checked against one store: every event, its
 * payload, and the name without the manager's prefix. Run on Memory, Redis, Quorum (events.test.ts) and a
 * Redis Cluster (test/cli/locks-cluster.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createLocks,
  LOCK_ACQUIRED,
  LOCK_LOST,
  LOCK_RELEASED,
  LOCK_STORE_ERROR,
  LOCK_TIMEOUT,
  LockLostError,
  LockStoreError,
  LockTimeoutError,
  type LockManager,
  type LockStore,
} from 'locksmith-js';

export interface Recorded {
  readonly channel: string;
  readonly message: Record<string, unknown>;
}

const CHANNELS = [LOCK_ACQUIRED, LOCK_RELEASED, LOCK_TIMEOUT, LOCK_LOST, LOCK_STORE_ERROR] as const;

/** Subscribes to every locksmith channel until `stop()`; `events` holds what arrived, in order. */
export function recordEvents(): { events: Recorded[]; stop(): void } {
  const events: Recorded[] = [];
  const handlers = CHANNELS.map((name) => {
    const handler = (message: unknown): void => void events.push({ channel: name, message: message as Record<string, unknown> });
    subscribe(name, handler);
    return [name, handler] as const;
  });
  return { events, stop: () => handlers.forEach(([name, handler]) => unsubscribe(name, handler)) };
}

export interface EventSuiteSubject {
  readonly store: LockStore;
  /** Whether a release hands the lock to a queued waiter (direct handoff): `acquired.handoff` is then true. */
  readonly handsOff: boolean;
  /** With `handsOff`: how many waiters the store has queued for a full key. */
  queued?(key: string): Promise<number>;
  /** A store of the same kind whose every call fails for real (e.g. its Redis connection is closed). */
  broken(): Promise<LockStore>;
  cleanup(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function describeEventSuite(title: string, make: () => Promise<EventSuiteSubject>): void {
  describe(`lock events: ${title}`, () => {
    let subject: EventSuiteSubject;
    let locks: LockManager;
    let recorder: ReturnType<typeof recordEvents>;
    const prefix = `events:${randomUUID().slice(0, 8)}:`;
    const of = (channel: string, name: string): Record<string, unknown>[] =>
      recorder.events.filter((e) => e.channel === channel && e.message.name === name).map((e) => e.message);
    const fresh = (label: string): string => `job:${label}:${randomUUID().slice(0, 6)}`;

    beforeAll(async () => {
      subject = await make();
      locks = createLocks({ store: subject.store, prefix, timeout: 3 });
    });
    afterAll(async () => {
      await subject?.cleanup();
    });
    beforeEach(() => {
      recorder = recordEvents();
    });
    afterEach(() => recorder.stop());

    it('acquired and released: the name without prefix, the owner, the wait and the hold', async () => {
      const name = fresh('plain');
      const lock = locks.lock(name, 10);
      expect(await lock.get()).toBe(true);
      await sleep(40);
      expect(await lock.release()).toBe(true);
      const [acquired] = of(LOCK_ACQUIRED, name);
      expect(acquired).toEqual({ name, owner: lock.owner, waitedMs: expect.any(Number), handoff: false });
      expect(acquired?.waitedMs).toBeGreaterThanOrEqual(0);
      const released = of(LOCK_RELEASED, name);
      expect(released).toEqual([{ name, owner: lock.owner, heldMs: expect.any(Number) }]);
      expect(released[0]?.heldMs).toBeGreaterThanOrEqual(39);
      // A second release does nothing, so it publishes nothing.
      expect(await lock.release()).toBe(false);
      expect(of(LOCK_RELEASED, name)).toHaveLength(1);
      expect(recorder.events.some((e) => typeof e.message.name === 'string' && e.message.name.startsWith(prefix))).toBe(false);
    });

    it('acquired carries the fencing token; a failed get() publishes nothing', async () => {
      const name = fresh('fenced');
      const lock = locks.lock(name, 10, { fencing: true });
      expect(await lock.get()).toBe(true);
      expect(await locks.lock(name, 10).get()).toBe(false);
      expect(of(LOCK_ACQUIRED, name)).toEqual([
        { name, owner: lock.owner, waitedMs: expect.any(Number), handoff: false, fencingToken: lock.fencingToken },
      ]);
      expect(typeof lock.fencingToken).toBe('number');
      await lock.release();
    });

    it('a waiter woken by a release publishes its wait and whether the release handed the lock over', async () => {
      const name = fresh('queued');
      const holder = locks.lock(name, 10);
      expect(await holder.get()).toBe(true);
      const waiter = locks.lock(name, 10);
      const waiting = waiter.block(10);
      await sleep(150);
      // A store that hands off must have queued the waiter before the release, or the waiter simply takes a free key.
      for (let i = 0; subject.queued && (await subject.queued(prefix + name)) === 0; i++) {
        if (i > 500) throw new Error('the waiter never queued');
        await sleep(10);
      }
      expect(await holder.release()).toBe(true);
      await expect(waiting).resolves.toBe(true);
      const acquisitions = of(LOCK_ACQUIRED, name);
      expect(acquisitions.map((e) => e.owner)).toEqual([holder.owner, waiter.owner]);
      expect(acquisitions[1]).toEqual({ name, owner: waiter.owner, waitedMs: expect.any(Number), handoff: subject.handsOff });
      expect(acquisitions[1]?.waitedMs).toBeGreaterThanOrEqual(140);
      await waiter.release();
      expect(of(LOCK_RELEASED, name).map((e) => e.owner)).toEqual([holder.owner, waiter.owner]);
    });

    it('the closure forms publish acquired and released around the closure', async () => {
      const name = fresh('closure');
      const lock = locks.lock(name, 10);
      expect(await lock.block(1, () => 'done')).toBe('done');
      expect(await lock.get(() => 'again')).toBe('again');
      expect(of(LOCK_ACQUIRED, name)).toHaveLength(2);
      expect(of(LOCK_RELEASED, name)).toHaveLength(2);
      const order = recorder.events.filter((e) => e.message.name === name).map((e) => e.channel);
      expect(order).toEqual([LOCK_ACQUIRED, LOCK_RELEASED, LOCK_ACQUIRED, LOCK_RELEASED]);
    });

    it('timeout: block() that runs out publishes the name and the wait, and no acquisition', async () => {
      const name = fresh('timeout');
      const holder = locks.lock(name, 10);
      await holder.get();
      const loser = locks.lock(name, 10);
      await expect(loser.block(0.2)).rejects.toBeInstanceOf(LockTimeoutError);
      const timeouts = of(LOCK_TIMEOUT, name);
      expect(timeouts).toEqual([{ name, waitedMs: expect.any(Number) }]);
      expect(timeouts[0]?.waitedMs).toBeGreaterThanOrEqual(195);
      expect(of(LOCK_ACQUIRED, name).map((e) => e.owner)).toEqual([holder.owner]);
      await holder.release();
    });

    it('lost: a lease that runs out under a closure, and a force-release, with the signal’s reasons', async () => {
      const expiring = fresh('expires');
      const reason = await locks.lock(expiring, 0.3).get(
        ({ signal }) =>
          new Promise<string>((resolve) => signal.addEventListener('abort', () => resolve((signal.reason as LockLostError).reason))),
      );
      expect(reason).toBe('expired');
      const lockOwner = of(LOCK_ACQUIRED, expiring)[0]?.owner;
      expect(of(LOCK_LOST, expiring)).toEqual([{ name: expiring, owner: lockOwner, reason: 'expired' }]);
      // The release after the closure found nothing to release: no released event.
      expect(of(LOCK_RELEASED, expiring)).toEqual([]);

      const forced = fresh('forced');
      const held = locks.lock(forced, 10);
      const run = held.get(
        ({ signal }) =>
          new Promise<string>((resolve) => signal.addEventListener('abort', () => resolve((signal.reason as LockLostError).reason))),
      );
      await sleep(200);
      await locks.lock(forced).forceRelease();
      expect(await run).toBe('force-released');
      expect(of(LOCK_LOST, forced)).toEqual([{ name: forced, owner: held.owner, reason: 'force-released' }]);
    });

    it('store-error: a failing store call publishes the operation and the error the caller gets', async () => {
      const broken = createLocks({ store: await subject.broken(), prefix, timeout: 1 });
      const name = fresh('broken');
      const error = await broken.lock(name, 10).get().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LockStoreError);
      const published = of(LOCK_STORE_ERROR, name);
      expect(published).toEqual([{ name, operation: 'acquire', error }]);
      await broken.close();
    });
  });
}
