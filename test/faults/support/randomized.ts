/**
 * The seeded randomized safety test (issue 9), in the manner of Jepsen and Redisson's failover tests: several
 * clients, each with its own ioredis connection, RedisStore and lock manager (or, cheaply, all on one shared
 * MemoryStore), run a random schedule of acquisitions on a few names while a nemesis kills their command and
 * subscriber connections, pauses Redis (SIGSTOP) and restarts it (AOF, fsync always: a restart loses nothing).
 * An independent {@link Witness} records every interval in which a handle believes it holds a name and judges
 * them; this module records hangs, late settlements and unhandled rejections.
 *
 * All clients live in this one Node process: the event loop orders every witness event exactly, and each
 * client draws its decisions from its own seeded stream, so a seed reproduces the schedule (the interleaving
 * depends on the network, as it must).
 *
 * Schedule, per client (see `drawOp`): `get`, `get(fn)`, `block(wait)`, `block(wait, fn)`; names `x`, `{x}`
 * and odd ones; ttl 0 or 5–8 s (much longer than sections, which last up to 40 ms, and than any outage the
 * nemesis makes, except some ttl-0 sections that outlast every store's `handoffClaim`); waits 0–2.5 s, some aborted by an AbortSignal; half of the
 * acquisitions use their name's job token (`job-42` on `x`…: a retried job, across stores); some holders
 * "crash" (stop without releasing) and a later `restoreLock(name, owner)` on another client takes over.
 * Every acquisition draws its mode: half fair (FIFO handoff), half barging (`fair: false`: a release wakes the
 * oldest queued barging waiter and anyone may take the free key), so every run mixes both modes on each name.
 *
 * `LOCKSMITH_TRACE=<file>` appends every schedule step and its outcome to that file.
 *
 * Bounds (README "Failures and deadlines"): `get()`, `release()`, `refresh()` and `isOwnedByCurrentProcess()`
 * settle within `timeout`, `block(wait)` within `wait + timeout`; closure forms within that plus the closure
 * plus `timeout` for the release. An operation settling later than its bound plus {@link TOLERANCE_MS} (plus
 * any event-loop stall measured meanwhile) is `overdue`; one not settled {@link HANG_MS} after its bound is a
 * `hang`.
 */
import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import {
  createLocks,
  LockStoreError,
  LockTimeoutError,
  MemoryStore,
  RedisStore,
  type Lock,
  type LockManager,
  type LockStore,
} from 'locksmith-js';
import { startRedis, type RedisServer } from '../../support/redis-server.js';
import { mulberry32, streamSeed, type Random } from './prng.js';
import { Witness, type Interval, type Violation, type ViolationKind } from './witness.js';

/** Lock names: `x` and `{x}` (must never share a key or channel), and odd ones (no tag, unwrappable, non-ASCII tag). */
export const NAMES = ['x', '{x}', 'a}b', 'sync:{é😀}:1'] as const;
const NAME_WEIGHTS: readonly (readonly [string, number])[] = [
  ['x', 4],
  ['{x}', 4],
  ['a}b', 1],
  ['sync:{é😀}:1', 1],
];
/** The owner token a retried job uses on each name (one job per name, so its retries meet on that name). */
const JOB_OF: Readonly<Record<string, string>> = { x: 'job-42', '{x}': 'job-7', 'a}b': 'job-9', 'sync:{é😀}:1': 'job-9' };
/** A ttl-0 section this long outlasts every store's handoffClaim (see `clientSetup`). */
const LONG_SECTION_MS = 3_500;
const TOLERANCE_MS = 300;
const STORE_ERROR_BACKOFF_MS = 100;
const HANG_MS = 10_000;
const REDIS_ARGS = ['--appendonly', 'yes', '--appendfsync', 'always'];

export interface Budget {
  readonly clients: number;
  readonly opsPerClient: number;
}

export const CI_BUDGET: Budget = { clients: 5, opsPerClient: 25 };
export const LONG_BUDGET: Budget = { clients: 6, opsPerClient: 120 };

export interface RandomizedReport {
  readonly seed: number;
  readonly store: 'redis' | 'memory';
  readonly operations: number;
  /** Intervals the witness recorded (acquisitions, restored takeovers included). */
  readonly intervals: number;
  readonly nemesis: Readonly<Record<string, number>>;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly violations: readonly Violation[];
  readonly byKind: Readonly<Partial<Record<ViolationKind, number>>>;
  /** Keys still present once everything settled (informational: e.g. a ttl-0 lock whose release never landed). */
  readonly leftHeld: readonly string[];
  readonly durationMs: number;
  /** Schedule lines around the first violations: what each client did on that name just before. */
  readonly excerpts: readonly string[];
}

type Form = 'get' | 'get-fn' | 'block' | 'block-fn';

interface AcquireOp {
  readonly kind: 'acquire';
  readonly form: Form;
  readonly name: string;
  readonly ttlMs: number;
  readonly shared: string | undefined;
  readonly waitMs: number;
  readonly abortAfterMs: number | undefined;
  readonly sectionMs: number;
  readonly autoExtend: boolean;
  readonly fencing: boolean;
  /** Stop without releasing (a crashed job), leaving the token for a later `restoreLock`. */
  readonly abandon: boolean;
  readonly pauseMs: number;
  /** `false`: a barging waiter (see the module comment). */
  readonly fair: boolean;
}

interface RestoreOp {
  readonly kind: 'restore';
  /** `refresh()` without a ttl (the restored handle does not know the lock's TTL), else `refresh(ttl)`. */
  readonly bareRefresh: boolean;
  readonly sectionMs: number;
  readonly pauseMs: number;
}

type Op = AcquireOp | RestoreOp;

interface Abandoned {
  readonly name: string;
  readonly owner: string;
  readonly ttlMs: number;
}

interface Client {
  readonly index: number;
  readonly locks: LockManager;
  readonly store: LockStore;
  readonly timeoutMs: number;
  readonly redis: Redis | undefined;
  /** Bumped whenever the command connection drops: a reply may then have been lost and the command resent. */
  epoch: number;
  /** The current operation's acquisition failed with a store error. */
  storeFailed: boolean;
  /** Waiting in a ttl-0 `block()` right now: a handoff to it would come under a claim (the nemesis aims here). */
  waitingTtl0: boolean;
}

interface Trace {
  readonly at: number;
  readonly name: string;
  readonly line: string;
}

function drawOp(random: Random): Op {
  if (random.chance(0.12)) {
    return { kind: 'restore', bareRefresh: random.chance(0.5), sectionMs: random.int(0, 30), pauseMs: random.int(0, 15) };
  }
  const form = random.pick<Form>(['get', 'get-fn', 'block', 'block-fn']);
  const name = random.weighted(NAME_WEIGHTS);
  const shared = random.chance(0.5) ? JOB_OF[name] : undefined;
  // A shared token never gets ttl 0: a lock whose release was lost would otherwise hold its name for the run.
  const ttlMs = shared ? random.pick([5_000, 6_000]) : random.weighted([[0, 30], [5_000, 35], [8_000, 35]]);
  const blocking = form === 'block' || form === 'block-fn';
  // A retried job waits long enough to meet its own other attempts in the queue.
  const waitMs = blocking ? random.pick(shared ? [1_000, 2_500] : [0, 300, 1_000, 2_500]) : 0;
  const abortAfterMs = blocking && random.chance(shared ? 0.35 : 0.2) ? random.int(0, Math.max(1, waitMs)) : undefined;
  // Some ttl-0 waiters (handed the lock under a claim) hold it longer than any claim.
  const sectionMs = ttlMs === 0 && blocking && random.chance(0.4) ? LONG_SECTION_MS : random.int(0, 40);
  const closure = form === 'get-fn' || form === 'block-fn';
  return {
    kind: 'acquire',
    form,
    name,
    ttlMs,
    shared,
    waitMs,
    abortAfterMs,
    sectionMs,
    autoExtend: closure && ttlMs > 0 && random.chance(0.2),
    fencing: random.chance(0.3),
    abandon: !closure && !shared && ttlMs > 0 && random.chance(0.12),
    pauseMs: random.int(0, 15),
    fair: random.chance(0.5),
  };
}

/** Runs one seed's schedule against one store kind and returns what the witness and the watchdog saw. */
export async function runRandomized(seed: number, storeKind: 'redis' | 'memory', budget: Budget): Promise<RandomizedReport> {
  const started = performance.now();
  const witness = new Witness();
  const outcomes: Record<string, number> = {};
  const nemesisCounts: Record<string, number> = {};
  const traces: Trace[] = [];
  const abandoned: Abandoned[] = [];
  const background: Promise<unknown>[] = [];
  const count = (key: string): void => {
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  };
  const onUnhandled = (reason: unknown): void => {
    witness.record('unhandled-rejection', '-', String(reason instanceof Error ? reason.stack : reason));
  };
  process.on('unhandledRejection', onUnhandled);

  let server: RedisServer | undefined;
  let paused = false;
  const admins: Redis[] = [];
  const clients: Client[] = [];
  const memory = storeKind === 'memory' ? new MemoryStore() : undefined;
  const lag = lagMonitor();
  let operations = 0;
  try {
    if (storeKind === 'redis') server = await startRedis({ args: REDIS_ARGS });
    for (let index = 0; index < budget.clients; index++) {
      clients.push(await clientSetup(index, seed, server, memory));
    }

    let done = false;
    const nemesis = server ? runNemesis() : Promise.resolve();
    const sampler = runSampler();
    await Promise.all(clients.map((client) => runClient(client)));
    done = true;
    await Promise.all([nemesis, sampler]);
    if (paused) server?.resume();
    await Promise.race([Promise.allSettled(background), sleep(15_000)]);
    const leftHeld = await heldKeys();
    const traceFile = process.env.LOCKSMITH_TRACE;
    if (traceFile) appendFileSync(traceFile, [`# seed ${seed} ${storeKind}`, ...traces.map((entry) => entry.line), ''].join('\n'));

    const byKind: Partial<Record<ViolationKind, number>> = {};
    for (const violation of witness.violations) byKind[violation.kind] = (byKind[violation.kind] ?? 0) + 1;
    return {
      seed,
      store: storeKind,
      operations,
      intervals: witness.intervals,
      nemesis: nemesisCounts,
      outcomes,
      violations: witness.violations,
      byKind,
      leftHeld,
      durationMs: Math.round(performance.now() - started),
      excerpts: excerpts(witness.violations, traces),
    };

    // ------------------------------------------------------------------------------------------------------

    async function runClient(client: Client): Promise<void> {
      const random = mulberry32(streamSeed(seed, client.index));
      for (let n = 0; n < budget.opsPerClient; n++) {
        const op = drawOp(random);
        operations++;
        const label = `c${client.index}#${n}`;
        client.storeFailed = false;
        if (op.kind === 'acquire') await acquire(client, op, label);
        else await restore(client, op, label);
        const failed = client.storeFailed;
        // A store error means the connection is down for a moment: a real client backs off (a fixed pause, so
        // the draws stay the seed's alone).
        await sleep(op.pauseMs + (failed ? STORE_ERROR_BACKOFF_MS : 0));
      }
    }

    /** Long sections outlast RedisStore's handoff claims; MemoryStore has none, so they stay short there. */
    function sectionOf(op: AcquireOp): number {
      return storeKind === 'memory' && op.sectionMs === LONG_SECTION_MS ? 40 : op.sectionMs;
    }

    function trace(name: string, line: string): void {
      traces.push({ at: witness.now(), name, line: `${witness.now().toFixed(1).padStart(8)} ms  ${line}` });
    }

    async function acquire(client: Client, op: AcquireOp, label: string): Promise<void> {
      const owner = op.shared;
      const lock = client.locks.lock(op.name, op.ttlMs / 1_000, {
        ...(owner && { owner }),
        ...(op.autoExtend && { autoExtend: true }),
        ...(op.fencing && { fencing: true }),
        fair: op.fair,
      });
      count(op.fair ? 'fair' : 'barging');
      witness.uses(op.name, lock.owner);
      const what = `${label} ${op.form}(${op.form.startsWith('block') ? `wait ${op.waitMs}` : ''}) ${JSON.stringify(op.name)} ttl ${op.ttlMs} owner ${owner ?? 'own'}${op.fair ? '' : ' barging'}${op.abortAfterMs === undefined ? '' : ` abort@${op.abortAfterMs}`}`;
      const controller = op.abortAfterMs === undefined ? undefined : new AbortController();
      const abortTimer = controller && setTimeout(() => controller.abort(), op.abortAfterMs);
      const options = controller ? { signal: controller.signal } : undefined;
      const acquireBound = (op.form.startsWith('block') ? op.waitMs : 0) + client.timeoutMs;
      try {
        if (op.form === 'get' || op.form === 'block') {
          client.waitingTtl0 = op.form === 'block' && op.ttlMs === 0;
          const pending = op.form === 'get' ? lock.get() : lock.block(op.waitMs / 1_000, options);
          const result = await watched(pending, acquireBound, `${what}`, op.name);
          client.waitingTtl0 = false;
          trace(op.name, `${what} → ${describeOutcome(result)}`);
          count(outcomeKey(result));
          client.storeFailed = outcomeKey(result) === 'store-error';
          if (!result.settled || !result.ok || result.value !== true) return;
          const interval = witness.begin(op.name, client.index, lock.owner, label, lock.fencingToken);
          await section(client, lock, interval, sectionOf(op), label);
          witness.end(interval);
          if (op.abandon) {
            trace(op.name, `${label} abandons (crashed job), token kept for restoreLock`);
            abandoned.push({ name: op.name, owner: lock.owner, ttlMs: op.ttlMs });
            return;
          }
          await releaseChecked(client, lock, interval, label, owner === undefined);
          return;
        }
        let closureMs = 0;
        const fn = async ({ signal }: { signal: AbortSignal }): Promise<string> => {
          client.waitingTtl0 = false;
          const interval = witness.begin(op.name, client.index, lock.owner, label, lock.fencingToken);
          const closureStart = performance.now();
          const onLost = (): void => witness.signalled(interval, String((signal.reason as Error | undefined)?.message));
          if (signal.aborted) onLost();
          else signal.addEventListener('abort', onLost, { once: true });
          try {
            await section(client, lock, interval, sectionOf(op), label);
          } finally {
            signal.removeEventListener('abort', onLost);
            witness.end(interval);
            closureMs = performance.now() - closureStart;
          }
          return 'ran';
        };
        client.waitingTtl0 = op.form === 'block-fn' && op.ttlMs === 0;
        const pending = op.form === 'get-fn' ? lock.get(fn) : lock.block(op.waitMs / 1_000, fn, options);
        const result = await watched(pending, acquireBound + client.timeoutMs, what, op.name, () => closureMs);
        trace(op.name, `${what} → ${describeOutcome(result)}`);
        count(outcomeKey(result));
        client.storeFailed = outcomeKey(result) === 'store-error';
        client.waitingTtl0 = false;
        // The closure's own release may have failed (reported to onError): a job would clean up its own lock.
        if (owner === undefined) background.push(releaseUntilAnswered(lock));
      } finally {
        clearTimeout(abortTimer);
      }
    }

    async function restore(client: Client, op: RestoreOp, label: string): Promise<void> {
      const record = abandoned.shift();
      if (!record) {
        count('restore:nothing');
        return;
      }
      const lock = client.locks.restoreLock(record.name, record.owner);
      const what = `${label} restoreLock(${JSON.stringify(record.name)}, ${record.owner.slice(0, 8)}…).refresh(${op.bareRefresh ? '' : record.ttlMs / 1_000})`;
      const epoch = client.epoch;
      const refreshing = op.bareRefresh ? lock.refresh() : lock.refresh(record.ttlMs / 1_000);
      const result = await watched(refreshing, client.timeoutMs, what, record.name);
      trace(record.name, `${what} → ${describeOutcome(result)}`);
      count(`restore:${outcomeKey(result)}`);
      client.storeFailed = outcomeKey(result) === 'store-error';
      if (!result.settled || !result.ok) {
        background.push(releaseUntilAnswered(lock));
        return;
      }
      if (result.value !== true) return; // the crashed job's lease ran out meanwhile
      const interval = witness.begin(record.name, client.index, record.owner, `${label} restored`);
      if (epoch === client.epoch) {
        const lease = await client.store.remainingLease(record.name, record.owner).catch(() => undefined);
        if (lease === -1 && record.ttlMs > 0) {
          witness.record('expiry-removed', record.name, `${what}: the lock taken with ttl ${record.ttlMs} ms no longer expires`);
        }
      }
      await section(client, lock, interval, op.sectionMs, `${label} restored`);
      witness.end(interval);
      await releaseChecked(client, lock, interval, `${label} restored`, true);
    }

    /** The critical section: wait, then ask the store whether we still hold the lock. */
    async function section(client: Client, lock: Lock, interval: Interval, ms: number, label: string): Promise<void> {
      if (ms > 0) await sleep(ms);
      const owned = await watched(lock.isOwnedByCurrentProcess(), client.timeoutMs, `${label} isOwnedByCurrentProcess`, lock.name);
      if (owned.settled && owned.ok && owned.value === false) {
        witness.lostWhileHeld(interval, `isOwnedByCurrentProcess() answered false at the end of its ${ms} ms section`);
      }
    }

    /** The first `release()` must answer true (unless the connection dropped meanwhile: a resent command). */
    async function releaseChecked(client: Client, lock: Lock, interval: Interval, label: string, retry: boolean): Promise<void> {
      const epoch = client.epoch;
      const released = await watched(lock.release(), client.timeoutMs, `${label} release`, lock.name);
      trace(lock.name, `${label} release → ${describeOutcome(released)}`);
      if (released.settled && released.ok && released.value === false && epoch === client.epoch) {
        witness.lostWhileHeld(interval, 'release() answered false');
      }
      if (retry && !(released.settled && released.ok)) background.push(releaseUntilAnswered(lock));
    }

    /** A job retrying its release until the store answers (only for tokens nobody else uses). */
    async function releaseUntilAnswered(lock: Lock): Promise<void> {
      for (let attempt = 0; attempt < 40; attempt++) {
        try {
          await lock.release();
          return;
        } catch {
          await sleep(250);
        }
      }
    }

    type Watched = { settled: false } | { settled: true; ok: true; value: unknown } | { settled: true; ok: false; error: unknown };

    /**
     * Awaits `pending` under the watchdog: `overdue` past its bound (plus tolerance and measured stalls), `hang`
     * when still pending {@link HANG_MS} after the bound (the schedule then moves on; the promise is kept handled).
     */
    async function watched(pending: Promise<unknown>, boundMs: number, what: string, name: string, excludedMs?: () => number): Promise<Watched> {
      const start = performance.now();
      const lagAtStart = lag.total();
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise<Watched>((resolve) => {
        timer = setTimeout(() => resolve({ settled: false }), boundMs + HANG_MS);
      });
      const result = await Promise.race([
        pending.then(
          (value): Watched => ({ settled: true, ok: true, value }),
          (error: unknown): Watched => ({ settled: true, ok: false, error }),
        ),
        hung,
      ]);
      clearTimeout(timer);
      const took = performance.now() - start - (excludedMs?.() ?? 0);
      if (!result.settled) {
        witness.record('hang', name, `${what} did not settle within ${boundMs + HANG_MS} ms (bound ${boundMs} ms)`);
      } else if (took > boundMs + TOLERANCE_MS + (lag.total() - lagAtStart)) {
        witness.record('overdue', name, `${what} settled after ${Math.round(took)} ms, bound ${boundMs} ms (${describeOutcome(result)})`);
      }
      return result;
    }

    // ------------------------------------------------------------------------------------------------------

    async function runNemesis(): Promise<void> {
      const random = mulberry32(streamSeed(seed, 1_000));
      const admin = adminConnection('nemesis');
      while (!done) {
        await sleep(random.int(100, 600));
        if (done) break;
        const event = random.weighted<string>([
          ['kill-one-connection', 30],
          ['kill-subscribers', 10],
          ['kill-one-subscriber', 15],
          ['isolate-client', 20],
          ['kill-command-connections', 10],
          ['flap-client', 10],
          ['pause', 15],
          ['restart', 5],
        ]);
        nemesisCounts[event] = (nemesisCounts[event] ?? 0) + 1;
        trace('*', `nemesis ${event}`);
        try {
          if (event === 'kill-one-connection') {
            const victims = (await clientList(admin)).filter((c) => c.name !== 'nemesis' && c.name !== 'sampler');
            if (victims.length > 0) await admin.call('CLIENT', 'KILL', 'ID', random.pick(victims).id);
          } else if (event === 'kill-subscribers') {
            await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
          } else if (event === 'isolate-client' || event === 'kill-one-subscriber') {
            const target = `c${random.int(0, budget.clients - 1)}`;
            const names = event === 'isolate-client' ? [target, `${target}:sub`] : [`${target}:sub`];
            for (const victim of await clientList(admin)) {
              if (names.includes(victim.name)) await admin.call('CLIENT', 'KILL', 'ID', victim.id);
            }
          } else if (event === 'flap-client') {
            // One client's command connection cut again and again for ~0.6 s, preferably one waiting for a
            // ttl-0 lock: a handoff reaching it through its subscriber meanwhile finds its command connection
            // down (the claim must still be made permanent).
            const drawn = random.int(0, budget.clients - 1);
            const target = `c${clients.find((client) => client.waitingTtl0)?.index ?? drawn}`;
            for (let cut = 0; cut < 15; cut++) {
              for (const victim of await clientList(admin)) {
                if (victim.name === target) await admin.call('CLIENT', 'KILL', 'ID', victim.id);
              }
              await sleep(40);
            }
          } else if (event === 'kill-command-connections') {
            await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
          } else if (event === 'pause') {
            server!.pause();
            paused = true;
            await sleep(random.int(100, 1_500));
            server!.resume();
            paused = false;
          } else {
            const old = server!;
            await old.stop({ keepDir: true, signal: 'SIGKILL' });
            await sleep(random.int(100, 400));
            server = await startRedis({ port: old.port, dir: old.dir, args: REDIS_ARGS });
          }
        } catch {
          // The nemesis hits its own connection too (a restart); the next event goes on.
        }
      }
    }

    /** Reads every name's key on a connection of its own, again and again (see `Witness.sampled`). */
    async function runSampler(): Promise<void> {
      const random = mulberry32(streamSeed(seed, 2_000));
      const admin = server ? adminConnection('sampler') : undefined;
      while (!done) {
        await sleep(random.int(10, 40));
        const openAtSend = witness.openIntervals();
        let values: (string | null)[];
        try {
          values = admin ? await admin.mget(...NAMES) : await Promise.all(NAMES.map((name) => memory!.currentOwner(name)));
        } catch {
          continue;
        }
        NAMES.forEach((name, index) => witness.sampled(name, values[index] ?? null, openAtSend));
      }
    }

    /** Names still held once everything settled, with their lease (`pttl -1`: never expires). */
    async function heldKeys(): Promise<string[]> {
      try {
        if (!server) {
          const values = await Promise.all(NAMES.map((name) => memory!.currentOwner(name)));
          return NAMES.filter((_, index) => values[index] !== null);
        }
        const admin = adminConnection('final');
        const held: string[] = [];
        for (const name of NAMES) {
          const pttl = await admin.pttl(name);
          if (pttl !== -2) held.push(`${name}(pttl ${pttl})`);
        }
        return held;
      } catch {
        return ['(unreadable)'];
      }
    }

    function adminConnection(name: string): Redis {
      const admin = new Redis(server!.url, { connectionName: name, retryStrategy: () => 20 });
      admin.on('error', () => undefined);
      admins.push(admin);
      return admin;
    }
  } finally {
    lag.stop();
    if (paused) server?.resume();
    await Promise.allSettled(clients.map((client) => client.locks.close()));
    for (const client of clients) client.redis?.disconnect();
    for (const admin of admins) admin.disconnect();
    await memory?.close();
    await server?.stop();
    await sleep(100); // late rejections of what was just closed still count
    process.off('unhandledRejection', onUnhandled);
  }
}

async function clientSetup(index: number, seed: number, server: RedisServer | undefined, memory: MemoryStore | undefined): Promise<Client> {
  const random = mulberry32(streamSeed(seed, 500 + index));
  const timeoutMs = random.pick([500, 800]);
  const onError = (): void => undefined; // failed releases after a closure: the schedule retries them itself
  if (memory) {
    return { index, locks: createLocks({ store: memory, timeout: timeoutMs / 1_000, onError }), store: memory, timeoutMs, redis: undefined, epoch: 0, storeFailed: false, waitingTtl0: false };
  }
  const redis = new Redis(server!.url, { connectionName: `c${index}`, retryStrategy: () => 20 });
  redis.on('error', () => undefined);
  // Name the store's own subscriber connection (a duplicate of this client) so the nemesis can cut one
  // client's subscriber alone.
  const duplicate = redis.duplicate.bind(redis);
  redis.duplicate = (override) => duplicate({ ...override, connectionName: `c${index}:sub` });
  await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
  // Claims of 2–3 s: above every pause and restart the nemesis makes, below LONG_SECTION_MS.
  const store = new RedisStore(redis, { handoffClaim: random.pick(['2s', '2500ms', '3s']) });
  const client: Client = { index, locks: createLocks({ store, timeout: timeoutMs / 1_000, onError }), store, timeoutMs, redis, epoch: 0, storeFailed: false, waitingTtl0: false };
  redis.on('close', () => client.epoch++);
  return client;
}

interface ListedClient {
  readonly id: string;
  readonly name: string;
}

async function clientList(admin: Redis): Promise<ListedClient[]> {
  const text = String(await admin.call('CLIENT', 'LIST'));
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => ({ id: /\bid=(\d+)/.exec(line)?.[1] ?? '', name: /\bname=(\S*)/.exec(line)?.[1] ?? '' }))
    .filter((c) => c.id !== '');
}

/** Cumulative event-loop stall beyond a 20 ms tick, so the overdue check does not blame the library for load. */
function lagMonitor(): { total(): number; stop(): void } {
  let total = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    total += Math.max(0, now - last - 20);
    last = now;
  }, 20);
  return { total: () => total + Math.max(0, performance.now() - last - 20), stop: () => clearInterval(timer) };
}

function outcomeKey(result: { settled: boolean; ok?: boolean; value?: unknown; error?: unknown }): string {
  if (!result.settled) return 'hung';
  if (result.ok) return result.value === false ? 'not-acquired' : 'acquired';
  const error = result.error;
  if (error instanceof LockTimeoutError) return 'timeout';
  if (error instanceof LockStoreError) return 'store-error';
  if (error instanceof Error && error.name === 'AbortError') return 'aborted';
  if (error instanceof TypeError) return 'type-error';
  return 'other-error';
}

function describeOutcome(result: { settled: boolean; ok?: boolean; value?: unknown; error?: unknown }): string {
  if (!result.settled) return 'HUNG';
  if (result.ok) return String(result.value);
  const error = result.error as Error | undefined;
  return `${error?.name ?? 'error'}: ${error?.message ?? String(error)}`;
}

function excerpts(violations: readonly Violation[], traces: readonly Trace[]): string[] {
  const lines: string[] = [];
  for (const violation of violations.slice(0, 3)) {
    lines.push(`--- ${violation.kind} on ${JSON.stringify(violation.name)} at ${violation.at} ms: ${violation.detail}`);
    const near = traces.filter(
      (entry) => entry.at >= violation.at - 4_000 && entry.at <= violation.at + 50 && (entry.name === violation.name || entry.name === '*'),
    );
    lines.push(...near.slice(-60).map((entry) => `  ${entry.line}`));
  }
  return lines;
}

/**
 * The seeds to run: `LOCKSMITH_SEED` (`7`, `1,5,9` or a range `1-20`) when set, else `fallback`.
 */
export function seedsToRun(fallback: readonly number[]): number[] {
  const given = process.env.LOCKSMITH_SEED?.trim();
  if (!given) return [...fallback];
  return given.split(',').flatMap((part) => {
    const range = /^(\d+)-(\d+)$/.exec(part.trim());
    if (!range) return [Number(part)];
    const from = Number(range[1]);
    return Array.from({ length: Number(range[2]) - from + 1 }, (_, i) => from + i);
  });
}

/** What a failing seed prints: the summary, the violations, the schedule around them and how to rerun it. */
export function explain(report: RandomizedReport, file: string): string {
  return [
    summary(report),
    ...report.violations.slice(0, 20).map((v) => `  ${v.kind} ${JSON.stringify(v.name)} @${v.at} ms: ${v.detail}`),
    ...(report.violations.length > 20 ? [`  … ${report.violations.length - 20} more`] : []),
    ...report.excerpts,
    `reproduce: LOCKSMITH_SEED=${report.seed} npx vitest run --config vitest.faults.config.ts ${file}`,
  ].join('\n');
}

/** One line per report, for the console. */
export function summary(report: RandomizedReport): string {
  const kinds = Object.entries(report.byKind).map(([kind, n]) => `${kind} ${n}`).join(', ') || 'none';
  const nemesis = Object.values(report.nemesis).reduce((sum, n) => sum + n, 0);
  const outcomes = Object.entries(report.outcomes).map(([outcome, n]) => `${outcome} ${n}`).join(', ');
  return (
    `seed ${report.seed} ${report.store}: ${report.operations} ops, ${report.intervals} intervals, ${nemesis} nemesis events, ` +
    `${report.durationMs} ms; violations: ${kinds} [outcomes: ${outcomes}; held at the end: ${report.leftHeld.join(' ') || 'none'}]`
  );
}

/**
 * Defines the tests of one budget: per seed, the RedisStore run under the nemesis and the MemoryStore run.
 * Each prints its summary; a failing one prints {@link explain}.
 */
export function describeRandomized(title: string, seeds: readonly number[], budget: Budget, file: string, timeoutMs: number): void {
  describe(title, () => {
    for (const seed of seeds) {
      it(`seed ${seed}: RedisStore clients under the nemesis keep mutual exclusion, hang nothing, reject nothing unhandled`, { timeout: timeoutMs }, async () => {
        const report = await runRandomized(seed, 'redis', budget);
        console.log(summary(report));
        expect(report.violations, explain(report, file)).toEqual([]);
      });

      it(`seed ${seed}: MemoryStore clients sharing one store keep mutual exclusion`, { timeout: timeoutMs }, async () => {
        const report = await runRandomized(seed, 'memory', budget);
        console.log(summary(report));
        expect(report.violations, explain(report, file)).toEqual([]);
      });
    }
  });
}
