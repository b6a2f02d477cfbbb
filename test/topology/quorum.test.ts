/**
 * QuorumStore on 5 real, independent redis-server masters: the lock works with 2 of them stopped, fails closed
 * (a clear LockStoreError, nothing hung) with 3 stopped, grants nothing without validity time left, undoes
 * acquisitions that land too late, and keeps fencing tokens increasing when the nodes' counters disagree.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLocks, LockStoreError, QuorumStore, QuorumUnavailableError, type LockManager } from 'locksmith-js';
import { fencingKey } from '../../src/stores/redis-keys.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startMasters, waitFor, type RedisMasters } from '../support/redis-topology.js';

const PREFIX = 'topology-quorum:';
const TIMEOUT_S = 2;

let masters: RedisMasters;
let clients: Redis[];
let store: QuorumStore;
let locks: LockManager;
/** Servers this file replaced after stopping the originals; stopped in afterAll too. */
const restarted: RedisServer[] = [];

function connect(port: number): Redis {
  // A node that is down must fail fast, not queue commands: RedisStore's default `failWhileReconnecting`
  // does that once ioredis notices; a short connectTimeout makes it notice soon.
  const client = new Redis({ host: '127.0.0.1', port, connectTimeout: 1_000, maxRetriesPerRequest: 1 });
  client.on('error', () => undefined); // refused reconnects while a node is down are expected here
  return client;
}

beforeAll(async () => {
  masters = await startMasters(5);
  clients = masters.addresses.map(({ port }) => connect(port));
  await Promise.all(clients.map((client) => client.ping()));
  store = new QuorumStore(clients, { nodeTimeoutMs: 300 });
  locks = createLocks({ store, prefix: PREFIX, timeout: TIMEOUT_S });
});

afterAll(async () => {
  try {
    await locks?.close();
  } finally {
    for (const client of clients ?? []) client.disconnect();
    await Promise.allSettled(restarted.map((server) => server.stop()));
    await masters?.stop();
  }
});

/** Stops the given nodes (by index) for the duration of `body`, then restarts them on their ports. */
async function withNodesDown(indexes: number[], body: () => Promise<void>): Promise<void> {
  const servers = indexes.map((index) => currentServer(index));
  await Promise.all(servers.map((server) => server.stop({ signal: 'SIGKILL' })));
  await waitFor('clients to notice the stopped nodes', async () =>
    indexes.every((index) => clients[index]?.status !== 'ready'),
  );
  try {
    await body();
  } finally {
    for (const [position, index] of indexes.entries()) {
      const server = await startRedis({ port: (servers[position] as RedisServer).port });
      restarted.push(server);
      replaced.set(index, server);
    }
    await waitFor('clients to reconnect', async () => indexes.every((index) => clients[index]?.status === 'ready'), 30_000);
  }
}

const replaced = new Map<number, RedisServer>();
function currentServer(index: number): RedisServer {
  return replaced.get(index) ?? (masters.servers[index] as RedisServer);
}

async function valuesOnNodes(key: string): Promise<(string | null)[]> {
  return Promise.all(clients.map((client) => client.get(PREFIX + key).catch(() => 'unreachable')));
}

afterEach(async () => {
  // Nothing a test did may leave a lock behind on any node.
  await waitFor('every node to be reachable', async () => clients.every((client) => client.status === 'ready'), 30_000);
});

describe('QuorumStore on 5 independent masters', () => {
  it('writes the lock on every node, with the owner token as the value, and contends on the majority', async () => {
    const first = locks.lock('quorum:basic:1', 10);
    const second = locks.lock('quorum:basic:1', 10);
    expect(await first.get()).toBe(true);
    // get() returns once a majority granted; the last node's answer may still be on its way.
    await waitFor('every node to hold the lock', async () =>
      (await valuesOnNodes('quorum:basic:1')).every((value) => value === first.owner),
    );
    expect(await second.get()).toBe(false);
    expect(await second.isLocked()).toBe(true);
    expect(await first.isOwnedByCurrentProcess()).toBe(true);
    expect(await second.release()).toBe(false);
    expect(await first.release()).toBe(true);
    await waitFor('every node to drop the lock', async () =>
      (await valuesOnNodes('quorum:basic:1')).every((value) => value === null),
    );
    expect(await second.get()).toBe(true);
    expect(await second.release()).toBe(true);
  });

  it('rejects fewer than 3 clients, the same node twice, and a bad nodeTimeoutMs', () => {
    expect(() => new QuorumStore(clients.slice(0, 2))).toThrow(RangeError);
    expect(() => new QuorumStore(clients, { nodeTimeoutMs: 0 })).toThrow(/nodeTimeoutMs/);
    // Two votes for one server would let a minority of servers pass for a majority.
    const [a, b] = clients as [Redis, Redis];
    expect(() => new QuorumStore([a, b, a])).toThrow(/same client is listed twice/);
    const twin = new Redis({ host: '127.0.0.1', port: masters.addresses[0]?.port, lazyConnect: true });
    try {
      expect(() => new QuorumStore([a, b, twin])).toThrow(/two clients connect to 127\.0\.0\.1:\d+/);
    } finally {
      twin.disconnect();
    }
  });

  it('grants nothing when no validity time is left (ttl below the clock-drift margin)', async () => {
    // 2 ms: drift is 2 ms + 1% of it, so ttl − elapsed − drift is never positive.
    const lock = locks.lock('quorum:validity:1', '2ms');
    expect(await lock.get()).toBe(false);
    await waitFor('the partial acquisitions to be released', async () =>
      (await valuesOnNodes('quorum:validity:1')).every((value) => value === null),
    );
    // A sane ttl on the same name is granted at once: the failed attempt left nothing held.
    const sane = locks.lock('quorum:validity:1', 5);
    expect(await sane.get()).toBe(true);
    await sane.release();
  });

  it('keeps fencing tokens increasing when the nodes’ counters disagree and the majority changes', async () => {
    const key = PREFIX + 'quorum:fence:1';
    const counterKey = fencingKey(key);
    // Node 0's counter far ahead of the others and of the time floor (tokens are at least the server time
    // in µs): e.g. many acquisitions that only it saw.
    const ahead = Date.now() * 2_000;
    await clients[0]?.set(counterKey, String(ahead));
    let firstToken = 0;
    // With nodes 3 and 4 down the granting majority is exactly {0, 1, 2}, so node 0's counter decides.
    await withNodesDown([3, 4], async () => {
      const first = locks.lock('quorum:fence:1', 10, { fencing: true });
      expect(await first.get()).toBe(true);
      expect(first.fencingToken).toBe(ahead + 1);
      firstToken = first.fencingToken ?? 0;
      await first.release();
    });
    // Without node 0 the next majority ({1..4}: 3 and 4 restarted empty) must still issue a larger token:
    // only the write-back of 101 to nodes 1 and 2 makes that true.
    await withNodesDown([0], async () => {
      const second = locks.lock('quorum:fence:1', 10, { fencing: true });
      expect(await second.get()).toBe(true);
      expect(second.fencingToken).toBeGreaterThan(firstToken);
      await second.release();
    });
  });

  it('keeps working with 2 of 5 nodes stopped: acquire, contend, wake on release, refresh, fencing', async () => {
    await withNodesDown([1, 3], async () => {
      const holder = locks.lock('quorum:degraded:1', 10, { fencing: true });
      expect(await holder.get()).toBe(true);
      const firstToken = holder.fencingToken ?? 0;
      expect(await locks.lock('quorum:degraded:1', 10).get()).toBe(false);
      expect(await holder.refresh(20)).toBe(true);
      const waiter = locks.lock('quorum:degraded:1', 10, { fencing: true });
      const waiting = waiter.block(8);
      setTimeout(() => void holder.release(), 200);
      await expect(waiting).resolves.toBe(true);
      expect(waiter.fencingToken).toBeGreaterThan(firstToken);
      expect(await waiter.isOwnedByCurrentProcess()).toBe(true);
      expect(await waiter.release()).toBe(true);
      expect(await waiter.isLocked()).toBe(false);
    });
  });

  it('fails closed with 3 of 5 stopped: get() and block() reject with a LockStoreError, nothing hangs', async () => {
    const before = locks.lock('quorum:outage:1', 30);
    expect(await before.get()).toBe(true);
    await withNodesDown([0, 2, 4], async () => {
      const started = performance.now();
      const error = await locks.lock('quorum:outage:2', 10).get().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(LockStoreError);
      expect((error as LockStoreError).cause).toBeInstanceOf(QuorumUnavailableError);
      expect((error as Error).message).toMatch(/quorum unavailable: 3 of 5 Redis nodes failed, a majority \(3\) must answer; 127\.0\.0\.1:\d+: /);
      // Settles within the store deadline (generous bound: this proves "does not hang", not speed).
      expect(performance.now() - started).toBeLessThan(TIMEOUT_S * 1_000 + 2_000);

      const blockStarted = performance.now();
      await expect(locks.lock('quorum:outage:2', 10).block(1)).rejects.toBeInstanceOf(LockStoreError);
      expect(performance.now() - blockStarted).toBeLessThan((1 + TIMEOUT_S) * 1_000 + 2_000);

      // The holder cannot confirm its lock either: every question fails closed rather than guessing.
      await expect(before.isOwnedByCurrentProcess()).rejects.toBeInstanceOf(LockStoreError);
      await expect(before.release()).rejects.toBeInstanceOf(LockStoreError);
    });
    // The restarted nodes lost their copy (no persistence); the 2 survivors still hold it: not a majority.
    await before.forceRelease();
    expect(await locks.lock('quorum:outage:1', 10).get()).toBe(true);
    await locks.lock('quorum:outage:1').forceRelease();
  });

  it('undoes an acquisition that lands on a paused node after its deadline (ttl 0 would otherwise stay forever)', async () => {
    const paused = [0, 1, 2].map((index) => currentServer(index));
    for (const server of paused) server.pause();
    try {
      await expect(locks.lock('quorum:late:1', 0).get()).rejects.toBeInstanceOf(LockStoreError);
      // Stalled (not refusing) nodes: block() still settles within its wait plus the store deadline.
      const blockStarted = performance.now();
      await expect(locks.lock('quorum:late:2', 10).block(1)).rejects.toBeInstanceOf(LockStoreError);
      expect(performance.now() - blockStarted).toBeLessThan((1 + TIMEOUT_S) * 1_000 + 2_000);
    } finally {
      for (const server of paused) server.resume();
    }
    // On resume the queued SETs run and succeed; the store must give each of them back.
    await waitFor(
      'late acquisitions to be released',
      async () =>
        [...(await valuesOnNodes('quorum:late:1')), ...(await valuesOnNodes('quorum:late:2'))].every((value) => value === null),
      10_000,
    );
    expect(await locks.lock('quorum:late:1', 5).get()).toBe(true);
    await locks.lock('quorum:late:1').forceRelease();
  });
});
