/**
 * locksmith's `RedisStore` through the public API, exactly as a user writes it:
 * `createLocks({ store: new RedisStore(redis) }).lock(key, ttl).block(wait)` and `release()`, from the
 * compiled package (`dist/`), as users run it: `locksmith` with the default FIFO handoff (`fair: true`),
 * `locksmith-barging` with `createLocks({ fair: false })`.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Redis } from 'ioredis';
import { DIST_ENTRY } from './build.js';
import { connect } from './redis-client.js';
import type { Held, LockSubject } from './subject.js';

/** The slice of locksmith's public API the benchmark drives (docs/runtime.md), loaded at run time. */
interface LocksmithApi {
  createLocks(options?: { store?: unknown; prefix?: string; fair?: boolean }): {
    lock(name: string, ttl: number): {
      block(wait: number, options?: { signal?: AbortSignal }): Promise<boolean>;
      release(): Promise<boolean>;
    };
    close(): Promise<void>;
  };
  RedisStore: new (redis: Redis) => unknown;
}

/**
 * locksmith's public API from the compiled `dist/` (see `build.ts`; `LOCKSMITH_BENCH_SOURCE=src` loads the
 * TypeScript sources instead, `LOCKSMITH_BENCH_DIST=path/to/index.mjs` another build), or the reason it cannot
 * be benchmarked.
 */
export async function loadLocksmith(): Promise<LocksmithApi | string> {
  const fromSource = process.env.LOCKSMITH_BENCH_SOURCE === 'src';
  // Another build's entry point (e.g. an older commit's dist/index.mjs), for an A/B comparison.
  const entry = process.env.LOCKSMITH_BENCH_DIST ?? DIST_ENTRY;
  if (!fromSource && !existsSync(entry)) return `${entry} is not built (npm run build)`;
  const api = (fromSource
    ? await import('../src/index.js')
    : await import(pathToFileURL(entry).href)) as unknown as Partial<LocksmithApi>;
  if (typeof api.createLocks !== 'function') return 'createLocks is not exported from src/index.ts yet';
  if (typeof api.RedisStore !== 'function') return 'RedisStore is not exported from src/index.ts yet';
  return api as LocksmithApi;
}

export async function createLocksmith(url: string): Promise<LockSubject> {
  const api = await loadLocksmith();
  if (typeof api === 'string') throw new Error(api);
  const redis = await connect(url, 'bench-locksmith');
  return subjectOf('locksmith', 'RedisStore', api.createLocks({ store: new api.RedisStore(redis), prefix: '' }), () =>
    redis.disconnect(),
  );
}

/** locksmith's RedisStore with barging waiters (`createLocks({ fair: false })`). */
export async function createLocksmithBarging(url: string): Promise<LockSubject> {
  const api = await loadLocksmith();
  if (typeof api === 'string') throw new Error(api);
  const redis = await connect(url, 'bench-locksmith');
  const locks = api.createLocks({ store: new api.RedisStore(redis), prefix: '', fair: false });
  return subjectOf('locksmith-barging', 'RedisStore, fair: false', locks, () => redis.disconnect());
}

/** locksmith on its default in-process MemoryStore: the cheapest cycle, so the one a fixed cost shows most in. */
export async function createLocksmithMemory(): Promise<LockSubject> {
  const api = await loadLocksmith();
  if (typeof api === 'string') throw new Error(api);
  return subjectOf('locksmith-memory', 'MemoryStore', api.createLocks(), () => undefined);
}

async function subjectOf(
  id: string,
  storeName: string,
  locks: ReturnType<LocksmithApi['createLocks']>,
  disconnect: () => void,
): Promise<LockSubject> {
  const { version } = (await import('../package.json', { with: { type: 'json' } })).default;
  return {
    id,
    version: `locksmith-js@${version} (${storeName}, ${process.env.LOCKSMITH_BENCH_SOURCE === 'src' ? 'src via tsx' : 'dist'})`,
    async acquire(key, ttlMs, waitMs, signal): Promise<Held | null> {
      const lock = locks.lock(key, ttlMs / 1000);
      try {
        await lock.block(waitMs / 1000, { signal });
      } catch {
        return null;
      }
      return { release: async () => void (await lock.release()) };
    },
    async close() {
      await locks.close();
      disconnect();
    },
  };
}
