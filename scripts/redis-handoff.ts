/**
 * Measures RedisStore's handoff on loopback (a measurement, not a test): a holder releases, a waiter that
 * is blocked on the same name in another store (its own connections) acquires. Prints p50/p99 of
 * release() called → waiter's block() resolved, and the Redis commands each handoff costs (INFO
 * commandstats deltas around the handoff, INFO itself excluded). Also the uncontended acquire+release
 * cycle against the raw floor (SET NX PX + Lua compare-and-delete).
 *
 *   npx tsx scripts/redis-handoff.ts [handoffs=600]
 */
import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLocks, RedisStore } from '../src/index.js';
import { startRedis } from '../test/support/redis-server.js';

const HANDOFFS = Number(process.argv[2] ?? 600);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(3)} ms, p99 ${percentile(sorted, 99).toFixed(3)} ms (n=${sorted.length})`;
}

async function commandCalls(admin: Redis): Promise<Map<string, number>> {
  const info = (await admin.info('commandstats')) as string;
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(match[1] as string, Number(match[2]));
  return calls;
}

function delta(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const result = new Map<string, number>();
  for (const [name, count] of after) {
    if (name === 'info') continue;
    const diff = count - (before.get(name) ?? 0);
    if (diff > 0) result.set(name, diff);
  }
  return result;
}

const server = await startRedis();
const admin = new Redis(server.url);
const holderClient = new Redis(server.url);
const waiterClient = new Redis(server.url);
const holders = createLocks({ store: new RedisStore(holderClient), prefix: 'measure:' });
const waiters = createLocks({ store: new RedisStore(waiterClient), prefix: 'measure:' });

try {
  // Warm-up: connections, scripts, subscriber.
  for (let i = 0; i < 50; i++) {
    const h = holders.lock('handoff', 30);
    await h.get();
    const w = waiters.lock('handoff', 30).block(5);
    await sleep(1);
    await h.release();
    await (await w, waiters.lock('handoff').forceRelease());
  }

  const latencies: number[] = [];
  const perHandoff = new Map<string, number>();
  for (let i = 0; i < HANDOFFS; i++) {
    const holder = holders.lock('handoff', 30);
    if (!(await holder.get())) throw new Error('holder could not acquire');
    const waiter = waiters.lock('handoff', 30);
    let acquiredAt = 0;
    const waiting = waiter.block(5).then(() => (acquiredAt = performance.now()));
    await sleep(2); // the waiter is subscribed and asleep
    const before = await commandCalls(admin);
    const releasedAt = performance.now();
    await holder.release();
    await waiting;
    latencies.push(acquiredAt - releasedAt);
    const after = await commandCalls(admin);
    for (const [name, count] of delta(before, after)) perHandoff.set(name, (perHandoff.get(name) ?? 0) + count);
    await waiter.release();
  }
  console.log(`handoff release() → waiter acquired: ${summary(latencies)}`);
  if (process.env.HANDOFF_DETAIL) {
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log([80, 90, 95, 97, 98, 99, 100].map((p) => `p${p} ${percentile(sorted, p).toFixed(2)}`).join(", "));
  }
  const total = [...perHandoff.values()].reduce((a, b) => a + b, 0);
  console.log(
    `Redis commands per handoff: ${(total / HANDOFFS).toFixed(2)} (${[...perHandoff]
      .map(([name, count]) => `${name} ${(count / HANDOFFS).toFixed(2)}`)
      .join(', ')}; script-internal calls counted separately)`,
  );

  // Uncontended cycle: locksmith vs the raw floor.
  const release = `if redis.call("get",KEYS[1]) == ARGV[1] then return redis.call("del",KEYS[1]) else return 0 end`;
  const cycles = { locksmith: [] as number[], raw: [] as number[] };
  for (let round = 0; round < 2_000; round++) {
    let started = performance.now();
    const lock = holders.lock('cycle', 10);
    await lock.get();
    await lock.release();
    cycles.locksmith.push(performance.now() - started);
    started = performance.now();
    await holderClient.set('measure:raw', 'owner', 'PX', 10_000, 'NX');
    await holderClient.eval(release, 1, 'measure:raw', 'owner');
    cycles.raw.push(performance.now() - started);
  }
  console.log(`uncontended get()+release(): locksmith ${summary(cycles.locksmith.slice(200))}`);
  console.log(`uncontended raw SET NX PX + Lua del:   ${summary(cycles.raw.slice(200))}`);
} finally {
  await holders.close();
  await waiters.close();
  admin.disconnect();
  holderClient.disconnect();
  waiterClient.disconnect();
  await server.stop();
}
