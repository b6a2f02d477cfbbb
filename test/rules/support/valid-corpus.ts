/**
 * Realistic code every rule must accept, spread into each rule's `valid`: the correct idioms of locksmith and
 * of each profiled library (redlock, redis-semaphore, async-mutex), and look-alikes from other packages.
 * One copy here instead of one per rule test file; a rule that reports any of these has a false positive.
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
