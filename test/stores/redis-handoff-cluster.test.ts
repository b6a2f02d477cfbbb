/**
 * Direct handoff on a 3-master Redis Cluster: the queue, the fencing counter and the channel live in the lock
 * key's slot (the scripts are refused otherwise: CROSSSLOT), and the handoff message reaches the waiter's
 * process through sharded pub/sub (SPUBLISH/SSUBSCRIBE) on the key's shard. Keys are chosen on every shard.
 * Re-checks are far beyond the test, and each waiter's attempts are counted: two (plain, then queued) means the
 * release handed it the lock.
 */
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLocks, RedisStore, type AcquireRequest, type LockManager } from 'locksmith-js';
import { keySlot, queueKey } from '../../src/stores/redis-keys.js';
import { startCluster, type RedisClusterTopology } from '../support/redis-topology.js';

const PREFIX = 'handoff-cluster:';

class CountingStore extends RedisStore {
  readonly attempts = new Map<string, number>();
  override acquire(request: AcquireRequest) {
    this.attempts.set(request.owner, (this.attempts.get(request.owner) ?? 0) + 1);
    return super.acquire(request);
  }
}

let topology: RedisClusterTopology;
const clients: Cluster[] = [];
const managers: LockManager[] = [];

function connect(): Cluster {
  const client = new Cluster([...topology.startupNodes], { redisOptions: { connectTimeout: 2_000 } });
  client.on('error', () => undefined);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  topology = await startCluster({ masters: 3 });
});

afterAll(async () => {
  for (const locks of managers) await locks.close();
  for (const client of clients) client.disconnect();
  await topology?.stop();
});

async function until(check: () => Promise<boolean>, withinMs = 10_000): Promise<void> {
  const end = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`condition not met within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

it('hands each shard’s lock to its waiters in arrival order across two Cluster clients', async () => {
  const holderClient = connect();
  const stores = [new CountingStore(connect(), { recheckInterval: 60 }), new CountingStore(connect(), { recheckInterval: 60 })];
  const holders = createLocks({ store: new RedisStore(holderClient), prefix: PREFIX });
  const waiters = stores.map((store) => createLocks({ store, prefix: PREFIX }));
  managers.push(holders, ...waiters);
  await holderClient.ping();

  // One name per slot range (16384 slots over 3 masters), so every shard runs a queue.
  const names: string[] = [];
  for (let n = 0; names.length < 3; n++) {
    const name = `queue:${n}`;
    const range = Math.floor((keySlot(PREFIX + name) * 3) / 16_384);
    if (!names.some((other) => Math.floor((keySlot(PREFIX + other) * 3) / 16_384) === range)) names.push(name);
  }

  await Promise.all(
    names.map(async (name) => {
      const holder = holders.lock(name, 30, { fencing: true });
      expect(await holder.get()).toBe(true);
      const order: number[] = [];
      const expectations: { store: CountingStore; owner: string }[] = [];
      const waits: Promise<unknown>[] = [];
      for (let i = 0; i < 4; i++) {
        const store = stores[i % 2] as CountingStore;
        const lock = (waiters[i % 2] as LockManager).lock(name, 30, { fencing: true });
        expectations.push({ store, owner: lock.owner });
        waits.push(
          lock.block(20, () => {
            order.push(i);
            return lock.fencingToken;
          }),
        );
        await until(async () => (await holderClient.zcard(queueKey(PREFIX + name))) === i + 1);
      }
      expect(await holder.release()).toBe(true);
      const tokens = (await Promise.all(waits)) as number[];
      expect(order).toEqual([0, 1, 2, 3]);
      expect(tokens).toEqual([...tokens].sort((x, y) => x - y)); // issued in handoff order, strictly increasing
      expect(new Set([holder.fencingToken, ...tokens]).size).toBe(5);
      expect(tokens[0]).toBeGreaterThan(holder.fencingToken as number);
      // The first waiter of each client: plain attempt, then queued; the second: queued at once (the client
      // already listened to the key). Never a re-check or a retry: every one was handed the lock.
      expect(expectations.map(({ store, owner }) => store.attempts.get(owner))).toEqual([2, 2, 1, 1]);
    }),
  );
});
