/**
 * `restoreLock(name, owner).refresh()` (issue 9, item 7): the restored handle does not know the TTL the lock
 * was taken with, so a refresh without a ttl must not turn a 10 s lock into one that never expires (it sent
 * PERSIST). It rejects with a TypeError before any store call; `refresh(ttl)` and an explicit `refresh(0)`
 * work as documented. On a real redis-server (PTTL read directly) and on MemoryStore.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLocks, MemoryStore, RedisStore, type LockManager } from 'locksmith-js';
import { SwitchStore } from './doubles.js';

const PREFIX = 'test:restored-refresh:';

describe('restoreLock(name, owner).refresh() on Redis', () => {
  let redis: Redis;
  let locks: LockManager;

  beforeAll(async () => {
    redis = new Redis(inject('redisUrl'));
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length > 0) await redis.del(...keys);
    locks = createLocks({ store: new RedisStore(redis), prefix: PREFIX, timeout: 2 });
  });

  afterAll(async () => {
    await locks.close();
    redis.disconnect();
  });

  it('refresh() without a ttl rejects with a TypeError and leaves the lock expiring', async () => {
    const taken = locks.lock('job:import:1', 10);
    expect(await taken.get()).toBe(true);
    const restored = locks.restoreLock('job:import:1', taken.owner);
    await expect(restored.refresh()).rejects.toThrow(TypeError);
    await expect(restored.refresh()).rejects.toThrow(/refresh\(\) of a lock from restoreLock\(\) needs a ttl/);
    const pttl = await redis.pttl(`${PREFIX}job:import:1`);
    expect(pttl).toBeGreaterThan(8_000);
    expect(pttl).toBeLessThanOrEqual(10_000);
    expect(await restored.release()).toBe(true);
  });

  it('refresh(ttl) resets the lease; refresh(0), asked for explicitly, removes the expiry', async () => {
    const taken = locks.lock('job:import:2', 2);
    expect(await taken.get()).toBe(true);
    const restored = locks.restoreLock('job:import:2', taken.owner);
    expect(await restored.refresh(30)).toBe(true);
    expect(await redis.pttl(`${PREFIX}job:import:2`)).toBeGreaterThan(28_000);
    expect(await restored.refresh(0)).toBe(true);
    expect(await redis.pttl(`${PREFIX}job:import:2`)).toBe(-1);
    expect(await restored.release()).toBe(true);
  });

  it("a handle from lock() still refreshes with its own ttl when given none", async () => {
    const taken = locks.lock('job:import:3', 20);
    expect(await taken.get()).toBe(true);
    await redis.pexpire(`${PREFIX}job:import:3`, 1_000);
    expect(await taken.refresh()).toBe(true);
    expect(await redis.pttl(`${PREFIX}job:import:3`)).toBeGreaterThan(18_000);
    expect(await taken.release()).toBe(true);
  });
});

describe('restoreLock(name, owner).refresh() on MemoryStore', () => {
  it('rejects without a ttl before any store call, and the lock still expires', async () => {
    const store = new SwitchStore();
    const locks = createLocks({ store });
    const taken = locks.lock('job:import:4', 0.2);
    expect(await taken.get()).toBe(true);
    const restored = locks.restoreLock('job:import:4', taken.owner);
    const before = store.count('refresh');
    await expect(restored.refresh()).rejects.toThrow(TypeError);
    expect(store.count('refresh')).toBe(before);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await taken.isLocked()).toBe(false);
  });

  it('refresh(ttl) works on a restored handle', async () => {
    const locks = createLocks({ store: new MemoryStore() });
    const taken = locks.lock('job:import:5', 0.2);
    expect(await taken.get()).toBe(true);
    expect(await locks.restoreLock('job:import:5', taken.owner).refresh(5)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await taken.isOwnedByCurrentProcess()).toBe(true);
  });
});
