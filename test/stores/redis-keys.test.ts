/**
 * The names RedisStore derives from a lock key (release channel, fencing counter, waiter queue, grant record,
 * wake-pending mark, force-release marker) are injective over (key, kind), so distinct lock names never share a
 * key or channel, and each hashes to the lock key's Cluster slot, as a real cluster-enabled redis-server computes it (CLUSTER KEYSLOT).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLocks, QuorumStore, RedisStore, type LockManager } from 'locksmith-js';
import { isDerivedKey } from '../../src/stores/redis-inspect.js';
import {
  derivedFrom,
  fencingKey,
  forcedKey,
  grantKey,
  keySlot,
  queueKey,
  releaseChannel,
  wokeKey,
} from '../../src/stores/redis-keys.js';
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
const DERIVE = { releaseChannel, fencingKey, queueKey, grantKey, wokeKey, forcedKey };

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

describe('reserved names: a lock key that is another lock key’s derived name', () => {
  const opened: { client: Redis; locks: LockManager }[] = [];

  afterAll(async () => {
    for (const { locks, client } of opened) {
      await locks.close();
      client.disconnect();
    }
  });

  async function manager(prefix = ''): Promise<LockManager> {
    const client = new Redis(inject('redisUrl'));
    await client.ping();
    const locks = createLocks({ store: new RedisStore(client), prefix, timeout: 3 });
    opened.push({ client, locks });
    return locks;
  }

  it('is really shared: a lock kept at x’s hold record is deleted by x’s release (the hazard the check closes)', async () => {
    const client = new Redis(inject('redisUrl'));
    const store = new RedisStore(client);
    try {
      const x = `x${randomUUID().slice(0, 8)}`;
      const squatter = grantKey(x);
      // Straight to the store, past the manager's check: what a lock named like this would go through.
      expect((await store.acquire({ key: squatter, owner: 'squatter', ttlMs: 30_000, fencing: false })).acquired).toBe(true);
      expect((await store.acquire({ key: x, owner: 'owner-x', ttlMs: 30_000, fencing: false })).acquired).toBe(true);
      expect(await client.get(squatter)).not.toBe('squatter'); // overwritten by x's hold record
      expect(await store.release(x, 'owner-x')).toBe(true);
      expect(await client.exists(squatter)).toBe(0); // and deleted: anyone could now take "squatter"'s lock
    } finally {
      await store.close();
      client.disconnect();
    }
  });

  it.each(TRICKY)('lock() and restoreLock() refuse every derived name of %j, naming both keys', async (key) => {
    const locks = await manager();
    for (const [kind, derive] of Object.entries(DERIVE)) {
      const name = derive(key);
      expect(() => locks.lock(name, 10), kind).toThrow(RangeError);
      expect(() => locks.lock(name, 10), kind).toThrow(`the lock key ${JSON.stringify(name)} (prefix + name) is reserved`);
      expect(() => locks.lock(name, 10), kind).toThrow(`of the lock key ${JSON.stringify(key)} there`);
      expect(() => locks.restoreLock(name, 'some-owner-token'), kind).toThrow(RangeError);
    }
  });

  it('is checked on the prefixed key: a prefix can complete a derived name, or make it harmless', async () => {
    const tagged = await manager('{t}');
    expect(() => tagged.lock('{t}x:locksmith:queue', 10)).toThrow(/"\{t\}\{t\}x:locksmith:queue".*"\{t\}x"/);
    expect(() => tagged.lock('x:locksmith:queue', 10)).not.toThrow(); // {t}x:locksmith:queue: derived from nothing
    const app = await manager('app:');
    const name = grantKey('x');
    expect(() => app.lock(name, 10)).not.toThrow(); // app:{x}x:locksmith:grant is an ordinary key
    const key = `app:${name}`;
    expect(derivedFrom(key)).toBeUndefined();
  });

  it('QuorumStore refuses them too (its nodes keep the same derived keys)', async () => {
    // Never connected: the check runs before any command.
    const clients = [1, 2, 3].map((port) => new Redis({ host: '127.0.0.1', port, lazyConnect: true }));
    const locks = createLocks({ store: new QuorumStore(clients) });
    try {
      expect(() => locks.lock(fencingKey('x'), 10)).toThrow(RangeError);
      expect(() => locks.lock('x', 10)).not.toThrow();
    } finally {
      await locks.close();
      for (const client of clients) client.disconnect();
    }
  });

  it('is exact: near misses stay usable, and no accepted lock key is another accepted key’s derived name', async () => {
    const nearMisses = [
      '{x}:locksmith:queue', // between } and :locksmith: is "", never a key
      '{x}y:locksmith:queue', // y's queue is {y}y:locksmith:queue
      'x:locksmith:queue',
      '{x}x:locksmith:queues',
      '{x}x:locksmith:',
      '{x}x:locksmith:Grant',
      '{y}x:locksmith:grant',
      '{}x:locksmith:grant',
      '{x}}x:locksmith:fence',
      ' {x}x:locksmith:grant',
    ];
    const locks = await manager();
    for (const name of nearMisses) expect(() => locks.lock(name, 10), name).not.toThrow();

    // Every name reachable from the tricky ones by deriving, twice, with and without a prefix in front.
    const derive = (key: string): string[] => Object.values(DERIVE).map((f) => f(key));
    const bases = [...TRICKY, ...nearMisses, ...TRICKY.map((key) => `{t}${key}`)];
    const candidates = new Set([...bases, ...bases.flatMap(derive), ...bases.flatMap(derive).flatMap(derive)]);
    const accepted: string[] = [];
    let refused = 0;
    for (const name of candidates) {
      try {
        locks.lock(name, 10);
        accepted.push(name);
      } catch (error) {
        expect(error).toBeInstanceOf(RangeError);
        refused++;
      }
    }
    const derivedOfAccepted = new Set(accepted.flatMap(derive));
    for (const key of accepted) expect(derivedOfAccepted.has(key), key).toBe(false);
    // Every derived name among the candidates was refused: all but the bases and near misses.
    const derivedOfCandidates = new Set([...candidates].flatMap(derive));
    expect(refused).toBe([...candidates].filter((name) => derivedOfCandidates.has(name)).length);
    expect(refused).toBeGreaterThan(bases.length * Object.keys(DERIVE).length);
  });

  it('the inspector hides exactly the derived names, and lists a lock whose name only looks like one', () => {
    expect(isDerivedKey(queueKey('x'))).toBe(true);
    expect(isDerivedKey(wokeKey('a}b'))).toBe(true);
    expect(isDerivedKey('x:locksmith:queue')).toBe(false);
    expect(isDerivedKey('{x}y:locksmith:grant')).toBe(false);
  });
});
