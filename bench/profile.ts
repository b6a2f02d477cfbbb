/**
 * Diagnostic companion of the benchmark (`npx tsx bench/profile.ts`): splits locksmith's uncontended cycle and
 * handoff into layers, so a gap to the raw floor can be pinned on a layer. Interleaved rounds, p50 in µs:
 * floor (SET NX PX + EVALSHA), the same with EVALSHA acquire script, RedisStore.acquire/release called
 * directly, lock.get()/release(), lock.block()/release(), and the closure form `block(wait, fn)`.
 * Then the handoff's timeline: release sent → announcement received by the waiter's subscriber → acquired,
 * and the same handoff on a MemoryStore.
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { DIST_ENTRY, ensureBuilt } from './build.js';
import { RedisMonitor } from '../test/support/redis-monitor.js';
import { startRedis } from '../test/support/redis-server.js';
import { connect } from './redis-client.js';
import { now, percentile, runMain, sleep } from './stats.js';

type Cycle = (i: number) => Promise<void>;

const CAD = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const ACQ = `local ok = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) if ok then return {1} end return {0, redis.call('PTTL', KEYS[1])}`;

async function main(): Promise<void> {
  ensureBuilt(); // the compiled package, as users run it (see build.ts)
  const { createLocks, MemoryStore, RedisStore } = (await import(
    pathToFileURL(DIST_ENTRY).href
  )) as typeof import('../src/index.js');
  const server = await startRedis();
  const redis = await connect(server.url, 'profile');
  const cad = (await redis.script('LOAD', CAD)) as string;
  const acq = (await redis.script('LOAD', ACQ)) as string;
  const store = new RedisStore(redis);
  const locks = createLocks({ store });
  const token = (): string => randomBytes(16).toString('base64url');

  const cycles: Record<string, Cycle> = {
    'floor: SET NX PX + EVALSHA cad': async () => {
      const t = token();
      await redis.set('p:floor', t, 'PX', 10_000, 'NX');
      await redis.evalsha(cad, 1, 'p:floor', t);
    },
    'floor with acquire script (EVALSHA x2)': async () => {
      const t = token();
      await redis.evalsha(acq, 1, 'p:acq', t, 10_000);
      await redis.evalsha(cad, 1, 'p:acq', t);
    },
    'RedisStore.acquire + release': async () => {
      const t = token();
      await store.acquire({ key: 'p:store', owner: t, ttlMs: 10_000, fencing: false });
      await store.release('p:store', t);
    },
    'lock.get() + release()': async () => {
      const lock = locks.lock('p:get', 10);
      await lock.get();
      await lock.release();
    },
    'lock.block(5) + release()': async () => {
      const lock = locks.lock('p:block', 10);
      await lock.block(5);
      await lock.release();
    },
    'lock.block(5) + release(), owner given': async (i) => {
      // Same as above without the per-lock randomBytes(16): isolates the cost of making an owner token.
      const lock = locks.lock('p:owned', 10, { owner: `owner-${i}` });
      await lock.block(5);
      await lock.release();
    },
    'lock.block(5, fn) (closure, lease watch)': async () => {
      await locks.lock('p:closure', 10).block(5, () => undefined);
    },
    'lock.block(5, fn) with autoExtend': async () => {
      await locks.lock('p:extend', 10, { autoExtend: true }).block(5, () => undefined);
    },
    'lock.block(5, fn), a new key each time': async () => {
      // The usual shape (`process:package:${label}`): the lease watch subscribes a new channel every time.
      await locks.lock(`p:closure:${(distinct += 1)}`, 10).block(5, () => undefined);
    },
  };
  let distinct = 0;
  const samples = new Map<string, number[]>(Object.keys(cycles).map((name) => [name, []]));
  for (const cycle of Object.values(cycles)) for (let i = 0; i < 300; i++) await cycle(i);
  for (let round = 0; round < 10; round++) {
    for (const [name, cycle] of Object.entries(cycles)) {
      const into = samples.get(name) ?? [];
      for (let i = 0; i < 200; i++) {
        const start = now();
        await cycle(i);
        into.push(now() - start);
      }
    }
  }
  // Requests per cycle (MONITOR), counted apart from the timing; lingering channels unsubscribe within 1 s.
  const requestsPerCycle = new Map<string, number>();
  for (const [name, cycle] of Object.entries(cycles)) {
    await sleep(1_200);
    const monitor = await RedisMonitor.start(server.port);
    for (let i = 0; i < 100; i++) await cycle(i);
    await sleep(1_200);
    requestsPerCycle.set(name, monitor.total() / 100);
    monitor.stop();
  }
  const floor = percentile(samples.get('floor: SET NX PX + EVALSHA cad') ?? [], 50);
  console.log('uncontended cycle, p50 (µs), ratio to the floor, client requests per cycle');
  for (const [name, values] of samples) {
    const p50 = percentile(values, 50);
    const requests = requestsPerCycle.get(name) ?? Number.NaN;
    console.log(
      `  ${name.padEnd(44)} ${(p50 * 1000).toFixed(0).padStart(5)} µs  ${(p50 / floor).toFixed(2)}×  ${requests.toFixed(2)} req`,
    );
  }
  const commands = await redis.info('commandstats');
  void commands;

  // Handoff timeline: holder and waiter on separate clients and stores, like two processes.
  const holderRedis = await connect(server.url, 'profile-holder');
  const holderLocks = createLocks({ store: new RedisStore(holderRedis) });
  const waiterRedis = await connect(server.url, 'profile-waiter');
  const waiterLocks = createLocks({ store: new RedisStore(waiterRedis) });
  const announced: number[] = [];
  const acquired: number[] = [];
  const releaseReply: number[] = [];
  let announcedAt = 0;
  const listener = await connect(server.url, 'profile-listener');
  await listener.psubscribe('*');
  listener.on('pmessage', () => (announcedAt = now()));
  for (let i = 0; i < 300; i++) {
    const name = `p:handoff:${i % 5}`;
    const holder = holderLocks.lock(name, 10);
    await holder.block(1);
    let acquiredAt = 0;
    const waiting = waiterLocks
      .lock(name, 10)
      .block(5)
      .then(() => (acquiredAt = now()));
    await sleep(5 + Math.random() * 10);
    const releasedAt = now();
    await holder.release();
    const replyAt = now();
    await waiting;
    if (i >= 20) {
      releaseReply.push(replyAt - releasedAt);
      announced.push(announcedAt - releasedAt);
      acquired.push(acquiredAt - releasedAt);
    }
    await waiterLocks.restoreLock(name, 'unused').forceRelease();
  }
  const show = (label: string, values: number[]): void =>
    console.log(`  ${label.padEnd(44)} p50 ${(percentile(values, 50) * 1000).toFixed(0).padStart(5)} µs  p99 ${(percentile(values, 99) * 1000).toFixed(0).padStart(6)} µs`);
  console.log('handoff timeline from the release() call (µs)');
  show('release() resolved (holder)', releaseReply);
  show('announcement seen by a plain subscriber', announced);
  show('waiter acquired', acquired);

  // MemoryStore for comparison: the same handoff inside one process, no network.
  const memory = createLocks({ store: new MemoryStore() });
  const inMemory: number[] = [];
  for (let i = 0; i < 300; i++) {
    const holder = memory.lock('p:memory', 10);
    await holder.block(1);
    let acquiredAt = 0;
    const waiting = memory
      .lock('p:memory', 10)
      .block(5)
      .then(() => (acquiredAt = now()));
    await sleep(1 + Math.random() * 4);
    const releasedAt = now();
    await holder.release();
    await waiting;
    if (i >= 20) inMemory.push(acquiredAt - releasedAt);
    await memory.lock('p:memory').forceRelease();
  }
  show('MemoryStore: waiter acquired', inMemory);
  await memory.close();

  listener.disconnect();
  await Promise.all([locks.close(), holderLocks.close(), waiterLocks.close()]);
  for (const client of [redis, holderRedis, waiterRedis]) client.disconnect();
  await server.stop();
}

runMain(main);
