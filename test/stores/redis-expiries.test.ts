/**
 * Every expiry a script writes is the one it was given. The scripts hand durations to Redis as strings (the
 * ARGV string as the client sent it, or a quoted literal: see redis-scripts.ts), so a wrong string here would
 * not fail a script, only write a wrong lease: each test reads the PTTL of every key the step wrote.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLocks, RedisStore } from 'locksmith-js';
import { fencingKey, forcedKey, grantKey, queueKey, wokeKey } from '../../src/stores/redis-keys.js';
import { ACQUIRE_OR_ENQUEUE, FENCE_COUNTER_MS, FORCED_MARK_MS, WAKE_PENDING_MS } from '../../src/stores/redis-scripts.js';

const PREFIX = `test:redis-expiries:${randomUUID().slice(0, 8)}:`;

let admin: Redis;
const clients: Redis[] = [];

async function locksOn(fair = true): Promise<ReturnType<typeof createLocks>> {
  const client = new Redis(inject('redisUrl'));
  await client.ping();
  clients.push(client);
  return createLocks({ store: new RedisStore(client, { recheckInterval: 60 }), prefix: PREFIX, fair });
}

/**
 * Each key's PTTL is a lease of `ms` just written: `ms` at most and not much less (a generous margin for a slow
 * machine). `0` asks for no expiry (-1).
 */
async function expectLeases(ms: number, ...keys: string[]): Promise<void> {
  for (const key of keys) {
    const pttl = await admin.pttl(key);
    if (ms === 0) expect(pttl, key).toBe(-1);
    else expect([key, pttl > ms - 10_000 && pttl <= ms, pttl]).toEqual([key, true, pttl]);
  }
}

beforeAll(async () => {
  admin = new Redis(inject('redisUrl'));
  await admin.ping();
});

afterAll(async () => {
  const keys = await admin.keys(`*${PREFIX}*`);
  if (keys.length > 0) await admin.del(...keys);
  for (const client of clients) client.disconnect();
  admin.disconnect();
});

describe('the leases the scripts write', () => {
  it('acquire, refresh and refresh(0) set the key and its hold record alike', async () => {
    const locks = await locksOn();
    const key = PREFIX + 'plain';
    const lock = locks.lock('plain', 30);
    expect(await lock.get()).toBe(true);
    await expectLeases(30_000, key, grantKey(key));
    expect(await lock.refresh(50)).toBe(true);
    await expectLeases(50_000, key, grantKey(key));
    expect(await lock.refresh(0)).toBe(true);
    await expectLeases(0, key, grantKey(key));
    expect(await lock.release()).toBe(true);
    expect(await admin.exists(key, grantKey(key))).toBe(0);
  });

  it('ttl 0 writes no expiry, a fenced acquisition gives its counter FENCE_COUNTER_MS', async () => {
    const locks = await locksOn();
    const forever = locks.lock('forever', 0);
    expect(await forever.get()).toBe(true);
    await expectLeases(0, PREFIX + 'forever', grantKey(PREFIX + 'forever'));
    expect(await forever.release()).toBe(true);

    const key = PREFIX + 'fenced';
    const fenced = locks.lock('fenced', 20, { fencing: true });
    expect(await fenced.get()).toBe(true);
    await expectLeases(20_000, key, grantKey(key));
    await expectLeases(FENCE_COUNTER_MS, fencingKey(key));
    expect(await fenced.release()).toBe(true);
  });

  it('a fair handoff gives the key and the grant the waiter’s own lease', async () => {
    const key = PREFIX + 'handoff';
    const holder = (await locksOn()).lock('handoff', 30);
    const waiter = (await locksOn()).lock('handoff', 40);
    expect(await holder.get()).toBe(true);
    const blocked = waiter.block(10);
    await expect.poll(() => admin.zcard(queueKey(key))).toBe(1);
    expect(await holder.release()).toBe(true);
    await blocked;
    expect(await admin.get(key)).toBe(waiter.owner);
    await expectLeases(40_000, key, grantKey(key));
    expect(await waiter.release()).toBe(true);
  });

  it('a barging wake-up’s mark lasts WAKE_PENDING_MS at most, a force-release’s marker FORCED_MARK_MS', async () => {
    const key = PREFIX + 'marks';
    const holder = (await locksOn(false)).lock('marks', 30);
    expect(await holder.get()).toBe(true);
    // A queued barging waiter that never acts (ids `x…` skip the presence check), so the mark stays to be read.
    const args = ['w-token', 30_000, 0, 10_000, '', 'x-marks', 5_000, 0];
    const keys = [key, queueKey(key), fencingKey(key), grantKey(key), wokeKey(key)];
    expect(await admin.eval(ACQUIRE_OR_ENQUEUE.source, keys.length, ...keys, ...args)).toEqual([0, expect.any(String)]);
    expect(await holder.release()).toBe(true);
    // One round trip for both reads: the mark lapses after WAKE_PENDING_MS, so read it at once.
    const [[, mark], [, pttl]] = (await admin.multi().get(wokeKey(key)).pttl(wokeKey(key)).exec()) as [
      [null, string | null],
      [null, number],
    ];
    expect([mark, pttl > 0, pttl <= WAKE_PENDING_MS]).toEqual(['x-marks', true, true]);

    expect(await holder.get()).toBe(true);
    await holder.forceRelease();
    expect(await admin.exists(key)).toBe(0);
    await expectLeases(FORCED_MARK_MS, forcedKey(key));
  });
});
