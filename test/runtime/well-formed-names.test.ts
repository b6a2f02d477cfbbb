/**
 * Names, owner tokens and prefixes must be well-formed UTF-16 (issue 9, item 9). Redis stores UTF-8, where a
 * lone surrogate becomes U+FFFD: `a\uD800` and `a\uDC00` would share one key on Redis but not in MemoryStore,
 * and a handoff message would no longer match its owner token. They are a TypeError before any store call.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLocks, RedisStore, type LockManager } from 'locksmith-js';
import { SwitchStore } from './doubles.js';

const PREFIX = 'test:well-formed:';
const LONE = ['a\uD800', 'a\uDC00b', '\uDFFF', 'x:\uD83D'] as const;

describe('lone surrogates are rejected before any store call', () => {
  const store = new SwitchStore();
  const locks = createLocks({ store });
  const calls = (): number => [...store.counts.values()].reduce((sum, n) => sum + n, 0);

  it.each(LONE)('lock(%j)', (name) => {
    expect(() => locks.lock(name, 10)).toThrow(TypeError);
    expect(() => locks.lock(name, 10)).toThrow(/name must be well-formed UTF-16 \(it contains a lone surrogate/);
    expect(calls()).toBe(0);
  });

  it.each(LONE)('lock(name, ttl, { owner: %j })', (owner) => {
    expect(() => locks.lock('a:b:c', 10, { owner })).toThrow(/options\.owner must be well-formed UTF-16/);
    expect(calls()).toBe(0);
  });

  it.each(LONE)('restoreLock(%j, owner) and restoreLock(name, %j)', (bad) => {
    expect(() => locks.restoreLock(bad, 'owner')).toThrow(/name must be well-formed UTF-16/);
    expect(() => locks.restoreLock('a:b:c', bad)).toThrow(/owner must be well-formed UTF-16/);
    expect(calls()).toBe(0);
  });

  it('createLocks({ prefix }) with a lone surrogate', () => {
    expect(() => createLocks({ store, prefix: 'app\uD800:' })).toThrow(/prefix must be well-formed UTF-16/);
  });

  it('well-formed non-ASCII text, astral characters (surrogate pairs) included, is accepted', () => {
    expect(() => locks.lock('sync:{é😀}:ß', 10, { owner: 'jöb-😀' })).not.toThrow();
    expect(() => locks.restoreLock('😀', '😀')).not.toThrow();
  });
});

describe('on Redis: what the check prevents, and that well-formed names round-trip', () => {
  let redis: Redis;
  let locks: LockManager;

  beforeAll(async () => {
    redis = new Redis(inject('redisUrl'));
    await redis.del(`${PREFIX}a\uFFFD`, `${PREFIX}😀:x`);
    locks = createLocks({ store: new RedisStore(redis), prefix: PREFIX, timeout: 2 });
  });

  afterAll(async () => {
    await locks.close();
    redis.disconnect();
  });

  it('Redis itself turns distinct lone surrogates into the same key (why they are refused)', async () => {
    await redis.set(`${PREFIX}a\uD800`, 'first');
    expect(await redis.get(`${PREFIX}a\uDC00`)).toBe('first');
    await redis.del(`${PREFIX}a\uD800`);
    expect(() => locks.lock('a\uD800', 10)).toThrow(TypeError);
    expect(await redis.exists(`${PREFIX}a\uFFFD`)).toBe(0);
  });

  it('a name and owner with surrogate pairs are stored exactly and exclude each other', async () => {
    const first = locks.lock('😀:x', 10, { owner: 'jöb-😀' });
    expect(await first.get()).toBe(true);
    expect(await redis.get(`${PREFIX}😀:x`)).toBe('jöb-😀');
    expect(await locks.lock('😀:x', 10).get()).toBe(false);
    expect(await locks.restoreLock('😀:x', 'jöb-😀').isOwnedByCurrentProcess()).toBe(true);
    expect(await first.release()).toBe(true);
  });
});
