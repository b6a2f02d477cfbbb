/**
 * A release or refresh acts only on the very hold that issued it, never on a later hold that shares the owner
 * token. The schedule the randomized test found (seed 30): hold A (token t) releases and the script hands the
 * key to waiter B (token t, a retried job), but the reply is lost with the connection; ioredis re-sends the
 * unanswered EVALSHA after reconnecting, and that second execution must not free (or hand on) B's hold.
 *
 * Re-sending is replayed by running the store's release (or refresh) again with A's identity, the hold it
 * was given by its acquisition: exactly the command ioredis re-sends. One schedule also drops the connection
 * for real while the release is in flight, on a paused server, so ioredis itself re-sends it.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLocks, RedisStore, type AcquireRequest, type ReleaseSubscription } from 'locksmith-js';
import { grantKey, queueKey } from '../../src/stores/redis-keys.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';

const PREFIX = `test:redis-release-identity:${randomUUID().slice(0, 8)}:`;

const stores: RedisStore[] = [];
const clients: Redis[] = [];
let admin: Redis;

async function storeOn(url = inject('redisUrl')): Promise<RedisStore> {
  const client = new Redis(url);
  await client.ping();
  clients.push(client);
  const store = new RedisStore(client, { recheckInterval: 60 });
  stores.push(store);
  return store;
}

function plain(key: string, owner: string, ttlMs = 30_000): AcquireRequest {
  return { key, owner, ttlMs, fencing: false };
}

function queuedAs(key: string, owner: string, subscription: ReleaseSubscription, ttlMs = 30_000): AcquireRequest {
  return { key, owner, ttlMs, fencing: false, queue: { subscription, waitMs: 20_000 } };
}

/** `store` queues for `key` as `owner` (the key is held), returning its subscription. */
async function queue(store: RedisStore, key: string, owner: string, ttlMs = 30_000): Promise<ReleaseSubscription> {
  const subscription = await store.subscribe(key);
  expect(await store.acquire(queuedAs(key, owner, subscription, ttlMs))).toEqual({ acquired: false });
  return subscription;
}

/** The hold identity an acquisition returned (what the store's release/refresh take). */
function holdOf(result: { acquired: boolean; hold?: string }): string | undefined {
  expect(result.acquired).toBe(true);
  return result.hold;
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

describe('a re-sent release acts only on the hold that sent it', () => {
  it('a plain hold whose release handed the key to a waiter with the same token does not free or hand on that waiter', async () => {
    const [a, b, c] = [await storeOn(), await storeOn(), await storeOn()];
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
    const [a, b, c, d] = [await storeOn(), await storeOn(), await storeOn(), await storeOn()];
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
    const [a, b] = [await storeOn(), await storeOn()];
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
    const [a, b] = [await storeOn(), await storeOn()];
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
    const locks = createLocks({ store: await storeOn(), prefix: PREFIX });
    const other = createLocks({ store: await storeOn(), prefix: PREFIX });
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
    const locks = createLocks({ store: await storeOn(), prefix: PREFIX });
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

describe('a real re-send', () => {
  let server: RedisServer | undefined;
  afterAll(async () => {
    server?.resume();
    await server?.stop();
  });

  it('ioredis re-sending a release whose reply was lost does not hand on the hold that release created', async () => {
    server = await startRedis();
    const a = await storeOn(server.url);
    const aClient = clients[clients.length - 1]!;
    const [b, c] = [await storeOn(server.url), await storeOn(server.url)];
    const key = PREFIX + 'resend';
    // Load the release script first: a NOSCRIPT reply would make the first execution a no-op.
    expect(await a.release(key, 'nobody', holdOf(await a.acquire(plain(key, 'nobody'))))).toBe(true);
    const holdA = holdOf(await a.acquire(plain(key, 'job-7')));
    const wb = await queue(b, key, 'job-7');
    const wc = await queue(c, key, 'c0');
    // The server stops; A's release reaches its socket, then A's connection drops. On resume the server runs
    // the release (handing the key to B) and cannot reply; ioredis reconnects and re-sends the EVALSHA.
    server.pause();
    const releasing = a.release(key, 'job-7', holdA).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    await sleep(100);
    aClient.stream.destroy();
    await sleep(100);
    server.resume();
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
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let privateAdmin: Redis | undefined;
function admin2(url: string): Redis {
  privateAdmin ??= new Redis(url);
  clients.push(privateAdmin);
  return privateAdmin;
}
