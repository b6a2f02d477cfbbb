import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { RedisStore } from 'locksmith-js';
import { describeStoreSuite } from 'locksmith-js/testing';

// The shared behavioural suite on the shared redis-server (the suite gives itself a unique prefix).
describeStoreSuite('RedisStore', async () => {
  const client = new Redis(inject('redisUrl'));
  await client.ping();
  const store = new RedisStore(client);
  return {
    store,
    cleanup: async () => {
      await store.close();
      client.disconnect();
    },
  };
}, { fifo: true });
