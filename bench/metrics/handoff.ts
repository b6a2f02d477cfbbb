/**
 * Handoff latency: a holder releases while one waiter is blocked on the same key; the time from the call to
 * `release()` to the moment the waiter's acquire resolves, both read from this process's monotonic clock.
 * Holder and waiter use separate subject instances (separate connections), like two processes would. The
 * release comes a random 5-25 ms after the waiter started, so polling waiters are caught at every phase.
 * Keys rotate over a few names (hot keys, as in an application), so a wake-on-release subscriber is set up
 * once per key rather than per sample.
 *
 * For reference, `coldRoundTrip` measures a PING sent after the same kind of idle pause: on a loaded machine
 * a process woken from idle pays scheduler latency on every hop, and a handoff is several hops.
 */
import type { Redis } from 'ioredis';
import { now, percentile, sleep } from '../stats.js';
import type { LockSubject } from '../subject.js';

export interface HandoffResult {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Waiters that gave up instead of getting the released lock. */
  readonly missed: number;
}

/** Handoff latencies (ms) of `samples` handoffs from `holder` to `waiter`, and how many waiters gave up. */
async function handoffSamples(
  holder: LockSubject,
  waiter: LockSubject,
  samples: number,
): Promise<{ latencies: number[]; missed: number }> {
  const latencies: number[] = [];
  let missed = 0;
  for (let i = 0; i < samples; i++) {
    const key = `bench:handoff:${holder.id}:${i % 4}`;
    const held = await holder.acquire(key, 10_000, 1_000);
    if (!held) throw new Error(`${holder.id}: could not take a free lock`);
    let acquiredAt = 0;
    const waiting = waiter.acquire(key, 10_000, 10_000).then((got) => {
      acquiredAt = now();
      return got;
    });
    await sleep(5 + Math.random() * 20);
    const releasedAt = now();
    await held.release();
    const got = await waiting;
    if (!got) {
      missed++;
      continue;
    }
    latencies.push(acquiredAt - releasedAt);
    await got.release();
  }
  return { latencies, missed };
}

/**
 * Measures every pair (holder, waiter) in `rounds` interleaved rounds, so load from elsewhere on the machine
 * lands on all subjects alike. `samples(id)` is the number of samples a subject gets in total.
 */
export async function measureHandoff(
  pairs: ReadonlyMap<string, readonly [LockSubject, LockSubject]>,
  samples: (id: string) => number,
  rounds = 5,
): Promise<Map<string, HandoffResult>> {
  const collected = new Map<string, { latencies: number[]; missed: number }>();
  for (let round = 0; round < rounds; round++) {
    for (const [id, [holder, waiter]] of pairs) {
      const chunk = await handoffSamples(holder, waiter, Math.ceil(samples(id) / rounds));
      const total = collected.get(id) ?? { latencies: [], missed: 0 };
      total.latencies.push(...chunk.latencies);
      total.missed += chunk.missed;
      collected.set(id, total);
    }
  }
  const results = new Map<string, HandoffResult>();
  for (const [id, { latencies, missed }] of collected) {
    results.set(id, {
      samples: latencies.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: Math.max(...latencies),
      missed,
    });
  }
  return results;
}

/** p50/p99 of a PING round trip sent after a random 5-25 ms idle pause (the same pause as a handoff sample). */
export async function coldRoundTrip(redis: Redis, samples: number): Promise<{ p50Ms: number; p99Ms: number }> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    await sleep(5 + Math.random() * 20);
    const start = now();
    await redis.ping();
    times.push(now() - start);
  }
  return { p50Ms: percentile(times, 50), p99Ms: percentile(times, 99) };
}
