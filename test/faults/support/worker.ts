/**
 * One fault-scenario worker (an OS process): takes the lock with fencing, does a non-atomic read-modify-write
 * of the shared resource inside the closure, and reports every step as a JSON line on stdout. It ignores the
 * lost-lock signal on purpose (it only records whether it fired), so the scenarios measure what the lock
 * itself guarantees. A watchdog reports any lock call that outlives its documented bound as hung, and the
 * process reports its unhandled rejections.
 *
 * Config: the FAULT_WORKER environment variable, JSON of {@link WorkerConfig}.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createLocks, LockStoreError, LockTimeoutError, QuorumStore, RedisStore, type LockStore } from 'locksmith-js';
import { enter, leave, readFenced, readPlain, writeFenced, writePlain } from './resource.js';

export interface WorkerConfig {
  readonly id: string;
  /** One URL: RedisStore; several: QuorumStore over them. */
  readonly lockUrls: readonly string[];
  /** Instead of `lockUrls`: RedisStore over an ioredis Sentinel client. */
  readonly sentinel?: { readonly name: string; readonly sentinels: readonly { host: string; port: number }[] };
  readonly resourceUrl: string;
  readonly name: string;
  readonly ttlMs: number;
  readonly waitMs: number;
  /** The lock manager's store-call deadline. */
  readonly timeoutMs: number;
  /** How long the "work" between read and write takes. */
  readonly sectionMs: number;
  /** How long the worker keeps taking the lock before it exits. */
  readonly runMs: number;
}

/** A JSON line a worker prints. Times are ms since the epoch, with sub-ms precision (one clock per machine). */
export type WorkerEvent =
  | { ev: 'ready'; id: string; at: number }
  | { ev: 'acquired'; id: string; sentAt: number; at: number; token: number }
  | {
      ev: 'section';
      id: string;
      token: number;
      at: number;
      end: number;
      inside: number;
      signalled: boolean;
      refused: boolean;
      accepted: boolean;
    }
  | { ev: 'error'; id: string; kind: string; message: string; at: number }
  | { ev: 'hung'; id: string; ms: number; at: number }
  | {
      ev: 'summary';
      id: string;
      sections: number;
      timeouts: number;
      storeErrors: number;
      otherErrors: number;
      releaseErrors: number;
      unhandled: number;
      hung: number;
    };

const now = (): number => performance.timeOrigin + performance.now();
const emit = (event: WorkerEvent): void => void process.stdout.write(JSON.stringify(event) + '\n');

const config = JSON.parse(process.env.FAULT_WORKER ?? '{}') as WorkerConfig;
const { id } = config;
const counts = { sections: 0, timeouts: 0, storeErrors: 0, otherErrors: 0, releaseErrors: 0, unhandled: 0, hung: 0 };

process.on('unhandledRejection', (reason) => {
  counts.unhandled++;
  emit({ ev: 'error', id, kind: 'unhandledRejection', message: String(reason), at: now() });
});

function client(url: string): Redis {
  const redis = new Redis(url, { connectTimeout: 1_000, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  redis.on('error', () => undefined); // refused reconnects during a fault are expected; commands report failures
  return redis;
}

function sentinelClient(sentinel: NonNullable<WorkerConfig['sentinel']>): Redis {
  const redis = new Redis({
    sentinels: [...sentinel.sentinels],
    name: sentinel.name,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => 100,
    sentinelRetryStrategy: () => 100,
  });
  redis.on('error', () => undefined);
  return redis;
}

const lockClients = config.sentinel ? [sentinelClient(config.sentinel)] : config.lockUrls.map(client);
const store: LockStore =
  lockClients.length === 1 ? new RedisStore(lockClients[0] as Redis) : new QuorumStore(lockClients, { nodeTimeoutMs: 300 });
const resource = client(config.resourceUrl);
const locks = createLocks({
  store,
  prefix: 'faults:',
  timeout: `${config.timeoutMs}ms`,
  onError: (error) => {
    counts.releaseErrors++;
    emit({ ev: 'error', id, kind: 'onError', message: String(error), at: now() });
  },
});

// Watchdog: a lock call may take at most wait + two store deadlines (acquire, release) + the section, plus
// slack for a loaded machine. A stall of this very process (SIGSTOP) is not the library's fault: skip it.
const boundMs = config.waitMs + 2 * config.timeoutMs + config.sectionMs + 3_000;
let inFlightSince: number | undefined;
let lastTick = now();
const watchdog = setInterval(() => {
  const tick = now();
  const gap = tick - lastTick;
  lastTick = tick;
  if (gap > 1_000 && inFlightSince !== undefined) inFlightSince += gap;
  if (inFlightSince !== undefined && tick - inFlightSince > boundMs) {
    counts.hung++;
    emit({ ev: 'hung', id, ms: tick - inFlightSince, at: tick });
    inFlightSince = undefined; // report each hung call once
  }
}, 100);

async function criticalSection(token: number, signal: AbortSignal, at: number): Promise<void> {
  const inside = await enter(resource, id);
  const plain = await readPlain(resource);
  const fenced = await readFenced(resource, token);
  await sleep(config.sectionMs);
  const signalled = signal.aborted;
  await writePlain(resource, plain + 1);
  const accepted = fenced === undefined ? false : await writeFenced(resource, token, fenced + 1);
  await leave(resource, id);
  emit({ ev: 'section', id, token, at, end: now(), inside, signalled, refused: fenced === undefined, accepted });
}

async function main(): Promise<void> {
  await resource.ping();
  emit({ ev: 'ready', id, at: now() });
  const stopAt = now() + config.runMs;
  while (now() < stopAt) {
    const lock = locks.lock(config.name, `${config.ttlMs}ms`, { fencing: true });
    const sentAt = now();
    inFlightSince = sentAt;
    try {
      await lock.block(`${config.waitMs}ms`, async ({ signal }) => {
        const at = now();
        const token = lock.fencingToken ?? 0;
        emit({ ev: 'acquired', id, sentAt, at, token });
        await criticalSection(token, signal, at);
      });
      counts.sections++;
    } catch (error) {
      const kind =
        error instanceof LockTimeoutError ? 'timeout' : error instanceof LockStoreError ? 'store' : 'other';
      if (kind === 'timeout') counts.timeouts++;
      else if (kind === 'store') counts.storeErrors++;
      else counts.otherErrors++;
      emit({ ev: 'error', id, kind, message: String(error), at: now() });
      await sleep(20 + Math.random() * 30);
    } finally {
      inFlightSince = undefined;
    }
  }
}

main()
  .catch((error: unknown) => {
    counts.otherErrors++;
    emit({ ev: 'error', id, kind: 'fatal', message: String(error), at: now() });
  })
  .finally(async () => {
    clearInterval(watchdog);
    emit({ ev: 'summary', id, ...counts });
    await locks.close().catch(() => undefined);
    for (const redis of [...lockClients, resource]) redis.disconnect();
  });
