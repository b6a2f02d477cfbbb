/**
 * The shared behavioural store suite on QuorumStore over 5 real, independent redis-server masters: once with
 * all 5 up, once with 2 of them stopped before the suite starts (a minority lost must change nothing).
 */
import { Redis } from 'ioredis';
import { QuorumStore } from 'locksmith-js';
import { startMasters } from '../support/redis-topology.js';
import { describeStoreSuite, type StoreSetup } from 'locksmith-js/testing';

async function quorumOnFiveMasters(stopped: number): Promise<StoreSetup> {
  const masters = await startMasters(5);
  const clients = masters.addresses.map(({ host, port }) => {
    const client = new Redis({ host, port, connectTimeout: 1_000, maxRetriesPerRequest: 1 });
    client.on('error', () => undefined); // the stopped nodes refuse every reconnect; expected here
    return client;
  });
  try {
    await Promise.all(clients.map((client) => client.ping()));
    await Promise.all(masters.servers.slice(0, stopped).map((server) => server.stop({ signal: 'SIGKILL' })));
  } catch (error) {
    for (const client of clients) client.disconnect();
    await masters.stop();
    throw error;
  }
  const store = new QuorumStore(clients, { nodeTimeoutMs: 500 });
  return {
    store,
    cleanup: async () => {
      try {
        await store.close();
      } finally {
        for (const client of clients) client.disconnect();
        await masters.stop();
      }
    },
  };
}

describeStoreSuite('QuorumStore (5 masters)', () => quorumOnFiveMasters(0));
describeStoreSuite('QuorumStore (5 masters, 2 stopped)', () => quorumOnFiveMasters(2));
