/**
 * `redis-semaphore`'s `Mutex` at its default waiting: `SET NX PX` retried every 10 ms (retryInterval).
 * `acquireTimeout` is set to the benchmark's wait limit (it is a limit, not a waiting strategy); the
 * refresh timer it starts per lock keeps its default (80 % of the TTL) and never fires in these short holds.
 */
import { Mutex } from 'redis-semaphore';
import { connect, installedVersion } from '../redis-client.js';
import type { Held, LockSubject } from '../subject.js';

export async function createRedisSemaphore(url: string): Promise<LockSubject> {
  const redis = await connect(url, 'bench-semaphore');
  const version = await installedVersion('redis-semaphore');
  return {
    id: 'redis-semaphore',
    version,
    async acquire(key, ttlMs, waitMs, signal): Promise<Held | null> {
      const mutex = new Mutex(redis, key, { lockTimeout: ttlMs, acquireTimeout: waitMs, onLockLost: () => undefined });
      try {
        await mutex.acquire(signal);
        return { release: () => mutex.release() };
      } catch {
        return null;
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}
