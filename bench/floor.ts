/**
 * The raw floor: what any Redis lock must at least do, written directly against ioredis. Acquire is
 * `SET key token NX PX ttl`, release is a Lua compare-and-delete run by SHA. Waiting is the cheapest loop
 * that can exist without help from the server: retry `SET NX` as soon as the previous attempt answered
 * (one request in flight per waiter). That makes its handoff about one round trip and its waiting a command
 * storm, which is the point of comparison for a wake-on-release design.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { connect } from './redis-client.js';
import type { Held, LockSubject } from './subject.js';

const COMPARE_AND_DELETE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

class FloorSubject implements LockSubject {
  readonly id = 'floor';
  readonly version = 'SET NX PX + Lua CAD (ioredis)';

  constructor(
    private readonly redis: Redis,
    private readonly releaseSha: string,
  ) {}

  async acquire(key: string, ttlMs: number, waitMs: number, signal?: AbortSignal): Promise<Held | null> {
    const token = randomBytes(16).toString('hex');
    const deadline = performance.now() + waitMs;
    for (;;) {
      if (signal?.aborted) return null;
      const reply = await this.redis.set(key, token, 'PX', ttlMs, 'NX');
      if (reply === 'OK') {
        return { release: async () => void (await this.redis.evalsha(this.releaseSha, 1, key, token)) };
      }
      if (performance.now() >= deadline) return null;
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

export async function createFloor(url: string): Promise<LockSubject> {
  const redis = await connect(url, 'bench-floor');
  const sha = (await redis.script('LOAD', COMPARE_AND_DELETE)) as string;
  return new FloorSubject(redis, sha);
}
