/**
 * RedisStore through an ioredis Sentinel client, on a real group started here: one master, one replica, three
 * sentinels. Locks work; after the master is SIGKILLed and the replica promoted, the same store (same client)
 * reconnects and locks work again, wake-ups included. Timeouts are generous: this is behaviour, not speed.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocks, LockStoreError, RedisStore, type LockManager } from 'locksmith-js';
import { startSentinel, waitFor, type RedisSentinelTopology } from '../support/redis-topology.js';
import { exerciseLock } from './exercise-lock.js';

const PREFIX = 'topology-sentinel:';

let group: RedisSentinelTopology;
let client: Redis;
let store: RedisStore;
let locks: LockManager;

beforeAll(async () => {
  group = await startSentinel({ downAfterMs: 1_000, failoverTimeoutMs: 5_000 });
  client = new Redis({
    sentinels: [...group.sentinelAddresses],
    name: group.name,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
    // Reconnect quickly while the sentinels elect a new master.
    retryStrategy: () => 200,
    sentinelRetryStrategy: () => 200,
  });
  client.on('error', () => undefined); // refused reconnects to the killed master are expected
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
    await group?.stop();
  }
});

describe('RedisStore over Sentinel', () => {
  it('locks through the master the sentinels name', async () => {
    expect(await group.currentMasterPort()).toBe(group.master.port);
    await exerciseLock(locks, 'sentinel:basic:1');
  });

  it('reconnects after the master is killed and the replica promoted; locks work again', { timeout: 120_000 }, async () => {
    // A lock taken before the failure and confirmed on the replica (WAIT 1) survives the failover;
    // one that the replica had not received yet would not (see docs/deployment.md).
    const replicated = locks.lock('sentinel:replicated:1', 120);
    expect(await replicated.get()).toBe(true);
    expect(await client.wait(1, 5_000)).toBe(1);

    const oldPort = group.master.port;
    await group.master.stop({ signal: 'SIGKILL' });

    // While no master is reachable, calls fail fast with a LockStoreError; none hangs.
    const during = await locks.lock('sentinel:during:1', 10).get().then(
      (acquired) => acquired,
      (error: unknown) => error,
    );
    if (during !== true) expect(during).toBeInstanceOf(LockStoreError);
    else await locks.lock('sentinel:during:1').forceRelease();

    const newPort = await group.waitForFailover(oldPort, 60_000);
    expect(newPort).toBe(group.replica.port);

    // The same client and store find the new master by themselves.
    await waitFor(
      'the store to lock on the new master',
      async () => {
        const probe = locks.lock('sentinel:probe:1', 5);
        const acquired = await probe.get();
        if (acquired) await probe.release();
        return acquired;
      },
      60_000,
      200,
    );
    await exerciseLock(locks, 'sentinel:after:1');

    // The replicated lock is still held by its owner on the promoted replica.
    expect(await replicated.isOwnedByCurrentProcess()).toBe(true);
    expect(await locks.lock('sentinel:replicated:1', 10).get()).toBe(false);
    expect(await replicated.release()).toBe(true);
  });
});
