/**
 * `locksmith locks --sentinel` on a real Sentinel group (1 master, 1 replica, 3 sentinels started here): the
 * command asks the sentinels for the master and reads and releases there.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocks, RedisStore, type LockManager } from 'locksmith-js';
import { main } from '../../bin/cli.js';
import { queueKey } from '../../src/stores/redis-keys.js';
import { startSentinel, type RedisSentinelTopology } from '../support/redis-topology.js';

const PREFIX = `sentinel_cache_${randomUUID().slice(0, 8)}:`;
let group: RedisSentinelTopology;
let client: Redis;
let locks: LockManager;

beforeAll(async () => {
  group = await startSentinel();
  client = new Redis({ sentinels: [...group.sentinelAddresses], name: group.name });
  client.on('error', () => undefined);
  await client.ping();
  locks = createLocks({ store: new RedisStore(client), prefix: PREFIX, timeout: 3 });
});
afterAll(async () => {
  await locks?.close();
  client?.disconnect();
  await group?.stop();
});

async function locksmith(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sentinels = group.sentinelAddresses.map((address) => `${address.host}:${address.port}`).join(',');
  const code = await main(['locks', ...args, '--sentinel', sentinels, '--sentinel-name', group.name, '--prefix', PREFIX], {
    cwd: process.cwd(),
    env: {},
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

describe('locksmith locks --sentinel', () => {
  it('lists the master’s locks (not its cache entries) and force-releases one to its queued waiter', async () => {
    await client.set(`${PREFIX}cache:1`, 's:3:"abc";');
    const holder = locks.lock('sync:facility:3', 60);
    await holder.get();
    const waiter = locks.lock('sync:facility:3', 30);
    const waiting = waiter.block(30);
    for (let i = 0; (await client.zcard(queueKey(`${PREFIX}sync:facility:3`))) === 0; i++) {
      if (i > 1_000) throw new Error('the waiter never queued');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    const listed = await locksmith('list', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([{ name: 'sync:facility:3', owner: holder.owner, ttlMs: expect.any(Number), waiters: 1, fence: null }]);

    const released = await locksmith('release', 'sync:facility:3', '--force', '--yes');
    expect(released.code, released.stderr).toBe(0);
    await expect(waiting).resolves.toBe(true);
    expect(await waiter.isOwnedByCurrentProcess()).toBe(true);
    await waiter.release();
  });
});
