/**
 * One adapter for the two redlock packages, which share the same API (`new Redlock([client])`, `acquire`,
 * `release`, an 'error' event) and the same defaults: retryCount 10, retryDelay 200 ms, retryJitter 100 ms.
 * Neither has a wait limit of its own: each gives up after its retries (≈ 2-3 s), so `waitMs` is not passed on.
 */
import { connect, installedVersion } from '../redis-client.js';
import type { Held, LockSubject } from '../subject.js';

/** What the benchmark uses of a redlock instance. */
export interface RedlockLike {
  on(event: 'error', listener: (error: unknown) => void): unknown;
  acquire(resources: string[], duration: number): Promise<{ release(): Promise<unknown> }>;
}

export async function createRedlockSubject(
  id: string,
  packageName: string,
  make: (client: unknown) => RedlockLike,
  url: string,
): Promise<LockSubject> {
  const redis = await connect(url, `bench-${id}`);
  const redlock = make(redis);
  // Redlock emits 'error' for failed attempts; an EventEmitter without a listener would throw them.
  redlock.on('error', () => undefined);
  return {
    id,
    version: await installedVersion(packageName),
    async acquire(key, ttlMs): Promise<Held | null> {
      try {
        const lock = await redlock.acquire([key], ttlMs);
        return { release: async () => void (await lock.release()) };
      } catch {
        return null;
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}
