/**
 * `npm run demo`: the source document's two main scenarios, with concurrent workers.
 *
 * 1. Preventing duplicate package processing: every worker receives every package at about the same time
 *    (duplicate job deliveries). `lock.get()` lets one of them process it; the others skip.
 * 2. Serializing Metrc API calls per facility: workers call the API for random facilities;
 *    `lock.block(60, fn)` lets one call per facility run at a time, different facilities in parallel.
 *
 * Runs on the embedded default store (in-process MemoryStore); with REDIS_URL set, on Redis.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createLocks, RedisStore, type LockManager } from '../src/index.js';

const WORKERS = ['worker-1', 'worker-2', 'worker-3', 'worker-4'];
const PACKAGES = ['1A4000000000000000001', '1A4000000000000000002', '1A4000000000000000003', '1A4000000000000000004'];
const FACILITIES = ['LIC-100', 'LIC-200', 'LIC-300'];

const between = (min: number, max: number): number => min + Math.random() * (max - min);

/**
 * Every worker receives every package at about the same time (duplicate deliveries) and processes it unless
 * it is already done. Returns how often each package was processed, and what each worker did.
 */
async function deliverEverywhere(
  locks: LockManager | undefined,
): Promise<{ processed: Map<string, number>; log: Map<string, string[]> }> {
  const processed = new Map<string, number>(PACKAGES.map((label) => [label, 0]));
  const done = new Set<string>(); // the "database": what has been processed
  const log = new Map<string, string[]>(WORKERS.map((worker) => [worker, []]));

  async function processPackage(worker: string, label: string): Promise<void> {
    // As in `process_package()`: skip a package another worker is already processing.
    const lock = locks?.lock(`process:package:${label}`, 120);
    if (lock && !(await lock.get())) {
      log.get(worker)?.push(`skip …${label.slice(-3)} (being processed)`);
      return;
    }
    try {
      if (done.has(label)) {
        log.get(worker)?.push(`skip …${label.slice(-3)} (already done)`);
        return;
      }
      await sleep(between(60, 120)); // fetch from Metrc, process…
      done.add(label);
      processed.set(label, (processed.get(label) ?? 0) + 1);
      log.get(worker)?.push(`PROCESSED …${label.slice(-3)}`);
    } finally {
      await lock?.release();
    }
  }

  await Promise.all(
    WORKERS.map(async (worker) => {
      for (const label of PACKAGES) {
        await sleep(between(0, 15)); // duplicate deliveries arrive at about the same time
        await processPackage(worker, label);
      }
    }),
  );
  return { processed, log };
}

const perPackage = (processed: Map<string, number>): string =>
  [...processed].map(([label, n]) => `…${label.slice(-3)}×${n}`).join('  ');

/** Scenario 1: with the lock every package is processed once; without it, duplicates slip through. */
async function duplicatePackages(locks: LockManager): Promise<boolean> {
  console.log('\n1. Preventing duplicate package processing (lock.get(), ttl 120 s)');
  const { processed, log } = await deliverEverywhere(locks);
  for (const [worker, lines] of log) console.log(`   ${worker}: ${lines.join(', ')}`);
  const ok = [...processed.values()].every((n) => n === 1);
  console.log(`   times processed per package: ${perPackage(processed)}  → ${ok ? 'each exactly once' : 'DUPLICATES!'}`);
  const unlocked = await deliverEverywhere(undefined);
  console.log(`   the same deliveries without the lock:  ${perPackage(unlocked.processed)}`);
  return ok;
}

/** Scenario 2, as in `fetch_all_packages()`: one Metrc call per facility at a time. */
async function serializedApiCalls(locks: LockManager): Promise<boolean> {
  console.log('\n2. Serializing Metrc API calls per facility (lock.block(60, fn), ttl 300 s)');
  const inFlight = new Map<string, number>(FACILITIES.map((facility) => [facility, 0]));
  const maxPerFacility = new Map<string, number>(FACILITIES.map((facility) => [facility, 0]));
  let total = 0;
  let maxTotal = 0;
  let fetched = 0;
  const started = performance.now();

  async function fetchAllPackages(worker: string, facility: string): Promise<void> {
    const asked = performance.now();
    fetched += await locks.lock(`metrc:fetch:${facility}`, 300).block(60, async () => {
      const waited = performance.now() - asked;
      inFlight.set(facility, (inFlight.get(facility) ?? 0) + 1);
      maxPerFacility.set(facility, Math.max(maxPerFacility.get(facility) ?? 0, inFlight.get(facility) ?? 0));
      maxTotal = Math.max(maxTotal, ++total);
      const at = Math.round(performance.now() - started);
      console.log(`   ${String(at).padStart(4)} ms  ${worker} calls Metrc for ${facility} (waited ${Math.round(waited)} ms)`);
      await sleep(between(40, 80)); // the API call
      inFlight.set(facility, (inFlight.get(facility) ?? 0) - 1);
      total--;
      return Math.floor(between(10, 500)); // the closure's result is block()'s result
    });
  }

  await Promise.all(
    WORKERS.map(async (worker, i) => {
      for (let call = 0; call < 3; call++) {
        await fetchAllPackages(worker, FACILITIES[(i + call) % FACILITIES.length] as string);
      }
    }),
  );
  const perFacility = [...maxPerFacility].map(([facility, n]) => `${facility}: ${n}`).join(', ');
  const ok = [...maxPerFacility.values()].every((n) => n === 1);
  console.log(`   max concurrent calls per facility: ${perFacility} → ${ok ? 'serialized' : 'OVERLAP!'}`);
  console.log(`   max concurrent calls overall: ${maxTotal} (different facilities run in parallel)`);
  console.log(`   packages fetched in total: ${fetched}`);
  return ok;
}

async function main(): Promise<void> {
  const url = process.env['REDIS_URL'];
  const redis = url ? new Redis(url) : undefined;
  // A fresh prefix per run, so a demo never sees another run's keys on a shared Redis.
  const locks = redis
    ? createLocks({ store: new RedisStore(redis), prefix: `locksmith-demo:${randomUUID().slice(0, 8)}:` })
    : createLocks();
  console.log(`locksmith demo on ${redis ? `Redis (${url})` : 'the in-process MemoryStore (set REDIS_URL for Redis)'}`);
  try {
    const once = await duplicatePackages(locks);
    const serialized = await serializedApiCalls(locks);
    console.log(once && serialized ? '\nNothing was processed twice.' : '\nFAILED: see above.');
    process.exitCode = once && serialized ? 0 : 1;
  } finally {
    await locks.close(); // closes the store's own subscriber connection, never our client
    redis?.disconnect();
  }
}

await main();
