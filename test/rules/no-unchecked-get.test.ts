import rule from '../../rules/no-unchecked-get.js';
import { code, RuleTester, tested, commonjs, esm, typedIn } from './support/rule-tester.js';
import { LIBRARY_IDIOMS } from './support/valid-corpus.js';

const ruleTester = new RuleTester();

const typed = typedIn('typed-floating');

ruleTester.run('no-unchecked-get', tested(rule), {
  valid: [
    ...LIBRARY_IDIOMS,
    // The document's basic pattern: the boolean decides.
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
    // Guard clause in a service class using this.locks.
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
    // Stored, then tested before the work.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function generate(tag: string) {
        const lock = locks.lock(\`label:generate:\${tag}\`, 300);
        const acquired = await lock.get();
        if (!acquired) {
          log('Label', \`Skipping duplicate generation for \${tag}\`);
          return;
        }
        try {
          await dispatchLabel(tag);
        } finally {
          await lock.release();
        }
      }
    `,
    // In a loop: continue when not acquired.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function generateLabels(tags: string[], facility: string) {
        for (const tag of tags) {
          const lock = locks.lock(\`label:generate:\${facility}:\${tag}\`, 300);
          if (!(await lock.get())) continue;
          try {
            await dispatchLabel(tag, facility);
          } finally {
            await lock.release();
          }
        }
      }
    `,
    // Returned to the caller, awaited or not.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function tryAcquire(key: string) {
        return await locks.lock(key, 30).get();
      }
      export function tryAcquireLater(key: string) {
        return locks.lock(key, 30).get();
      }
      export const acquire = async (key: string) => await locks.lock(key, 30).get();
    `,
    // Passed to a function, to an assertion, into an object.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function report(key: string, res: { json(body: unknown): void }) {
        const lock = locks.lock(key, 30);
        track(await lock.get());
        assert(await lock.get(), 'expected to hold the lock');
        res.json({ acquired: await lock.get() });
      }
    `,
    // The closure forms: discarding their result is normal usage.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function importBatch(batchId: string, handler: () => Promise<void>) {
        await locks.lock(\`import:batch:\${batchId}\`, 120).get(async () => runImport(batchId));
        await locks.lock(\`import:batch:\${batchId}\`, 120).get(handler);
        const result = await locks.lock(\`api:call:\${batchId}\`, 60).get(() => call(batchId));
        return result;
      }
    `,
    // block() throws on timeout: ignoring its result is fine; so is ignoring release()'s and refresh()'s here.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function sync(facility: string) {
        const lock = locks.lock(\`sync:facility:\${facility}\`, 60);
        await lock.block(10);
        try {
          await lock.refresh(120);
          await syncFacility(facility);
        } finally {
          await lock.release();
        }
      }
    `,
    // Logical and conditional tests of the boolean.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function maybe(key: string) {
        const lock = locks.lock(key, 30);
        (await lock.get()) && (await work());
        const state = (await lock.get()) ? 'mine' : 'busy';
        return state;
      }
    `,
    // Spin until acquired.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function spin(key: string) {
        const lock = locks.lock(key, 30);
        while (!(await lock.get())) await sleep(100);
        try {
          await work();
        } finally {
          await lock.release();
        }
      }
    `,
    // Assigned to an existing variable or a field: followed no further (conservative).
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export class Holder {
        held = false;
        async take(key: string) {
          const lock = locks.lock(key, 30);
          let acquired = false;
          do {
            acquired = await lock.get();
          } while (!acquired);
          this.held = await lock.get();
        }
      }
    `,
    // Stored, tested once the closure of a try/finally is set up around it.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function guarded(key: string) {
        const lock = locks.lock(key, 30);
        const ok = await lock.get();
        try {
          if (!ok) return false;
          await work();
          return true;
        } finally {
          if (ok) await lock.release();
        }
      }
    `,
    // Stored and returned, or logged: someone looks at it.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function probe(key: string) {
        const ok = await locks.lock(key, 30).get();
        log(\`acquired=\${ok}\`);
        return ok;
      }
    `,
    // Promise.all of gets, results filtered.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function acquireAll(keys: string[]) {
        const held = keys.map((key) => locks.lock(key, 60));
        const results = await Promise.all(held.map((lock) => lock.get()));
        return held.filter((_, index) => results[index]);
      }
    `,
    // .then() whose callback reads the boolean.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export function later(key: string) {
        return locks.lock(key, 30).get().then((ok) => {
          if (ok) return work();
          return undefined;
        });
      }
    `,
    // A .then() that only turns the outcome into "no error" (a test of a rejection): no work runs.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      it('rejects when the store is down', async () => {
        const error = await locks.lock('quorum:outage:2', 10).get().then(
          () => undefined,
          (caught: unknown) => caught,
        );
        const none = await locks.lock('quorum:outage:3', 10).get().then(() => {}, String);
        expect([error, none]).toBeDefined();
      });
    `,
    // A floating get() is no-floating-lock-call's report, never this rule's.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function floating(key: string) {
        const lock = locks.lock(key, 30);
        lock.get();
        if (lock.get()) await work();
        lock.get().then(() => work());
        void lock.get();
      }
    `,
    // Nested locks, each checked.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function transfer(from: string, to: string) {
        const outer = locks.lock(\`transfer:account:\${from}\`, 30);
        if (!(await outer.get())) return;
        try {
          const inner = locks.lock(\`transfer:account:\${to}\`, 30);
          if (await inner.get()) {
            try {
              await move(from, to);
            } finally {
              await inner.release();
            }
          }
        } finally {
          await outer.release();
        }
      }
    `,
    // Cache.get(key) is a cache read; redis.get and Map.get are not locks.
    code`
      import { createLocks } from 'locksmith-js';
      import { Cache } from './cache.js';
      const locks = createLocks();
      const memo = new Map<string, string>();
      export async function read(key: string, redis: { get(k: string): Promise<string | null> }) {
        await Cache.get(key);
        await redis.get(key);
        memo.get(key);
        const data = await Cache.get(key);
        return locks.lock(key, 10).block(5, () => data);
      }
    `,
    // A mutex library with lock()/get(): not a locksmith lock.
    code`
      import { Mutex } from 'async-mutex';
      const mutex = new Mutex();
      export async function critical() {
        const handle = mutex.lock('resource');
        await handle.get();
        await work();
        handle.release();
      }
    `,
    // Owner tokens (the document's example), tested.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function reserve(id: string, session: Map<string, string>) {
        const lock = locks.lock(\`resource:item:\${id}\`, 120);
        const owner = lock.owner;
        if (await lock.get()) {
          session.set('lock_owner', owner);
        }
      }
    `,
    // Comparison with true counts as a test.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function strictTest(key: string) {
        if ((await locks.lock(key, 30).get()) === true) await work();
      }
    `,
    // Negated and stored, then tested.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function negated(key: string) {
        const busy = !(await locks.lock(key, 30).get());
        if (busy) return;
        await work();
      }
    `,
    // Type assertion around the awaited call, then a guard.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function cast(key: string) {
        const ok = (await locks.lock(key, 30).get()) as boolean;
        if (!ok) throw new Error('busy');
      }
    `,
    // A test framework expectation.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      it('acquires', async () => {
        expect(await locks.lock('test:lock:a', 1).get()).toBe(true);
      });
    `,
    // restoreLock then get, checked.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function resume(name: string, owner: string) {
        const lock = locks.restoreLock(name, owner);
        return (await lock.get()) || (await lock.isOwnedByCurrentProcess());
      }
    `,
    // Destructuring is not followed (conservative).
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function pair(a: string, b: string) {
        const [first, second] = await Promise.all([locks.lock(a).get(), locks.lock(b).get()]);
        return first && second;
      }
    `,
    // An unrelated object's get() in a file that also uses locks.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function settings(config: { get(key: string): Promise<string> }) {
        await config.get('locks.prefix');
        return locks;
      }
    `,
    // An exported result at the top level of a module: other modules test it.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export const leader = await locks.lock('cluster:leader:election', 30).get();
    `,
    // Plain JavaScript, ES module, parsed by espree.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function sync(facility) {
          const lock = locks.lock(\`sync:facility:\${facility}\`, 60);
          if (!(await lock.get())) return;
          try {
            await syncFacility(facility);
          } finally {
            await lock.release();
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
          const acquired = await locks.lock(\`import:batch:\${id}\`, 120).get();
          if (acquired) await runImport(id);
          return acquired;
        };
      `,
      filename: 'job.cjs',
      languageOptions: commonjs,
    },
    // Typed: a redis client's get() is not a lock's.
    {
      code: code`
        export async function read(redis: { get(key: string): Promise<string | null> }) {
          await redis.get('k');
          return 'read';
        }
      `,
      ...typed,
    },
    // Typed: a Lock parameter, checked.
    {
      code: code`
        import type { Lock } from 'locksmith-js';
        export async function run(lock: Lock) {
          if (!(await lock.get())) return;
          await lock.release();
        }
      `,
      ...typed,
    },
  ],
  invalid: [
    // The boolean thrown away: the critical section runs without the lock.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function processPackage(label: string) {
          const lock = locks.lock(\`process:package:\${label}\`, 120);
          await lock.get();
          try {
            await fetchAndProcess(label);
          } finally {
            await lock.release();
          }
        }
      `,
      errors: [{ messageId: 'discarded', line: 5, column: 14, endLine: 5, endColumn: 19, suggestions: [] }],
    },
    // void of the awaited boolean.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function run(key: string) {
          void (await locks.lock(key, 30).get());
          await work();
        }
      `,
      errors: [{ messageId: 'discarded', line: 4, column: 35, endLine: 4, endColumn: 40, suggestions: [] }],
    },
    // Stored and never read.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function run(key: string) {
          const ok = await locks.lock(key, 30).get();
          await work();
        }
      `,
      errors: [{ messageId: 'neverTested', line: 4, column: 40, endLine: 4, endColumn: 45, suggestions: [] }],
    },
    // Stored, but tested only in finally: the work already ran without the lock.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        export class LabelService {
          private readonly locks = createLocks();
          async generate(tag: string) {
            const lock = this.locks.lock(\`label:generate:\${tag}\`, 300);
            const acquired = await lock.get();
            try {
              await dispatchLabel(tag);
            } finally {
              if (acquired) await lock.release();
            }
          }
        }
      `,
      errors: [{ messageId: 'neverTested', line: 6, column: 33, endLine: 6, endColumn: 38, suggestions: [] }],
    },
    // Stored and only printed: logging the boolean is not testing it.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function sync(facility: string) {
          const acquired = await locks.lock(\`sync:facility:\${facility}\`, 60).get();
          console.info('sync lock', acquired);
          logger.debug(\`acquired=\${acquired}\`);
          await syncFacility(facility);
        }
      `,
      errors: [{ messageId: 'neverTested', line: 4, column: 70, endLine: 4, endColumn: 75, suggestions: [] }],
    },
    // In a loop, chained off the creating call.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function generateLabels(tags: string[]) {
          for (const tag of tags) {
            await locks.lock(\`label:generate:\${tag}\`, 300).get();
            await dispatchLabel(tag);
          }
        }
      `,
      errors: [{ messageId: 'discarded', line: 5, column: 52, endLine: 5, endColumn: 57, suggestions: [] }],
    },
    // The left of a comma expression.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function run(key: string) {
          return (await locks.lock(key).get(), work());
        }
      `,
      errors: [{ messageId: 'discarded', line: 4, column: 33, endLine: 4, endColumn: 38, suggestions: [] }],
    },
    // A .then() callback that ignores the boolean, awaited or handled.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function run(key: string) {
          await locks.lock(key, 30).get().then(() => work());
          locks.lock(key, 30).get().then((ok) => work()).catch(report);
        }
      `,
      errors: [
        { messageId: 'discarded', line: 4, column: 29, endLine: 4, endColumn: 34, suggestions: [] },
        { messageId: 'discarded', line: 5, column: 23, endLine: 5, endColumn: 28, suggestions: [] },
      ],
    },
    // A .then() with a rejection handler whose fulfilment callback works without looking at the boolean.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export function run(key: string) {
          return locks.lock(key, 30).get().then(
            () => {
              return work();
            },
            (error: unknown) => report(error),
          );
        }
      `,
      errors: [{ messageId: 'discarded', line: 4, column: 30, endLine: 4, endColumn: 35, suggestions: [] }],
    },
    // The Cache facade spelling (a default factory name), the last statement of the function.
    {
      code: code`
        import { Cache } from './facades.js';
        export async function acquire(key: string): Promise<void> {
          await Cache.lock(key, 60).get();
        }
      `,
      errors: [{ messageId: 'discarded', line: 3, column: 29, endLine: 3, endColumn: 34, suggestions: [] }],
    },
    // Plain JavaScript (espree), ES module, top-level await.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        await locks.lock('migrate:schema:all', 600).get();
        await migrate();
      `,
      filename: 'migrate.mjs',
      languageOptions: esm,
      errors: [{ messageId: 'discarded', line: 3, column: 45, endLine: 3, endColumn: 50, suggestions: [] }],
    },
    // Plain JavaScript, CommonJS.
    {
      code: code`
        const { createLocks } = require('locksmith-js');
        const locks = createLocks();
        module.exports = async function job(id) {
          const lock = locks.lock(\`import:batch:\${id}\`, 120);
          await lock.get();
          await runImport(id);
          await lock.release();
        };
      `,
      filename: 'job.cjs',
      languageOptions: commonjs,
      errors: [{ messageId: 'discarded', line: 5, column: 14, endLine: 5, endColumn: 19, suggestions: [] }],
    },
    // Typed: a Lock parameter, unchecked.
    {
      code: code`
        import type { Lock } from 'locksmith-js';
        export async function run(lock: Lock) {
          await lock.get();
          await work();
        }
      `,
      ...typed,
      errors: [{ messageId: 'discarded', line: 3, column: 14, endLine: 3, endColumn: 19, suggestions: [] }],
    },
  ],
});
