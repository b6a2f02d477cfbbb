/**
 * Issue 5, lease auto-extension, on real stores (MemoryStore and RedisStore on a real redis-server):
 * - `autoExtend` keeps a 1 s lock held through a 3 s closure, and nobody else can take it meanwhile;
 * - without `autoExtend` the lease lapses after 1 s and the closure's signal aborts with a LockLostError;
 * - losing the lock aborts the signal: a force-release during the closure, or Redis paused (SIGSTOP, on a
 *   private server) past the lease, in which case the closure's own result or error still comes out
 *   although the release afterwards fails.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLocks, LockLostError, LockStoreError, MemoryStore, RedisStore, type LockManager } from 'locksmith-js';
import { releaseChannel } from '../../src/stores/redis-keys.js';
import { startRedis } from '../support/redis-server.js';
import { aborted } from './doubles.js';

const PREFIX = `test:auto-extend:${process.pid}:`;


let redis: Redis;
const managers: Record<'memory' | 'redis', () => LockManager> = {
  memory: () => createLocks({ store: new MemoryStore(), prefix: PREFIX }),
  redis: () => createLocks({ store: new RedisStore(redis), prefix: PREFIX }),
};

beforeAll(async () => {
  redis = new Redis(inject('redisUrl'));
  await redis.ping();
});

afterAll(() => {
  redis.disconnect();
});

describe.each(['memory', 'redis'] as const)('on %s', (kind) => {
  let locks: LockManager;
  beforeAll(() => {
    locks = managers[kind]();
  });
  afterAll(async () => {
    await locks.close();
  });

  it.concurrent('autoExtend keeps a 1 s lock through a 3 s closure, exclusively', async ({ expect }) => {
    const name = `keep:${kind}`;
    const rival = locks.lock(name, 10);
    const checks: { owned: boolean; rivalGot: boolean; aborted: boolean }[] = [];
    const result = await locks.lock(name, 1, { autoExtend: true }).block(1, async ({ signal, lock }) => {
      for (let elapsed = 0; elapsed < 3_000; elapsed += 250) {
        await sleep(250);
        checks.push({
          owned: await lock.isOwnedByCurrentProcess(),
          rivalGot: await rival.get(),
          aborted: signal.aborted,
        });
      }
      return 'finished';
    });
    expect(result).toBe('finished');
    expect(checks).toHaveLength(12); // the closure ran three times the TTL
    expect(checks.every((check) => check.owned && !check.rivalGot && !check.aborted)).toBe(true);
    // Released after the closure: the rival gets it now.
    expect(await rival.get()).toBe(true);
    await rival.release();
  });

  it.concurrent('without autoExtend the 1 s lease lapses and the signal aborts with LockLostError', async ({ expect }) => {
    const name = `lapse:${kind}`;
    const started = performance.now();
    const outcome = await locks.lock(name, 1).block(1, async ({ signal, lock }) => {
      const reason = await aborted(signal, 5_000);
      return { reason, afterMs: performance.now() - started, owned: await lock.isOwnedByCurrentProcess() };
    });
    expect(outcome.reason).toBeInstanceOf(LockLostError);
    expect(outcome.reason).toMatchObject({ lockName: name, reason: expect.stringMatching(/expired/) });
    // It aborted because the lease ran out, not before.
    expect(outcome.afterMs).toBeGreaterThanOrEqual(950);
    expect(outcome.owned).toBe(false);
  });

  it.concurrent('a force-release during the closure aborts the signal; the closure result is returned', async ({ expect }) => {
    const name = `forced:${kind}`;
    const result = await locks.lock(name, 10, { autoExtend: true }).block(1, async ({ signal }) => {
      await sleep(100);
      expect(signal.aborted).toBe(false);
      await locks.lock(name).forceRelease(); // an administrator, through another handle
      const reason = await aborted(signal, 5_000);
      return reason;
    });
    expect(result).toBeInstanceOf(LockLostError);
    expect((result as LockLostError).lockName).toBe(name);
    expect((result as LockLostError).reason).toMatch(/force-released/);
  });

  it.concurrent('a takeover after expiry aborts the signal of the stale holder', async ({ expect }) => {
    const name = `takeover:${kind}`;
    const result = await locks.lock(name, 0.3).block(1, async ({ signal }) => {
      await sleep(400); // the lease lapsed; someone else takes the lock
      const thief = locks.lock(name, 10);
      const stolen = await thief.get();
      const reason = await aborted(signal, 5_000);
      await thief.release();
      return { stolen, reason };
    });
    expect(result.stolen).toBe(true);
    expect(result.reason).toBeInstanceOf(LockLostError);
  });

  it.concurrent('a force-release and a re-acquisition with the same owner token at once abort the first hold', async ({ expect }) => {
    // A retried job passing its job id as owner: the token alone cannot tell the new hold from ours.
    const name = `same-token:${kind}`;
    const store = locks.store;
    await store.forceRelease(`${PREFIX}${name}:unheld`); // script loaded: no NOSCRIPT retry to reorder the two below
    const reason = await locks.lock(name, 30, { owner: 'job-7' }).block(1, async ({ signal }) => {
      // Let the watch subscribe and confirm its lease first (a force-release before that is the confirmation's
      // to find, and says so with another reason).
      if (kind === 'redis') await subscribed(releaseChannel(PREFIX + name));
      await sleep(200);
      // Both before the watch hears the announcement: it then finds the key holding 'job-7' again.
      const forced = store.forceRelease(PREFIX + name);
      const retried = store.acquire({ key: PREFIX + name, owner: 'job-7', ttlMs: 30_000, fencing: false });
      await forced;
      expect((await retried).acquired).toBe(true);
      return aborted(signal, 5_000);
    });
    expect(reason).toBeInstanceOf(LockLostError);
    expect((reason as LockLostError).reason).toMatch(/another hold of the same owner token/);
    await store.forceRelease(PREFIX + name);
  });
});

/** Waits until someone (the lease watch's store) listens on `channel`. */
async function subscribed(channel: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const [, listeners] = (await redis.call('PUBSUB', 'NUMSUB', channel)) as [string, number];
    if (listeners > 0) return;
    if (Date.now() > deadline) throw new Error(`nobody subscribed to ${channel} within 5 s`);
    await sleep(10);
  }
}

describe('Redis paused (SIGSTOP) past the lease, on a private server', () => {
  it('aborts the signal with LockLostError; the closure result and error survive the failing release', async () => {
    const server = await startRedis();
    const client = new Redis(server.url, { maxRetriesPerRequest: 1 });
    const errors: unknown[] = [];
    const locks = createLocks({
      store: new RedisStore(client),
      prefix: PREFIX,
      timeout: 0.5,
      onError: (error) => errors.push(error),
    });
    try {
      const held = new Set<string>();
      let pause!: () => void;
      const paused = new Promise<void>((resolve) => (pause = resolve));
      const bothHolding = (name: string): void => {
        held.add(name);
        if (held.size === 2) pause();
      };
      const returning = locks.lock('paused:returns', 1, { autoExtend: true }).block(1, async ({ signal }) => {
        bothHolding('returns');
        const reason = await aborted(signal, 10_000);
        return { value: 'computed under the lock', reason };
      });
      class Boom extends Error {}
      const boom = new Boom('the closure failed');
      const throwing = locks.lock('paused:throws', 1, { autoExtend: true }).block(1, async ({ signal }) => {
        bothHolding('throws');
        await aborted(signal, 10_000);
        throw boom;
      });
      await paused;
      await sleep(100); // both lease watches are running
      server.pause();
      const [returned, thrown] = await Promise.allSettled([returning, throwing]);
      server.resume();

      expect(returned.status).toBe('fulfilled');
      const value = (returned as PromiseFulfilledResult<{ value: string; reason: unknown }>).value;
      expect(value.value).toBe('computed under the lock');
      expect(value.reason).toBeInstanceOf(LockLostError);
      expect((value.reason as LockLostError).lockName).toBe('paused:returns');
      expect((value.reason as LockLostError).reason).toMatch(/unreachable|expired|stalled/);

      expect(thrown.status).toBe('rejected');
      expect((thrown as PromiseRejectedResult).reason).toBe(boom); // unchanged, not the release's failure

      // The releases after both closures failed (Redis was still paused) and were reported, not thrown.
      expect(errors.some((error) => error instanceof LockStoreError && error.operation === 'release')).toBe(true);
    } finally {
      server.resume();
      await locks.close();
      client.disconnect();
      await server.stop();
    }
  });
});
