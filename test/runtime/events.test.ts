/**
 * The lock events on MemoryStore, RedisStore (the shared redis-server) and QuorumStore (3 masters started
 * here); the Cluster run is in test/cli/locks-cluster.test.ts, next to the admin command on the same Cluster.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createLocks, LOCK_ACQUIRED, MemoryStore, QuorumStore, RedisStore } from 'locksmith-js';
import { handoffKeys } from '../../src/stores/redis-handoff.js';
import { queueKey } from '../../src/stores/redis-keys.js';
import { RELEASE } from '../../src/stores/redis-scripts.js';
import { startMasters, type RedisMasters } from '../support/redis-topology.js';
import { describeEventSuite, recordEvents } from './events-suite.js';

/** A client that connected and was closed again: every command on it fails at once. */
async function closedClient(url: string): Promise<Redis> {
  const client = new Redis(url);
  await client.ping();
  await client.quit();
  return client;
}

describeEventSuite('MemoryStore', async () => ({
  store: new MemoryStore(),
  handsOff: true,
  broken: async () => {
    const store = new MemoryStore();
    await store.close();
    return store;
  },
  cleanup: async () => undefined,
}));

describeEventSuite('RedisStore', async () => {
  const url = inject('redisUrl');
  const client = new Redis(url);
  await client.ping();
  const store = new RedisStore(client);
  return {
    store,
    handsOff: true,
    queued: (key) => client.zcard(queueKey(key)),
    broken: async () => new RedisStore(await closedClient(url)),
    cleanup: async () => {
      await store.close();
      client.disconnect();
    },
  };
});

let masters: RedisMasters | undefined;
afterAll(async () => masters?.stop());

describeEventSuite('QuorumStore (3 masters)', async () => {
  masters = await startMasters(3);
  const clients = masters.servers.map((server) => new Redis(server.url));
  await Promise.all(clients.map((client) => client.ping()));
  const store = new QuorumStore(clients, { nodeTimeoutMs: 500 });
  const urls = masters.servers.map((server) => server.url);
  return {
    store,
    handsOff: false,
    broken: async () => new QuorumStore(await Promise.all(urls.map((url) => closedClient(url)))),
    cleanup: async () => {
      await store.close();
      clients.forEach((client) => client.disconnect());
    },
  };
});

describe('lock events: a handoff whose message was lost', () => {
  it('is still published as a handoff when the waiter’s re-check finds the grant (the store’s acquire result says so)', async () => {
    const url = inject('redisUrl');
    const admin = new Redis(url);
    const client = new Redis(url);
    const store = new RedisStore(client, { recheckInterval: '50ms' });
    const prefix = `events-lost-message:${randomUUID().slice(0, 8)}:`;
    const locks = createLocks({ store, prefix, timeout: 3 });
    const recorder = recordEvents();
    try {
      const holder = locks.lock('job:handoff:1', 30);
      expect(await holder.get()).toBe(true);
      const waiter = locks.lock('job:handoff:1', 30);
      const waiting = waiter.block(20);
      const key = `${prefix}job:handoff:1`;
      for (let i = 0; (await admin.zcard(queueKey(key))) === 0; i++) {
        if (i > 1_000) throw new Error('the waiter never queued');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      // RedisStore's own release script, with an announcement that fails: handed over, and nobody hears of it.
      const keys = handoffKeys(key);
      expect(await admin.eval(RELEASE.source, keys.length, ...keys, holder.owner, '*', 'NOPUBLISH', key)).toBe(2);
      await expect(waiting).resolves.toBe(true);
      const acquired = recorder.events.filter((e) => e.channel === LOCK_ACQUIRED && e.message.owner === waiter.owner);
      expect(acquired.map((e) => e.message.handoff)).toEqual([true]);
      await waiter.release();
    } finally {
      recorder.stop();
      await locks.close();
      admin.disconnect();
      client.disconnect();
    }
  });
});
