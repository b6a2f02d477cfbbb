/**
 * RedisStore on a real Redis Cluster with a replica per master: the master of one shard is SIGKILLed, the
 * cluster promotes its replica, and the same Cluster client and store lock on that shard again, wake-ups
 * (sharded pub/sub, now served by the promoted node) included. A lock that had reached the replica survives.
 * Generous timeouts: this is behaviour, not speed.
 */
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocks, RedisStore, type LockManager } from 'locksmith-js';
import type { RedisServer } from '../support/redis-server.js';
import { clusterPortForKey, redisCli, startCluster, waitFor, type RedisClusterTopology } from '../support/redis-topology.js';
import { exerciseLock } from './exercise-lock.js';

const PREFIX = 'topology-cluster-failover:';

let cluster: RedisClusterTopology;
let client: Cluster;
let store: RedisStore;
let locks: LockManager;

beforeAll(async () => {
  cluster = await startCluster({ masters: 3, replicas: 1, nodeTimeoutMs: 1_000 });
  client = new Cluster([...cluster.startupNodes], { redisOptions: { connectTimeout: 1_000 }, retryDelayOnFailover: 200 });
  client.on('error', () => undefined); // the killed master refuses reconnects; expected
  await client.ping();
  store = new RedisStore(client);
  // Long re-check ceilings: a waiter that gets the lock promptly was woken by the release announcement.
  locks = createLocks({ store, prefix: PREFIX, timeout: 5, recheckInterval: '60s' });
}, 120_000);

afterAll(async () => {
  try {
    await locks?.close();
  } finally {
    client?.disconnect();
    await cluster?.stop();
  }
});

describe('RedisStore on a Cluster whose master fails over', () => {
  it('locks on the shard again once its replica is promoted; a replicated lock survives', { timeout: 120_000 }, async () => {
    const anyPort = cluster.startupNodes[0]?.port ?? 0;
    // One hash tag: every lock below lives on the shard whose master is killed.
    const name = 'cluster:{failover}:1';
    const masterPort = await clusterPortForKey(anyPort, PREFIX + name);
    const master = cluster.nodes.find((node) => node.port === masterPort) as RedisServer;
    // The shard's replica must be in sync to be promoted (and to carry the lock).
    const replicaPort = Number(
      (await redisCli(masterPort, 'INFO', 'replication')).match(/slave0:ip=[^,]+,port=(\d+)/)?.[1] ?? Number.NaN,
    );
    expect(replicaPort).toBeGreaterThan(0);
    await waitFor('the replica to sync', async () =>
      (await redisCli(replicaPort, 'INFO', 'replication')).includes('master_link_status:up'),
    );

    await exerciseLock(locks, `${name}:before`);
    const replicated = locks.lock(name, 120);
    expect(await replicated.get()).toBe(true);
    const replica = new Redis({ host: '127.0.0.1', port: replicaPort });
    try {
      await replica.call('READONLY'); // a cluster replica answers reads only after READONLY
      await waitFor('the lock to reach the replica', async () => (await replica.get(PREFIX + name)) === replicated.owner);
    } finally {
      replica.disconnect();
    }

    await master.stop({ signal: 'SIGKILL' });
    await waitFor(
      'the replica to be promoted',
      async () => (await clusterPortForKey(replicaPort, PREFIX + name)) === replicaPort,
      60_000,
      200,
    );

    // The same client and store find the new master by themselves.
    await waitFor(
      'the store to lock on the promoted node',
      async () => {
        const probe = locks.lock(`${name}:probe`, 5);
        const acquired = await probe.get().catch(() => false);
        if (acquired) await probe.release();
        return acquired;
      },
      60_000,
      200,
    );
    expect(await replicated.isOwnedByCurrentProcess()).toBe(true);
    expect(await locks.lock(name, 10).get()).toBe(false);
    await exerciseLock(locks, `${name}:after`);
    expect(await replicated.release()).toBe(true);
  });
});
