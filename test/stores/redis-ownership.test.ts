/**
 * Ownership of a handoff is the waiter's own queue entry, never inferred from its owner token: a leave, a
 * re-check or a late message acts only on a grant made to that very entry, and a second acquisition with an
 * owner token that already holds the key fails on every path.
 *
 * The races are driven through the store contract (subscribe, queued acquire, leave) so each schedule is
 * deterministic: an entry is made to be skipped by a release through a short wait (its deadline passes), the
 * same thing a dead or disconnected waiter's entry gets.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisStore, type AcquireRequest, type ReleaseSubscription } from 'locksmith-js';
import { queueKey, releaseChannel } from '../../src/stores/redis-keys.js';

const PREFIX = `test:redis-ownership:${randomUUID().slice(0, 8)}:`;

const stores: RedisStore[] = [];
const clients: Redis[] = [];
let admin: Redis;

async function storeOn(url: string): Promise<RedisStore> {
  const client = new Redis(url);
  await client.ping();
  clients.push(client);
  const store = new RedisStore(client, { recheckInterval: 60 });
  stores.push(store);
  return store;
}

/** Four stores, each with its own client: separate "processes". */
async function fourStores(): Promise<[RedisStore, RedisStore, RedisStore, RedisStore]> {
  const url = inject('redisUrl');
  return [await storeOn(url), await storeOn(url), await storeOn(url), await storeOn(url)];
}

/**
 * `holder` takes `key`, then each waiter queues in order: [store, owner, waitMs]. A 1 ms wait makes an entry
 * the release skips (its deadline passed), as it skips the entry of a waiter whose connections dropped.
 */
async function heldWithQueue(
  holder: RedisStore,
  key: string,
  waiters: readonly [Queued, Queued],
): Promise<[ReleaseSubscription, ReleaseSubscription]> {
  expect((await holder.acquire({ key, owner: 'holder', ttlMs: 30_000, fencing: false })).acquired).toBe(true);
  const subscriptions: ReleaseSubscription[] = [];
  for (const [store, owner, waitMs] of waiters) {
    const subscription = await store.subscribe(key);
    expect(await store.acquire(queuedAs(key, owner, subscription, waitMs))).toEqual({ acquired: false });
    subscriptions.push(subscription);
  }
  await sleep(20);
  expect(await admin.zcard(queueKey(key))).toBe(waiters.length);
  return subscriptions as [ReleaseSubscription, ReleaseSubscription];
}

type Queued = readonly [RedisStore, string, number];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function queuedAs(
  key: string,
  owner: string,
  subscription: ReleaseSubscription,
  waitMs: number,
  ttlMs = 30_000,
): AcquireRequest {
  return { key, owner, ttlMs, fencing: false, queue: { subscription, waitMs } };
}

beforeAll(async () => {
  admin = new Redis(inject('redisUrl'));
  await admin.ping();
});

afterAll(async () => {
  for (const store of stores) await store.close();
  for (const client of clients) client.disconnect();
  admin.disconnect();
});

describe('a shared owner token never confers a handoff', () => {
  it("a late leave of a skipped waiter does not take (or pass on) the key a retry of the same job holds", async () => {
    const [holderStore, waiterStore, jobStore, otherStore] = await fourStores();
    const key = PREFIX + 'late-leave';
    // W (owner job-42) queues with a deadline that passes at once; X queues behind it, for real.
    const [w, x] = await heldWithQueue(holderStore, key, [
      [waiterStore, 'job-42', 1],
      [otherStore, 'x', 20_000],
    ]);
    expect(await holderStore.release(key, 'holder')).toBe(true);
    expect(await admin.get(key)).toBe('x'); // W's entry was skipped: X is handed the lock
    expect(await x.next(5_000)).toMatchObject({ handedOff: true });
    x.close();
    expect(await otherStore.release(key, 'x')).toBe(true);
    // The job retries with the same owner token and takes the free key.
    expect((await jobStore.acquire({ key, owner: 'job-42', ttlMs: 30_000, fencing: false })).acquired).toBe(true);
    // X waits again.
    const x2 = await otherStore.subscribe(key);
    expect(await otherStore.acquire(queuedAs(key, 'x', x2, 20_000))).toEqual({ acquired: false });
    // W's leave arrives only now (retried after its connection came back): its entry is gone and the key holds
    // its owner token, but the key was never handed to W.
    await w.leave?.();
    w.close();
    expect(await admin.get(key)).toBe('job-42');
    expect(await x2.next(300)).toBe(false);
    expect(await admin.zcard(queueKey(key))).toBe(1); // X keeps its place
    x2.close();
    await x2.leave?.();
    expect(await jobStore.release(key, 'job-42')).toBe(true);
  });

  it("a waiter's re-check does not take a key handed to another waiter with the same owner token", async () => {
    const [holderStore, firstStore, secondStore] = await fourStores();
    const key = PREFIX + 'same-owner';
    const [w1, w2] = await heldWithQueue(holderStore, key, [
      [firstStore, 'job-42', 1],
      [secondStore, 'job-42', 20_000],
    ]);
    expect(await holderStore.release(key, 'holder')).toBe(true);
    expect(await w2.next(5_000)).toMatchObject({ handedOff: true }); // W2 holds it
    // W1 re-checks (its subscriber reconnected, say): its entry is gone and the key holds its owner token.
    expect(await firstStore.acquire(queuedAs(key, 'job-42', w1, 20_000))).toEqual({ acquired: false });
    expect(await w1.next(200)).toBe(false);
    await w1.leave?.();
    w1.close();
    expect(await admin.get(key)).toBe('job-42'); // still W2's: W1's leave did not pass it on
    w2.close();
    expect(await secondStore.release(key, 'job-42')).toBe(true);
  });

  it('a plain or queued acquisition with the owner token that holds the key fails', async () => {
    const [a, b] = await fourStores();
    const key = PREFIX + 'reentry';
    expect((await a.acquire({ key, owner: 'job-42', ttlMs: 30_000, fencing: false })).acquired).toBe(true);
    expect((await a.acquire({ key, owner: 'job-42', ttlMs: 30_000, fencing: false })).acquired).toBe(false);
    expect((await a.acquire({ key, owner: 'job-42', ttlMs: 30_000, fencing: true })).acquired).toBe(false);
    const sub = await b.subscribe(key);
    expect(await b.acquire(queuedAs(key, 'job-42', sub, 20_000))).toEqual({ acquired: false });
    // and again, now that it is queued (the re-check path)
    expect(await b.acquire(queuedAs(key, 'job-42', sub, 20_000))).toEqual({ acquired: false });
    await sub.leave?.();
    sub.close();
    expect(await admin.get(key)).toBe('job-42');
    expect(await admin.zcard(queueKey(key))).toBe(0);
    expect(await a.release(key, 'job-42')).toBe(true);
  });
});

describe('a ttl-0 waiter handed the lock under a claim', () => {
  async function handOffTo(
    claimStore: RedisStore,
    claimClient: Redis,
    releaser: RedisStore,
    key: string,
    beforeRelease: () => Promise<void>,
  ): Promise<void> {
    expect((await releaser.acquire({ key, owner: 'holder', ttlMs: 30_000, fencing: false })).acquired).toBe(true);
    const sub = await claimStore.subscribe(key);
    expect(await claimStore.acquire(queuedAs(key, 'forever', sub, 20_000, 0))).toEqual({ acquired: false });
    expect(await claimClient.zcard(queueKey(key))).toBe(1);
    await beforeRelease();
    expect(await releaser.release(key, 'holder')).toBe(true);
    expect(await sub.next(5_000)).toMatchObject({ handedOff: true });
    sub.close();
  }

  it("is handed the waiter's own store's claim, not the releasing store's", async () => {
    const url = inject('redisUrl');
    const releaser = await storeOn(url); // default claim: 30 s
    const client = new Redis(url);
    await client.ping();
    clients.push(client);
    const waiterStore = new RedisStore(client, { recheckInterval: 60, handoffClaim: '2s' });
    stores.push(waiterStore);
    const key = PREFIX + 'own-claim';
    // The waiter's command connection is gone when the handoff arrives, so it cannot confirm: the claim shows.
    await handOffTo(waiterStore, client, releaser, key, async () => {
      client.disconnect();
    });
    const pttl = await admin.pttl(key);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(2_000);
    expect(await admin.get(key)).toBe('forever');
    await admin.del(key);
  });

  it('confirms the claim even when its command connection was reconnecting as the handoff arrived', async () => {
    const url = inject('redisUrl');
    const releaser = await storeOn(url);
    const client = new Redis(url);
    await client.ping();
    clients.push(client);
    const waiterStore = new RedisStore(client, { recheckInterval: 60 });
    stores.push(waiterStore);
    const key = PREFIX + 'reconnecting-claim';
    await handOffTo(waiterStore, client, releaser, key, async () => {
      const id = await client.client('ID');
      await admin.client('KILL', 'ID', String(id));
      while (client.status === 'ready') await sleep(1);
    });
    const end = Date.now() + 5_000;
    while ((await admin.pttl(key)) !== -1 && Date.now() < end) await sleep(20);
    expect(await admin.pttl(key)).toBe(-1);
    expect(await admin.get(key)).toBe('forever');
    expect(await waiterStore.release(key, 'forever')).toBe(true);
  });

  it('does not make a lock permanent that the claim lost to a retry of the same job with a TTL', async () => {
    const [a, b] = await fourStores();
    const key = PREFIX + 'claim-lapsed';
    // A retry of the job holds the key with a TTL, and a ttl-0 waiter with the same token is queued.
    expect((await a.acquire({ key, owner: 'job-42', ttlMs: 10_000, fencing: false })).acquired).toBe(true);
    const sub = await b.subscribe(key);
    expect(await b.acquire(queuedAs(key, 'job-42', sub, 20_000, 0))).toEqual({ acquired: false });
    // A handoff message for that waiter arrives, late (an earlier handoff whose claim already lapsed): the
    // waiter's confirmation must not remove the expiry of the retry's lease, which was never granted to it.
    const id = (await admin.zrange(queueKey(key), '0', '0'))[0]?.split(':').at(-2) as string;
    await admin.publish(releaseChannel(key), `${key}\0\0${id}\0job-42`);
    expect(await sub.next(2_000)).toMatchObject({ handedOff: true });
    await sleep(200);
    expect(await admin.pttl(key)).toBeGreaterThan(0); // still the retry's 10 s lease
    await sub.leave?.();
    sub.close();
    expect(await a.release(key, 'job-42')).toBe(true);
  });
});
