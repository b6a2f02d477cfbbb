/**
 * `redlock` 5.0.0-beta.2 (the ioredis-based release; 4.x targets node_redis callbacks) at its default
 * settings: retryCount 10, retryDelay 200 ms, retryJitter 100 ms. It has no wait limit of its own: it gives
 * up after its retries (≈ 2-3 s), so `waitMs` is not passed on.
 */
import Redlock from 'redlock';
import { connect, installedVersion } from '../redis-client.js';
import type { Held, LockSubject } from '../subject.js';

export async function createRedlock(url: string): Promise<LockSubject> {
  const redis = await connect(url, 'bench-redlock');
  const redlock = new Redlock([redis]);
  // Redlock emits 'error' for failed attempts; an EventEmitter without a listener would throw them.
  redlock.on('error', () => undefined);
  const version = await installedVersion('redlock');
  return {
    id: 'redlock',
    version,
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
