/**
 * `@sesamecare-oss/redlock` (maintained TypeScript fork of redlock) at its default settings: retryCount 10,
 * retryDelay 200 ms, retryJitter 100 ms; like redlock it has no wait limit, it gives up after its retries.
 */
import { Redlock } from '@sesamecare-oss/redlock';
import { connect, installedVersion } from '../redis-client.js';
import type { Held, LockSubject } from '../subject.js';

export async function createSesameRedlock(url: string): Promise<LockSubject> {
  const redis = await connect(url, 'bench-sesame');
  const redlock = new Redlock([redis]);
  redlock.on('error', () => undefined);
  const version = await installedVersion('@sesamecare-oss/redlock');
  return {
    id: 'sesame-redlock',
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
