/**
 * Realistic, correct lock code every rule must accept, spread into each rule's `valid`: {@link LIBRARY_IDIOMS}
 * (the correct idioms of each profiled library, redlock, redis-semaphore and async-mutex, and look-alikes from
 * other packages) in every rule's tests, and {@link VALID_CORPUS} (locksmith's idioms plus the library ones) in
 * the tests of the rules added with issue 10 (no-release-without-acquire, no-boolean-block, require-ttl,
 * no-check-then-lock, no-force-release, no-lock-order-inversion). One copy here; a rule that reports any of
 * these has a false positive.
 */
import { code } from './rule-tester.js';

/** The libraries' README idioms, each correct. */
export const LIBRARY_IDIOMS: readonly string[] = [
  // redlock v5: acquire, work, release in finally.
  code`
    import Redlock from 'redlock';
    const redlock = new Redlock([client], { retryCount: 10, retryDelay: 200, retryJitter: 200 });
    export async function pay(id: string) {
      const lock = await redlock.acquire([\`pay:order:\${id}\`], 30_000);
      try {
        await charge(id);
      } finally {
        await lock.release();
      }
    }
  `,
  // redlock: the closure form, with and without settings; the routine may be a reference.
  code`
    import Redlock from 'redlock';
    const redlock = new Redlock([a, b, c]);
    export async function sync(id: string) {
      await redlock.using([\`sync:user:\${id}\`], 5000, async (signal) => {
        await step(id);
        if (signal.aborted) throw signal.error;
      });
      await redlock.using([\`sync:user:\${id}\`], 5000, { retryCount: 0 }, work);
    }
  `,
  // redlock: extend resolves to the extended lock; the manager releases a lock too.
  code`
    import Redlock from 'redlock';
    const redlock = new Redlock([client]);
    export async function longJob(id: string) {
      let lock = await redlock.acquire([\`run:job:\${id}\`], 10_000);
      try {
        await part1();
        lock = await lock.extend(10_000);
        await part2();
      } finally {
        await redlock.release(lock);
      }
    }
  `,
  // @sesamecare-oss/redlock: named export, retries well under the TTL; a lock returned to the caller.
  code`
    import { Redlock } from '@sesamecare-oss/redlock';
    const redlock = new Redlock([client], { retryCount: 3, retryDelay: 100, retryJitter: 50 });
    export async function take(name: string) {
      return redlock.acquire([\`take:slot:\${name}\`], 60_000);
    }
    export async function hold(name: string) {
      const lock = await redlock.acquire([\`hold:slot:\${name}\`], 60_000);
      return lock;
    }
  `,
  // redis-semaphore: acquire / release in finally; tryAcquire tested; auto-refresh on by default.
  code`
    import { Mutex, Semaphore } from 'redis-semaphore';
    export async function charge(redis: any, id: string) {
      const mutex = new Mutex(redis, \`charge:customer:\${id}\`, { lockTimeout: 5000, acquireTimeout: 60_000 });
      await mutex.acquire();
      try {
        await bill(id);
      } finally {
        await mutex.release();
      }
    }
    export async function maybe(redis: any, id: string) {
      const mutex = new Mutex(redis, \`charge:customer:\${id}\`);
      if (!(await mutex.tryAcquire())) return false;
      try {
        await bill(id);
        return true;
      } finally {
        await mutex.release();
      }
    }
    export async function limited(redis: any) {
      const semaphore = new Semaphore(redis, 'export:report:all', 3, { refreshInterval: 0, lockTimeout: 30_000, acquireTimeout: 10_000 });
      await semaphore.acquire();
      try {
        await run();
      } finally {
        await semaphore.release();
      }
    }
  `,
  // redis-semaphore: a lock held by an object across methods (someone else releases it).
  code`
    import { RedlockMutex } from 'redis-semaphore';
    export class Leader {
      private readonly mutex = new RedlockMutex(clients, 'lead:cluster:main', { lockTimeout: 10_000 });
      async start() { await this.mutex.acquire(); }
      async stop() { await this.mutex.release(); }
    }
  `,
  // async-mutex: the releaser in finally, runExclusive, mutex.release(), a semaphore's releaser.
  code`
    import { Mutex, Semaphore, withTimeout } from 'async-mutex';
    const mutex = new Mutex();
    const pool = new Semaphore(4);
    const guarded = withTimeout(new Mutex(), 1000);
    export async function a() {
      const release = await mutex.acquire();
      try {
        await work();
      } finally {
        release();
      }
    }
    export async function b() {
      return mutex.runExclusive(async () => work());
    }
    export async function c() {
      await mutex.acquire();
      try {
        await work();
      } finally {
        mutex.release();
      }
    }
    export async function d() {
      const [, release] = await pool.acquire();
      try {
        await work();
      } finally {
        release();
      }
    }
    export async function e() {
      await guarded.runExclusive(() => work());
      if (mutex.isLocked()) await mutex.waitForUnlock();
    }
  `,
  // async-mutex: the releaser handed to the caller, or to a callback.
  code`
    import { Mutex } from 'async-mutex';
    const mutex = new Mutex();
    export async function lease() {
      const release = await mutex.acquire();
      return release;
    }
    export async function later(schedule: (f: () => void) => void) {
      const release = await mutex.acquire();
      schedule(release);
    }
  `,
  // Look-alikes: a class named Mutex or a method named acquire from other packages are not these libraries.
  code`
    import { Mutex } from 'some-other-mutex';
    import Redlock from './my-redlock';
    const mutex = new Mutex();
    const redlock = new Redlock();
    export async function f() {
      await mutex.acquire();
      mutex.tryAcquire();
      const lock = await redlock.acquire(['x'], 1);
      lock.release();
      pool.acquire();
    }
  `,
  // Without an import nothing is recognised (import-based profiles).
  code`
    export async function f(redlock: any, mutex: any) {
      const lock = await redlock.acquire(['Bad'], 1);
      await mutex.acquire();
      mutex.tryAcquire();
      lock.release();
    }
  `,
];

export const VALID_CORPUS: readonly string[] = [
  // The document's basic pattern: one attempt, release in finally.
  code`
    export async function processPackage(label: string) {
      const lock = Cache.lock(\`process:package:\${label}\`, 120);
      if (!(await lock.get())) return;
      try {
        await handle(label);
      } finally {
        await lock.release();
      }
    }
  `,
  // Blocking wait, then try/finally; the timeout propagates to the caller on purpose.
  code`
    import { createLocks } from 'locksmith-js';
    const locks = createLocks();
    export async function syncFacility(facility: string) {
      const lock = locks.lock(\`sync:facility:\${facility}\`, 60);
      await lock.block(10);
      try {
        await pull(facility);
      } finally {
        await lock.release();
      }
    }
  `,
  // The timeout caught by class.
  code`
    import { createLocks, LockTimeoutError } from 'locksmith-js';
    const locks = createLocks();
    export async function importBatch(batchId: string) {
      const lock = locks.lock(\`import:batch:\${batchId}\`, 120);
      try {
        await lock.block(30);
      } catch (error) {
        if (error instanceof LockTimeoutError) return 'busy';
        throw error;
      }
      try {
        return await run(batchId);
      } finally {
        await lock.release();
      }
    }
  `,
  // Closure forms.
  code`
    export async function callApi(endpoint: string) {
      await Cache.lock(\`api:call:\${endpoint}\`, 60).block(10, async () => request(endpoint));
      return Cache.lock(\`metrc:fetch:\${endpoint}\`, 300).get(() => fetchAll(endpoint));
    }
  `,
  // A restored lock released by a later job: the documented way to release across processes.
  code`
    import { createLocks } from 'locksmith-js';
    const locks = createLocks();
    export async function finish(name: string, owner: string) {
      await locks.restoreLock(name, owner).release();
      const again = locks.restoreLock(name, owner);
      if (await again.isOwnedByCurrentProcess()) await again.release();
    }
  `,
  // Owner token saved for another process, the handle released where it was acquired.
  code`
    export async function startJob(id: string) {
      const lock = Cache.lock(\`job:run:\${id}\`, 600);
      if (!(await lock.get())) return undefined;
      await queue.push({ id, owner: lock.owner });
      return lock.owner;
    }
  `,
  // await using: disposal releases.
  code`
    import { createLocks } from 'locksmith-js';
    const locks = createLocks();
    export async function once(key: string) {
      await using held = locks.lock(\`once:task:\${key}\`, 30);
      if (!(await held.get())) return false;
      await work(key);
      return true;
    }
  `,
  // Two locks, always in the same order.
  code`
    import { createLocks } from 'locksmith-js';
    const locks = createLocks();
    export async function transfer(from: string, to: string) {
      const [first, second] = [from, to].sort();
      const a = locks.lock(\`account:balance:\${first}\`, 30);
      const b = locks.lock(\`account:balance:\${second}\`, 30);
      await a.block(5);
      try {
        await b.block(5);
        try {
          await move(from, to);
        } finally {
          await b.release();
        }
      } finally {
        await a.release();
      }
    }
  `,
  // Nested static names in one order in two functions.
  code`
    export async function rebuild() {
      await Cache.lock('report:build:daily', 300).block(10, async () => {
        await Cache.lock('report:publish:daily', 60).block(5, async () => publish());
      });
    }
    export async function publishOnly() {
      await Cache.lock('report:build:daily', 300).block(10, async () => {
        await Cache.lock('report:publish:daily', 60).block(5, async () => publish());
      });
    }
  `,
  // A status endpoint: isLocked() only reported, nothing acquired.
  code`
    export async function status(label: string) {
      const busy = await Cache.lock(\`process:package:\${label}\`, 120).isLocked();
      return { label, busy };
    }
  `,
  // Lease extension while a long import runs.
  code`
    import { createLocks } from 'locksmith-js';
    const locks = createLocks();
    export async function longImport(id: string) {
      const lock = locks.lock(\`import:file:\${id}\`, '2m');
      await lock.block('10s');
      try {
        for await (const chunk of read(id)) {
          await store(chunk);
          if (!(await lock.refresh())) throw new Error('lost the lock');
        }
      } finally {
        await lock.release();
      }
    }
  `,
  // A lock field taken and released in one method.
  code`
    import { createLocks, type LockManager } from 'locksmith-js';
    export class Leader {
      private readonly lock = this.locks.lock('leader:scheduler:main', 30);
      constructor(private readonly locks: LockManager) {}
      async tick() {
        if (!(await this.lock.get())) return;
        try {
          await this.schedule();
        } finally {
          await this.lock.release();
        }
      }
      private async schedule() {}
    }
  `,
  // A lock handed in by the caller: released here, acquired there.
  code`
    import type { Lock } from 'locksmith-js';
    export async function finishWith(lock: Lock) {
      try {
        await finalize();
      } finally {
        await lock.release();
      }
    }
  `,
  // Duration strings and constants.
  code`
    const TTL = 5 * 60;
    export async function nightly() {
      await Cache.lock('report:nightly:all', TTL).block('30s', () => build());
      await Cache.lock('report:weekly:all', '2h').get(() => build());
    }
  `,
  // The result of get() kept and tested.
  code`
    export async function maybe(id: string) {
      const lock = Cache.lock(\`label:generate:\${id}\`, 30);
      const acquired = await lock.get();
      if (!acquired) return;
      try {
        await generate(id);
      } finally {
        await lock.release();
      }
    }
  `,
  // CommonJS with a required manager.
  code`
    const { createLocks } = require('locksmith-js');
    const registry = createLocks();
    exports.handler = async (event) => {
      const lock = registry.lock('event:handle:' + event.id, 30);
      await lock.block(5);
      try {
        await handle(event);
      } finally {
        await lock.release();
      }
    };
  `,
  // Objects with lock-like methods that are not locksmith locks.
  code`
    export async function other(mutex: { lock(): Promise<void>; unlock(): void }, db: Db) {
      await mutex.lock();
      try {
        await db.lock('table').release();
        if (!(await db.block(5))) return;
      } finally {
        mutex.unlock();
      }
    }
  `,
  // A lock returned to the caller, acquired there.
  code`
    export function lockFor(label: string) {
      return Cache.lock(\`process:package:\${label}\`, 120);
    }
  `,
  ...LIBRARY_IDIOMS,
];
