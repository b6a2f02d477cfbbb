/**
 * Ownership of a handoff is the waiter's own queue entry, never inferred from its owner token: a leave, a
 * re-check or a late message acts only on a grant made to that very entry, and a second acquisition with an
 * owner token that already holds the key fails on every path. Likewise a release or refresh acts only on the
 * hold that issued it (its hold record), never on a later hold sharing the token.
 *
 * The races are driven through the store contract (subscribe, queued acquire, leave) so each schedule is
 * deterministic: an entry is made to be skipped by a release through a short wait (its deadline passes), the
 * same thing a dead or disconnected waiter's entry gets.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLocks, RedisStore, type AcquireRequest, type ReleaseSubscription } from 'locksmith-js';
import { grantKey, queueKey, releaseChannel } from '../../src/stores/redis-keys.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';

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

/**
 * Release identity: a release or refresh acts only on the very hold that issued it, never on a later hold that
 * shares the owner token. The schedule the randomized test found (seed 30): hold A (token t) releases and the
 * script hands the key to waiter B (token t, a retried job), but the reply is lost with the connection; ioredis
 * re-sends the unanswered EVALSHA after reconnecting, and that second execution must not free (or hand on) B's
 * hold. Re-sending is replayed by running the store's release (or refresh) again with A's identity, exactly
 * the command ioredis re-sends; the last group drops the connection for real, on a paused server, for every
 * script that can change a key (release, acquire, a first queued attempt, force-release).
 */
function plain(key: string, owner: string, ttlMs = 30_000): AcquireRequest {
  return { key, owner, ttlMs, fencing: false };
}

/** `store` queues for `key` as `owner` (the key is held), returning its subscription. */
async function queue(store: RedisStore, key: string, owner: string, ttlMs = 30_000): Promise<ReleaseSubscription> {
  const subscription = await store.subscribe(key);
  expect(await store.acquire(queuedAs(key, owner, subscription, 20_000, ttlMs))).toEqual({ acquired: false });
  return subscription;
}

/** The hold identity an acquisition returned (what the store's release/refresh take). */
function holdOf(result: { acquired: boolean; hold?: string }): string | undefined {
  expect(result.acquired).toBe(true);
  return result.hold;
}

describe('a re-sent release acts only on the hold that sent it', () => {
  it('a plain hold whose release handed the key to a waiter with the same token does not free or hand on that waiter', async () => {
    const [a, b, c] = [await storeOn(inject('redisUrl')), await storeOn(inject('redisUrl')), await storeOn(inject('redisUrl'))];
    const key = PREFIX + 'plain-then-handoff';
    const holdA = holdOf(await a.acquire(plain(key, 'job-7')));
    const wb = await queue(b, key, 'job-7');
    const wc = await queue(c, key, 'c0');
    expect(await a.release(key, 'job-7', holdA)).toBe(true);
    expect(await wb.next(5_000)).toMatchObject({ handedOff: true });
    // ioredis re-sends A's EVALSHA: the key holds 'job-7' again (B's hold), and must stay B's.
    expect(await a.release(key, 'job-7', holdA)).toBe(false);
    expect(await admin.get(key)).toBe('job-7');
    expect(await admin.zcard(queueKey(key))).toBe(1); // C still queued: nothing was handed on
    expect(await wc.next(200)).toBe(false);
    wb.close();
    await wc.leave?.();
    wc.close();
    await admin.del(key, grantKey(key));
  });

  it('a handed hold whose release handed the key on to a waiter with the same token does not act again', async () => {
    const [a, b, c, d] = [await storeOn(inject('redisUrl')), await storeOn(inject('redisUrl')), await storeOn(inject('redisUrl')), await storeOn(inject('redisUrl'))];
    const key = PREFIX + 'handoff-then-handoff';
    expect((await a.acquire(plain(key, 'holder'))).acquired).toBe(true);
    const wb = await queue(b, key, 'job-7');
    const wc = await queue(c, key, 'job-7');
    const wd = await queue(d, key, 'd0');
    expect(await a.release(key, 'holder', undefined)).toBe(true);
    const handed = await wb.next(5_000);
    expect(handed).toMatchObject({ handedOff: true });
    const holdB = (handed as { hold?: string }).hold;
    expect(await b.release(key, 'job-7', holdB)).toBe(true);
    expect(await wc.next(5_000)).toMatchObject({ handedOff: true });
    expect(await b.release(key, 'job-7', holdB)).toBe(false); // the re-sent release
    expect(await b.refresh(key, 'job-7', 60_000, holdB)).toBe(false);
    expect(await admin.get(key)).toBe('job-7');
    expect(await admin.zcard(queueKey(key))).toBe(1); // D still queued
    expect(await wd.next(200)).toBe(false);
    for (const w of [wb, wc]) w.close();
    await wd.leave?.();
    wd.close();
    await admin.del(key, grantKey(key));
  });

  it('a plain hold that freed the key does not free a later plain hold of the same token', async () => {
    const [a, b] = [await storeOn(inject('redisUrl')), await storeOn(inject('redisUrl'))];
    const key = PREFIX + 'plain-then-plain';
    const holdA = holdOf(await a.acquire(plain(key, 'job-7')));
    expect(await a.release(key, 'job-7', holdA)).toBe(true);
    const holdB = holdOf(await b.acquire({ ...plain(key, 'job-7'), fencing: true }));
    expect(await a.release(key, 'job-7', holdA)).toBe(false);
    expect(await a.refresh(key, 'job-7', 0, holdA)).toBe(false);
    expect(await a.remainingLease(key, 'job-7', holdA)).toBeNull();
    expect(await admin.get(key)).toBe('job-7');
    expect(await admin.pttl(key)).toBeGreaterThan(0);
    expect(await b.remainingLease(key, 'job-7', holdB)).toBeGreaterThan(0);
    expect(await b.release(key, 'job-7', holdB)).toBe(true);
    expect(await admin.exists(key, grantKey(key))).toBe(0);
  });

  it('a re-sent refresh of a hold whose release handed the key on does not extend the new hold', async () => {
    const [a, b] = [await storeOn(inject('redisUrl')), await storeOn(inject('redisUrl'))];
    const key = PREFIX + 'refresh';
    const holdA = holdOf(await a.acquire(plain(key, 'job-7')));
    const wb = await queue(b, key, 'job-7', 2_000);
    expect(await a.release(key, 'job-7', holdA)).toBe(true);
    const handed = await wb.next(5_000);
    expect(handed).toMatchObject({ handedOff: true });
    expect(await a.refresh(key, 'job-7', 60_000, holdA)).toBe(false);
    expect(await a.refresh(key, 'job-7', 0, holdA)).toBe(false);
    expect(await admin.pttl(key)).toBeLessThanOrEqual(2_000);
    expect(await admin.pttl(key)).toBeGreaterThan(0);
    // B's own refresh extends its key and its grant alike, so the grant never outlives or dies before it.
    const holdB = (handed as { hold?: string }).hold;
    expect(await b.refresh(key, 'job-7', 60_000, holdB)).toBe(true);
    expect(await admin.pttl(key)).toBeGreaterThan(2_000);
    expect(await admin.pttl(grantKey(key))).toBeGreaterThan(2_000);
    expect(await b.refresh(key, 'job-7', 0, holdB)).toBe(true);
    expect(await admin.pttl(key)).toBe(-1);
    expect(await admin.pttl(grantKey(key))).toBe(-1);
    wb.close();
    expect(await b.release(key, 'job-7', holdB)).toBe(true);
    expect(await admin.exists(key, grantKey(key))).toBe(0);
  });
});

describe('through the Lock API', () => {
  it("a handle's second release() does not free a waiter of the same token that its first release handed the lock to", async () => {
    const locks = createLocks({ store: await storeOn(inject('redisUrl')), prefix: PREFIX });
    const other = createLocks({ store: await storeOn(inject('redisUrl')), prefix: PREFIX });
    const first = locks.lock('api', 30, { owner: 'job-7' });
    const retry = other.lock('api', 30, { owner: 'job-7' });
    expect(await first.get()).toBe(true);
    const waiting = retry.block(10);
    await expect.poll(() => admin.zcard(queueKey(PREFIX + 'api')), { timeout: 5_000 }).toBe(1);
    expect(await first.release()).toBe(true);
    await expect(waiting).resolves.toBe(true);
    expect(await first.release()).toBe(false);
    expect(await first.refresh()).toBe(false);
    expect(await admin.get(PREFIX + 'api')).toBe('job-7'); // still the retry's
    // A restored handle is "whoever holds that token": it may release the retry's hold.
    expect(await locks.restoreLock('api', 'job-7').release()).toBe(true);
    expect(await admin.exists(PREFIX + 'api', grantKey(PREFIX + 'api'))).toBe(0);
    expect(await retry.release()).toBe(false);
  });

  it('a stale grant left by a PHP release of a shared token does not block a later holder', async () => {
    const locks = createLocks({ store: await storeOn(inject('redisUrl')), prefix: PREFIX });
    const key = PREFIX + 'php';
    const holder = locks.lock('php', 30, { owner: 'holder' });
    const waiter = locks.lock('php', 30, { owner: 'shared' });
    expect(await holder.get()).toBe(true);
    const waiting = waiter.block(10);
    await expect.poll(() => admin.zcard(queueKey(key)), { timeout: 5_000 }).toBe(1);
    expect(await holder.release()).toBe(true);
    await expect(waiting).resolves.toBe(true);
    // Laravel's release script, run by a PHP process sharing the token: deletes the key, not the grant.
    const laravelRelease =
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
    expect(await admin.eval(laravelRelease, 1, key, 'shared')).toBe(1);
    expect(await admin.exists(grantKey(key))).toBe(1);
    const later = locks.lock('php', 30);
    expect(await later.get()).toBe(true);
    expect(await later.refresh()).toBe(true);
    expect(await later.release()).toBe(true);
    expect(await admin.exists(key, grantKey(key))).toBe(0);
    // A PHP SET NX holder and its own compare-and-delete still work on the freed key.
    expect(await admin.set(key, 'php-owner', 'PX', 30_000, 'NX')).toBe('OK');
    expect(await later.get()).toBe(false);
    expect(await admin.eval(laravelRelease, 1, key, 'php-owner')).toBe(1);
    expect(await later.get()).toBe(true);
    expect(await later.release()).toBe(true);
  });
});

describe('a re-sent acquisition', () => {
  it.each([
    ['plain', false],
    ['fenced', true],
  ])('(%s) run a second time answers as the first run did: the hold it took', async (_, fencing) => {
    const [a, b] = await fourStores();
    const key = PREFIX + `re-run-${String(fencing)}`;
    const request: AcquireRequest = { key, owner: 'job-7', ttlMs: 0, fencing, hold: 'h-resent.1' };
    const first = await a.acquire(request);
    expect(first).toMatchObject({ acquired: true, hold: 'h-resent.1' });
    // What ioredis re-sends after a lost reply: the very same command, the same hold id.
    const again = await a.acquire(request);
    expect(again).toEqual(first);
    // Any other acquisition with the same token is a second one and fails, from any store.
    expect((await a.acquire({ ...request, hold: 'h-resent.2' })).acquired).toBe(false);
    expect((await b.acquire({ key, owner: 'job-7', ttlMs: 0, fencing })).acquired).toBe(false);
    expect(await a.release(key, 'job-7', 'h-resent.1')).toBe(true);
    // Once released, a late re-run is a new acquisition of a free key (the caller that gets it holds it).
    expect(await admin.exists(key)).toBe(0);
  });
});

describe('a real lost reply, re-sent by ioredis (a private server, paused)', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    server.resume();
    await server.stop();
  });

  it('ioredis re-sending a release whose reply was lost does not hand on the hold that release created', async () => {
    const a = await storeOn(server.url);
    const aClient = clients[clients.length - 1]!;
    const [b, c] = [await storeOn(server.url), await storeOn(server.url)];
    const key = PREFIX + 'resend';
    // Load the release script first: a NOSCRIPT reply would make the first execution a no-op.
    expect(await a.release(key, 'nobody', holdOf(await a.acquire(plain(key, 'nobody'))))).toBe(true);
    const holdA = holdOf(await a.acquire(plain(key, 'job-7')));
    const wb = await queue(b, key, 'job-7');
    const wc = await queue(c, key, 'c0');
    // A's release runs (handing the key to B) and its reply is lost; ioredis re-sends it.
    const releasing = withLostReply(server, aClient, () => a.release(key, 'job-7', holdA));
    expect(await wb.next(5_000)).toMatchObject({ handedOff: true });
    // The re-sent release has run once A's client is ready again (its answer, whatever it is, settles it).
    await releasing;
    expect(await admin2(server.url).get(key)).toBe('job-7');
    expect(await admin2(server.url).zcard(queueKey(key))).toBe(1); // C still queued: nothing handed on
    expect(await wc.next(200)).toBe(false);
    wb.close();
    await wc.leave?.();
    wc.close();
  });

  it.each([
    ['plain', false],
    ['fenced', true],
  ])('(%s) whose reply was lost resolves acquired: the key its first run took is not left idle', async (_, fencing) => {
    const a = await storeOn(server.url);
    const aClient = clients[clients.length - 1]!;
    const key = PREFIX + `resent-acquire-${String(fencing)}`;
    // Load the script first: a NOSCRIPT reply would make the first run a no-op.
    const warm = await a.acquire({ key, owner: 'warm', ttlMs: 30_000, fencing });
    expect(await a.release(key, 'warm', holdOf(warm))).toBe(true);
    // The acquisition runs (taking the key, ttl 0: it would never expire) and its reply is lost.
    const result = await withLostReply(server, aClient, () => a.acquire({ key, owner: 'job-7', ttlMs: 0, fencing }));
    if ('error' in result || !result.acquired) expect.fail(`the re-sent acquisition answered ${JSON.stringify(result)}`);
    const own = new Redis(server.url); // this describe's server: admin2 may be bound to another one
    clients.push(own);
    const stored = await own.get(grantKey(key));
    expect(stored).toBe(`${holdOf(result)}:${fencing ? String(result.fencingToken) : ''}`);
    expect(await a.release(key, 'job-7', holdOf(result))).toBe(true);
    expect(await own.exists(key)).toBe(0);
  });

  it('that took the key answers acquired instead of queueing a second entry while it holds the key', async () => {
    const own = new Redis(server.url);
    clients.push(own);
    const w = await storeOn(server.url);
    const wClient = clients[clients.length - 1]!;
    const key = PREFIX + 'resent-first-queued';
    const subscription = await w.subscribe(key);
    // Load the script first (a NOSCRIPT reply would make the first run a no-op): a queued attempt on a held key.
    const warmKey = `${key}:warm`;
    await own.set(warmKey, 'someone');
    const warmSubscription = await w.subscribe(warmKey);
    expect(await w.acquire(queuedAs(warmKey, 'w-owner', warmSubscription, 1_000))).toEqual({ acquired: false });
    await warmSubscription.leave?.();
    warmSubscription.close();
    // The attempt runs (the key is free: SET NX takes it, ttl 0) and its reply is lost.
    const result = await withLostReply(server, wClient, () => w.acquire(queuedAs(key, 'w-owner', subscription, 20_000, 0)));
    if ('error' in result || !result.acquired) expect.fail(`the re-sent attempt answered ${JSON.stringify(result)}`);
    expect(await own.zcard(queueKey(key))).toBe(0); // no entry left behind for a waiter that holds the key
    expect(await own.get(key)).toBe('w-owner');
    expect(await w.release(key, 'w-owner', holdOf(result))).toBe(true);
    expect(await own.exists(key)).toBe(0);
    subscription.close();
  });

  it('frees the hold it was sent for, not the waiter its first run handed the key to', async () => {
    const own = new Redis(server.url);
    clients.push(own);
    const admin = await storeOn(server.url);
    const adminClient = clients[clients.length - 1]!;
    const [holder, w] = [await storeOn(server.url), await storeOn(server.url)];
    const key = PREFIX + 'resent-force';
    // Load the script first: a NOSCRIPT reply would make the first run a no-op.
    await admin.forceRelease(`${key}:unheld`);
    expect((await holder.acquire(plain(key, 'holder'))).acquired).toBe(true);
    const waiting = await queue(w, key, 'w-owner');
    // The force-release runs (handing the key to W) and its reply is lost; ioredis re-sends it.
    const forcing = withLostReply(server, adminClient, () => admin.forceRelease(key));
    expect(await waiting.next(5_000)).toMatchObject({ handedOff: true });
    await forcing; // the re-sent force-release has run once the admin's client is ready again
    expect(await own.get(key)).toBe('w-owner'); // W's hold stands
    waiting.close();
  });
});

/**
 * Runs `command` so that its reply is lost and ioredis re-sends it: the server stops, the command reaches the
 * socket, the client's connection drops, and on resume the server runs it and cannot reply; ioredis
 * reconnects and sends it again. Resolves with what the re-sent copy answered (or the error, as a value).
 */
async function withLostReply<T>(server: RedisServer, client: Redis, command: () => Promise<T>): Promise<T | { error: unknown }> {
  server.pause();
  const running = command().catch((error: unknown) => ({ error }));
  await sleep(100);
  client.stream.destroy();
  await sleep(100);
  server.resume();
  return running;
}

let privateAdmin: Redis | undefined;
/** An admin connection to the private server (the shared `admin` is on another one). */
function admin2(url: string): Redis {
  if (!privateAdmin) {
    privateAdmin = new Redis(url);
    clients.push(privateAdmin);
  }
  return privateAdmin;
}
