/**
 * Lua does not roll back: a script that writes and then hits a failing command leaves its writes behind. The
 * handoff scripts read (and check) everything first and treat a check the server refuses as "unknown, assume
 * alive", so a release succeeds under an ACL that denies PUBSUB and under maxmemory with noeviction, the key is
 * handed over and no waiter loses its place; every script reads the clock (TIME, which an ACL without @fast
 * refuses) before its first write. Each case runs on a private redis-server.
 */
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocks, LockStoreError, RedisStore, type LockManager } from 'locksmith-js';
import { queueKey } from '../../src/stores/redis-keys.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';

const PREFIX = 'test:script-failures:';

let server: RedisServer;
let admin: Redis;
const opened: { client: Redis; locks: LockManager }[] = [];

async function managerOn(url: string): Promise<LockManager> {
  const client = new Redis(url);
  await client.ping();
  const locks = createLocks({ store: new RedisStore(client, { recheckInterval: 60 }), prefix: PREFIX, timeout: 3 });
  opened.push({ client, locks });
  return locks;
}

async function until(check: () => Promise<boolean>, withinMs = 10_000): Promise<void> {
  const end = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`condition not met within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

beforeEach(async () => {
  server = await startRedis();
  admin = new Redis(server.url);
  await admin.ping();
});

afterEach(async () => {
  for (const { locks, client } of opened.splice(0)) {
    await locks.close();
    client.disconnect();
  }
  admin.disconnect();
  await server.stop();
});

describe('a handoff script step the server refuses', () => {
  it('release and forceRelease still hand the lock on when the ACL denies PUBSUB (the presence check)', async () => {
    await admin.call('ACL', 'SETUSER', 'app', 'on', 'nopass', '~*', '&*', '+@all', '-pubsub');
    const url = server.url.replace('redis://', 'redis://app:x@');
    const a = await managerOn(url);
    const b = await managerOn(url);
    const c = await managerOn(url);
    for (const [name, ttl] of [
      ['acl:1', 30],
      ['acl:forever', 0],
    ] as const) {
      const holder = a.lock(name, ttl);
      expect(await holder.get()).toBe(true);
      const first = b.lock(name, ttl);
      const second = c.lock(name, ttl);
      const firstWait = first.block(20);
      await until(async () => (await admin.zcard(queueKey(PREFIX + name))) === 1);
      const secondWait = second.block(20);
      await until(async () => (await admin.zcard(queueKey(PREFIX + name))) === 2);
      expect(await holder.release()).toBe(true);
      expect(await firstWait).toBe(true);
      expect(await admin.get(PREFIX + name)).toBe(first.owner);
      expect(await admin.zcard(queueKey(PREFIX + name))).toBe(1); // the second keeps its place
      await a.lock(name).forceRelease();
      expect(await secondWait).toBe(true);
      expect(await admin.get(PREFIX + name)).toBe(second.owner);
      expect(await second.release()).toBe(true);
      expect(await admin.exists(PREFIX + name)).toBe(0);
    }
  });

  it('release and forceRelease still hand the lock on under maxmemory with noeviction', async () => {
    const a = await managerOn(server.url);
    const b = await managerOn(server.url);
    const c = await managerOn(server.url);
    const holder = a.lock('oom:1', 0, { fencing: true });
    expect(await holder.get()).toBe(true);
    const first = b.lock('oom:1', 30, { fencing: true });
    const second = c.lock('oom:1', 0, { fencing: true });
    const firstWait = first.block(20);
    await until(async () => (await admin.zcard(queueKey(PREFIX + 'oom:1'))) === 1);
    const secondWait = second.block(20);
    await until(async () => (await admin.zcard(queueKey(PREFIX + 'oom:1'))) === 2);
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    await admin.config('SET', 'maxmemory', '1');
    try {
      // The server refuses a write that may grow memory now: a plain SET proves it.
      await expect(admin.set('test:script-failures:probe', 'x')).rejects.toThrow(/OOM/);
      expect(await holder.release()).toBe(true);
      expect(await firstWait).toBe(true);
      expect(first.fencingToken).toBeGreaterThan(holder.fencingToken as number);
      expect(await admin.get(PREFIX + 'oom:1')).toBe(first.owner);
      await a.lock('oom:1').forceRelease();
      expect(await secondWait).toBe(true);
      expect(second.fencingToken).toBeGreaterThan(first.fencingToken as number);
      expect(await admin.get(PREFIX + 'oom:1')).toBe(second.owner);
      expect(await second.release()).toBe(true);
      expect(await admin.exists(PREFIX + 'oom:1')).toBe(0);
    } finally {
      await admin.config('SET', 'maxmemory', '0');
    }
  });
});

describe('an ACL that denies TIME (only in @fast: `+@read +@write +@scripting` leaves it out)', () => {
  async function appWithoutTime(): Promise<LockManager> {
    await admin.call('ACL', 'SETUSER', 'notime', 'on', 'nopass', 'resetkeys', `~${PREFIX}*`, '~{*}*:locksmith:*',
      'resetchannels', '&*', '-@all', '+@read', '+@write', '+@scripting', '+@pubsub', '+@connection', '+info');
    return managerOn(server.url.replace('redis://', 'redis://notime:x@'));
  }

  it('a fenced acquisition fails before its first write: no key is left held by a caller told it failed', async () => {
    const app = await appWithoutTime();
    for (const ttl of [0, 30]) {
      const lock = app.lock(`acl:time:${ttl}`, ttl, { fencing: true });
      await expect(lock.get()).rejects.toThrow(LockStoreError);
      expect(await admin.exists(PREFIX + `acl:time:${ttl}`)).toBe(0);
    }
    // A waiter's queued attempt (acquire-or-enqueue) on a free key, fenced: the same.
    const store = app.store as RedisStore;
    const key = PREFIX + 'acl:time:queued';
    const subscription = await store.subscribe(key);
    const attempt = store.acquire({ key, owner: 'w', ttlMs: 0, fencing: true, queue: { subscription, waitMs: 1_000 } });
    await expect(attempt).rejects.toThrow(/can't run this command/);
    expect(await admin.exists(key)).toBe(0);
    subscription.close();
  });

  it('a release to a fenced waiter fails before its first write: the holder still holds, the waiter stays queued', async () => {
    const full = await managerOn(server.url);
    const app = await appWithoutTime();
    const holder = app.lock('acl:handoff', 30);
    expect(await holder.get()).toBe(true);
    const waiter = full.lock('acl:handoff', 30, { fencing: true });
    const waiting = waiter.block(5);
    await until(async () => (await admin.zcard(queueKey(PREFIX + 'acl:handoff'))) === 1);
    const refused = await holder.release().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LockStoreError);
    expect(String((refused as LockStoreError).cause)).toMatch(/can't run this command/);
    expect(await admin.get(PREFIX + 'acl:handoff')).toBe(holder.owner);
    expect(await admin.zcard(queueKey(PREFIX + 'acl:handoff'))).toBe(1);
    // Released by a client the ACL lets read the clock: the key is handed on to the waiter as usual.
    expect(await full.restoreLock('acl:handoff', holder.owner).release()).toBe(true);
    expect(await waiting).toBe(true);
    expect(await waiter.release()).toBe(true);
  });
});

describe('the ACL docs/redis.md lists', () => {
  it('is enough for every operation: acquire, queue, hand on (fenced, ttl 0), leave, refresh, lease, force-release', async () => {
    const commands = [
      'set', 'get', 'evalsha', 'eval', 'del', 'exists', 'pexpire', 'persist', 'pttl', 'time', 'zscore', 'zadd',
      'zrem', 'zrange', 'zremrangebyrank', 'publish', 'subscribe', 'unsubscribe', 'pubsub|numsub', 'info',
      'client|setname', 'ping',
    ].map((command) => `+${command}`);
    await admin.call('ACL', 'SETUSER', 'app', 'on', 'nopass', 'resetkeys', `~${PREFIX}*`, '~{*}*:locksmith:*',
      'resetchannels', '&{*}*:locksmith:released', '&locksmith:alive:*', '-@all', ...commands);
    const url = server.url.replace('redis://', 'redis://app:x@');
    const a = await managerOn(url);
    const b = await managerOn(url);
    const c = await managerOn(url);
    const holder = a.lock('acl:min', 30, { fencing: true });
    expect(await holder.get()).toBe(true);
    expect(await holder.refresh(40)).toBe(true);
    const first = b.lock('acl:min', 0, { fencing: true });
    const second = c.lock('acl:min', 30);
    const leaving = c.lock('acl:min', 30);
    const firstWait = first.block(20);
    await until(async () => (await admin.zcard(queueKey(PREFIX + 'acl:min'))) === 1);
    const secondWait = second.block(20);
    await until(async () => (await admin.zcard(queueKey(PREFIX + 'acl:min'))) === 2);
    await expect(leaving.block(0.3)).rejects.toMatchObject({ name: 'LockTimeoutError' });
    expect(await holder.release()).toBe(true);
    expect(await firstWait).toBe(true);
    expect(first.fencingToken).toBeGreaterThan(holder.fencingToken as number);
    await until(async () => (await admin.pttl(PREFIX + 'acl:min')) === -1); // the claim was confirmed
    expect(await first.isOwnedByCurrentProcess()).toBe(true);
    await a.lock('acl:min').forceRelease();
    expect(await secondWait).toBe(true);
    expect(await second.release()).toBe(true);
    expect(await admin.exists(PREFIX + 'acl:min')).toBe(0);
    expect(await admin.zcard(queueKey(PREFIX + 'acl:min'))).toBe(0);
  });
});
