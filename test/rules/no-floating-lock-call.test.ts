import rule from '../../rules/no-floating-lock-call.js';
import { code, RuleTester, tested, commonjs, esm, typedIn } from './support/rule-tester.js';
import { LIBRARY_IDIOMS } from './support/valid-corpus.js';

const ruleTester = new RuleTester();

const typed = typedIn('typed-floating');

ruleTester.run('no-floating-lock-call', tested(rule), {
  valid: [
    ...LIBRARY_IDIOMS,
    // The document's basic pattern, ported correctly.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function processPackage(label: string): Promise<void> {
        const lock = locks.lock(\`processing:package:\${label}\`, 30);
        if (await lock.get()) {
          try {
            await processIt(label);
          } finally {
            await lock.release();
          }
        } else {
          log('Lock', \`Package \${label} already being processed\`);
        }
      }
    `,
    // Guard clause, in a class holding the manager as `this.locks`.
    code`
      import { createLocks, type LockManager } from 'locksmith-js';
      export class PackageService {
        constructor(private readonly locks: LockManager = createLocks()) {}
        async processPackage(label: string): Promise<void> {
          const lock = this.locks.lock(\`process:package:\${label}\`, 120);
          if (!(await lock.get())) {
            log('Duplicate', \`Package \${label} already being processed, skipping\`);
            return;
          }
          try {
            await this.metrc.package(label);
          } finally {
            await lock.release();
          }
        }
      }
    `,
    // Closure form returned to the caller.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export function fetchAllPackages(facility: string) {
        const lock = locks.lock(\`metrc:fetch:\${facility}\`, 300);
        return lock.block(60, () => metrcApi.allActivePackages(facility, true));
      }
    `,
    // Arrow functions returning the Promise.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export const quickOp = () => locks.lock('quick:op:x', 10).block(5, () => runQuickOp());
      export const importJob = async () => locks.lock('import:job:x', 300).block(30, () => runImportJob());
    `,
    // Loop over tags, each acquisition awaited and tested.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function generateLabels(tags: string[], facility: string): Promise<void> {
        for (const tag of tags) {
          const lock = locks.lock(\`label:generate:\${facility}:\${tag}\`, 300);
          if (await lock.get()) {
            try {
              await dispatchLabel(tag, facility);
            } finally {
              await lock.release();
            }
          } else {
            log('Label', \`Skipping duplicate generation for \${tag}\`);
          }
        }
      }
    `,
    // Nested locks, both awaited.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function transfer(from: string, to: string) {
        const outer = locks.lock(\`transfer:account:\${from}\`, 30);
        await outer.block(10);
        try {
          const inner = locks.lock(\`transfer:account:\${to}\`, 30);
          await inner.block(10);
          try {
            await move(from, to);
          } finally {
            await inner.release();
          }
        } finally {
          await outer.release();
        }
      }
    `,
    // Handled with .then(onFulfilled, onRejected), .catch(), and .catch().finally().
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export function releaseLater(key: string) {
        const lock = locks.lock(key, 30);
        lock.release().then(() => log('released'), (error: unknown) => log(error));
        lock.refresh(30).catch(report);
        lock.forceRelease().catch(report).finally(() => log('done'));
        lock.release().then(() => log('released')).catch(report);
      }
    `,
    // Promise.all and friends, awaited, returned or handled.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function releaseBoth(a: string, b: string) {
        const first = locks.lock(a, 30);
        const second = locks.lock(b, 30);
        await Promise.all([first.release(), second.release()]);
        Promise.allSettled([first.forceRelease(), second.forceRelease()]).catch(report);
        return Promise.race([first.block(5), second.block(5)]);
      }
    `,
    // Promises handed to map callbacks and awaited together.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function acquireAll(keys: string[]) {
        const held = keys.map((key) => locks.lock(key, 60));
        const acquired = await Promise.all(held.map((lock) => lock.get()));
        await Promise.allSettled(held.map(async (lock) => lock.release()));
        return acquired.every(Boolean);
      }
    `,
    // void marks a deliberate fire-and-forget (ignoreVoid defaults to true).
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export function onShutdown(key: string) {
        void locks.lock(key).forceRelease();
        setTimeout(() => void locks.lock(key).release(), 1000);
      }
    `,
    // Stored and awaited later: a refresh running alongside the work.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function longJob(id: string) {
        const lock = locks.lock(\`import:batch:\${id}\`, 120);
        await lock.block(30);
        try {
          const extended = lock.refresh(300);
          await importBatch(id);
          if (!(await extended)) throw new Error('lock lost');
        } finally {
          await lock.release();
        }
      }
    `,
    // Passed to another function or stored on an object: the receiver is responsible.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export class Janitor {
        private pending: Promise<boolean> | undefined;
        private readonly locks = createLocks();
        sweep(key: string) {
          track(locks.lock(key).forceRelease());
          this.pending = this.locks.lock(key).release();
          const tasks = { release: locks.lock(key).release() };
          return tasks;
        }
      }
    `,
    // Conditions that await their lock calls.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function waitUntilFree(key: string) {
        const lock = locks.lock(key, 30);
        while (await lock.isLocked()) {
          await sleep(50);
        }
        const state = (await lock.isOwnedByCurrentProcess()) ? 'mine' : 'theirs';
        (await lock.get()) && log(state);
        do {
          await sleep(10);
        } while (!(await lock.isLocked()));
      }
    `,
    // Periodic refresh in an async interval callback.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function keepAlive(key: string, controller: AbortController) {
        const lock = locks.lock(key, 30);
        await lock.block(10);
        const timer = setInterval(async () => {
          if (!(await lock.refresh())) controller.abort();
        }, 10_000);
        return () => clearInterval(timer);
      }
    `,
    // Conditional and logical expressions that are themselves awaited or returned.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function releaseEither(force: boolean, key: string) {
        const lock = locks.lock(key);
        await (force ? lock.forceRelease() : lock.release());
        return force || lock.release();
      }
    `,
    // Top-level await in an ES module.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      await locks.lock('admin:release:all').forceRelease();
    `,
    // `await using` and property reads are not calls.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function withDisposal() {
        await using held = locks.lock('x:y:z', 30);
        const token = held.owner;
        const acquire = held.get.bind(held);
        return { token, acquire };
      }
    `,
    // Map.get, a cache read and redis.get in conditions: not locks.
    code`
      import { createLocks } from 'locksmith-js';
      import { Cache } from './cache.js';
      const locks = createLocks();
      const seen = new Map<string, boolean>();
      export async function read(key: string, redis: { get(k: string): Promise<string | null> }) {
        if (seen.get(key)) return 'seen';
        if (Cache.get(key)) return Cache.get(key);
        const cached = Cache.get(key);
        redis.get(key);
        if (redis.get(key)) seen.set(key, true);
        return locks.lock(key, 10).block(5, () => cached);
      }
    `,
    // A mutex library with lock()/release(): no factory, no createLocks, no lock.
    code`
      import { Mutex } from 'async-mutex';
      const mutex = new Mutex();
      export function critical() {
        const handle = mutex.lock('resource');
        handle.get();
        if (handle.isLocked()) handle.release();
        mutex.release();
      }
    `,
    // A pg client's release() in finally is not a lock.
    code`
      import { Pool } from 'pg';
      const pool = new Pool();
      export async function query(sql: string) {
        const client = await pool.connect();
        try {
          return await client.query(sql);
        } finally {
          client.release();
        }
      }
    `,
    // An unrelated object whose property is named `locks`… with a different method.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export function inspect(registry: { locks: { list(): string[] } }) {
        if (registry.locks.list()) return locks;
        return undefined;
      }
    `,
    // The closure form awaited, its result used.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function importBatch(batchId: string) {
        await locks.lock(\`import:batch:\${batchId}\`, 120).block(30, async () => runImport(batchId));
        const result = await locks.lock(\`api:call:\${batchId}\`, 60).block(10, () => call(batchId));
        const maybe = await locks.lock(\`api:call:\${batchId}\`, 60).get(() => call(batchId));
        return [result, maybe];
      }
    `,
    // yield hands the Promise to the consumer.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export function* releases(keys: string[]) {
        for (const key of keys) yield locks.lock(key).release();
      }
    `,
    // Type assertions around an awaited or returned call.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function cast(key: string) {
        const ok = (await (locks.lock(key).get() as Promise<boolean>)) satisfies boolean;
        return locks.lock(key).release()!;
      }
    `,
    // A variable holding the Promise, awaited later on one path.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function maybeWait(key: string, wait: boolean) {
        const pending = locks.lock(key, 30).block(10);
        if (wait) await pending;
        else pending.catch(report);
      }
    `,
    // restoreLock handles, awaited.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function finish(name: string, owner: string) {
        const lock = locks.restoreLock(name, owner);
        if (await lock.isOwnedByCurrentProcess()) await lock.release();
      }
    `,
    // Cache facade spelling (a default factory name) used correctly.
    code`
      import { Cache } from './facades.js';
      export async function forceReleaseLock(key: string): Promise<void> {
        await Cache.lock(key).forceRelease();
        log('Admin', \`Force-released lock: \${key}\`);
      }
    `,
    // An exported Promise: other modules read it.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export const ready = locks.lock('boot:warmup:all', 60).block(30);
    `,
    // Plain JavaScript, ES module, parsed by espree.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function sync(facility) {
          const lock = locks.lock(\`sync:facility:\${facility}\`, 60);
          if (await lock.block(10)) {
            try {
              await syncFacility(facility);
            } finally {
              await lock.release();
            }
          }
        }
      `,
      filename: 'sync.mjs',
      languageOptions: esm,
    },
    // Plain JavaScript, CommonJS with require('locksmith-js').
    {
      code: code`
        const { createLocks } = require('locksmith-js');
        const locks = createLocks();
        module.exports = async function job(id) {
          return locks.lock(\`import:batch:\${id}\`, 120).block(30, () => runImport(id));
        };
        module.exports.cleanup = (id) => locks.lock(\`import:batch:\${id}\`).forceRelease().catch(console.error);
      `,
      filename: 'job.cjs',
      languageOptions: commonjs,
    },
    // A file that never imports locksmith and names nothing a factory.
    code`
      const store = new Map<string, Promise<boolean>>();
      export function lockish(lock: { get(): Promise<boolean>; release(): Promise<boolean> }) {
        if (lock.get()) lock.release();
        return store;
      }
    `,
    // A custom factory name configured in settings; other names are not factories.
    {
      code: code`
        export async function run(mutexes: { lock(k: string): { release(): Promise<void> } }) {
          await mutexes.lock('a:b:c').release();
          await locker.lock('a:b:c').release();
        }
      `,
      settings: { locksmith: { lockFactories: ['mutexes'] } },
    },
    // ignoreVoid: false still accepts awaited and handled calls.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function stop(key: string) {
          await locks.lock(key).release();
          locks.lock(key).forceRelease().catch(report);
        }
      `,
      options: [{ ignoreVoid: false }],
    },
    // Typed: a `redis` parameter whose get() returns a Promise is not a lock.
    {
      code: code`
        import type { LockManager } from 'locksmith-js';
        export async function read(locks: LockManager, redis: { get(key: string): Promise<string | null> }) {
          const value = redis.get('k');
          if (redis.get('k')) return value;
          return locks.lock('read:value:k', 10).block(5, () => value);
        }
      `,
      ...typed,
    },
    // Typed: a Lock parameter, awaited.
    {
      code: code`
        import type { Lock } from 'locksmith-js';
        export async function finish(lock: Lock) {
          if (await lock.isOwnedByCurrentProcess()) await lock.release();
        }
      `,
      ...typed,
    },
  ],
  invalid: [
    // The classic port bug: a Promise as the condition.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function processPackage(label: string) {
          const lock = locks.lock(\`processing:package:\${label}\`, 30);
          if (lock.get()) {
            try {
              await processIt(label);
            } finally {
              await lock.release();
            }
          }
        }
      `,
      errors: [
        {
          messageId: 'alwaysTruthy',
          line: 5,
          column: 12,
          endLine: 5,
          endColumn: 17,
          suggestions: [
            {
              messageId: 'addAwait',
              output: code`
                import { createLocks } from 'locksmith-js';
                const locks = createLocks();
                export async function processPackage(label: string) {
                  const lock = locks.lock(\`processing:package:\${label}\`, 30);
                  if (await lock.get()) {
                    try {
                      await processIt(label);
                    } finally {
                      await lock.release();
                    }
                  }
                }
              `,
            },
          ],
        },
      ],
    },
    // Same bug in a non-async function: no suggestion (making it async changes its callers).
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export function tryProcess(label: string) {
          const lock = locks.lock(\`process:package:\${label}\`, 120);
          if (!lock.get()) return false;
          return true;
        }
      `,
      errors: [{ messageId: 'alwaysTruthy', line: 5, column: 13, endLine: 5, endColumn: 18, suggestions: [] }],
    },
    // while (!lock.isLocked()), in a class using this.locks.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        export class Syncer {
          private readonly locks = createLocks();
          async waitForSync(facility: string) {
            const lock = this.locks.lock(\`sync:facility:\${facility}\`, 60);
            while (!lock.isLocked()) {
              await sleep(100);
            }
          }
        }
      `,
      errors: [
        {
          messageId: 'alwaysTruthy',
          line: 6,
          column: 18,
          endLine: 6,
          endColumn: 28,
          suggestions: [
            {
              messageId: 'addAwait',
              output: code`
                import { createLocks } from 'locksmith-js';
                export class Syncer {
                  private readonly locks = createLocks();
                  async waitForSync(facility: string) {
                    const lock = this.locks.lock(\`sync:facility:\${facility}\`, 60);
                    while (!(await lock.isLocked())) {
                      await sleep(100);
                    }
                  }
                }
              `,
            },
          ],
        },
      ],
    },
    // Ternary, && and Boolean() tests.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function status(key: string) {
          const lock = locks.lock(key, 30);
          const state = lock.isOwnedByCurrentProcess() ? 'mine' : 'theirs';
          lock.get() && work();
          return Boolean(lock.isLocked()) || state;
        }
      `,
      errors: [
        {
          messageId: 'alwaysTruthy',
          line: 5,
          column: 22,
          endLine: 5,
          endColumn: 47,
          suggestions: [
            {
              messageId: 'addAwait',
              output: code`
                import { createLocks } from 'locksmith-js';
                const locks = createLocks();
                export async function status(key: string) {
                  const lock = locks.lock(key, 30);
                  const state = await lock.isOwnedByCurrentProcess() ? 'mine' : 'theirs';
                  lock.get() && work();
                  return Boolean(lock.isLocked()) || state;
                }
              `,
            },
          ],
        },
        {
          messageId: 'alwaysTruthy',
          line: 6,
          column: 8,
          endLine: 6,
          endColumn: 13,
          suggestions: [
            {
              messageId: 'addAwait',
              output: code`
                import { createLocks } from 'locksmith-js';
                const locks = createLocks();
                export async function status(key: string) {
                  const lock = locks.lock(key, 30);
                  const state = lock.isOwnedByCurrentProcess() ? 'mine' : 'theirs';
                  await lock.get() && work();
                  return Boolean(lock.isLocked()) || state;
                }
              `,
            },
          ],
        },
        {
          messageId: 'alwaysTruthy',
          line: 7,
          column: 23,
          endLine: 7,
          endColumn: 33,
          suggestions: [
            {
              messageId: 'addAwait',
              output: code`
                import { createLocks } from 'locksmith-js';
                const locks = createLocks();
                export async function status(key: string) {
                  const lock = locks.lock(key, 30);
                  const state = lock.isOwnedByCurrentProcess() ? 'mine' : 'theirs';
                  lock.get() && work();
                  return Boolean(await lock.isLocked()) || state;
                }
              `,
            },
          ],
        },
      ],
    },
    // A condition whose Promise comes through `??`: the await goes around the whole expression.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function check(key: string, cached?: boolean) {
          if (cached ?? locks.lock(key).isLocked()) return 'busy';
          return 'free';
        }
      `,
      errors: [
        {
          messageId: 'alwaysTruthy',
          line: 4,
          column: 33,
          endLine: 4,
          endColumn: 43,
          suggestions: [
            {
              messageId: 'addAwait',
              output: code`
                import { createLocks } from 'locksmith-js';
                const locks = createLocks();
                export async function check(key: string, cached?: boolean) {
                  if (await (cached ?? locks.lock(key).isLocked())) return 'busy';
                  return 'free';
                }
              `,
            },
          ],
        },
      ],
    },
    // A variable holding the Promise, then tested.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function process(label: string) {
          const lock = locks.lock(\`process:package:\${label}\`, 120);
          const acquired = lock.get();
          if (acquired) {
            try {
              await run(label);
            } finally {
              await lock.release();
            }
          }
        }
      `,
      errors: [
        {
          messageId: 'alwaysTruthyVariable',
          line: 5,
          column: 25,
          endLine: 5,
          endColumn: 30,
          suggestions: [
            {
              messageId: 'addAwait',
              output: code`
                import { createLocks } from 'locksmith-js';
                const locks = createLocks();
                export async function process(label: string) {
                  const lock = locks.lock(\`process:package:\${label}\`, 120);
                  const acquired = await lock.get();
                  if (acquired) {
                    try {
                      await run(label);
                    } finally {
                      await lock.release();
                    }
                  }
                }
              `,
            },
          ],
        },
      ],
    },
    // Floating release in finally, next to an awaited one (nested locks).
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function both(a: string, b: string) {
          const outer = locks.lock(a, 30);
          const inner = locks.lock(b, 30);
          await outer.block(10);
          await inner.block(10);
          try {
            await work();
          } finally {
            inner.release();
            await outer.release();
          }
        }
      `,
      errors: [
        {
          messageId: 'floating',
          line: 11,
          column: 11,
          endLine: 11,
          endColumn: 20,
          suggestions: [
            {
              messageId: 'addAwait',
              output: code`
                import { createLocks } from 'locksmith-js';
                const locks = createLocks();
                export async function both(a: string, b: string) {
                  const outer = locks.lock(a, 30);
                  const inner = locks.lock(b, 30);
                  await outer.block(10);
                  await inner.block(10);
                  try {
                    await work();
                  } finally {
                    await inner.release();
                    await outer.release();
                  }
                }
              `,
            },
          ],
        },
      ],
    },
    // The closure form left floating: the caller never learns of a timeout or the closure's error.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export function importBatch(batchId: string): void {
          locks.lock(\`import:batch:\${batchId}\`, 120).block(30, () => runImport(batchId));
        }
      `,
      errors: [{ messageId: 'floating', line: 4, column: 46, endLine: 4, endColumn: 81, suggestions: [] }],
    },
    // A floating get() with a closure, a floating get(), block() and refresh() in an async method.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        export class Worker {
          private readonly locks = createLocks();
          async run(key: string) {
            const lock = this.locks.lock(key, 30);
            lock.get(async () => work());
            lock.block(5);
            lock.refresh(60);
          }
        }
      `,
      errors: [
        {
          messageId: 'floating',
          line: 6,
          column: 10,
          endLine: 6,
          endColumn: 33,
          suggestions: [
            {
              messageId: 'addAwait',
              output: code`
                import { createLocks } from 'locksmith-js';
                export class Worker {
                  private readonly locks = createLocks();
                  async run(key: string) {
                    const lock = this.locks.lock(key, 30);
                    await lock.get(async () => work());
                    lock.block(5);
                    lock.refresh(60);
                  }
                }
              `,
            },
          ],
        },
        {
          messageId: 'floating',
          line: 7,
          column: 10,
          endLine: 7,
          endColumn: 18,
          suggestions: [
            {
              messageId: 'addAwait',
              output: code`
                import { createLocks } from 'locksmith-js';
                export class Worker {
                  private readonly locks = createLocks();
                  async run(key: string) {
                    const lock = this.locks.lock(key, 30);
                    lock.get(async () => work());
                    await lock.block(5);
                    lock.refresh(60);
                  }
                }
              `,
            },
          ],
        },
        {
          messageId: 'floating',
          line: 8,
          column: 10,
          endLine: 8,
          endColumn: 21,
          suggestions: [
            {
              messageId: 'addAwait',
              output: code`
                import { createLocks } from 'locksmith-js';
                export class Worker {
                  private readonly locks = createLocks();
                  async run(key: string) {
                    const lock = this.locks.lock(key, 30);
                    lock.get(async () => work());
                    lock.block(5);
                    await lock.refresh(60);
                  }
                }
              `,
            },
          ],
        },
      ],
    },
    // .then() without a rejection handler, and Promise.all that floats.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function releaseAll(a: string, b: string) {
          locks.lock(a).release().then(() => log('released'));
          Promise.all([locks.lock(b).release()]);
        }
      `,
      errors: [
        {
          messageId: 'floating',
          line: 4,
          column: 17,
          endLine: 4,
          endColumn: 26,
          suggestions: [
            {
              messageId: 'addAwait',
              output: code`
                import { createLocks } from 'locksmith-js';
                const locks = createLocks();
                export async function releaseAll(a: string, b: string) {
                  await locks.lock(a).release().then(() => log('released'));
                  Promise.all([locks.lock(b).release()]);
                }
              `,
            },
          ],
        },
        {
          messageId: 'floating',
          line: 5,
          column: 30,
          endLine: 5,
          endColumn: 39,
          suggestions: [
            {
              messageId: 'addAwait',
              output: code`
                import { createLocks } from 'locksmith-js';
                const locks = createLocks();
                export async function releaseAll(a: string, b: string) {
                  locks.lock(a).release().then(() => log('released'));
                  await Promise.all([locks.lock(b).release()]);
                }
              `,
            },
          ],
        },
      ],
    },
    // .catch() without a handler, .then(f, undefined), and a handler undone by a later .then(f).
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export function release(key: string) {
          locks.lock(key).release().catch();
          locks.lock(key).release().then(log, undefined);
          locks.lock(key).release().catch(report).then(log);
        }
      `,
      errors: [
        { messageId: 'floating', line: 4, column: 19, endLine: 4, endColumn: 28, suggestions: [] },
        { messageId: 'floating', line: 5, column: 19, endLine: 5, endColumn: 28, suggestions: [] },
        { messageId: 'floating', line: 6, column: 19, endLine: 6, endColumn: 28, suggestions: [] },
      ],
    },
    // A Promise stored and never read again.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function cleanup(key: string) {
          const released = locks.lock(key).release();
          log('cleaned up');
        }
      `,
      errors: [
        {
          messageId: 'floating',
          line: 4,
          column: 36,
          endLine: 4,
          endColumn: 45,
          suggestions: [
            {
              messageId: 'addAwait',
              output: code`
                import { createLocks } from 'locksmith-js';
                const locks = createLocks();
                export async function cleanup(key: string) {
                  const released = await locks.lock(key).release();
                  log('cleaned up');
                }
              `,
            },
          ],
        },
      ],
    },
    // A comparison with a boolean, a comma expression and the right of ||.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function odd(key: string, done: boolean) {
          const lock = locks.lock(key, 30);
          if (lock.get() === true) work();
          (lock.refresh(), work());
          done || lock.release();
        }
      `,
      errors: [
        {
          messageId: 'floating',
          line: 5,
          column: 12,
          endLine: 5,
          endColumn: 17,
          suggestions: [
            {
              messageId: 'addAwait',
              output: code`
                import { createLocks } from 'locksmith-js';
                const locks = createLocks();
                export async function odd(key: string, done: boolean) {
                  const lock = locks.lock(key, 30);
                  if (await lock.get() === true) work();
                  (lock.refresh(), work());
                  done || lock.release();
                }
              `,
            },
          ],
        },
        {
          messageId: 'floating',
          line: 6,
          column: 9,
          endLine: 6,
          endColumn: 18,
          suggestions: [
            {
              messageId: 'addAwait',
              output: code`
                import { createLocks } from 'locksmith-js';
                const locks = createLocks();
                export async function odd(key: string, done: boolean) {
                  const lock = locks.lock(key, 30);
                  if (lock.get() === true) work();
                  (await lock.refresh(), work());
                  done || lock.release();
                }
              `,
            },
          ],
        },
        {
          messageId: 'floating',
          line: 7,
          column: 16,
          endLine: 7,
          endColumn: 25,
          suggestions: [
            {
              messageId: 'addAwait',
              output: code`
                import { createLocks } from 'locksmith-js';
                const locks = createLocks();
                export async function odd(key: string, done: boolean) {
                  const lock = locks.lock(key, 30);
                  if (lock.get() === true) work();
                  (lock.refresh(), work());
                  await (done || lock.release());
                }
              `,
            },
          ],
        },
      ],
    },
    // ignoreVoid: false reports void; the suggestion turns `void` into `await`.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function stop(key: string) {
          void locks.lock(key).release();
        }
      `,
      options: [{ ignoreVoid: false }],
      errors: [
        {
          messageId: 'floating',
          line: 4,
          column: 24,
          endLine: 4,
          endColumn: 33,
          suggestions: [
            {
              messageId: 'addAwait',
              output: code`
                import { createLocks } from 'locksmith-js';
                const locks = createLocks();
                export async function stop(key: string) {
                  await locks.lock(key).release();
                }
              `,
            },
          ],
        },
      ],
    },
    // Module top level of an ES module: top-level await is allowed, so it is suggested.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        locks.lock('admin:release:all').forceRelease();
      `,
      errors: [
        {
          messageId: 'floating',
          line: 3,
          column: 33,
          endLine: 3,
          endColumn: 47,
          suggestions: [
            {
              messageId: 'addAwait',
              output: code`
                import { createLocks } from 'locksmith-js';
                const locks = createLocks();
                await locks.lock('admin:release:all').forceRelease();
              `,
            },
          ],
        },
      ],
    },
    // A non-async callback inside an async function: no suggestion.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function keepAlive(key: string) {
          const lock = locks.lock(key, 30);
          await lock.block(10);
          setInterval(() => {
            lock.refresh(30);
          }, 10_000);
        }
      `,
      errors: [{ messageId: 'floating', line: 7, column: 10, endLine: 7, endColumn: 21, suggestions: [] }],
    },
    // Plain JavaScript (espree), ES module: `if (lock.get())`.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function sync(facility) {
          const lock = locks.lock(\`sync:facility:\${facility}\`, 60);
          if (lock.block(10)) {
            await syncFacility(facility);
          }
        }
      `,
      filename: 'sync.mjs',
      languageOptions: esm,
      errors: [
        {
          messageId: 'alwaysTruthy',
          line: 5,
          column: 12,
          endLine: 5,
          endColumn: 21,
          suggestions: [
            {
              messageId: 'addAwait',
              output: code`
                import { createLocks } from 'locksmith-js';
                const locks = createLocks();
                export async function sync(facility) {
                  const lock = locks.lock(\`sync:facility:\${facility}\`, 60);
                  if (await lock.block(10)) {
                    await syncFacility(facility);
                  }
                }
              `,
            },
          ],
        },
      ],
    },
    // Plain JavaScript, CommonJS: no top-level await, so no suggestion at the top level.
    {
      code: code`
        const { createLocks } = require('locksmith-js');
        const locks = createLocks();
        locks.lock('admin:release:all').forceRelease();
        module.exports = async function job(id) {
          const lock = locks.lock(\`import:batch:\${id}\`, 120);
          lock.release();
        };
      `,
      filename: 'job.js',
      languageOptions: commonjs,
      errors: [
        { messageId: 'floating', line: 3, column: 33, endLine: 3, endColumn: 47, suggestions: [] },
        {
          messageId: 'floating',
          line: 6,
          column: 8,
          endLine: 6,
          endColumn: 17,
          suggestions: [
            {
              messageId: 'addAwait',
              output: code`
                const { createLocks } = require('locksmith-js');
                const locks = createLocks();
                locks.lock('admin:release:all').forceRelease();
                module.exports = async function job(id) {
                  const lock = locks.lock(\`import:batch:\${id}\`, 120);
                  await lock.release();
                };
              `,
            },
          ],
        },
      ],
    },
    // The Cache facade spelling (a default factory name): its lock's get() tested unawaited.
    {
      code: code`
        import { Cache } from './facades.js';
        export async function generate(tag: string) {
          if (Cache.lock(\`label:generate:\${tag}\`, 300).get()) await dispatch(tag);
        }
      `,
      errors: [
        {
          messageId: 'alwaysTruthy',
          line: 3,
          column: 48,
          endLine: 3,
          endColumn: 53,
          suggestions: [
            {
              messageId: 'addAwait',
              output: code`
                import { Cache } from './facades.js';
                export async function generate(tag: string) {
                  if (await Cache.lock(\`label:generate:\${tag}\`, 300).get()) await dispatch(tag);
                }
              `,
            },
          ],
        },
      ],
    },
    // A ternary on an unawaited get() with a closure.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export function label(key: string) {
          return locks.lock(key, 30).get(() => make(key)) ? 'made' : 'skipped';
        }
      `,
      errors: [{ messageId: 'alwaysTruthy', line: 4, column: 30, endLine: 4, endColumn: 50, suggestions: [] }],
    },
    // Typed: locks kept in an array are recognised through their type.
    {
      code: code`
        import type { Lock } from 'locksmith-js';
        export function releaseAll(held: Lock[]) {
          for (const lock of held) lock.release();
        }
      `,
      ...typed,
      errors: [{ messageId: 'floating', line: 3, column: 33, endLine: 3, endColumn: 42, suggestions: [] }],
    },
    // Typed: a Lock received as a parameter is recognised through its type.
    {
      code: code`
        import type { Lock } from 'locksmith-js';
        export async function finish(lock: Lock) {
          if (lock.isOwnedByCurrentProcess()) lock.release();
        }
      `,
      ...typed,
      errors: [
        {
          messageId: 'alwaysTruthy',
          line: 3,
          column: 12,
          endLine: 3,
          endColumn: 37,
          suggestions: [
            {
              messageId: 'addAwait',
              output: code`
                import type { Lock } from 'locksmith-js';
                export async function finish(lock: Lock) {
                  if (await lock.isOwnedByCurrentProcess()) lock.release();
                }
              `,
            },
          ],
        },
        {
          messageId: 'floating',
          line: 3,
          column: 44,
          endLine: 3,
          endColumn: 53,
          suggestions: [
            {
              messageId: 'addAwait',
              output: code`
                import type { Lock } from 'locksmith-js';
                export async function finish(lock: Lock) {
                  if (lock.isOwnedByCurrentProcess()) await lock.release();
                }
              `,
            },
          ],
        },
      ],
    },
  ],
});
