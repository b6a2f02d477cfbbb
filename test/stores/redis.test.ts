/**
 * RedisStore behaviour that only Redis has: the Laravel-compatible layout, the scripts, the subscriber
 * connection, wake-ups. Runs on the shared redis-server under this file's own prefix; anything destructive
 * (SCRIPT FLUSH) runs on a private server.
 */
import { createRequire } from 'node:module';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLocks, RedisStore, type LockManager } from 'locksmith-js';
import { fencingKey, hashTag, keySlot, queueKey, releaseChannel } from '../../src/stores/redis-keys.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';

/** ioredis's own slot function (untyped CommonJS): the reference our derived names are checked against. */
const clusterKeySlot = createRequire(import.meta.url)('cluster-key-slot') as (key: string) => number;

const PREFIX = 'test:redis-store:';
/** Laravel's RedisLock release script (LuaScripts::releaseLock), verbatim. */
const LARAVEL_RELEASE = `if redis.call("get",KEYS[1]) == ARGV[1] then
    return redis.call("del",KEYS[1])
else
    return 0
end`;

let redis: Redis;
let store: RedisStore;
let locks: LockManager;

beforeAll(async () => {
  redis = new Redis(inject('redisUrl'));
  await redis.ping();
  store = new RedisStore(redis);
  locks = createLocks({ store, prefix: PREFIX, timeout: 2 });
});

afterAll(async () => {
  await locks.close();
  redis.disconnect();
});

/** Names of the connections a server sees, e.g. `locksmith:releases` for a store's subscriber. */
async function connectionNames(client: Redis): Promise<string[]> {
  const list = (await client.client('LIST')) as string;
  return list
    .trim()
    .split('\n')
    .map((line) => /(?:^| )name=(\S*)/.exec(line)?.[1] ?? '');
}

describe('Laravel interop', () => {
  it("stores the owner token as the key's value, with the TTL as its expiry", async () => {
    const lock = locks.lock('layout:one', 30);
    expect(await lock.get()).toBe(true);
    expect(await redis.get(`${PREFIX}layout:one`)).toBe(lock.owner);
    const pttl = await redis.pttl(`${PREFIX}layout:one`);
    expect(pttl).toBeGreaterThan(29_000);
    expect(pttl).toBeLessThanOrEqual(30_000);
    await lock.release();
    expect(await redis.exists(`${PREFIX}layout:one`)).toBe(0);
  });

  it('ttl 0 stores the key without expiry', async () => {
    const lock = locks.lock('layout:forever');
    expect(await lock.get()).toBe(true);
    expect(await redis.pttl(`${PREFIX}layout:forever`)).toBe(-1);
    await lock.release();
  });

  it("a raw SET NX PX holder (Laravel's acquire) blocks us, and a Laravel-style release frees us", async () => {
    const key = `${PREFIX}interop:laravel`;
    expect(await redis.set(key, 'php-owner', 'PX', 60_000, 'NX')).toBe('OK');
    const lock = locks.lock('interop:laravel', 10);
    expect(await lock.get()).toBe(false);

    const waiting = lock.block(10);
    await new Promise((resolve) => setTimeout(resolve, 150));
    // Laravel's release does not publish: the waiter must notice through its fallback re-check.
    expect(await redis.eval(LARAVEL_RELEASE, 1, key, 'php-owner')).toBe(1);
    const releasedAt = performance.now();
    expect(await waiting).toBe(true);
    // Generous: the fallback ceiling is 100 ms for the head waiter; this only proves it was not the 10 s wait.
    expect(performance.now() - releasedAt).toBeLessThan(5_000);
    expect(await redis.get(key)).toBe(lock.owner);
    await lock.release();
  });

  it('many waiters behind a Laravel holder: the first notices the silent release, the rest follow by announcements', async () => {
    const key = `${PREFIX}interop:many`;
    expect(await redis.set(key, 'php-owner', 'PX', 60_000, 'NX')).toBe('OK');
    const served: number[] = [];
    const waiters = Array.from({ length: 20 }, (_, i) =>
      locks.lock('interop:many', 10).block(20, async () => {
        served.push(i);
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await redis.eval(LARAVEL_RELEASE, 1, key, 'php-owner')).toBe(1);
    await Promise.all(waiters);
    expect([...served].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('when the re-checking waiter gives up, the next one takes over the re-check', async () => {
    const key = `${PREFIX}interop:handover`;
    expect(await redis.set(key, 'php-owner', 'PX', 60_000, 'NX')).toBe('OK');
    const first = locks.lock('interop:handover', 10).block(0.3);
    const second = locks.lock('interop:handover', 10);
    const secondWaits = second.block(30);
    await expect(first).rejects.toThrow(/within 0.3s/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await redis.eval(LARAVEL_RELEASE, 1, key, 'php-owner')).toBe(1);
    const releasedAt = performance.now();
    expect(await secondWaits).toBe(true);
    // Far below the 30 s wait: the second waiter re-checked on its own once the first had left.
    expect(performance.now() - releasedAt).toBeLessThan(10_000);
    await second.release();
  });

  it("our lock blocks a raw SET NX (Laravel's acquire), and Laravel's release cannot free it with another token", async () => {
    const lock = locks.lock('interop:ours', 30);
    expect(await lock.get()).toBe(true);
    const key = `${PREFIX}interop:ours`;
    expect(await redis.set(key, 'php-owner', 'EX', 30, 'NX')).toBeNull();
    expect(await redis.eval(LARAVEL_RELEASE, 1, key, 'php-owner')).toBe(0);
    // ...but with our token (what a PHP process would have been handed) it can.
    expect(await redis.eval(LARAVEL_RELEASE, 1, key, lock.owner)).toBe(1);
    expect(await lock.isLocked()).toBe(false);
  });
});

describe('leases', () => {
  it('millisecond TTLs expire on the server', async () => {
    const first = locks.lock('ttl:ms', '60ms');
    expect(await first.get()).toBe(true);
    expect(await redis.pttl(`${PREFIX}ttl:ms`)).toBeLessThanOrEqual(60);
    expect(await locks.lock('ttl:ms', 10).get()).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 120));
    const second = locks.lock('ttl:ms', 10);
    expect(await second.get()).toBe(true);
    expect(await first.release()).toBe(false);
    await second.release();
  });

  it('a waiter takes over an expired lease without an announced release', async () => {
    const holder = locks.lock('ttl:expire-wait', '300ms');
    expect(await holder.get()).toBe(true);
    const started = performance.now();
    const waiter = locks.lock('ttl:expire-wait', 5);
    expect(await waiter.block(20)).toBe(true);
    // Far below the 20 s wait (whose last attempt would also succeed): a re-check noticed the expiry.
    expect(performance.now() - started).toBeLessThan(8_000);
    expect(await redis.get(`${PREFIX}ttl:expire-wait`)).toBe(waiter.owner);
    await waiter.release();
  });

  it('refresh sets the lease in ms and refresh(0) persists; remainingLease reads it atomically with the owner', async () => {
    const key = `${PREFIX}ttl:refresh`;
    const lock = locks.lock('ttl:refresh', 5);
    expect(await lock.get()).toBe(true);
    expect(await store.refresh(key, lock.owner, 1_500)).toBe(true);
    expect(await redis.pttl(key)).toBeLessThanOrEqual(1_500);
    const left = await store.remainingLease(key, lock.owner);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(1_500);
    expect(await store.remainingLease(key, 'someone-else')).toBeNull();
    expect(await store.refresh(key, 'someone-else', 60_000)).toBe(false);
    expect(await store.refresh(key, lock.owner, 0)).toBe(true);
    expect(await redis.pttl(key)).toBe(-1);
    expect(await store.remainingLease(key, lock.owner)).toBe(-1);
    await lock.release();
    expect(await store.remainingLease(key, lock.owner)).toBeNull();
  });

  it('a failed fenced acquire reports the holder lease left (the script reads PTTL in the same step)', async () => {
    const key = `${PREFIX}ttl:report`;
    const acquired = { acquired: true, hold: expect.any(String) as unknown };
    expect(await store.acquire({ key, owner: 'a', ttlMs: 8_000, fencing: false })).toEqual(acquired);
    // Without fencing the acquire is SET NX PX and the hold record: a failure does not learn the lease.
    expect(await store.acquire({ key, owner: 'b', ttlMs: 8_000, fencing: false })).toEqual({ acquired: false });
    const result = await store.acquire({ key, owner: 'b', ttlMs: 8_000, fencing: true });
    expect(result.acquired).toBe(false);
    const remaining = result.acquired ? undefined : result.remainingMs;
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThanOrEqual(8_000);
    await store.forceRelease(key);
    expect(await store.acquire({ key, owner: 'p', ttlMs: 0, fencing: false })).toEqual(acquired);
    expect(await store.acquire({ key, owner: 'q', ttlMs: 0, fencing: true })).toEqual({
      acquired: false,
      remainingMs: -1,
    });
    await store.forceRelease(key);
  });
});

describe('fencing', () => {
  it('issues strictly increasing tokens from a counter next to the key', async () => {
    const tokens: number[] = [];
    for (let i = 0; i < 3; i++) {
      const lock = locks.lock('fence:counter', 10, { fencing: true });
      expect(await lock.get()).toBe(true);
      tokens.push(lock.fencingToken as number);
      await lock.release();
    }
    expect(tokens[1]).toBeGreaterThan(tokens[0] as number);
    expect(tokens[2]).toBeGreaterThan(tokens[1] as number);
    // The counter is its own key (same slot as the lock key), so the lock key's value stays the owner token.
    expect(await redis.get(`{${PREFIX}fence:counter}${PREFIX}fence:counter:locksmith:fence`)).toBe(String(tokens[2]));
  });
});

describe('wake-on-release', () => {
  it('a release wakes a waiter at once, not at the fallback re-check', async () => {
    // Fallback ceilings far beyond the wait: if the waiter acquires, the announcement woke it.
    const slowStore = new RedisStore(redis, { recheckInterval: 60 });
    const slow = createLocks({ store: slowStore, prefix: PREFIX, recheckInterval: 60 });
    try {
      const holder = slow.lock('wake:one', 120);
      expect(await holder.get()).toBe(true);
      const waiting = slow.lock('wake:one', 120).block(20);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const releasedAt = performance.now();
      await holder.release();
      expect(await waiting).toBe(true);
      // Far below the 20 s wait (whose last attempt would also succeed): the announcement woke it.
      expect(performance.now() - releasedAt).toBeLessThan(8_000);
    } finally {
      await slow.close();
    }
  });

  it('one release wakes one waiter; a waiter leaving with an unused wake-up passes it on', async () => {
    const key = `${PREFIX}wake:fifo`;
    const own = new RedisStore(redis, { recheckInterval: 60 });
    try {
      expect((await own.acquire({ key, owner: 'h', ttlMs: 60_000, fencing: false })).acquired).toBe(true);
      const first = await own.subscribe(key);
      const second = await own.subscribe(key);
      const third = await own.subscribe(key);
      const waits = [first.next(1_500), second.next(1_500), third.next(1_500)];
      expect(await own.release(key, 'h')).toBe(true);
      expect(await Promise.all(waits)).toEqual([true, false, false]);

      // A wake-up that arrives while no one is inside next() is kept for the first waiter...
      expect((await own.acquire({ key, owner: 'h', ttlMs: 60_000, fencing: false })).acquired).toBe(true);
      expect(await own.release(key, 'h')).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 100));
      // ...and when that waiter leaves without using it, the next one gets it.
      first.close();
      expect(await second.next(1_500)).toBe(true);
      expect(await third.next(200)).toBe(false);
      second.close();
      third.close();
    } finally {
      await own.close();
    }
  });
});

describe('connections (private server: counts connections)', () => {
  let server: RedisServer;
  let client: Redis;

  beforeAll(async () => {
    server = await startRedis();
    client = new Redis(server.url);
  });

  afterAll(async () => {
    client.disconnect();
    await server.stop();
  });

  it('one subscriber connection serves many waiters, all served in turn', async () => {
    const watcher = new Redis(server.url);
    const own = new RedisStore(client);
    const many = createLocks({ store: own, prefix: PREFIX });
    try {
      const holders = await Promise.all(
        [0, 1, 2].map(async (k) => {
          const holder = many.lock(`wake:many:${k}`, 30);
          expect(await holder.get()).toBe(true);
          return holder;
        }),
      );
      const order: string[] = [];
      const waiters = Array.from({ length: 30 }, (_, i) =>
        many.lock(`wake:many:${i % 3}`, 30).block(20, async () => {
          order.push(`w${i}`);
          await new Promise((resolve) => setTimeout(resolve, 2));
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      const names = await connectionNames(watcher);
      // Exactly three: the user's client, this watcher, and the store's one subscriber for all 30 waiters.
      expect(names.filter((name) => name === 'locksmith:releases')).toHaveLength(1);
      expect(names).toHaveLength(3);
      await Promise.all(holders.map((holder) => holder.release()));
      await Promise.all(waiters);
      expect(order).toHaveLength(30);
      expect(new Set(order).size).toBe(30);
    } finally {
      await many.close();
      watcher.disconnect();
    }
  });

  it('close() closes only the store connection, never the user client', async () => {
    const user = new Redis(server.url, { connectionName: 'test:redis-store:user' });
    const watcher = new Redis(server.url);
    const own = new RedisStore(user);
    const mine = createLocks({ store: own, prefix: PREFIX });
    try {
      const holder = mine.lock('close:user', 30);
      expect(await holder.get()).toBe(true);
      const subscription = await own.subscribe(`${PREFIX}close:user`);
      const pending = subscription.next(10_000);
      await mine.close();
      expect(await pending).toBe(false);
      await own.close(); // idempotent
      expect(await user.ping()).toBe('PONG');
      expect(user.status).toBe('ready');
      await new Promise((resolve) => setTimeout(resolve, 50));
      const names = await connectionNames(watcher);
      expect(names).toContain('test:redis-store:user');
      expect(names.filter((name) => name === 'locksmith:releases')).toHaveLength(0);
      await expect(own.subscribe(`${PREFIX}close:user`)).rejects.toThrow(/closed/);
      await user.del(`${PREFIX}close:user`);
    } finally {
      user.disconnect();
      watcher.disconnect();
    }
  });
});

describe('scripts', () => {
  let server: RedisServer;
  let client: Redis;

  beforeAll(async () => {
    server = await startRedis();
    client = new Redis(server.url);
  });

  afterAll(async () => {
    client.disconnect();
    await server.stop();
  });

  it('survive SCRIPT FLUSH (NOSCRIPT falls back to EVAL, which reloads them)', async () => {
    const own = new RedisStore(client);
    const mine = createLocks({ store: own, prefix: PREFIX });
    try {
      const lock = mine.lock('flush:me', 10, { fencing: true });
      let previous = 0;
      for (let round = 0; round < 2; round++) {
        await client.script('FLUSH');
        expect(await lock.get()).toBe(true);
        expect(lock.fencingToken).toBeGreaterThan(previous);
        previous = lock.fencingToken as number;
        expect(await lock.refresh(20)).toBe(true);
        await client.script('FLUSH');
        expect(await own.remainingLease(`${PREFIX}flush:me`, lock.owner)).toBeGreaterThan(10_000);
        await client.script('FLUSH');
        expect(await lock.release()).toBe(true);
        expect(await mine.lock('flush:me', 10).get()).toBe(true);
        await client.script('FLUSH');
        await mine.lock('flush:me').forceRelease();
        expect(await lock.isLocked()).toBe(false);
      }
      const stats = (await client.info('commandstats')) as string;
      expect(stats).toMatch(/cmdstat_evalsha:calls=\d+/);
      expect(stats).toMatch(/cmdstat_eval:calls=\d+/);
    } finally {
      await mine.close();
    }
  });

  it('runs by SHA once loaded (one EVAL per script, then EVALSHA only)', async () => {
    await client.script('FLUSH');
    await client.config('RESETSTAT');
    const own = new RedisStore(client);
    const mine = createLocks({ store: own, prefix: PREFIX });
    try {
      for (let i = 0; i < 5; i++) {
        const lock = mine.lock('sha:only', 10, { fencing: true });
        expect(await lock.get()).toBe(true);
        expect(await lock.release()).toBe(true);
        const plain = mine.lock('sha:only', 10);
        expect(await plain.get()).toBe(true); // the acquire script: SET NX PX and the hold record
        expect(await plain.release()).toBe(true);
      }
      const stats = (await client.info('commandstats')) as string;
      // acquire-fenced, release and acquire, once each; then by SHA: 4 calls per round, less those 3
      expect(/cmdstat_eval:calls=(\d+)/.exec(stats)?.[1]).toBe('3');
      expect(Number(/cmdstat_evalsha:calls=(\d+)/.exec(stats)?.[1])).toBe(5 * 4);
      // inside the scripts: fenced 5 × (key, counter (time-floored, see NEXT_FENCE), hold record); plain 5 × (key,
      // hold record)
      expect(Number(/cmdstat_set:calls=(\d+)/.exec(stats)?.[1])).toBe(5 * 3 + 5 * 2);
    } finally {
      await mine.close();
    }
  });
});

describe('configuration', () => {
  it('refuses a client with keyPrefix (the prefix belongs to createLocks)', () => {
    const prefixed = new Redis(inject('redisUrl'), { keyPrefix: 'x:', lazyConnect: true });
    expect(() => new RedisStore(prefixed)).toThrow(TypeError);
    expect(() => new RedisStore(prefixed)).toThrow(/createLocks\(\{ prefix \}\)/);
    prefixed.disconnect();
  });

  it('refuses what is not an ioredis client, and unknown or mistyped options', () => {
    expect(() => new RedisStore({} as never)).toThrow(/client must be an ioredis Redis or Cluster, got object/);
    expect(() => new RedisStore(undefined as never)).toThrow(TypeError);
    expect(() => new RedisStore(redis, { recheckIntervall: 1 } as never)).toThrow(/unknown option "recheckIntervall"/);
    expect(() => new RedisStore(redis, { failWhileReconnecting: 'no' } as never)).toThrow(
      /options.failWhileReconnecting must be a boolean/,
    );
    expect(() => new RedisStore(redis, null as never)).toThrow(/options must be an object/);
  });

  it('validates recheckInterval and exposes it in ms', () => {
    expect(new RedisStore(redis).recheckIntervalMs).toBe(100);
    expect(new RedisStore(redis, { recheckInterval: '250ms' }).recheckIntervalMs).toBe(250);
    expect(new RedisStore(redis, { recheckInterval: 0.5 }).recheckIntervalMs).toBe(500);
    expect(() => new RedisStore(redis, { recheckInterval: -1 })).toThrow(/recheckInterval/);
    expect(() => new RedisStore(redis, { recheckInterval: '30' as never })).toThrow(TypeError);
    expect(() => new RedisStore(redis, { recheckInterval: 0 })).toThrow(RangeError);
  });

  it('validates handoffClaim (the lease of a ttl-0 lock handed to a waiter) and exposes it in ms', () => {
    expect(new RedisStore(redis).handoffClaimMs).toBe(30_000);
    expect(new RedisStore(redis, { handoffClaim: '400ms' }).handoffClaimMs).toBe(400);
    expect(new RedisStore(redis, { handoffClaim: 2 }).handoffClaimMs).toBe(2_000);
    expect(() => new RedisStore(redis, { handoffClaim: -1 })).toThrow(/handoffClaim/);
    expect(() => new RedisStore(redis, { handoffClaim: '30' as never })).toThrow(TypeError);
    expect(() => new RedisStore(redis, { handoffClaim: 0 })).toThrow(RangeError);
  });
});

describe('derived names (channel, fencing counter, waiter queue) stay in the lock key slot', () => {
  it.each([
    'app:process:package:1A4',
    '{user42}:sync',
    'prefix:{tag}:a{b}c',
    'a}b',
    'x{}y',
    '}a{b',
    'a{b',
    '{',
    '}',
    '{}',
    '{{a}}',
    'héllo:ключ:🔒',
  ])('%j', (key) => {
    const slot = clusterKeySlot(key);
    expect(keySlot(key)).toBe(slot);
    expect(clusterKeySlot(releaseChannel(key))).toBe(slot);
    expect(clusterKeySlot(fencingKey(key))).toBe(slot);
    expect(clusterKeySlot(queueKey(key))).toBe(slot);
    expect(releaseChannel(key)).not.toBe(key);
    expect(fencingKey(key)).not.toBe(releaseChannel(key));
    expect(new Set([key, releaseChannel(key), fencingKey(key), queueKey(key)]).size).toBe(4);
  });

  it('keeps a valid hash tag and wraps a key without one', () => {
    expect(hashTag('a{b}c')).toBe('b');
    expect(hashTag('x{}y')).toBeUndefined();
    expect(releaseChannel('a{b}c')).toBe('{b}a{b}c:locksmith:released');
    expect(fencingKey('app:x')).toBe('{app:x}app:x:locksmith:fence');
    expect(queueKey('app:x')).toBe('{app:x}app:x:locksmith:queue');
    expect(queueKey('a{b}c')).toBe('{b}a{b}c:locksmith:queue');
  });

  it('gives distinct keys distinct channels, even keys that share a slot', () => {
    expect(releaseChannel('a}b')).not.toBe(releaseChannel('a}c'));
    expect(releaseChannel('{t}1')).not.toBe(releaseChannel('{t}2'));
  });
});
