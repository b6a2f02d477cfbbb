/**
 * Barging waiters on Redis (`fair: false`): a release that reaches a barging waiter's queue entry frees the key
 * and wakes that waiter alone (by id) to race for it; a waiter that loses keeps its entry, so its place.
 *
 * Every store here counts its `acquire()` calls and re-checks far beyond the test (60 s) unless a test says
 * otherwise, so every attempt a waiter makes after queueing was caused by a wake-up: a plain attempt, a
 * queued one, then exactly one per wake-up. A waiter that is not woken cannot acquire within the test.
 * Runs on the shared redis-server under this file's own prefix; CLIENT KILL uses a private server.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { LockTimeoutError, type Lock, type RedisStoreOptions } from 'locksmith-js';
import { handoffKeys } from '../../src/stores/redis-handoff.js';
import { fencingKey, forcedKey, grantKey, queueKey, releaseChannel, wokeKey } from '../../src/stores/redis-keys.js';
import { ACQUIRE, ACQUIRE_OR_ENQUEUE, FORCE_RELEASE, RELEASE } from '../../src/stores/redis-scripts.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { Processes, sleep, until, type Process } from './support/redis-processes.js';

const PREFIX = `test:redis-barging:${randomUUID().slice(0, 8)}:`;

const processes = new Processes({ prefix: PREFIX, timeout: 3, fair: false });
/** One "application process" (its own client, store and manager) whose locks barge by default. */
const processOn = (serverUrl: string, options?: RedisStoreOptions): Promise<Process> => processes.open(serverUrl, options);
let url: string;
let admin: Redis;
let server: RedisServer | undefined;

/**
 * `pending`, which must settle within `ms`: far below the waits here (10 s) and the re-checks (60 s), so a
 * waiter that was not woken (and would only get its wait's last attempt, at the deadline) fails the test.
 */
async function soon<T>(pending: Promise<T>, ms = 3_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms: nobody woke the waiter`)), ms);
  });
  try {
    return await Promise.race([pending, late]);
  } finally {
    clearTimeout(timer);
  }
}

const entries = (client: Redis, name: string): Promise<string[]> => client.zrange(queueKey(PREFIX + name), '0', '-1');
const queued = (client: Redis, name: string): Promise<number> => client.zcard(queueKey(PREFIX + name));
/** The waiter id inside a queue entry `deadline:ttl:claim:fencing:fair:waiterId:token` (tokens here have no `:`). */
const idOf = (member: string): string => member.split(':').at(-2) as string;

beforeAll(async () => {
  url = inject('redisUrl');
  admin = new Redis(url);
  await admin.ping();
  // Loaded up front: a script's first run on a server costs a NOSCRIPT round trip, which would let the
  // waiter's attempt overtake a re-take that follows a release.
  for (const { source } of [ACQUIRE, RELEASE]) await admin.script('LOAD', source);
});

afterEach(async () => {
  await processes.closeAll();
  await server?.stop();
  server = undefined;
});

afterAll(() => {
  admin.disconnect();
});

/** Process `a` holds `name`; process `b`'s barging `block(10)` is queued behind it. */
async function heldAndQueued(name: string) {
  const a = await processOn(url);
  const b = await processOn(url);
  const holder = a.locks.lock(name, 30);
  expect(await holder.get()).toBe(true);
  const waiter = b.locks.lock(name, 30);
  let waiterHeld = false;
  const waiting = waiter.block(10).then(() => (waiterHeld = true));
  await until(async () => (await queued(admin, name)) === 1);
  return { a, b, holder, waiter, waiting, held: () => waiterHeld };
}

describe('barging on Redis (fair: false)', () => {
  it('the releasing process re-takes the lock at once while the woken waiter loses, keeps its entry and waits on', async () => {
    const { a, b, holder, waiter, waiting, held } = await heldAndQueued('retake');
    const [entry] = await entries(admin, 'retake');
    expect(b.store.count(waiter.owner)).toBe(2); // a plain attempt, then the queued one
    // The release and the next acquisition leave this process back to back: the release's wake-up reaches the
    // waiter only after the re-take is already in Redis.
    const again = a.locks.lock('retake', 30);
    const [released, retaken] = await Promise.all([holder.release(), again.get()]);
    expect(released).toBe(true);
    expect(retaken).toBe(true);
    expect(await admin.get(PREFIX + 'retake')).toBe(again.owner);
    await until(() => b.store.count(waiter.owner) === 3); // woken: one attempt, lost
    await sleep(100);
    expect(held()).toBe(false);
    expect(b.store.count(waiter.owner)).toBe(3); // back to sleep: no poll
    expect(await entries(admin, 'retake')).toEqual([entry]); // the same entry, so the same place
    expect(await again.release()).toBe(true);
    await soon(waiting);
    expect(b.store.count(waiter.owner)).toBe(4);
    expect(await queued(admin, 'retake')).toBe(0); // its successful attempt removed its entry
    expect(await waiter.release()).toBe(true);
  });

  it('a release wakes exactly one waiter across processes, the oldest; a loser keeps its place ahead of later waiters', async () => {
    const a = await processOn(url);
    const b = await processOn(url);
    const c = await processOn(url);
    let holder = a.locks.lock('one', 30);
    expect(await holder.get()).toBe(true);
    const order: string[] = [];
    const wait = (p: Process, label: string) => {
      const lock = p.locks.lock('one', 30);
      const done = lock.block(10, async () => {
        order.push(label);
        await sleep(2);
      });
      return { lock, done };
    };
    const w1 = wait(b, 'w1');
    await until(async () => (await queued(admin, 'one')) === 1);
    const w2 = wait(c, 'w2');
    await until(async () => (await queued(admin, 'one')) === 2);
    // Three rounds of release + immediate re-take: each wakes w1 (the oldest) alone, and w1 loses each time.
    for (let round = 1; round <= 3; round++) {
      const next = a.locks.lock('one', 30);
      const [, retaken] = await Promise.all([holder.release(), next.get()]);
      expect(retaken).toBe(true);
      holder = next;
      await until(() => b.store.count(w1.lock.owner) === 2 + round);
    }
    await sleep(150);
    expect(b.store.count(w1.lock.owner)).toBe(5);
    expect(c.store.count(w2.lock.owner)).toBe(2); // never woken
    // A later waiter, in w1's own process: behind both.
    const w3 = wait(b, 'w3');
    await until(async () => (await queued(admin, 'one')) === 3);
    expect((await entries(admin, 'one')).map(idOf)).toHaveLength(3);
    // The holder stops re-taking: each release wakes the next in arrival order.
    expect(await holder.release()).toBe(true);
    await soon(Promise.all([w1.done, w2.done, w3.done]));
    expect(order).toEqual(['w1', 'w2', 'w3']);
    // w2 and w3 were each woken once, by the release before theirs.
    expect(c.store.count(w2.lock.owner)).toBe(3);
    // A barging wait starts with a plain attempt even though b already listened to the key (a fair one would
    // start queued), then its queued attempt, then the wake's.
    expect(b.store.count(w3.lock.owner)).toBe(3);
    expect(await queued(admin, 'one')).toBe(0);
  });

  it('a wake-up right after a lost race is held back briefly, never lost: the waiter then takes the free key', async () => {
    const queuedBehind = await heldAndQueued('backoff');
    const { a, b, waiter, waiting } = queuedBehind;
    let holder = queuedBehind.holder;
    for (let round = 0; round < 5; round++) {
      const next = a.locks.lock('backoff', 30);
      const [, retaken] = await Promise.all([holder.release(), next.get()]);
      expect(retaken).toBe(true);
      holder = next;
      await until(() => b.store.count(waiter.owner) === 3 + round); // woken once per release: one attempt, lost
    }
    // Released at once after the last lost race (within the backoff, most runs), and not re-taken: the held-back
    // wake-up must still arrive, as one attempt.
    expect(await holder.release()).toBe(true);
    await soon(waiting);
    expect(b.store.count(waiter.owner)).toBe(8);
    expect(await waiter.release()).toBe(true);
  });

  it('a waiter that keeps losing tries less and less often (5 ms, doubling, at most 40 ms), yet keeps trying', async () => {
    const queuedBehind = await heldAndQueued('hot');
    const { a, b, waiter, waiting, held } = queuedBehind;
    let holder = queuedBehind.holder;
    const before = b.store.count(waiter.owner);
    // A hot key: the holder releases and re-takes back to back for 400 ms. Every release finds the woken waiter
    // either trying (and losing) or holding its wake-up back, so its tries are spaced by its growing backoff:
    // 5 + 10 + 20 + 40 ms, then every 40 ms, at most 13 in 400 ms (and more than 60 with a fixed 5 ms backoff).
    const end = performance.now() + 400;
    let cycles = 0;
    while (performance.now() < end) {
      const next = a.locks.lock('hot', 30);
      const [, retaken] = await Promise.all([holder.release(), next.get()]);
      if (!retaken) break; // the waiter won a race: barging allows it, and the count below still holds
      holder = next;
      cycles++;
    }
    const tries = b.store.count(waiter.owner) - before;
    expect(cycles).toBeGreaterThan(20);
    expect(tries).toBeGreaterThanOrEqual(2);
    expect(tries).toBeLessThanOrEqual(13);
    if (!held()) expect(await holder.release()).toBe(true);
    await soon(waiting);
    expect(await waiter.release()).toBe(true);
  });

  it('a barging waiter that times out or is aborted leaves the queue', async () => {
    const a = await processOn(url);
    const b = await processOn(url);
    const holder = a.locks.lock('leave', 30);
    expect(await holder.get()).toBe(true);
    await expect(b.locks.lock('leave', 30).block(0.3)).rejects.toBeInstanceOf(LockTimeoutError);
    expect(await queued(admin, 'leave')).toBe(0);
    const controller = new AbortController();
    const aborted = b.locks.lock('leave', 30).block(10, { signal: controller.signal });
    await until(async () => (await queued(admin, 'leave')) === 1);
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    expect(await queued(admin, 'leave')).toBe(0);
    expect(await holder.release()).toBe(true);
    expect(await admin.exists(PREFIX + 'leave')).toBe(0); // nobody queued: freed, not held for anyone
  });

  it('a mixed queue (fair, barging, fair) is served in arrival order, each waiter by its own mode', async () => {
    const a = await processOn(url);
    const b = await processOn(url);
    const c = await processOn(url);
    const holder = a.locks.lock('mixed', 30);
    expect(await holder.get()).toBe(true);
    const order: string[] = [];
    const waiters = [
      ['f1', b, true],
      ['b2', c, false],
      ['f3', b, true],
    ] as const;
    const runs: Promise<unknown>[] = [];
    const locks = waiters.map(([label, p, fair], i) => {
      const lock = p.locks.lock('mixed', 30, { fair });
      return { label, p, lock, i };
    });
    for (const { label, lock, i } of locks) {
      runs.push(
        lock.block(10, async () => {
          order.push(label);
          await sleep(2);
        }),
      );
      await until(async () => (await queued(admin, 'mixed')) === i + 1);
    }
    const modes = (await entries(admin, 'mixed')).map((member) => member.split(':')[4]);
    expect(modes).toEqual(['1', '0', '1']); // the entry carries its waiter's mode
    expect(await holder.release()).toBe(true);
    await soon(Promise.all(runs));
    expect(order).toEqual(['f1', 'b2', 'f3']);
    const [f1, b2, f3] = locks as [(typeof locks)[0], (typeof locks)[0], (typeof locks)[0]];
    // f1 and f3 were handed the lock (no attempt after queueing); b2 was woken and took it with its own SET NX.
    expect(b.store.count(f1.lock.owner)).toBe(2);
    expect(c.store.count(b2.lock.owner)).toBe(3);
    expect(b.store.count(f3.lock.owner)).toBe(1); // b already listened: its first attempt queued
    expect(await queued(admin, 'mixed')).toBe(0);
  });

  it('release and force-release answer 3 and wake a barging head; the key is free, the entry stays', async () => {
    const a = await processOn(url);
    const b = await processOn(url);
    const key = PREFIX + 'force';
    const holder = a.locks.lock('force', 30);
    expect(await holder.get()).toBe(true);
    const waiter = b.locks.lock('force', 30);
    const waiting = waiter.block(10);
    await until(async () => (await queued(admin, 'force')) === 1);
    // The script's answer, with an announcement nobody hears (an unknown publish command): key and hold record
    // gone, the entry kept.
    expect(await admin.eval(FORCE_RELEASE.source, 7, ...handoffKeys(key), forcedKey(key), 'NOPUBLISH', key, 'f1')).toBe(3);
    expect(await admin.exists(key, grantKey(key))).toBe(0);
    expect(await queued(admin, 'force')).toBe(1);
    expect(await admin.set(key, holder.owner, 'PX', 30_000, 'NX')).toBe('OK'); // retaken, as a barger would
    // Now the real thing: an administrator's force-release wakes the head.
    await a.locks.lock('force').forceRelease();
    await soon(waiting);
    expect(b.store.count(waiter.owner)).toBe(3);
    expect(await admin.get(key)).toBe(waiter.owner);
    expect(await waiter.release()).toBe(true);
  });

  it('a barging head whose wake-up was never announced finds the free key by its re-check', async () => {
    const a = await processOn(url);
    const b = await processOn(url, { recheckInterval: '50ms' });
    const key = PREFIX + 'silent';
    const holder = a.locks.lock('silent', 30);
    expect(await holder.get()).toBe(true);
    const waiter = b.locks.lock('silent', 30);
    const waiting = waiter.block(10);
    await until(async () => (await queued(admin, 'silent')) === 1);
    expect(await admin.eval(RELEASE.source, 6, ...handoffKeys(key), holder.owner, '*', 'NOPUBLISH', key)).toBe(3);
    await soon(waiting);
    expect(await admin.get(key)).toBe(waiter.owner);
    expect(await waiter.release()).toBe(true);
  });
});

describe('a wake-up for a waiter that is gone', () => {
  /**
   * `name` is held by a holder in `a`; a barging waiter in `b` queues, then `next` (from `nextProcess`). A release
   * frees the key and wakes the first, but its wake-up is lost (nobody hears it), and the first gives up without
   * having tried. Returns `next`'s wait and its queue entry's waiter id.
   */
  async function firstWokenGivesUp(name: string, next: Lock): Promise<{ waiting: Promise<unknown>; nextId: string }> {
    const a = await processOn(url);
    const b = await processOn(url);
    const key = PREFIX + name;
    const holder = a.locks.lock(name, 30);
    expect(await holder.get()).toBe(true);
    const controller = new AbortController();
    const first = b.locks.lock(name, 30).block(10, { signal: controller.signal });
    await until(async () => (await queued(admin, name)) === 1);
    const waiting = next.block(10);
    await until(async () => (await queued(admin, name)) === 2);
    const nextId = idOf((await entries(admin, name))[1] as string);
    expect(await admin.eval(RELEASE.source, 6, ...handoffKeys(key), holder.owner, '*', 'NOPUBLISH', key)).toBe(3);
    controller.abort(new Error('gone'));
    await expect(first).rejects.toThrow('gone');
    return { waiting, nextId };
  }

  it('a woken barging waiter that leaves before trying passes the free key on to the next waiter', async () => {
    const c = await processOn(url);
    const next = c.locks.lock('gone:leave', 30);
    // The first's leave finds the key free and its entry barging: the wake-up is owed to the next entry.
    const { waiting } = await firstWokenGivesUp('gone:leave', next);
    await soon(waiting); // 60 s re-checks: only a wake-up can do this within the test
    expect(c.store.count(next.owner)).toBe(3);
    expect(await admin.get(PREFIX + 'gone:leave')).toBe(next.owner);
    expect(await queued(admin, 'gone:leave')).toBe(0);
    expect(await next.release()).toBe(true);
  });

  it('a fair waiter behind a barging one that leaves a free key is handed the key', async () => {
    const c = await processOn(url);
    const next = c.locks.lock('gone:fair', 30, { fair: true, fencing: true });
    const { waiting, nextId } = await firstWokenGivesUp('gone:fair', next);
    await soon(waiting);
    expect(c.store.count(next.owner)).toBe(2); // a plain attempt, the queued one, then handed the key
    expect(next.fencingToken).toBeGreaterThan(0);
    expect(await admin.get(grantKey(PREFIX + 'gone:fair'))).toBe(`${nextId}:${next.fencingToken}`); // the leave's handoff
    expect(await next.release()).toBe(true);
  });

  it("a wake-up naming one of this store's waiters that already left wakes the store's next local waiter", async () => {
    const a = await processOn(url);
    const b = await processOn(url);
    const key = PREFIX + 'gone:local';
    const holder = a.locks.lock('gone:local', 30);
    expect(await holder.get()).toBe(true);
    const controller = new AbortController();
    const first = b.locks.lock('gone:local', 30).block(10, { signal: controller.signal });
    await until(async () => (await queued(admin, 'gone:local')) === 1);
    const firstId = idOf((await entries(admin, 'gone:local'))[0] as string);
    const next = b.locks.lock('gone:local', 30);
    const nextWaiting = next.block(10);
    await until(async () => (await queued(admin, 'gone:local')) === 2);
    controller.abort(new Error('gone'));
    await expect(first).rejects.toThrow('gone');
    expect(await queued(admin, 'gone:local')).toBe(1); // its leave ran while the key was held: nothing owed
    // A wake-up for `first` that was on its way when it left: the key is free and the message names a waiter
    // that this store no longer has.
    expect(await admin.del(key)).toBe(1);
    await admin.publish(releaseChannel(key), `${key}\0w\0${firstId}`);
    await soon(nextWaiting);
    expect(await admin.get(key)).toBe(next.owner);
    // A wake-up naming someone else's id is not ours to act on: nobody in this process wakes.
    const other = b.locks.lock('gone:local', 30);
    const otherWaiting = other.block(1).then(
      () => 'acquired',
      (error: unknown) => (error instanceof LockTimeoutError ? 'timed out' : 'failed'),
    );
    await until(async () => (await queued(admin, 'gone:local')) === 1);
    const before = b.store.count(other.owner);
    await admin.publish(releaseChannel(key), `${key}\0w\0pffffffffffff.0`);
    await sleep(200);
    expect(b.store.count(other.owner)).toBe(before);
    expect(await next.release()).toBe(true); // a real release wakes it
    expect(await soon(otherWaiting)).toBe('acquired');
    await other.release();
    expect(holder.owner).not.toBe(next.owner);
  });
});

describe('a lost wake-up', () => {
  it('a wake-up announced while the subscriber connection is down is recovered after the reconnect', async () => {
    server = await startRedis();
    const privateAdmin = new Redis(server.url);
    try {
      const a = await processOn(server.url);
      const b = await processOn(server.url);
      const holder = a.locks.lock('lost', 30);
      expect(await holder.get()).toBe(true);
      const waiter = b.locks.lock('lost', 30);
      const waiting = waiter.block(10);
      await until(async () => (await queued(privateAdmin, 'lost')) === 1);
      // Kill the waiter's subscriber connection (the holder never waited: it has none), then release before it
      // is back: nobody hears the wake-up.
      expect(await privateAdmin.call('CLIENT', 'KILL', 'TYPE', 'pubsub')).toBe(1);
      expect(await holder.release()).toBe(true);
      expect(await privateAdmin.exists(PREFIX + 'lost')).toBe(0);
      // Re-checks every 60 s: only the reconnect's wake-up of every queued waiter can end this within 10 s.
      await soon(waiting);
      expect(await privateAdmin.get(PREFIX + 'lost')).toBe(waiter.owner);
      expect(await queued(privateAdmin, 'lost')).toBe(0);
      expect(await waiter.release()).toBe(true);
    } finally {
      privateAdmin.disconnect();
    }
  });
});

describe('barging on Redis: one wake-up per try of the woken waiter, not one per release', () => {
  it('a holder re-taking in a loop sends no second wake-up until the woken waiter has tried', async () => {
    const a = await processOn(url);
    const name = 'coalesce';
    const key = PREFIX + name;
    const holder = a.locks.lock(name, 30);
    expect(await holder.get()).toBe(true);
    // A queued barging waiter that never acts on its own: its id counts as alive (no presence check for `x…`).
    const enqueue = (member: string): Promise<unknown> =>
      admin.evalsha(
        ACQUIRE_OR_ENQUEUE.sha,
        5,
        key,
        queueKey(key),
        fencingKey(key),
        grantKey(key),
        wokeKey(key),
        'w-token',
        30_000,
        0,
        10_000,
        member,
        'x-coalesce',
        5_000,
        0,
      );
    await admin.script('LOAD', ACQUIRE_OR_ENQUEUE.source);
    const [queuedStatus, member] = (await enqueue('')) as [number, string];
    expect(queuedStatus).toBe(0);
    const wakes: string[] = [];
    const listener = new Redis(url);
    try {
      await listener.subscribe(releaseChannel(key));
      listener.on('message', (_channel: string, message: string) => {
        if (message.includes('\0w\0')) wakes.push(message);
      });
      const cycle = async (): Promise<void> => {
        expect(await holder.release()).toBe(true);
        expect(await holder.get()).toBe(true);
      };
      const clockReads = async (): Promise<number> =>
        Number(/cmdstat_time:calls=(\d+)/.exec(await admin.info('commandstats'))?.[1] ?? 0);
      await cycle();
      const before = await clockReads();
      await cycle();
      await cycle();
      // The two releases that found the mark naming the head read only the mark and the head: no scan of the
      // queue, so no server clock either.
      expect(await clockReads()).toBe(before);
      await sleep(50);
      expect(wakes).toHaveLength(1); // the first release woke it; the next two found it still to try
      expect(await admin.get(wokeKey(key))).toBe('x-coalesce');

      // The waiter tries (and loses: the holder has the key): the mark is gone, the next release wakes again.
      expect(await enqueue(member)).toEqual([0, member]);
      expect(await admin.exists(wokeKey(key))).toBe(0);
      await cycle();
      await sleep(50);
      expect(wakes).toHaveLength(2);

      // A force-release always announces, mark or not (a holder's closure elsewhere must hear it).
      await a.locks.lock(name).forceRelease();
      await sleep(50);
      expect(wakes).toHaveLength(3);
      expect(await holder.get()).toBe(true);

      // The mark lapses on its own if the woken waiter never acts: releases then wake it again.
      await sleep(150);
      await cycle();
      await sleep(50);
      expect(wakes).toHaveLength(4);
      expect(await holder.release()).toBe(true);
    } finally {
      listener.disconnect();
      await admin.del(queueKey(key), wokeKey(key), key);
    }
  });
});

describe('barging on Redis: a holder wakes the waiter on its store alone', () => {
  it("a holder's release sends the wake-up on the waiter's presence channel, not the key's; a force-release on the key's", async () => {
    const a = await processOn(url);
    const b = await processOn(url);
    const name = 'presence-wake';
    const key = PREFIX + name;
    const onKeyChannel: string[] = [];
    const onPresence: string[] = [];
    const listener = new Redis(url);
    try {
      await listener.subscribe(releaseChannel(key));
      await listener.psubscribe('locksmith:alive:*');
      listener.on('message', (_channel: string, message: string) => onKeyChannel.push(message));
      listener.on('pmessage', (_pattern: string, _channel: string, message: string) => {
        if (message.startsWith(`${key}\0w\0`)) onPresence.push(message);
      });
      const holder = a.locks.lock(name, 30);
      expect(await holder.get()).toBe(true);
      const waiter = b.locks.lock(name, 30);
      const waiting = waiter.block(10);
      await until(async () => (await queued(admin, name)) === 1);
      expect(await holder.release()).toBe(true);
      await soon(waiting);
      expect(onPresence).toHaveLength(1);
      expect(onKeyChannel.filter((message) => message.includes('\0w\0'))).toEqual([]);

      // A force-release frees the waiter's lock for the next barging waiter: announced on the key's channel.
      const next = a.locks.lock(name, 30);
      const nextWaiting = next.block(10);
      await until(async () => (await queued(admin, name)) === 1);
      await b.locks.lock(name).forceRelease();
      await soon(nextWaiting);
      expect(onKeyChannel.filter((message) => message.includes('\0w\0'))).toHaveLength(1);
      expect(await next.release()).toBe(true);
    } finally {
      listener.disconnect();
    }
  });
});
