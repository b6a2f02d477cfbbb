/**
 * EXPERIMENT, not part of the library: a minimal prototype of "direct handoff", measured next to locksmith to
 * show what the design would change (handoff latency, fairness, commands under contention).
 *
 * - A waiter that finds the key held enqueues its token in a Redis sorted set next to the key (same hash
 *   slot), in the same script as the failed `SET NX` (one round trip): FIFO by arrival across all processes.
 * - The release script, instead of deleting the key, gives it to the oldest live waiter (`SET key next PX
 *   ttl`) and publishes that waiter's token; with no live waiter it deletes the key and publishes nothing.
 * - Every process has one subscriber connection; a message names the new holder, so only that waiter
 *   resolves, without an acquire round trip, and no other waiter anywhere sends anything.
 * - A waiter that gives up removes itself; if it was handed the lock at that moment, it releases it on.
 *   Queued entries carry the waiter's deadline; the release script skips expired ones (a crashed waiter
 *   costs nothing after its deadline).
 *
 * Missing for a real implementation: the fallback re-check for lost messages and expired holders (a bounded
 * re-check like RedisStore's head waiter), Cluster (SPUBLISH), Laravel clients (they cannot enqueue, so they
 * only win a free key), `block(0)` without enqueueing.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { connect } from '../redis-client.js';
import type { Held, LockSubject } from '../subject.js';

/** KEYS: lock, queue. ARGV: token, ttlMs, deadline (epoch ms), now (epoch ms). 1 = acquired, 0 = queued. */
const ACQUIRE_OR_ENQUEUE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3] .. ':' .. ARGV[2] .. ':' .. ARGV[1])
return 0`;

/** KEYS: lock, queue, channel. ARGV: token, now. 1 = released or handed on, 0 = not the holder. */
const RELEASE_OR_HAND_ON = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
while true do
  local first = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
  if not first then break end
  redis.call('ZREM', KEYS[2], first)
  local deadline, ttl, token = string.match(first, '^(%d+):(%d+):(.+)$')
  if tonumber(deadline) > tonumber(ARGV[2]) then
    redis.call('SET', KEYS[1], token, 'PX', ttl)
    redis.call('PUBLISH', KEYS[3], token)
    return 1
  end
end
redis.call('DEL', KEYS[1])
return 1`;

/** KEYS: lock, queue. ARGV: member. 1 = the waiter was already handed the lock (and still holds it). */
const LEAVE = `
local removed = redis.call('ZREM', KEYS[2], ARGV[1])
if removed == 0 and redis.call('GET', KEYS[1]) == ARGV[2] then return 1 end
return 0`;

class DirectHandoff implements LockSubject {
  readonly id = 'direct-handoff';
  readonly version = 'prototype (bench/experiments/direct-handoff.ts)';
  private readonly handed = new Map<string, () => void>();
  private readonly subscribed = new Map<string, Promise<unknown>>();

  constructor(
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    private readonly sha: { acquire: string; release: string; leave: string },
  ) {
    subscriber.on('message', (_channel: string, token: string) => this.handed.get(token)?.());
  }

  async acquire(key: string, ttlMs: number, waitMs: number, signal?: AbortSignal): Promise<Held | null> {
    const names = { queue: `{${key}}:queue`, channel: `{${key}}:handoff` };
    const token = randomBytes(16).toString('base64url');
    const held: Held = {
      release: async () =>
        void (await this.redis.evalsha(this.sha.release, 3, key, names.queue, names.channel, token, Date.now())),
    };
    // Subscribed before enqueueing, so a handoff right after the enqueue cannot be missed.
    let subscribing = this.subscribed.get(names.channel);
    if (!subscribing) {
      subscribing = this.subscriber.subscribe(names.channel);
      this.subscribed.set(names.channel, subscribing);
    }
    await subscribing;
    const deadline = Date.now() + waitMs;
    let handedOver: () => void = () => undefined;
    const handoff = new Promise<void>((resolve) => (handedOver = resolve));
    this.handed.set(token, handedOver);
    try {
      const now = Date.now();
      const got = await this.redis.evalsha(this.sha.acquire, 2, key, names.queue, token, ttlMs, deadline, now);
      if (got === 1) return held;
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), waitMs);
        signal?.addEventListener('abort', () => resolve('timeout'), { once: true });
      });
      const outcome = await Promise.race([handoff.then(() => 'handed' as const), gaveUp]);
      clearTimeout(timer);
      if (outcome === 'handed') return held;
      const member = `${deadline}:${ttlMs}:${token}`;
      const stillHeld = await this.redis.evalsha(this.sha.leave, 2, key, names.queue, member, token);
      if (stillHeld === 1) await held.release(); // handed the lock as we gave up: pass it on
      return null;
    } finally {
      this.handed.delete(token);
    }
  }

  async close(): Promise<void> {
    this.subscriber.disconnect();
    this.redis.disconnect();
  }
}

export async function createDirectHandoff(url: string): Promise<LockSubject> {
  const redis = await connect(url, 'bench-direct');
  const subscriber = await connect(url, 'bench-direct-sub');
  const sha = {
    acquire: (await redis.script('LOAD', ACQUIRE_OR_ENQUEUE)) as string,
    release: (await redis.script('LOAD', RELEASE_OR_HAND_ON)) as string,
    leave: (await redis.script('LOAD', LEAVE)) as string,
  };
  return new DirectHandoff(redis, subscriber, sha);
}
