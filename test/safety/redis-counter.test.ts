/**
 * Lock safety on Redis with real concurrency: several OS processes each run a non-atomic read-modify-write
 * of one Redis counter under `locks.lock(name, 5).block(10, fn)`. Without mutual exclusion, interleaved
 * GET/SET pairs lose updates; with it the counter ends at exactly processes × cycles, and no two holders
 * are ever inside the critical section at once. Runs with every process fair (FIFO handoff), every process
 * barging (`fair: false`: a release frees the key, wakes the oldest waiter and anyone may take it, the
 * releasing process included), and half of each on the same name.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const PREFIX = `test:safety:${process.pid}:`;
const PROCESSES = 4;
const CYCLES = 60;
const worker = fileURLToPath(new URL('./counter-worker.ts', import.meta.url));

let redis: Redis;
beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  await redis.del(`${PREFIX}counter`, `${PREFIX}holders`);
  redis.disconnect();
});

function runWorker(fair: boolean): Promise<{ cycles: number; maxHolders: number }> {
  return new Promise((resolve, reject) => {
    const args = [worker, inject('redisUrl'), PREFIX, String(CYCLES), String(fair)];
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker exited with ${code}: ${err}`));
      else resolve(JSON.parse(out.trim()) as { cycles: number; maxHolders: number });
    });
  });
}

const MODES: readonly (readonly [string, (index: number) => boolean])[] = [
  ['fair', () => true],
  ['barging', () => false],
  ['half fair, half barging', (index) => index % 2 === 0],
];

describe.each(MODES)('%s', (_, fairOf) => {
  it(`${PROCESSES} processes × ${CYCLES} read-modify-writes under one Redis lock lose no update`, async () => {
    await redis.del(`${PREFIX}counter`, `${PREFIX}holders`);
    const reports = await Promise.all(Array.from({ length: PROCESSES }, (_, index) => runWorker(fairOf(index))));
    expect(reports.map((report) => report.cycles)).toEqual(Array(PROCESSES).fill(CYCLES));
    expect(Math.max(...reports.map((report) => report.maxHolders))).toBe(1);
    expect(await redis.get(`${PREFIX}counter`)).toBe(String(PROCESSES * CYCLES));
  }, 60_000);
});
