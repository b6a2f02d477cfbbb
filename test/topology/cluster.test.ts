/**
 * RedisStore on a real 3-master Redis Cluster (started here with `--cluster-enabled yes` and
 * `redis-cli --cluster create`): the shared store suite, a lock's key, fencing counter and release channel in
 * one slot (checked by the servers themselves), and wake-on-release through sharded pub/sub on every shard.
 */
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocks, RedisStore, type LockManager } from 'locksmith-js';
import { fencingKey, releaseChannel } from '../../src/stores/redis-keys.js';
import { clusterPortForKey, redisCli, startCluster, type RedisClusterTopology } from '../support/redis-topology.js';
import { describeStoreSuite } from 'locksmith-js/testing';

const PREFIX = 'topology-cluster:';

let topology: Promise<RedisClusterTopology> | undefined;
/** One cluster for the whole file, started on first use and stopped after every suite in it. */
function cluster(): Promise<RedisClusterTopology> {
  topology ??= startCluster({ masters: 3 });
  return topology;
}

function connect(started: RedisClusterTopology): Cluster {
  const client = new Cluster([...started.startupNodes], { redisOptions: { connectTimeout: 2_000 } });
  client.on('error', () => undefined);
  return client;
}

afterAll(async () => {
  await (await topology?.catch(() => undefined))?.stop();
});

describeStoreSuite('RedisStore on a 3-master Cluster', async () => {
  const client = connect(await cluster());
  await client.ping();
  const store = new RedisStore(client);
  return {
    store,
    cleanup: async () => {
      try {
        await store.close();
      } finally {
        client.disconnect();
      }
    },
  };
}, { fifo: true });

describe('RedisStore on a 3-master Cluster: slots and shards', () => {
  let started: RedisClusterTopology;
  let client: Cluster;
  let store: RedisStore;
  let locks: LockManager;

  beforeAll(async () => {
    started = await cluster();
    client = connect(started);
    await client.ping();
    // Re-check ceilings (the store's and the lock core's) far longer than any wait below: a waiter that
    // acquires was woken by the release announcement.
    store = new RedisStore(client, { recheckInterval: '60s' });
    locks = createLocks({ store, prefix: PREFIX, timeout: 5, recheckInterval: '60s' });
  });

  afterAll(async () => {
    try {
      await locks?.close();
    } finally {
      client?.disconnect();
    }
  });

  /** One lock name per master: names whose keys the cluster itself places on three different nodes. */
  async function namesOnEveryShard(): Promise<Map<number, string>> {
    const anyPort = started.nodes[0]?.port ?? 0;
    const byPort = new Map<number, string>();
    for (let n = 0; byPort.size < started.nodes.length && n < 200; n++) {
      const name = `cluster:shard:${n}`;
      const port = await clusterPortForKey(anyPort, PREFIX + name);
      if (!byPort.has(port)) byPort.set(port, name);
    }
    expect(byPort.size).toBe(3);
    return byPort;
  }

  it('keeps the key, the fencing counter and the release channel in the key’s slot, on the key’s node', async () => {
    // Plain, hash-tagged, and the awkward shapes that cannot simply be wrapped in braces.
    const names = ['cluster:slot:1', 'cluster:{tenant-7}:slot', 'odd}name:{x', 'x{}y:z'];
    for (const name of names) {
      const key = PREFIX + name;
      const lock = locks.lock(name, 30, { fencing: true });
      expect(await lock.get(), name).toBe(true); // a cross-slot script would fail with CROSSSLOT
      const owningPort = await clusterPortForKey(started.nodes[0]?.port ?? 0, key);
      const slot = await redisCli(owningPort, 'CLUSTER', 'KEYSLOT', key);
      // The servers, not our CRC code, say which slot each derived name is in.
      expect(await redisCli(owningPort, 'CLUSTER', 'KEYSLOT', fencingKey(key)), name).toBe(slot);
      expect(await redisCli(owningPort, 'CLUSTER', 'KEYSLOT', releaseChannel(key)), name).toBe(slot);
      const node = new Redis({ host: '127.0.0.1', port: owningPort });
      const listener = node.duplicate();
      try {
        // On the node that owns the slot: the key holds the owner token, the counter the fencing token.
        expect(await node.get(key)).toBe(lock.owner);
        expect(await node.get(fencingKey(key))).toBe(String(lock.fencingToken));
        // The release is announced with SPUBLISH on that node: a sharded subscriber there hears it.
        const announced = new Promise<string>((resolve) => listener.on('smessage', (_channel: string, message: string) => resolve(message)));
        await listener.call('SSUBSCRIBE', releaseChannel(key));
        expect(await lock.release()).toBe(true);
        expect(await announced).toBe(key);
      } finally {
        listener.disconnect();
        node.disconnect();
      }
    }
  });

  it('wakes a waiter on every shard when the holder releases (sharded pub/sub reaches each master)', async () => {
    const names = await namesOnEveryShard();
    for (const [port, name] of names) {
      const holder = locks.lock(name, 0); // ttl 0: only the release can free it
      expect(await holder.get()).toBe(true);
      const waiter = locks.lock(name, 10);
      const waiting = waiter.block(20);
      await new Promise((resolve) => setTimeout(resolve, 100)); // let the waiter subscribe and sleep
      expect(await holder.release()).toBe(true);
      // The re-check ceiling is 60 s: acquiring within the 20 s wait proves the wake-up came from the shard.
      await expect(waiting, `waiter on the shard at port ${port}`).resolves.toBe(true);
      expect(await waiter.release()).toBe(true);
    }
  });

  it('excludes across processes’ connections: a second Cluster client cannot take a held lock on any shard', async () => {
    const other = connect(started);
    const otherStore = new RedisStore(other);
    const otherLocks = createLocks({ store: otherStore, prefix: PREFIX });
    try {
      for (const name of (await namesOnEveryShard()).values()) {
        const mine = locks.lock(name, 30);
        expect(await mine.get()).toBe(true);
        expect(await otherLocks.lock(name, 30).get()).toBe(false);
        expect(await otherLocks.lock(name, 30).isLocked()).toBe(true);
        expect(await mine.release()).toBe(true);
        const theirs = otherLocks.lock(name, 30);
        expect(await theirs.get()).toBe(true);
        expect(await theirs.release()).toBe(true);
      }
    } finally {
      await otherLocks.close();
      other.disconnect();
    }
  });
});

