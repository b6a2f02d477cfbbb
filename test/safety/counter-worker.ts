/**
 * One contender of the lock-safety test, run as its own OS process: `cycles` times, under the lock, a
 * deliberately non-atomic read-modify-write of a Redis counter (GET, a short async gap, SET + 1), so any
 * overlap between holders loses an update. It also counts holders inside the critical section in Redis
 * (INCR on entry, DECR on exit) and reports the most it ever saw.
 *
 * argv: redisUrl prefix cycles [fair: `true` (default) | `false` (barging)]
 */
import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLocks, RedisStore } from '../../src/index.js';

const [redisUrl, prefix, cyclesArg, fairArg = 'true'] = process.argv.slice(2);
if (!redisUrl || !prefix || !cyclesArg) throw new Error('usage: counter-worker <redisUrl> <prefix> <cycles> [fair]');
const cycles = Number(cyclesArg);

const redis = new Redis(redisUrl);
const locks = createLocks({ store: new RedisStore(redis), prefix, fair: fairArg !== 'false' });
let maxHolders = 0;

try {
  for (let i = 0; i < cycles; i++) {
    await locks.lock('counter:update', 5).block(10, async () => {
      const holders = await redis.incr(`${prefix}holders`);
      maxHolders = Math.max(maxHolders, holders);
      const value = Number((await redis.get(`${prefix}counter`)) ?? '0');
      await sleep(Math.random() < 0.5 ? 0 : 1);
      await redis.set(`${prefix}counter`, String(value + 1));
      await redis.decr(`${prefix}holders`);
    });
  }
  process.stdout.write(`${JSON.stringify({ cycles, maxHolders })}\n`);
} finally {
  await locks.close();
  redis.disconnect();
}
