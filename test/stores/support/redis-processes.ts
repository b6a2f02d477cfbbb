/**
 * "Application processes" for the RedisStore handoff and barging tests: each has its own ioredis client, a
 * store (so its own subscriber connection) that counts its `acquire()` calls per owner token, and a manager.
 * With re-checks far beyond a test, every attempt a waiter makes after queueing was caused by a release.
 */
import { Redis } from 'ioredis';
import { createLocks, RedisStore, type AcquireRequest, type LocksOptions, type LockManager, type RedisStoreOptions } from 'locksmith-js';

/** A RedisStore that counts acquire() calls per owner token. */
export class CountingStore extends RedisStore {
  readonly attempts = new Map<string, number>();
  override acquire(request: AcquireRequest) {
    this.attempts.set(request.owner, (this.attempts.get(request.owner) ?? 0) + 1);
    return super.acquire(request);
  }
  /** How many attempts `owner` made on this store. */
  count(owner: string): number {
    return this.attempts.get(owner) ?? 0;
  }
}

export interface Process {
  readonly client: Redis;
  readonly store: CountingStore;
  readonly locks: LockManager;
}

/** Opens processes with common options and closes them (each test file keeps one). */
export class Processes {
  private readonly opened: Process[] = [];

  constructor(private readonly locksOptions: LocksOptions) {}

  /** One process on `url`; re-checks every 60 s unless `options` say otherwise. */
  async open(url: string, options: RedisStoreOptions = {}): Promise<Process> {
    const client = new Redis(url);
    await client.ping();
    const store = new CountingStore(client, { recheckInterval: 60, ...options });
    const locks = createLocks({ ...this.locksOptions, store });
    const process = { client, store, locks };
    this.opened.push(process);
    return process;
  }

  /** Closes one process (before a private server it uses stops: no reconnect noise). */
  async close(process: Process): Promise<void> {
    this.opened.splice(this.opened.indexOf(process), 1);
    await process.locks.close();
    process.client.disconnect();
  }

  /** Closes every process still open. */
  async closeAll(): Promise<void> {
    for (const process of [...this.opened]) await this.close(process);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `check()` is true; rejects after `withinMs` (a bound that proves "does not hang"). */
export async function until(check: () => boolean | Promise<boolean>, withinMs = 10_000): Promise<void> {
  const end = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`condition not met within ${withinMs} ms`);
    await sleep(5);
  }
}
