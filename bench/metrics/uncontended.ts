/**
 * Uncontended acquire + release: one caller, one key, nobody else waiting. Every cycle is sequential, so the
 * number is the latency a request pays for taking and giving back a free lock.
 */
import { now, percentile } from '../stats.js';
import type { LockSubject } from '../subject.js';

export interface UncontendedResult {
  readonly cycles: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
}

/** Runs `cycles` timed cycles and returns their durations in ms (after `warmup` untimed ones). */
export async function uncontendedSamples(subject: LockSubject, cycles: number, warmup = 0): Promise<number[]> {
  const key = `bench:uncontended:${subject.id}`;
  const samples: number[] = [];
  for (let i = 0; i < warmup + cycles; i++) {
    const start = now();
    const held = await subject.acquire(key, 10_000, 1_000);
    if (!held) throw new Error(`${subject.id}: could not take a free lock`);
    await held.release();
    if (i >= warmup) samples.push(now() - start);
  }
  return samples;
}

/**
 * Measures every subject in `rounds` interleaved rounds (a, b, c, a, b, c, …) so that a burst of load from
 * elsewhere on the machine lands on all of them rather than on one.
 */
export async function measureUncontended(
  subjects: readonly LockSubject[],
  cycles: number,
  rounds = 10,
): Promise<Map<string, UncontendedResult>> {
  const samples = new Map<string, number[]>(subjects.map((s) => [s.id, []]));
  for (const subject of subjects) await uncontendedSamples(subject, 0, 300);
  for (let round = 0; round < rounds; round++) {
    for (const subject of subjects) {
      samples.get(subject.id)?.push(...(await uncontendedSamples(subject, Math.ceil(cycles / rounds))));
    }
  }
  const results = new Map<string, UncontendedResult>();
  for (const [id, values] of samples) results.set(id, summarize(values));
  return results;
}

/** Cycle durations (ms) → count, p50, p99, mean. */
export function summarize(values: readonly number[]): UncontendedResult {
  return {
    cycles: values.length,
    p50Ms: percentile(values, 50),
    p99Ms: percentile(values, 99),
    meanMs: values.reduce((a, b) => a + b, 0) / values.length,
  };
}
