/**
 * Fencing tokens on Redis are max(counter + 1, server time in µs): they keep increasing across a restart
 * without persistence (the counter is gone) and a failover to a replica that had not seen the latest
 * increments, as long as the server clocks do not step back. The counter stays an integer string, so INCR
 * on it still works.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocks, RedisStore } from 'locksmith-js';
import { fencingKey, forcedKey, grantKey, queueKey, wokeKey } from '../../src/stores/redis-keys.js';
import { FENCE_COUNTER_MS } from '../../src/stores/redis-scripts.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';

const PREFIX = 'test:redis-fencing:';
const servers: RedisServer[] = [];
const clients: Redis[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  for (const server of servers.splice(0)) await server.stop();
});

async function until(check: () => Promise<boolean>, withinMs = 10_000): Promise<void> {
  const end = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`condition not met within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function clientOn(server: RedisServer): Redis {
  const client = new Redis(server.url, { maxRetriesPerRequest: 1 });
  client.on('error', () => undefined); // the restart's refused reconnects are expected
  clients.push(client);
  return client;
}

describe('time-floored fencing tokens', () => {
  it('leave nothing behind for a name fenced once: the counter expires, and tokens keep increasing after it', async () => {
    const server = await startRedis();
    servers.push(server);
    const admin = clientOn(server);
    const locks = createLocks({ store: new RedisStore(clientOn(server)), prefix: PREFIX, timeout: 3 });
    const key = PREFIX + 'once';
    const first = locks.lock('once', 30, { fencing: true });
    expect(await first.get()).toBe(true);
    expect(await first.release()).toBe(true);
    // What a name that nobody takes again leaves in Redis: the counter alone, with an expiry.
    expect(await admin.exists(key, grantKey(key), queueKey(key), wokeKey(key), forcedKey(key))).toBe(0);
    const pttl = await admin.pttl(fencingKey(key));
    expect(pttl).toBeGreaterThan(FENCE_COUNTER_MS - 60_000);
    expect(pttl).toBeLessThanOrEqual(FENCE_COUNTER_MS);
    // Once it has expired, the next token still exceeds every earlier one (the server's clock floors it).
    await admin.pexpire(fencingKey(key), 1);
    await until(async () => (await admin.exists(fencingKey(key))) === 0);
    const second = locks.lock('once', 30, { fencing: true });
    expect(await second.get()).toBe(true);
    expect(second.fencingToken).toBeGreaterThan(first.fencingToken as number);
    expect(await second.release()).toBe(true);
    expect(await admin.pttl(fencingKey(key))).toBeGreaterThan(FENCE_COUNTER_MS - 60_000);
    await locks.close();
  });

  it('are never reissued after a restart without persistence (plain and handed-over acquisitions)', async () => {
    const server = await startRedis();
    servers.push(server);
    const key = PREFIX + 'restart';
    const issued: number[] = [];
    for (let life = 0; life < 2; life++) {
      if (life === 1) {
        await server.stop({ keepDir: true });
        servers.splice(servers.indexOf(server), 1);
        servers.push(await startRedis({ port: server.port, dir: server.dir }));
      }
      const a = clientOn(server);
      const b = clientOn(server);
      const locks = createLocks({ store: new RedisStore(a), prefix: PREFIX, timeout: 3 });
      const waiters = createLocks({ store: new RedisStore(b), prefix: PREFIX, timeout: 3 });
      const holder = locks.lock('restart', 30, { fencing: true });
      expect(await holder.get()).toBe(true);
      issued.push(holder.fencingToken as number);
      const waiter = waiters.lock('restart', 30, { fencing: true });
      const waiting = waiter.block(10);
      await until(async () => (await a.zcard(queueKey(key))) === 1);
      expect(await holder.release()).toBe(true);
      expect(await waiting).toBe(true);
      issued.push(waiter.fencingToken as number);
      expect(await waiter.release()).toBe(true);
      expect(await a.get(fencingKey(key))).toBe(String(waiter.fencingToken));
      expect(await a.incr(fencingKey(key))).toBe((waiter.fencingToken as number) + 1); // still an integer
      await locks.close();
      await waiters.close();
    }
    for (let i = 1; i < issued.length; i++) expect(issued[i]).toBeGreaterThan(issued[i - 1] as number);
    for (const token of issued) expect(Number.isSafeInteger(token)).toBe(true);
  });

  it('are never reissued by a replica promoted before it saw the latest increments', async () => {
    const primary = await startRedis();
    const replica = await startRedis();
    servers.push(primary, replica);
    const p = clientOn(primary);
    const r = clientOn(replica);
    await r.replicaof('127.0.0.1', primary.port);
    const locks = createLocks({ store: new RedisStore(p), prefix: PREFIX, timeout: 3 });
    const first = locks.lock('failover', 30, { fencing: true });
    expect(await first.get()).toBe(true);
    expect(await first.release()).toBe(true);
    await until(async () => (await r.get(fencingKey(PREFIX + 'failover'))) === String(first.fencingToken));
    // The link breaks: the primary issues more tokens the replica never sees, then the replica is promoted.
    await r.replicaof('NO', 'ONE');
    const lost: number[] = [];
    for (let i = 0; i < 3; i++) {
      const lock = locks.lock('failover', 30, { fencing: true });
      expect(await lock.get()).toBe(true);
      lost.push(lock.fencingToken as number);
      expect(await lock.release()).toBe(true);
    }
    await locks.close();
    const promoted = createLocks({ store: new RedisStore(r), prefix: PREFIX, timeout: 3 });
    const next = promoted.lock('failover', 30, { fencing: true });
    expect(await next.get()).toBe(true);
    expect(next.fencingToken).toBeGreaterThan(Math.max(...lost));
    await promoted.close();
  });
});
