/**
 * Child process of fencing.test.ts: takes one fenced RedisStore lock `cycles` times and, inside each
 * critical section, plays a downstream store that remembers the highest token it accepted (a Redis key):
 * a token not greater than the last accepted one would be a stale holder slipping through.
 * The workers start together (a barrier on a Redis counter) so their acquisitions interleave.
 * argv: redis url, key prefix, cycles, number of workers. Prints `{ tokens, stale }` as JSON.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createLocks, RedisStore } from '../../src/index.js';

const [url = '', prefix = '', cyclesArg = '10', workersArg = '1'] = process.argv.slice(2);
const redis = new Redis(url);
const locks = createLocks({ store: new RedisStore(redis), prefix });
await redis.incr(`${prefix}ready`);
while (Number(await redis.get(`${prefix}ready`)) < Number(workersArg)) await sleep(5);
const tokens: number[] = [];
let stale = 0;
for (let i = 0; i < Number(cyclesArg); i++) {
  const lock = locks.lock('fenced:resource', 10, { fencing: true });
  await lock.block(20, async () => {
    const token = lock.fencingToken;
    if (token === undefined) throw new Error('no fencing token while holding a fenced lock');
    const last = Number((await redis.get(`${prefix}last-accepted`)) ?? 0);
    if (token <= last) stale++;
    await redis.set(`${prefix}last-accepted`, String(token));
    tokens.push(token);
    await sleep(2); // hold it a moment, so the others queue up
  });
}
await locks.close();
redis.disconnect();
process.stdout.write(`${JSON.stringify({ tokens, stale })}\n`);
