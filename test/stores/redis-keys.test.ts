/**
 * The names RedisStore derives from a lock key (release channel, fencing counter, waiter queue, grant record, wake-pending mark)
 * are injective over (key, kind), so distinct lock names never share a key or channel, and each hashes to the
 * lock key's Cluster slot, as a real cluster-enabled redis-server computes it (CLUSTER KEYSLOT).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLocks, RedisStore, type LockManager } from 'locksmith-js';
import { fencingKey, grantKey, keySlot, queueKey, releaseChannel, wokeKey } from '../../src/stores/redis-keys.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';

/** Names built to collide under a naive "wrap the key in braces unless it has a tag" scheme, and more. */
const TRICKY = [
  'x',
  '{x}',
  '{x}y',
  'x{x}',
  'a}b',
  'x{}y',
  '{}x',
  '{}',
  '{',
  '}',
  '{{x}}',
  '{{x}',
  '{x',
  'x}',
  '}{x}',
  '{x}:locksmith:queue',
  'x:locksmith:queue',
  '{x}x:locksmith:queue',
  '{x}}x:locksmith:fence',
  '{x}:locksmith:fence:locksmith:queue',
  'héllo:ключ:🔒',
  '{🔒}',
  '🔒',
  'process:package:1A4',
  '{user42}:sync',
  'prefix:{tag}:a{b}c',
];
const DERIVE = { releaseChannel, fencingKey, queueKey, grantKey, wokeKey };

let server: RedisServer;
let cluster: Redis;

beforeAll(async () => {
  // Cluster mode only so that CLUSTER KEYSLOT answers; no slots are served.
  server = await startRedis({ args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'] });
  cluster = new Redis(server.url);
});

afterAll(async () => {
  cluster.disconnect();
  await server.stop();
});

describe('derived names', () => {
  it('are distinct for distinct (name, kind) pairs, across every kind', () => {
    const seen = new Map<string, string>();
    for (const key of TRICKY) {
      for (const [kind, derive] of Object.entries(DERIVE)) {
        const name = derive(key);
        expect(seen.get(name), `${kind}(${JSON.stringify(key)}) = ${name}`).toBeUndefined();
        seen.set(name, `${kind}(${key})`);
      }
    }
    expect(seen.size).toBe(TRICKY.length * Object.keys(DERIVE).length);
    // With a prefix in front, as createLocks builds keys: still distinct.
    const prefixed = new Set(TRICKY.flatMap((key) => Object.values(DERIVE).map((derive) => derive(`app:${key}`))));
    expect(prefixed.size).toBe(TRICKY.length * Object.keys(DERIVE).length);
  });

  it.each(TRICKY)('of %j hash to the key’s slot on a real server', async (key) => {
    const slot = Number(await cluster.call('CLUSTER', 'KEYSLOT', key));
    expect(keySlot(key)).toBe(slot);
    for (const [kind, derive] of Object.entries(DERIVE)) {
      expect(Number(await cluster.call('CLUSTER', 'KEYSLOT', derive(key))), kind).toBe(slot);
    }
  });
});

describe('locks named x and {x}', () => {
  const PREFIX = '';
  const opened: { client: Redis; locks: LockManager }[] = [];

  afterAll(async () => {
    for (const { locks, client } of opened) {
      await locks.close();
      client.disconnect();
    }
  });

  async function manager(): Promise<LockManager> {
    const client = new Redis(inject('redisUrl'));
    await client.ping();
    const locks = createLocks({ store: new RedisStore(client, { recheckInterval: 60 }), prefix: PREFIX, timeout: 3 });
    opened.push({ client, locks });
    return locks;
  }

  it('do not share a queue: a release of one is never handed to a waiter of the other', async () => {
    const id = randomUUID().slice(0, 8);
    const plain = `x${id}`;
    const tagged = `{x${id}}`;
    const admin = new Redis(inject('redisUrl'));
    try {
      const a = await manager();
      const b = await manager();
      const holdPlain = a.lock(plain, 30);
      const holdTagged = a.lock(tagged, 30);
      expect(await holdPlain.get()).toBe(true);
      expect(await holdTagged.get()).toBe(true);
      const waiter = b.lock(tagged, 30);
      const waiting = waiter.block(10);
      const deadline = Date.now() + 5_000;
      while ((await admin.zcard(queueKey(tagged))) === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(await admin.zcard(queueKey(tagged))).toBe(1);
      expect(await admin.zcard(queueKey(plain))).toBe(0);
      expect(await holdPlain.release()).toBe(true);
      expect(await admin.exists(plain)).toBe(0); // freed, not handed to the waiter of the other name
      expect(await admin.get(tagged)).toBe(holdTagged.owner);
      expect(await holdTagged.release()).toBe(true);
      expect(await waiting).toBe(true);
      expect(await admin.get(tagged)).toBe(waiter.owner);
      expect(await waiter.release()).toBe(true);
    } finally {
      admin.disconnect();
    }
  });
});
