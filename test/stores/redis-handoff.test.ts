/**
 * Direct handoff on Redis: a waiter whose attempt fails joins a server-side queue (same script), and a
 * release hands the key to the oldest live waiter, which holds the lock without another attempt.
 *
 * Every store here counts its `acquire()` calls and uses a re-check interval far beyond the test, so a
 * waiter that acquires after exactly two attempts (the plain first one, the queued one) was handed the lock
 * by a release: if handoff broke, waiters would need a third attempt (or a re-check) and these tests fail.
 * Runs on the shared redis-server under this file's own prefix; destructive steps use a private server.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLocks, type AcquireRequest, type RedisStoreOptions } from 'locksmith-js';
import { handoffKeys } from '../../src/stores/redis-handoff.js';
import { fencingKey, queueKey, releaseChannel } from '../../src/stores/redis-keys.js';
import { RELEASE } from '../../src/stores/redis-scripts.js';
import { startRedis } from '../support/redis-server.js';
import { Processes, sleep, until, type Process } from './support/redis-processes.js';

const PREFIX = `test:redis-handoff:${randomUUID().slice(0, 8)}:`;
/** Laravel's RedisLock release script (LuaScripts::releaseLock), verbatim: it does not publish. */
const LARAVEL_RELEASE = `if redis.call("get",KEYS[1]) == ARGV[1] then
    return redis.call("del",KEYS[1])
else
    return 0
end`;

const processes = new Processes({ prefix: PREFIX, timeout: 3 });
const processOn = (serverUrl: string, options?: RedisStoreOptions): Promise<Process> => processes.open(serverUrl, options);
const closeProcess = (process: Process): Promise<void> => processes.close(process);
let url: string;
let admin: Redis;

const queued = (client: Redis, name: string): Promise<number> => client.zcard(queueKey(PREFIX + name));

beforeAll(async () => {
  url = inject('redisUrl');
  admin = new Redis(url);
  await admin.ping();
});

afterAll(async () => {
  await processes.closeAll();
  admin.disconnect();
});

describe('direct handoff', () => {
  it('hands the lock to waiters in arrival order across stores (connections), each without a further attempt', async () => {
    const holderProcess = await processOn(url);
    const processes = [await processOn(url), await processOn(url), await processOn(url)];
    const holder = holderProcess.locks.lock('fifo:1', 30);
    expect(await holder.get()).toBe(true);
    const order: number[] = [];
    const owners: string[] = [];
    const waits: Promise<unknown>[] = [];
    for (let i = 0; i < 9; i++) {
      const { locks } = processes[(i * 2) % 3] as Process; // interleave: 0, 2, 1, 0, 2, 1, ...
      const lock = locks.lock('fifo:1', 30);
      owners.push(lock.owner);
      waits.push(
        lock.block(20, async () => {
          order.push(i);
          await sleep(2);
        }),
      );
      await until(async () => (await queued(admin, 'fifo:1')) === i + 1);
    }
    await holder.release();
    await Promise.all(waits);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    for (const [i, owner] of owners.entries()) {
      const { store } = processes[(i * 2) % 3] as Process;
      // The first waiter of each process: a plain attempt, then a queued one. The others: the process already
      // listens to the key, so their first attempt queues. Then nothing: the lock is handed over.
      expect(store.attempts.get(owner), `attempts of waiter ${i}`).toBe(i < 3 ? 2 : 1);
    }
    expect(await queued(admin, 'fifo:1')).toBe(0);
    expect(await admin.exists(PREFIX + 'fifo:1')).toBe(0); // the last one released it with no one queued
  });

  it("a handed lock carries the waiter's own TTL and a fencing token issued by the handoff", async () => {
    const a = await processOn(url);
    const b = await processOn(url);
    const holder = a.locks.lock('carry:1', 60, { fencing: true });
    expect(await holder.get()).toBe(true);
    const waiter = b.locks.lock('carry:1', 7, { fencing: true });
    const waiting = waiter.block(20);
    await until(async () => (await queued(admin, 'carry:1')) === 1);
    expect(await holder.release()).toBe(true);
    expect(await waiting).toBe(true);
    expect(b.store.attempts.get(waiter.owner)).toBe(2);
    expect(await admin.get(PREFIX + 'carry:1')).toBe(waiter.owner);
    const pttl = await admin.pttl(PREFIX + 'carry:1');
    expect(pttl).toBeGreaterThan(5_000);
    expect(pttl).toBeLessThanOrEqual(7_000);
    expect(waiter.fencingToken).toBeGreaterThan(holder.fencingToken as number);
    expect(await admin.get(fencingKey(PREFIX + 'carry:1'))).toBe(String(waiter.fencingToken));
    expect(await waiter.release()).toBe(true);
  });

  it('a ttl-0 waiter is handed a bounded claim, which its process then persists', async () => {
    const a = await processOn(url);
    const b = await processOn(url);
    const holder = a.locks.lock('claim:1', 30);
    expect(await holder.get()).toBe(true);
    const waiter = b.locks.lock('claim:1'); // ttl 0: never expires
    const waiting = waiter.block(20);
    await until(async () => (await queued(admin, 'claim:1')) === 1);
    expect(await holder.release()).toBe(true);
    expect(await waiting).toBe(true);
    expect(b.store.attempts.get(waiter.owner)).toBe(2);
    await until(async () => (await admin.pttl(PREFIX + 'claim:1')) === -1);
    expect(await admin.get(PREFIX + 'claim:1')).toBe(waiter.owner);
    expect(await waiter.release()).toBe(true);
  });

  it('forceRelease hands the lock to the next waiter too', async () => {
    const a = await processOn(url);
    const b = await processOn(url);
    expect(await a.locks.lock('force:1', 30).get()).toBe(true);
    const waiter = b.locks.lock('force:1', 30);
    const waiting = waiter.block(20);
    await until(async () => (await queued(admin, 'force:1')) === 1);
    await a.locks.lock('force:1').forceRelease();
    expect(await waiting).toBe(true);
    expect(b.store.attempts.get(waiter.owner)).toBe(2);
    expect(await waiter.release()).toBe(true);
  });

  it('a wait on a key the process already listens to queues with its first attempt (one request)', async () => {
    const a = await processOn(url);
    const b = await processOn(url);
    const holder = a.locks.lock('hot:1', 30);
    expect(await holder.get()).toBe(true);
    const first = b.locks.lock('hot:1', 30);
    const firstWait = first.block(20);
    await until(async () => (await queued(admin, 'hot:1')) === 1);
    expect(b.store.listening(PREFIX + 'hot:1')).toBe(true);
    expect(b.store.listening(PREFIX + 'hot:other')).toBe(false);
    const second = b.locks.lock('hot:1', 30);
    const secondWait = second.block(20);
    await until(async () => (await queued(admin, 'hot:1')) === 2);
    expect(await holder.release()).toBe(true);
    expect(await firstWait).toBe(true);
    expect(await first.release()).toBe(true);
    expect(await secondWait).toBe(true);
    expect(b.store.attempts.get(first.owner)).toBe(2); // plain, then queued
    expect(b.store.attempts.get(second.owner)).toBe(1); // queued at once, then handed the lock
    expect(await second.release()).toBe(true);
  });

  it('get() and block(0) never queue', async () => {
    const a = await processOn(url);
    const holder = a.locks.lock('noqueue:1', 30);
    expect(await holder.get()).toBe(true);
    expect(await a.locks.lock('noqueue:1', 30).get()).toBe(false);
    await expect(a.locks.lock('noqueue:1', 30).block(0)).rejects.toMatchObject({ name: 'LockTimeoutError' });
    expect(await admin.exists(queueKey(PREFIX + 'noqueue:1'))).toBe(0);
    await holder.release();
  });
});

describe('leaving the queue', () => {
  it('a waiter that times out or is aborted removes its entry', async () => {
    const a = await processOn(url);
    const b = await processOn(url);
    const holder = a.locks.lock('leave:1', 30);
    expect(await holder.get()).toBe(true);
    const timingOut = b.locks.lock('leave:1', 30).block(0.4);
    const controller = new AbortController();
    const aborting = b.locks.lock('leave:1', 30).block(20, { signal: controller.signal });
    await until(async () => (await queued(admin, 'leave:1')) === 2);
    controller.abort(new Error('stop'));
    await expect(aborting).rejects.toThrow('stop');
    await expect(timingOut).rejects.toMatchObject({ name: 'LockTimeoutError' });
    expect(await queued(admin, 'leave:1')).toBe(0);
    // With nobody queued, the release frees the key (no one is handed a lock it no longer wants).
    expect(await holder.release()).toBe(true);
    expect(await admin.exists(PREFIX + 'leave:1')).toBe(0);
  });

  it('waiters of one key time out each at its own deadline, in order, and one signal aborts many at once', async () => {
    // RedisStore's waiters share one timer for their timeouts and the lock core adds none of its own: a
    // timeout that fired late, early, out of order or never, or an abort nobody heard, shows here.
    const a = await processOn(url);
    const b = await processOn(url);
    const holder = a.locks.lock('leave:deadlines', 30);
    expect(await holder.get()).toBe(true);
    const started = performance.now();
    const endedAt: number[] = [];
    const timingOut = [0.6, 0.2, 0.4].map((wait, i) =>
      b.locks
        .lock('leave:deadlines', 30)
        .block(wait)
        .catch((error: unknown) => {
          endedAt[i] = performance.now() - started;
          return error;
        }),
    );
    const controller = new AbortController();
    const aborting = Array.from({ length: 20 }, () =>
      b.locks
        .lock('leave:deadlines', 30)
        .block(20, { signal: controller.signal })
        .catch((error: unknown) => error),
    );
    for (const outcome of await Promise.all(timingOut)) expect(outcome).toMatchObject({ name: 'LockTimeoutError' });
    expect(endedAt[1]).toBeGreaterThanOrEqual(200);
    expect(endedAt[2]).toBeGreaterThanOrEqual(400);
    expect(endedAt[0]).toBeGreaterThanOrEqual(600);
    expect(endedAt[1]).toBeLessThan(endedAt[2] as number);
    expect(endedAt[2]).toBeLessThan(endedAt[0] as number);
    await until(async () => (await queued(admin, 'leave:deadlines')) === 20);
    const reason = new Error('stop all');
    controller.abort(reason);
    for (const outcome of await Promise.all(aborting)) expect(outcome).toBe(reason);
    expect(await queued(admin, 'leave:deadlines')).toBe(0);
    expect(await holder.release()).toBe(true);
    expect(await admin.exists(PREFIX + 'leave:deadlines')).toBe(0);
  });

  it('closing the manager while its waiters are queued takes their entries back', async () => {
    const a = await processOn(url);
    const b = await processOn(url);
    const holder = a.locks.lock('leave:close', 30);
    expect(await holder.get()).toBe(true);
    const waits = [1, 2, 3].map(() => b.locks.lock('leave:close', 30).block(20).catch((error: unknown) => error));
    await until(async () => (await queued(admin, 'leave:close')) === 3);
    await b.locks.close();
    for (const outcome of await Promise.all(waits)) expect(outcome).toMatchObject({ name: 'LockStoreError' });
    expect(await queued(admin, 'leave:close')).toBe(0);
    expect(await holder.release()).toBe(true);
    expect(await admin.exists(PREFIX + 'leave:close')).toBe(0); // freed, not handed to a closed process
  });

  it('an enqueue answered after the waiter gave up (stalled server) is taken back', async () => {
    const server = await startRedis();
    const local = new Redis(server.url);
    try {
      const a = await processOn(server.url);
      const b = await processOn(server.url);
      const slow = createLocks({ store: b.store, prefix: PREFIX, timeout: 0.3 });
      expect(await a.locks.lock('late:1', 30).get()).toBe(true);
      const first = b.locks.lock('late:1', 30).block(20);
      first.catch(() => undefined); // awaited below; a failure before that must not surface as unhandled
      await until(async () => (await queued(local, 'late:1')) === 1);
      // b listens to the key now: the next wait's first attempt is the queued one, and it hits a paused server.
      server.pause();
      let resumed = false;
      try {
        await expect(slow.lock('late:1', 30).block(20)).rejects.toMatchObject({ name: 'LockStoreError' });
      } finally {
        server.resume();
        resumed = true;
      }
      expect(resumed).toBe(true);
      // The late enqueue lands after the resume; its answer finds the waiter gone and takes the entry back.
      // Commands on one connection run in order: once this PING answers, the late enqueue has run (2 entries
      // unless its LEAVE already ran too); the LEAVE its answer triggers brings the queue back to 1.
      await b.client.ping();
      await until(async () => (await queued(local, 'late:1')) === 1);
      await a.locks.lock('late:1').forceRelease();
      expect(await first).toBe(true);
      await closeProcess(a);
      await closeProcess(b);
    } finally {
      server.resume();
      local.disconnect();
      await server.stop();
    }
  });

  it('a late handoff message for a wait that left is not taken by a newer wait of the same owner', async () => {
    const a = await processOn(url);
    const b = await processOn(url);
    const key = PREFIX + 'leave:stale';
    expect((await a.store.acquire({ key, owner: 'holder', ttlMs: 30_000, fencing: false })).acquired).toBe(true);
    const old = await b.store.subscribe(key);
    const queuedAs = (subscription: typeof old): AcquireRequest => ({
      key,
      owner: 'T',
      ttlMs: 30_000,
      fencing: false,
      queue: { subscription, waitMs: 20_000 },
    });
    expect(await b.store.acquire(queuedAs(old))).toEqual({ acquired: false });
    const [oldMember] = await admin.zrange(queueKey(key), '0', '0');
    await old.leave?.();
    old.close();
    const newer = await b.store.subscribe(key);
    expect(await b.store.acquire(queuedAs(newer))).toEqual({ acquired: false });
    // The message a release would have published for the old entry (`key NUL fence NUL waiterId NUL token`),
    // arriving only now, after that wait left (and its LEAVE passed the lock on).
    const oldId = (oldMember as string).split(':')[3] as string;
    await admin.publish(releaseChannel(key), `${key}\0\0${oldId}\0T`);
    expect(await newer.next(300)).toBe(false);
    // The newer wait's own handoff still arrives.
    expect(await a.store.release(key, 'holder')).toBe(true);
    expect(await newer.next(10_000)).toMatchObject({ handedOff: true });
    expect(await admin.get(key)).toBe('T');
    newer.close();
    expect(await b.store.release(key, 'T')).toBe(true);
  });

  it('a waiter handed the lock as it gives up passes it on to the next waiter', async () => {
    const a = await processOn(url);
    const b = await processOn(url);
    const c = await processOn(url);
    const key = PREFIX + 'leave:race';
    expect((await a.store.acquire({ key, owner: 'holder', ttlMs: 30_000, fencing: false })).acquired).toBe(true);
    // Two waiters, driven through the store contract so the race is deterministic.
    const first = await b.store.subscribe(key);
    const second = await c.store.subscribe(key);
    const queue = (subscription: typeof first) => ({ subscription, waitMs: 20_000 });
    expect(await b.store.acquire({ key, owner: 'w1', ttlMs: 30_000, fencing: false, queue: queue(first) })).toEqual({
      acquired: false,
    });
    expect(await c.store.acquire({ key, owner: 'w2', ttlMs: 30_000, fencing: false, queue: queue(second) })).toEqual({
      acquired: false,
    });
    expect(await a.store.release(key, 'holder')).toBe(true);
    expect(await admin.get(key)).toBe('w1'); // handed to the first waiter...
    await first.leave?.(); // ...which gives up at that moment
    first.close();
    expect(await admin.get(key)).toBe('w2');
    expect(await second.next(10_000)).toMatchObject({ handedOff: true });
    expect(await admin.zcard(queueKey(key))).toBe(0);
    second.close();
    expect(await c.store.release(key, 'w2')).toBe(true);
    expect(await admin.exists(key)).toBe(0);
  });
});

describe('crash safety', () => {
  it('a waiter whose process died while queued (connections closed) is skipped: the next one is handed the lock', async () => {
    const a = await processOn(url);
    const dying = await processOn(url);
    const c = await processOn(url);
    const holder = a.locks.lock('dead:gone', 30);
    expect(await holder.get()).toBe(true);
    const dead = dying.locks.lock('dead:gone', 30);
    const deadWait = dead.block(60).catch(() => 'gone');
    await until(async () => (await queued(admin, 'dead:gone')) === 1);
    // The process dies: its connections close, it never leaves the queue.
    dying.client.disconnect();
    await dying.store.close();
    expect(await deadWait).toBe('gone');
    expect(await queued(admin, 'dead:gone')).toBe(1);
    const next = c.locks.lock('dead:gone', 30);
    const nextWait = next.block(20);
    await until(async () => (await queued(admin, 'dead:gone')) === 2);
    expect(await holder.release()).toBe(true);
    expect(await admin.get(PREFIX + 'dead:gone')).toBe(next.owner); // not the dead waiter, though it was first
    expect(await nextWait).toBe(true);
    expect(c.store.attempts.get(next.owner)).toBe(2); // handed over, not found by a re-check
    expect(await next.release()).toBe(true);
  });

  it('a waiter that is connected but never takes its handoff (hung) holds the lock at most its TTL or the ttl-0 claim', async () => {
    for (const [name, ttlMs] of [
      ['dead:hung', 400],
      ['dead:hung-forever', 0],
    ] as const) {
      const a = await processOn(url);
      const c = await processOn(url, { recheckInterval: '50ms' });
      const holder = a.locks.lock(name, 30);
      expect(await holder.get()).toBe(true);
      const next = c.locks.lock(name, 30);
      const nextWait = next.block(5); // far more than 400 ms, far less than forever
      await until(async () => (await queued(admin, name)) === 1);
      // A waiter of a live store (c's presence channel is subscribed) that will never act on a handoff, queued
      // before `next`: the shape of a real (fair) entry, `deadlineMs:ttlMs:claimMs:fencing:fair:waiterId:token`,
      // whose store's handoffClaim is 400 ms (the releasing store's own, 30 s, does not apply).
      const [member, score] = await admin.zrange(queueKey(PREFIX + name), '0', '0', 'WITHSCORES');
      const [deadline, , , , , id] = (member as string).split(':') as [string, string, string, string, string, string];
      const hung = `${deadline}:${ttlMs}:400:0:1:${id.replace(/\..*$/, '.hung')}:hung-owner`;
      await admin.zadd(queueKey(PREFIX + name), Number(score) - 1, hung);
      expect(await holder.release()).toBe(true);
      expect(await admin.get(PREFIX + name)).toBe('hung-owner'); // FIFO: the hung waiter was first
      expect(await admin.pttl(PREFIX + name)).toBeLessThanOrEqual(400);
      expect(await admin.pttl(PREFIX + name)).toBeGreaterThan(0);
      expect(await nextWait).toBe(true);
      expect(await next.release()).toBe(true);
    }
  });

  it('a handoff whose message was lost is recognised by the re-check (the key already holds my token)', async () => {
    const a = await processOn(url);
    const b = await processOn(url, { recheckInterval: '50ms' });
    const holder = a.locks.lock('lost:1', 30, { fencing: true });
    expect(await holder.get()).toBe(true);
    const waiter = b.locks.lock('lost:1', 0, { fencing: true });
    const waiting = waiter.block(20);
    await until(async () => (await queued(admin, 'lost:1')) === 1);
    // The release script as RedisStore runs it, but its announcement fails (an unknown publish command):
    // the key is handed over and nobody hears of it.
    const key = PREFIX + 'lost:1';
    const keys = handoffKeys(key);
    expect(await admin.eval(RELEASE.source, 6, ...keys, holder.owner, '*', 'NOPUBLISH', key, 30_000)).toBe(2);
    expect(await admin.get(key)).toBe(waiter.owner);
    expect(await waiting).toBe(true);
    // Found by a re-check (SET NX cannot succeed on a key that holds our token: the script recognised it),
    // with the handoff's fencing token and the ttl-0 claim made permanent by that same script.
    expect(b.store.attempts.get(waiter.owner)).toBeGreaterThan(2);
    expect(waiter.fencingToken).toBeGreaterThan(holder.fencingToken as number);
    expect(await admin.get(fencingKey(key))).toBe(String(waiter.fencingToken)); // the handoff's own token
    expect(await admin.pttl(key)).toBe(-1);
    expect(await waiter.release()).toBe(true);
  });
});

describe('a waiter that cannot hear handoffs', () => {
  it('does not queue (its subscription was refused) and still acquires through its re-check', async () => {
    const server = await startRedis();
    const local = new Redis(server.url);
    try {
      // A user that may do everything but subscribe: the store's subscriber connection (same credentials)
      // is refused, like SSUBSCRIBE on a Cluster without sharded pub/sub.
      await local.call('ACL', 'SETUSER', 'nosub', 'on', 'nopass', '~*', '&*', '+@all', '-subscribe');
      const url = server.url.replace('redis://', 'redis://nosub:x@');
      const a = await processOn(server.url);
      const b = await processOn(url, { recheckInterval: '50ms' });
      const holder = a.locks.lock('deaf:1', 30);
      expect(await holder.get()).toBe(true);
      const waiter = b.locks.lock('deaf:1', 30);
      const waiting = waiter.block(20);
      await until(async () => (b.store.attempts.get(waiter.owner) ?? 0) >= 4); // re-checking, not queued
      expect(await queued(local, 'deaf:1')).toBe(0);
      expect(await holder.release()).toBe(true);
      expect(await waiting).toBe(true);
      expect(await waiter.release()).toBe(true);
      await closeProcess(a);
      await closeProcess(b);
    } finally {
      local.disconnect();
      await server.stop();
    }
  });
});

describe('Laravel interop with a queue', () => {
  it("a raw SET NX cannot jump the queue, a raw holder's silent DEL is noticed, and a free key is anyone's", async () => {
    const a = await processOn(url, { recheckInterval: '50ms' });
    const b = await processOn(url, { recheckInterval: '50ms' });
    const key = PREFIX + 'laravel:1';
    expect(await admin.set(key, 'php-owner', 'PX', 60_000, 'NX')).toBe('OK');
    const first = a.locks.lock('laravel:1', 30);
    const second = b.locks.lock('laravel:1', 30);
    const firstWait = first.block(20);
    await until(async () => (await queued(admin, 'laravel:1')) === 1);
    const secondWait = second.block(20);
    await until(async () => (await queued(admin, 'laravel:1')) === 2);
    // Laravel's release does not publish: the queued waiters' re-check notices the free key. Which of the two
    // re-checks first depends on their timers' phases (a free key is anyone's); the other stays queued.
    expect(await admin.eval(LARAVEL_RELEASE, 1, key, 'php-owner')).toBe(1);
    const winner = await Promise.race([firstWait.then(() => first), secondWait.then(() => second)]);
    const [other, otherWait] = winner === first ? [second, secondWait] : [first, firstWait];
    expect(await admin.get(key)).toBe(winner.owner);
    expect(await admin.set(key, 'php-owner', 'PX', 60_000, 'NX')).toBeNull();
    expect(await queued(admin, 'laravel:1')).toBe(1);
    // Our release hands it to the queued waiter (the key holds its token when the release returns, before any
    // re-check of its own could run); a raw SET NX right after finds it taken.
    expect(await winner.release()).toBe(true);
    expect(await admin.get(key)).toBe(other.owner);
    expect(await admin.set(key, 'php-owner', 'PX', 60_000, 'NX')).toBeNull();
    expect(await otherWait).toBe(true);
    expect(await queued(admin, 'laravel:1')).toBe(0);
    expect(await other.release()).toBe(true);
    // Queue empty: the key is free for a Laravel client again.
    expect(await admin.set(key, 'php-owner', 'PX', 60_000, 'NX')).toBe('OK');
    expect(await admin.eval(LARAVEL_RELEASE, 1, key, 'php-owner')).toBe(1);
  });
});

describe('scripts', () => {
  it('handoff, leave and queued attempts survive SCRIPT FLUSH', async () => {
    const server = await startRedis();
    const local = new Redis(server.url);
    try {
      const a = await processOn(server.url);
      const b = await processOn(server.url);
      for (let round = 0; round < 2; round++) {
        await local.script('FLUSH');
        const holder = a.locks.lock('flush:1', 30, { fencing: true });
        expect(await holder.get()).toBe(true);
        await local.script('FLUSH');
        const waiter = b.locks.lock('flush:1', 30, { fencing: true });
        const attemptsToQueue = b.store.listening(PREFIX + 'flush:1') ? 1 : 2;
        const waiting = waiter.block(20);
        const leaving = b.locks.lock('flush:1', 30).block(0.3);
        await until(async () => (await queued(local, 'flush:1')) === 2);
        await local.script('FLUSH');
        await expect(leaving).rejects.toMatchObject({ name: 'LockTimeoutError' });
        expect(await queued(local, 'flush:1')).toBe(1);
        await local.script('FLUSH');
        expect(await holder.release()).toBe(true);
        expect(await waiting).toBe(true);
        expect(b.store.attempts.get(waiter.owner)).toBe(attemptsToQueue);
        expect(waiter.fencingToken).toBeGreaterThan(holder.fencingToken as number);
        await local.script('FLUSH');
        expect(await waiter.release()).toBe(true);
      }
      await closeProcess(a);
      await closeProcess(b);
    } finally {
      local.disconnect();
      await server.stop();
    }
  });
});
