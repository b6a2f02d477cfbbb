/**
 * The lock events on MemoryStore, RedisStore (the shared redis-server) and QuorumStore (3 masters started
 * here); the Cluster run is in test/cli/locks-cluster.test.ts, next to the admin command on the same Cluster.
 */
import { Redis } from 'ioredis';
import { afterAll, inject } from 'vitest';
import { MemoryStore, QuorumStore, RedisStore } from 'locksmith-js';
import { queueKey } from '../../src/stores/redis-keys.js';
import { startMasters, type RedisMasters } from '../support/redis-topology.js';
import { describeEventSuite } from './events-suite.js';

/** A client that connected and was closed again: every command on it fails at once. */
async function closedClient(url: string): Promise<Redis> {
  const client = new Redis(url);
  await client.ping();
  await client.quit();
  return client;
}

describeEventSuite('MemoryStore', async () => ({
  store: new MemoryStore(),
  handsOff: false,
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
