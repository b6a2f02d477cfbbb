/**
 * Measures the in-process handoff on MemoryStore (a measurement, not a test): a holder releases, a waiter
 * blocked on the same name acquires. Prints p50/p99 of release() called → the waiter's block() resolved,
 * for one waiter and for a queue of 100 waiters (each release wakes exactly one), and the uncontended
 * get()+release() cycle.
 *
 *   npx tsx scripts/memory-handoff.ts [handoffs=1000]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createLocks, MemoryStore } from '../src/index.js';

const HANDOFFS = Number(process.argv[2] ?? 1_000);

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number): string =>
    (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN).toFixed(3);
  return `p50 ${at(50)} ms, p99 ${at(99)} ms, max ${at(100)} ms (n=${sorted.length})`;
}

const locks = createLocks({ store: new MemoryStore() });

async function oneWaiter(rounds: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const holder = locks.lock('handoff:one:x', 30);
    await holder.get();
    let acquiredAt = 0;
    const waiter = locks.lock('handoff:one:x', 30);
    const waiting = waiter.block(5).then(() => (acquiredAt = performance.now()));
    await sleep(1); // the waiter is subscribed and asleep
    const releasedAt = performance.now();
    await holder.release();
    await waiting;
    latencies.push(acquiredAt - releasedAt);
    await waiter.release();
  }
  return latencies;
}

/** 100 waiters queue on one name; each one, once it holds the lock, releases it to the next. */
async function queue(waiters: number): Promise<number[]> {
  const latencies: number[] = [];
  let releasedAt = 0;
  const holder = locks.lock('handoff:queue:x', 30);
  await holder.get();
  const all = Array.from({ length: waiters }, () => {
    const lock = locks.lock('handoff:queue:x', 30);
    return lock.block(30).then(async () => {
      latencies.push(performance.now() - releasedAt);
      releasedAt = performance.now();
      await lock.release();
    });
  });
  await sleep(20);
  releasedAt = performance.now();
  await holder.release();
  await Promise.all(all);
  return latencies;
}

await oneWaiter(100); // warm-up
console.log(`MemoryStore handoff, one waiter:        ${summary(await oneWaiter(HANDOFFS))}`);
const queued: number[] = [];
for (let round = 0; round < Math.ceil(HANDOFFS / 100); round++) queued.push(...(await queue(100)));
console.log(`MemoryStore handoff, queue of 100:      ${summary(queued)}`);
const cycles: number[] = [];
for (let i = 0; i < 10_000; i++) {
  const started = performance.now();
  const lock = locks.lock('cycle:one:x', 10);
  await lock.get();
  await lock.release();
  cycles.push(performance.now() - started);
}
console.log(`MemoryStore uncontended get()+release(): ${summary(cycles.slice(1_000))}`);
await locks.close();
