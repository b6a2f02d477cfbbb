/**
 * Issue 5, fencing tokens: with `fencing: true` every successful acquisition of a name gets a token strictly
 * greater than every token issued before for that name — across handles, after an expiry, and across OS
 * processes (RedisStore, where the acquire script issues it atomically). Without `fencing`, no token.
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLocks, MemoryStore, RedisStore, type LockManager } from 'locksmith-js';

const PREFIX = `test:fencing:${process.pid}:`;
const worker = fileURLToPath(new URL('./fencing-worker.ts', import.meta.url));

let redis: Redis;
beforeAll(async () => {
  redis = new Redis(inject('redisUrl'));
  await redis.ping();
});
afterAll(async () => {
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

const isStrictlyIncreasing = (values: readonly number[]): boolean => values.every((v, i) => i === 0 || v > (values[i - 1] ?? Infinity));

describe.each(['memory', 'redis'] as const)('on %s', (kind) => {
  let locks: LockManager;
  beforeAll(() => {
    const store = kind === 'memory' ? new MemoryStore() : new RedisStore(redis);
    locks = createLocks({ store, prefix: `${PREFIX}${kind}:` });
  });
  afterAll(async () => {
    await locks.close();
  });

  it('gives every acquisition a token greater than all before it, across handles', async () => {
    const tokens: number[] = [];
    for (let i = 0; i < 10; i++) {
      const lock = locks.lock('fence:handles:1', 10, { fencing: true });
      expect(lock.fencingToken).toBeUndefined(); // nothing acquired yet
      expect(await lock.get()).toBe(true);
      expect(typeof lock.fencingToken).toBe('number');
      tokens.push(lock.fencingToken ?? Number.NaN);
      await lock.release();
    }
    expect(isStrictlyIncreasing(tokens)).toBe(true);
  });

  it('keeps increasing under contention, in the order the holders held the lock', async () => {
    const seen: number[] = [];
    const holder = async (): Promise<void> => {
      for (let i = 0; i < 5; i++) {
        const lock = locks.lock('fence:contended:1', 10, { fencing: true });
        await lock.block(10, async () => {
          seen.push(lock.fencingToken ?? Number.NaN);
          await sleep(1);
        });
      }
    };
    await Promise.all([holder(), holder(), holder(), holder()]);
    expect(seen).toHaveLength(20);
    expect(isStrictlyIncreasing(seen)).toBe(true);
  });

  it('issues a greater token to the next holder after an expiry, so the stale holder can be fenced off', async () => {
    const stale = locks.lock('fence:expiry:1', 0.2, { fencing: true });
    expect(await stale.get()).toBe(true);
    await sleep(300); // the lease lapsed while the holder was paused
    const next = locks.lock('fence:expiry:1', 10, { fencing: true });
    expect(await next.get()).toBe(true);
    // The documented pattern: the downstream store accepts a write only with a token above the last one seen.
    let lastAccepted = 0;
    const write = (token: number | undefined): boolean => {
      if (token === undefined || token <= lastAccepted) return false;
      lastAccepted = token;
      return true;
    };
    expect(write(next.fencingToken)).toBe(true);
    expect(write(stale.fencingToken)).toBe(false); // the stale holder's late write is rejected
    await next.release();
  });

  it('a token of a lock taken again by the same handle is new', async () => {
    const lock = locks.lock('fence:same-handle:1', 10, { fencing: true });
    await lock.block(1);
    const first = lock.fencingToken ?? Number.NaN;
    await lock.release();
    await lock.block(1);
    expect(lock.fencingToken).toBeGreaterThan(first);
    await lock.release();
  });

  it('issues no token without fencing', async () => {
    const lock = locks.lock('fence:off:1', 10);
    expect(await lock.get()).toBe(true);
    expect(lock.fencingToken).toBeUndefined();
    await lock.release();
    const closure = await locks.lock('fence:off:1', 10).block(1, ({ lock: held }) => held.fencingToken);
    expect(closure).toBeUndefined();
  });
});

function runWorker(prefix: string, cycles: number, workers: number): Promise<{ tokens: number[]; stale: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', worker, inject('redisUrl'), prefix, String(cycles), String(workers)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`fencing worker exited with ${code}: ${err}`));
      else resolve(JSON.parse(out.trim()) as { tokens: number[]; stale: number });
    });
  });
}

describe('across OS processes (RedisStore)', () => {
  it('tokens are unique, increase within each process, and every holder sees a token above the previous holder', async () => {
    const prefix = `${PREFIX}processes:`;
    const cycles = 15;
    const results = await Promise.all([1, 2, 3].map(() => runWorker(prefix, cycles, 3)));
    const all = results.flatMap((result) => result.tokens);
    expect(all).toHaveLength(3 * cycles);
    expect(new Set(all).size).toBe(all.length);
    for (const result of results) expect(isStrictlyIncreasing(result.tokens)).toBe(true);
    expect(results.map((result) => result.stale)).toEqual([0, 0, 0]);
    // The processes really took turns: in token order, the holder changed process many times.
    const owners = results.flatMap((result, process) => result.tokens.map((token) => ({ token, process })));
    owners.sort((a, b) => a.token - b.token);
    const switches = owners.filter((owner, i) => i > 0 && owner.process !== owners[i - 1]?.process).length;
    expect(switches).toBeGreaterThanOrEqual(5);
    // The downstream store ended at the greatest token issued.
    expect(Number(await redis.get(`${prefix}last-accepted`))).toBe(Math.max(...all));
  }, 60_000);
});
