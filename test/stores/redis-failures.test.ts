/**
 * RedisStore when Redis is unreachable, stalled, or drops the subscriber: every call settles within its
 * deadline (or the wait plus it), errors carry what failed, nothing is left as an unhandled rejection, and
 * close() never hangs. Private servers only (they are stopped and paused).
 */
import { createServer, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLocks, LockStoreError, RedisStore } from 'locksmith-js';
import { releaseChannel } from '../../src/stores/redis-keys.js';
import { freePort, startRedis, type RedisServer } from '../support/redis-server.js';

const PREFIX = 'test:redis-failures:';
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});

afterEach(async () => {
  // Late answers and timers settle on later ticks: give them the chance to misbehave before checking.
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(unhandled).toEqual([]);
});

afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

/** Runs `call`, returning what it rejected with and how long that took (ms). */
async function rejection(call: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  try {
    await call();
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
  throw new Error('expected a rejection');
}

describe('Redis unreachable (nothing listens on the port)', () => {
  let port: number;
  beforeAll(async () => {
    port = await freePort();
  });

  it('get(), isLocked() and block(wait) reject with LockStoreError within their bounds', async () => {
    const client = new Redis({ host: '127.0.0.1', port });
    client.on('error', () => undefined);
    const locks = createLocks({ store: new RedisStore(client), prefix: PREFIX, timeout: '300ms' });
    try {
      const lock = locks.lock('down:one', 10);
      for (const call of [() => lock.get(), () => lock.isLocked(), () => lock.release()]) {
        const { error, ms } = await rejection(call);
        expect(error).toBeInstanceOf(LockStoreError);
        expect(ms).toBeLessThan(300 + 1_000); // the deadline, with generous slack for a loaded machine
      }
      const { error, ms } = await rejection(() => lock.block(1));
      expect(error).toBeInstanceOf(LockStoreError);
      expect(ms).toBeLessThan(1_000 + 300 + 1_000);
    } finally {
      await locks.close();
      client.disconnect();
    }
  });

  it("carries ioredis's own error as the cause when ioredis gives up first", async () => {
    // maxRetriesPerRequest 0: ioredis fails queued commands on the first refused connection.
    const client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0 });
    client.on('error', () => undefined);
    const locks = createLocks({ store: new RedisStore(client), prefix: PREFIX, timeout: 2 });
    try {
      const { error } = await rejection(() => locks.lock('down:cause', 10).get());
      expect(error).toBeInstanceOf(LockStoreError);
      const cause = (error as LockStoreError).cause;
      expect(cause).toBeInstanceOf(Error);
      expect((cause as Error).name).toBe('MaxRetriesPerRequestError');
      expect((error as LockStoreError).operation).toBe('acquire');
    } finally {
      await locks.close();
      client.disconnect();
    }
  });

  it('fails fast while the client is reconnecting instead of queueing a late acquire', async () => {
    const client = new Redis({ host: '127.0.0.1', port, retryStrategy: () => 50 });
    client.on('error', () => undefined);
    const locks = createLocks({ store: new RedisStore(client), prefix: PREFIX, timeout: 5 });
    try {
      await new Promise<void>((resolve) => client.once('reconnecting', () => resolve()));
      const { error, ms } = await rejection(() => locks.lock('down:fast', 10).get());
      expect(error).toBeInstanceOf(LockStoreError);
      expect(String((error as LockStoreError).cause)).toMatch(/reconnecting|connecting/);
      expect(ms).toBeLessThan(1_000); // not the 5 s deadline: nothing was queued
    } finally {
      await locks.close();
      client.disconnect();
    }
  });
});

describe('Redis stops or stalls while in use', () => {
  let server: RedisServer;
  afterEach(async () => {
    await server.stop();
  });

  it('a waiter blocked when the server stops rejects within wait + timeout, and close() does not hang', async () => {
    server = await startRedis();
    const client = new Redis(server.url, { retryStrategy: () => 100 });
    client.on('error', () => undefined);
    const store = new RedisStore(client);
    const locks = createLocks({ store, prefix: PREFIX, timeout: '500ms' });
    try {
      expect(await locks.lock('stop:held', 30).get()).toBe(true);
      const started = performance.now();
      const waiting = locks.lock('stop:held', 30).block(2);
      waiting.catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await server.stop();
      const { error } = await rejection(() => waiting);
      expect(error).toBeInstanceOf(LockStoreError);
      expect(performance.now() - started).toBeLessThan(2_000 + 500 + 1_500);
      const closing = performance.now();
      await locks.close();
      expect(performance.now() - closing).toBeLessThan(1_000);
    } finally {
      client.disconnect();
    }
  });

  it('once ready, a reconnect that hangs (a black-holed server) fails fast instead of queueing', async () => {
    server = await startRedis();
    const client = new Redis(server.url, { retryStrategy: () => 20 });
    client.on('error', () => undefined);
    const locks = createLocks({ store: new RedisStore(client), prefix: PREFIX, timeout: 5 });
    // After the server stops, its port accepts connections and never answers: ioredis sits in connect/connecting.
    const sockets: Socket[] = [];
    const blackHole = createServer((socket) => void sockets.push(socket));
    try {
      expect(await locks.lock('hole:warm', 1).get()).toBe(true);
      await server.stop();
      await new Promise<void>((resolve) => blackHole.listen(server.port, '127.0.0.1', resolve));
      for (let i = 0; i < 200 && sockets.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(['connect', 'connecting']).toContain(client.status);
      const { error, ms } = await rejection(() => locks.lock('hole:one', 10).get());
      expect(error).toBeInstanceOf(LockStoreError);
      expect(String((error as LockStoreError).cause)).toMatch(/does not queue commands/);
      expect(ms).toBeLessThan(1_000); // not the 5 s deadline: nothing was queued
    } finally {
      await locks.close();
      client.disconnect();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => blackHole.close(resolve));
    }
  });

  it('a stalled server (SIGSTOP) makes get() reject at the deadline; it works again once resumed', async () => {
    server = await startRedis();
    const client = new Redis(server.url);
    client.on('error', () => undefined);
    const locks = createLocks({ store: new RedisStore(client), prefix: PREFIX, timeout: '300ms' });
    try {
      expect(await locks.lock('stall:warm', 1).get()).toBe(true); // connected, scripts loaded
      server.pause();
      const { error, ms } = await rejection(() => locks.lock('stall:one', 10).get());
      expect(error).toBeInstanceOf(LockStoreError);
      expect((error as Error).message).toMatch(/did not answer/);
      expect(ms).toBeLessThan(300 + 1_000);
      server.resume();
      // The late acquire that landed after the deadline was given back by the lock core.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const again = locks.lock('stall:one', 10);
      expect(await again.get()).toBe(true);
      await again.release();
    } finally {
      server.resume();
      await locks.close();
      client.disconnect();
    }
  });

  it('wake-ups resume after the subscriber reconnects (channels are subscribed again)', async () => {
    server = await startRedis();
    const client = new Redis(server.url);
    const admin = new Redis(server.url);
    // Re-checks far beyond the wait: only an announcement can hand the lock over in time.
    const store = new RedisStore(client, { recheckInterval: 120 });
    const locks = createLocks({ store, prefix: PREFIX });
    try {
      const holder = locks.lock('sub:resubscribe', 120);
      expect(await holder.get()).toBe(true);
      const waiting = locks.lock('sub:resubscribe', 120).block(20);
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub')).toBe(1);
      // Wait until the subscriber is back and subscribed to the key's channel again.
      for (let i = 0; i < 100; i++) {
        const channels = (await admin.call('PUBSUB', 'CHANNELS')) as string[];
        if (channels.includes(releaseChannel(`${PREFIX}sub:resubscribe`))) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await admin.call('PUBSUB', 'CHANNELS')).toContain(releaseChannel(`${PREFIX}sub:resubscribe`));
      const releasedAt = performance.now();
      await holder.release();
      expect(await waiting).toBe(true);
      // Far below the 20 s wait (whose last attempt would also succeed): the announcement woke it.
      expect(performance.now() - releasedAt).toBeLessThan(8_000);
    } finally {
      await locks.close();
      client.disconnect();
      admin.disconnect();
    }
  });

  it('a killed subscriber connection does not strand waiters: they still acquire after the release', async () => {
    server = await startRedis();
    const client = new Redis(server.url);
    const admin = new Redis(server.url);
    const store = new RedisStore(client, { recheckInterval: '200ms' });
    const locks = createLocks({ store, prefix: PREFIX, recheckInterval: 30 });
    try {
      const holder = locks.lock('sub:killed', 60);
      expect(await holder.get()).toBe(true);
      const waiters = [1, 2, 3].map(() => locks.lock('sub:killed', 60).block(10, async () => 'done'));
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub')).toBe(1);
      await holder.release(); // announced while the subscriber may be down
      expect(await Promise.all(waiters)).toEqual(['done', 'done', 'done']);
    } finally {
      await locks.close();
      client.disconnect();
      admin.disconnect();
    }
  });
});
