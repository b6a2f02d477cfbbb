/**
 * On a real 3-master Redis Cluster (started here, as the topology tests do): the lock events, and
 * `locksmith locks --cluster` finding locks on every shard (SCAN runs on each master), never the cache entries
 * beside them, showing a queue, and a force-release that hands the lock to the queued waiter.
 */
import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocks, RedisStore, type LockManager } from 'locksmith-js';
import { main } from '../../bin/cli.js';
import { keySlot, queueKey } from '../../src/stores/redis-keys.js';
import { startCluster, type RedisClusterTopology } from '../support/redis-topology.js';
import { describeEventSuite } from '../runtime/events-suite.js';

let topology: Promise<RedisClusterTopology> | undefined;
function cluster(): Promise<RedisClusterTopology> {
  topology ??= startCluster({ masters: 3 });
  return topology;
}
afterAll(async () => {
  await (await topology?.catch(() => undefined))?.stop();
});

async function connect(): Promise<Cluster> {
  const started = await cluster();
  const client = new Cluster([...started.startupNodes], { redisOptions: { connectTimeout: 2_000 } });
  client.on('error', () => undefined);
  await client.ping();
  return client;
}

describeEventSuite('RedisStore on a 3-master Cluster', async () => {
  const client = await connect();
  const store = new RedisStore(client);
  return {
    store,
    handsOff: true,
    queued: (key) => client.zcard(queueKey(key)),
    broken: async () => {
      const closed = await connect();
      await closed.quit();
      return new RedisStore(closed);
    },
    cleanup: async () => {
      await store.close();
      client.disconnect();
    },
  };
});

describe('locksmith locks --cluster', () => {
  const PREFIX = `cluster_cache_${randomUUID().slice(0, 8)}:`;
  let client: Cluster;
  let locks: LockManager;
  let nodes: string;

  const locksmith = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    let stdout = '';
    let stderr = '';
    const code = await main(['locks', ...args, '--cluster', nodes, '--prefix', PREFIX], {
      cwd: process.cwd(),
      env: {},
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
    });
    return { code, stdout, stderr };
  };

  beforeAll(async () => {
    client = await connect();
    locks = createLocks({ store: new RedisStore(client), prefix: PREFIX, timeout: 3 });
    nodes = (await cluster()).startupNodes
      .slice(0, 1)
      .map((node) => `${node.host}:${node.port}`)
      .join(',');
  });
  afterAll(async () => {
    await locks.close();
    client.disconnect();
  });

  it('lists locks from every shard, and no cache entry', async () => {
    // Names whose keys land in slots of all three masters (the slot ranges split 0-16383 in thirds).
    const names: string[] = [];
    for (let i = 0; names.length < 6; i++) {
      const name = `shard:job:${i}`;
      const third = Math.floor(keySlot(PREFIX + name) / 5_462);
      if (names.filter((n) => Math.floor(keySlot(PREFIX + n) / 5_462) === third).length < 2) names.push(name);
    }
    const held = names.map((name) => locks.lock(name, 30, { fencing: true }));
    for (const lock of held) expect(await lock.get()).toBe(true);
    for (let i = 0; i < 30; i++) await client.set(`${PREFIX}cache:${i}`, `s:4:"v${String(i).padStart(2, '0')}";`);
    await client.set(`${PREFIX}counter`, '1234567890123456');
    try {
      const run = await locksmith('list', '--json');
      expect(run.code, run.stderr).toBe(0);
      const listed = JSON.parse(run.stdout) as { name: string; owner: string; fence: number }[];
      expect(listed.map((lock) => lock.name)).toEqual([...names].sort());
      for (const lock of held) {
        expect(listed.find((entry) => entry.name === lock.name)).toMatchObject({ owner: lock.owner, fence: lock.fencingToken });
      }
    } finally {
      for (const lock of held) await lock.release();
    }
  });

  it('show lists the queue; release --force hands the lock to the queued waiter', async () => {
    const holder = locks.lock('process:package:{7}', 60);
    await holder.get();
    const waiter = locks.lock('process:package:{7}', 30);
    const waiting = waiter.block(30);
    const end = Date.now() + 10_000;
    while ((await client.zcard(queueKey(`${PREFIX}process:package:{7}`))) !== 1) {
      if (Date.now() > end) throw new Error('the waiter never queued');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const shown = await locksmith('show', 'process:package:{7}', '--json');
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ owner: holder.owner, waiters: 1, queue: [{ ttlMs: 30_000, owner: waiter.owner }] });

    const released = await locksmith('release', 'process:package:{7}', '--force', '--yes');
    expect(released.code, released.stderr).toBe(0);
    expect(released.stderr).toContain(`previous_owner="${holder.owner}"`);
    await expect(waiting).resolves.toBe(true);
    expect(await waiter.isOwnedByCurrentProcess()).toBe(true);
    await waiter.release();
    expect((await locksmith('release', 'process:package:{7}', '--force', '--yes')).code).toBe(1);
  });

  it('exit 2 with one line when the Cluster cannot be reached', async () => {
    let stderr = '';
    const code = await main(['locks', 'list', '--cluster', '127.0.0.1:1', '--timeout', '1s'], {
      cwd: process.cwd(),
      env: {},
      stdout: { write: () => true },
      stderr: { write: (text: string) => (stderr += text) },
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^locksmith: cannot reach the Cluster at 127\.0\.0\.1:1 within 1s \(.+\)\n$/);
  });
});
