/**
 * Diagnostic companion of the benchmark (`npx tsx bench/script-cost.ts`): what RedisStore's two scripts cost
 * over the raw floor on one connection, one process, no contention. Loops of 20,000 cycles in interleaved
 * rounds (the best round is printed: the work is the same each time, so a slower round only met other load):
 * the floor (`SET NX PX` + compare-and-delete), the ACQUIRE script + compare-and-delete, ACQUIRE + RELEASE as
 * `get()`/`release()` send them, and two empty scripts given the same keys and arguments (what the arguments
 * alone cost), and one key and one argument each; next to each, Redis's CPU time per cycle (`INFO cpu`).
 */
import { randomBytes } from 'node:crypto';
import { ACQUIRE, RELEASE } from '../src/stores/redis-scripts.js';
import { handoffKeys } from '../src/stores/redis-handoff.js';
import { grantKey } from '../src/stores/redis-keys.js';
import { startRedis } from '../test/support/redis-server.js';
import { connect } from './redis-client.js';
import { serverCpuUs } from './redis-stats.js';
import { runMain } from './stats.js';

const CAD = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const CYCLES = 20_000;
const ROUNDS = 4;

async function main(): Promise<void> {
  const server = await startRedis();
  const redis = await connect(server.url, 'script-cost');
  const load = async (source: string): Promise<string> => (await redis.script('LOAD', source)) as string;
  const cad = await load(CAD);
  await load(ACQUIRE.source);
  await load(RELEASE.source);
  const empty = await load('return 1');
  const key = 'cost';
  const keys = handoffKeys(key);
  const token = (): string => randomBytes(16).toString('base64url');
  const cycles: Record<string, () => Promise<unknown>> = {
    'floor: SET NX PX + compare-and-delete': async () => {
      const t = token();
      await redis.set(key, t, 'PX', 10_000, 'NX');
      return redis.evalsha(cad, 1, key, t);
    },
    'ACQUIRE + compare-and-delete': async () => {
      const t = token();
      await redis.evalsha(ACQUIRE.sha, 2, key, grantKey(key), t, 10_000, 'h1');
      return redis.evalsha(cad, 1, key, t);
    },
    'ACQUIRE + RELEASE (get/release)': async () => {
      const t = token();
      await redis.evalsha(ACQUIRE.sha, 2, key, grantKey(key), t, 10_000, 'h1');
      return redis.evalsha(RELEASE.sha, keys.length, ...keys, t, 'h1', 'PUBLISH', key);
    },
    'two empty scripts, the same keys and arguments': async () => {
      const t = token();
      await redis.evalsha(empty, 2, key, grantKey(key), t, 10_000, 'h1');
      return redis.evalsha(empty, keys.length, ...keys, t, 'h1', 'PUBLISH', key);
    },
    'two empty scripts, one key and one argument': async () => {
      const t = token();
      await redis.evalsha(empty, 1, key, t);
      return redis.evalsha(empty, 1, key, t);
    },
  };
  const best = new Map<string, number>();
  const executed = new Map<string, number>();
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [name, cycle] of Object.entries(cycles)) {
      for (let i = 0; i < 2_000; i += 1) await cycle();
      const cpuBefore = await serverCpuUs(redis);
      const start = performance.now();
      for (let i = 0; i < CYCLES; i += 1) await cycle();
      const micros = ((performance.now() - start) * 1000) / CYCLES;
      if (micros < (best.get(name) ?? Infinity)) best.set(name, micros);
      const cpu = ((await serverCpuUs(redis)) - cpuBefore) / CYCLES;
      executed.set(name, Math.min(executed.get(name) ?? Infinity, cpu));
    }
  }
  console.log('| cycle | wall µs per cycle (best round) | Redis CPU µs per cycle (best round) |');
  console.log('| --- | --- | --- |');
  for (const name of Object.keys(cycles)) {
    console.log(`| ${name} | ${best.get(name)!.toFixed(1)} | ${executed.get(name)!.toFixed(1)} |`);
  }
  redis.disconnect();
  await server.stop();
}

runMain(main);
