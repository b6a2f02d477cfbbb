/**
 * Throughput: `workers` concurrent callers in one process, each cycling acquire + release over its own keys,
 * so there is no contention and the number shows what one client connection sustains.
 */
import { now } from '../stats.js';
import type { LockSubject } from '../subject.js';

export interface ThroughputResult {
  readonly workers: number;
  readonly cyclesPerSecond: number;
}

/** Cycles completed by `workers` concurrent callers in `durationMs`. */
async function run(subject: LockSubject, workers: number, durationMs: number): Promise<{ cycles: number; ms: number }> {
  let cycles = 0;
  const start = now();
  const end = start + durationMs;
  const worker = async (w: number): Promise<void> => {
    for (let i = 0; now() < end; i++) {
      const held = await subject.acquire(`bench:throughput:${subject.id}:${w}:${i % 16}`, 10_000, 1_000);
      if (!held) throw new Error(`${subject.id}: could not take a free lock`);
      await held.release();
      cycles++;
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  return { cycles, ms: now() - start };
}

/** Measures every subject for `durationMs` in total, in interleaved slices (see measureUncontended). */
export async function measureThroughput(
  subjects: readonly LockSubject[],
  workers: number,
  durationMs: number,
  rounds = 5,
): Promise<Map<string, ThroughputResult>> {
  const totals = new Map<string, { cycles: number; ms: number }>(subjects.map((s) => [s.id, { cycles: 0, ms: 0 }]));
  for (let round = 0; round < rounds; round++) {
    for (const subject of subjects) {
      const slice = await run(subject, workers, durationMs / rounds);
      const total = totals.get(subject.id);
      if (total) {
        total.cycles += slice.cycles;
        total.ms += slice.ms;
      }
    }
  }
  return new Map([...totals].map(([id, t]) => [id, { workers, cyclesPerSecond: t.cycles / (t.ms / 1000) }]));
}
