/**
 * `npm run bench` (`-- --quick` for a shorter run, `-- --only=floor,locksmith` for some subjects,
 * `-- --experiments` to add the prototypes of `experiments/`, `-- --events-only` for the cost of the lock
 * events alone, `-- --contention-only` for the 8-process contention metric alone, `-- --waiters-only` for
 * the 10,000-waiter heap and connections alone (`--runs=N` times per subject, default 3); all printed and not
 * written): starts its
 * own redis-server on a free loopback port and measures the raw floor, locksmith's RedisStore and the peer
 * libraries side by side, then prints the table and writes `bench/RESULTS.md`. A benchmark, not a test.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startRedis } from '../test/support/redis-server.js';
import type { Redis } from 'ioredis';
import { ensureBuilt } from './build.js';
import { describeMachine } from './machine.js';
import { combineContention, ContentionPool, type ContentionResult } from './metrics/contention.js';
import { coldRoundTrip, measureHandoff } from './metrics/handoff.js';
import { measureHandoffCost } from './metrics/handoff-cost.js';
import { eventsOverheadTable, measureEventsOverhead, type EventsOverheadResult } from './metrics/events-overhead.js';
import { measureThroughput } from './metrics/throughput.js';
import { measureUncontended } from './metrics/uncontended.js';
import { measureWaiters } from './metrics/waiters.js';
import { createLocksmith, createLocksmithMemory } from './locksmith.js';
import { connect, installedVersion } from './redis-client.js';
import { markdown, table, targets, type RunResults, type SubjectResults } from './report.js';
import { now, runMain } from './stats.js';
import type { LockSubject } from './subject.js';
import { SUBJECTS } from './subjects.js';

const WAITING: Readonly<Record<string, string>> = {
  floor: 'retry `SET NX` as soon as the previous attempt answers (busy loop)',
  locksmith: 'wake on release (pub/sub, one subscriber connection per store), bounded fallback re-check',
  'locksmith-barging':
    'fair: false: a release frees the key and wakes the oldest queued waiter (pub/sub); anyone, the releasing process included, may take it',
  'redis-semaphore': 'default: poll `SET NX` every 10 ms (retryInterval)',
  'sesame-redlock': 'default: retryCount 10, retryDelay 200 ms ± 100 ms jitter',
  redlock: 'default: retryCount 10, retryDelay 200 ms ± 100 ms jitter',
  'direct-handoff': 'EXPERIMENT: Redis-side FIFO queue; the release script hands the key to the next waiter and publishes its token',
};

/** Polling peers with a 200 ms delay get fewer samples: each costs a few hundred ms. */
const SLOW = new Set(['redlock', 'sesame-redlock']);

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const eventsOnly = args.includes('--events-only');
const contentionOnly = args.includes('--contention-only');
const waitersOnly = args.includes('--waiters-only');
const runs = Math.max(1, Number(args.find((arg) => arg.startsWith('--runs='))?.slice('--runs='.length) ?? 3) || 3);
const only = args.find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(',');
/** Prototypes measured for comparison only: run with `--experiments` or by name in `--only`. */
const EXPERIMENTS = new Set(['direct-handoff']);
const ids = Object.keys(SUBJECTS).filter((id) =>
  only ? only.includes(id) : !EXPERIMENTS.has(id) || args.includes('--experiments'),
);

const plan = quick
  ? { cycles: 500, throughputMs: 1_000, handoff: [100, 40, 10], cost: [100, 40, 10], contentionMs: 2_000, contentionRounds: 1, contentionWarmUpMs: 1_000, idle: false, settleMs: 1_500 }
  : { cycles: 2_000, throughputMs: 3_000, handoff: [300, 100, 30], cost: [200, 100, 20], contentionMs: 6_000, contentionRounds: 3, contentionWarmUpMs: 8_000, idle: true, settleMs: 2_000 };
/** `--contention-warm-up=S` (seconds per subject) and `--contention-rounds=N` override the plan's. */
const numberArg = (name: string): number | undefined => {
  const value = args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${name} needs a number ≥ 0, got ${value}`);
  return parsed;
};
const warmUpS = numberArg('contention-warm-up');
if (warmUpS !== undefined) plan.contentionWarmUpMs = warmUpS * 1000;
const roundsArg = numberArg('contention-rounds');
if (roundsArg !== undefined) {
  plan.contentionMs = (plan.contentionMs / plan.contentionRounds) * Math.max(1, Math.round(roundsArg));
  plan.contentionRounds = Math.max(1, Math.round(roundsArg));
}
const tier = (id: string): 0 | 1 | 2 => (SLOW.has(id) ? 2 : id === 'redis-semaphore' ? 1 : 0);

function log(message: string): void {
  process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

async function attempt(results: SubjectResults, what: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    results.errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    log(`  ${results.id} ${what} failed: ${String(error)}`);
  }
}

/** The uncontended cycle without and with a subscriber on the lock events, on MemoryStore and RedisStore. */
async function eventsOverhead(url: string): Promise<EventsOverheadResult[]> {
  const results: EventsOverheadResult[] = [];
  for (const create of [createLocksmithMemory, () => createLocksmith(url)]) {
    const subject = await create();
    try {
      log(`${subject.id}: uncontended cycle without / with an events subscriber (interleaved)`);
      results.push(await measureEventsOverhead(subject, quick ? 5_000 : 20_000, 20));
    } finally {
      await subject.close();
    }
  }
  return results;
}

/**
 * One unmeasured contention run per subject before the measured rounds, long enough for the worker processes
 * to reach their steady state with that library: loaded, its hot paths (and ioredis's) optimised by V8, its
 * scripts cached on the server. Each process runs only its share of the cycles, so that takes seconds; a
 * shorter warm-up makes the measured rounds measure how fast each library warms up, not its throughput
 * (bench/README.md has the rounds that showed it).
 */
async function warmUp(pool: ContentionPool, admin: Redis, subjects: readonly string[], url: string): Promise<void> {
  if (plan.contentionWarmUpMs === 0) return; // --contention-warm-up=0
  for (const id of subjects) {
    log(`${id}: contention warm-up, ${plan.contentionWarmUpMs / 1000} s (not measured)`);
    await pool.measure(admin, id, url, plan.contentionWarmUpMs);
  }
}

/** `--contention-only`: the 8-process contention metric for the chosen subjects, printed, not written. */
async function contentionAlone(): Promise<void> {
  const server = await startRedis();
  const admin = await connect(server.url, 'bench-admin');
  const pool = await ContentionPool.start(8);
  const rounds = new Map<string, ContentionResult[]>();
  try {
    await warmUp(pool, admin, ids, server.url);
    for (let round = 0; round < plan.contentionRounds; round++) {
      for (const id of ids) {
        log(`${id}: contention, 8 processes (round ${round + 1} of ${plan.contentionRounds})`);
        const result = await pool.measure(admin, id, server.url, plan.contentionMs / plan.contentionRounds);
        rounds.set(id, [...(rounds.get(id) ?? []), result]);
      }
    }
  } finally {
    pool.stop();
    admin.disconnect();
    await server.stop();
  }
  const lines = [
    '| subject | acquisitions/s (per round) | lost updates | fairness | commands/acquisition | CPU µs/acquisition: clients + Redis |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const [id, measured] of rounds) {
    const all = combineContention(measured);
    const each = measured.map((r) => r.acquisitionsPerSecond.toFixed(0)).join(' / ');
    lines.push(
      `| ${id} | ${all.acquisitionsPerSecond.toFixed(0)} (${each}) | ${all.lostUpdates} | ${all.fairness.toFixed(2)} | ${all.commandsPerAcquisition.toFixed(1)} | ${(all.clientCpuUs / all.acquisitions).toFixed(0)} + ${(all.serverCpuUs / all.acquisitions).toFixed(0)} |`,
    );
  }
  process.stdout.write(`\n${lines.join('\n')}\n`);
}

/** `--waiters-only`: the 10,000-waiter metric alone, `runs` times per subject, interleaved, with its spread. */
async function waitersAlone(url: string): Promise<string> {
  const heap = new Map<string, number[]>(ids.map((id) => [id, []]));
  const lines: string[] = [];
  for (let run = 0; run < runs; run++) {
    for (const id of ids) {
      log(`${id}: 10,000 waiters (run ${run + 1} of ${runs})`);
      try {
        const result = await measureWaiters({ subject: id, url, waiters: 10_000, settleMs: plan.settleMs, windowMs: 1_000 });
        heap.get(id)?.push(result.heapBytesPerWaiter);
        lines.push(
          `${id} run ${run + 1}: ${(result.heapBytesPerWaiter / 1024).toFixed(2)} KiB/waiter, ${result.connections} connections, ${result.commandsPerSecond.toFixed(0)} commands/s, ${result.gaveUp} gave up`,
        );
      } catch (error) {
        lines.push(`${id} run ${run + 1}: failed: ${String(error)}`);
      }
    }
  }
  for (const [id, values] of heap) {
    if (values.length === 0) continue;
    const kib = values.map((bytes) => bytes / 1024);
    const mean = kib.reduce((sum, value) => sum + value, 0) / kib.length;
    lines.push(
      `${id}: heap per waiter ${mean.toFixed(2)} KiB mean, ${Math.min(...kib).toFixed(2)}-${Math.max(...kib).toFixed(2)} over ${kib.length} runs`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const started = now();
  if (waitersOnly) {
    if (ids.includes('locksmith') && process.env.LOCKSMITH_BENCH_SOURCE !== 'src') log(`dist/: ${ensureBuilt()}`);
    const server = await startRedis();
    try {
      process.stdout.write(`\n${await waitersAlone(server.url)}\n`);
    } finally {
      await server.stop();
    }
    return;
  }
  if (eventsOnly) {
    if (process.env.LOCKSMITH_BENCH_SOURCE !== 'src') log(`dist/: ${ensureBuilt()}`);
    const server = await startRedis();
    try {
      process.stdout.write(`\n${eventsOverheadTable(await eventsOverhead(server.url))}\n`);
    } finally {
      await server.stop();
    }
    return;
  }
  if (ids.some((id) => id.startsWith('locksmith')) && process.env.LOCKSMITH_BENCH_SOURCE !== 'src') {
    log(`dist/: ${ensureBuilt()}`);
  }
  if (contentionOnly) {
    await contentionAlone();
    return;
  }
  const server = await startRedis();
  const admin = await connect(server.url, 'bench-admin');
  const machine = await describeMachine(admin, (await installedVersion('ioredis')).split('@')[1] ?? '?');
  log(`redis-server ${machine.redis} on ${server.url}; subjects: ${ids.join(', ')}${quick ? ' (quick)' : ''}`);
  const all: SubjectResults[] = ids.map((id) => ({ id, version: id, waiting: WAITING[id] ?? '', errors: [] }));
  // Two instances per subject (separate connections): `a` holds or works, `b` waits.
  const instances = new Map<string, [LockSubject, LockSubject]>();
  for (const results of all) {
    const factory = SUBJECTS[results.id];
    if (!factory) continue;
    await attempt(results, 'setup', async () => {
      const pair: [LockSubject, LockSubject] = [await factory(server.url), await factory(server.url)];
      results.version = pair[0].version;
      instances.set(results.id, pair);
    });
  }
  const byId = (id: string): SubjectResults | undefined => all.find((r) => r.id === id);
  const primaries = [...instances.values()].map(([a]) => a);
  log('reference: PING after an idle pause');
  const cold = await coldRoundTrip(admin, quick ? 100 : 300);
  try {
    log('uncontended acquire + release (interleaved)');
    for (const [id, result] of await measureUncontended(primaries, plan.cycles)) {
      const results = byId(id);
      if (results) results.uncontended = result;
    }
    log('throughput, 50 workers (interleaved)');
    for (const [id, result] of await measureThroughput(primaries, 50, plan.throughputMs)) {
      const results = byId(id);
      if (results) results.throughput = result;
    }
    log('handoff latency (interleaved)');
    for (const [id, result] of await measureHandoff(instances, (id) => plan.handoff[tier(id)] ?? 10)) {
      const results = byId(id);
      if (results) results.handoff = result;
    }
    for (const [id, [a, b]] of instances) {
      const results = byId(id);
      if (!results) continue;
      log(`${id}: handoff cost`);
      await attempt(results, 'handoff cost', async () => {
        results.handoffCost = await measureHandoffCost(admin, server.port, a, b, 10, plan.cost[tier(id)] ?? 10);
      });
    }
  } finally {
    for (const [a, b] of instances.values()) {
      await a.close();
      await b.close();
    }
  }
  const pool = await ContentionPool.start(8);
  try {
    const rounds = new Map<string, ContentionResult[]>();
    await warmUp(pool, admin, all.map((results) => results.id), server.url).catch((error: unknown) =>
      log(`contention warm-up failed: ${String(error)}`),
    );
    for (let round = 0; round < plan.contentionRounds; round++) {
      for (const results of all) {
        log(`${results.id}: contention, 8 processes (round ${round + 1} of ${plan.contentionRounds})`);
        await attempt(results, 'contention', async () => {
          const result = await pool.measure(admin, results.id, server.url, plan.contentionMs / plan.contentionRounds);
          rounds.set(results.id, [...(rounds.get(results.id) ?? []), result]);
        });
      }
    }
    for (const results of all) {
      const measured = rounds.get(results.id);
      if (measured) results.contention = combineContention(measured);
    }
  } finally {
    pool.stop();
  }
  for (const results of all) {
    if (plan.idle) {
      log(`${results.id}: 100 waiters`);
      await attempt(results, '100 waiters', async () => {
        results.idle = await measureWaiters({ subject: results.id, url: server.url, waiters: 100, settleMs: 500, windowMs: 1_000 });
      });
    }
    log(`${results.id}: 10,000 waiters`);
    await attempt(results, '10,000 waiters', async () => {
      results.waiters = await measureWaiters({
        subject: results.id,
        url: server.url,
        waiters: 10_000,
        settleMs: plan.settleMs,
        windowMs: 1_000,
      });
    });
  }
  const events = ids.includes('locksmith') ? await eventsOverhead(server.url) : undefined;
  admin.disconnect();
  await server.stop();
  const run: RunResults = { machine, quick, coldRoundTrip: cold, durationS: (now() - started) / 1000, subjects: all, events };
  process.stdout.write(`\ncold PING p50 ${cold.p50Ms.toFixed(3)} ms, p99 ${cold.p99Ms.toFixed(3)} ms\n${table(run)}\n\n${targets(run)}\n`);
  if (events) process.stdout.write(`\n${eventsOverheadTable(events)}\n`);
  const path = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
  writeFileSync(path, markdown(run));
  log(`wrote ${path}`);
}

runMain(main);
