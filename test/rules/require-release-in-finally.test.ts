import rule from '../../rules/require-release-in-finally.js';
import { code, RuleTester, tested, commonjs, esm, typedIn } from './support/rule-tester.js';
import { VALID_CORPUS } from './support/valid-corpus.js';

const ruleTester = new RuleTester();
const tester = tested(rule);

const typed = typedIn('typed-release');

ruleTester.run('require-release-in-finally', tester, {
  valid: [
    ...VALID_CORPUS,
    // 1. The document's basic pattern.
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
    // 2. Guard clause, manager on `this.locks` (a parameter property).
    code`
      import { createLocks, type LockManager } from 'locksmith-js';
      export class PackageService {
        constructor(private readonly locks: LockManager) {}
        async process(label: string): Promise<void> {
          const lock = this.locks.lock(\`process:package:\${label}\`, 120);
          if (!(await lock.get())) {
            this.log(\`Package \${label} already being processed, skipping\`);
            return;
          }
          try {
            await this.fetch(label);
          } finally {
            await lock.release();
          }
        }
      }
    `,
    // 3. block() then try/finally.
    code`
      const lock = Cache.lock(\`sync:facility:\${facility}\`, 60);
      async function sync() {
        await lock.block(10);
        try {
          await syncFacilityData(facility);
        } finally {
          await lock.release();
        }
      }
    `,
    // 4. if (await lock.block(w)).
    code`
      async function sync(facility: string) {
        const lock = Cache.lock(\`sync:facility:\${facility}\`, 60);
        if (await lock.block(10)) {
          try {
            await syncFacilityData(facility);
          } finally {
            await lock.release();
          }
        } else {
          throw new Error(\`Could not acquire lock for \${facility}\`);
        }
      }
    `,
    // 5. Closure forms, chained and through a variable.
    code`
      async function importBatch(batchId: string) {
        await Cache.lock(\`import:batch:\${batchId}\`, 120).block(30, async () => { await doImport(batchId); });
        const lock = Cache.lock(\`api:call:\${batchId}\`, 60);
        return lock.get(async ({ signal }) => callApi(batchId, signal));
      }
    `,
    // 6. Closure given by reference: the library releases it.
    code`
      class Importer {
        constructor(private readonly locks: Locks) {}
        run = async () => this.locks.lock('import:job:all', 300).block(30, this.importJob);
        importJob = async () => {};
      }
    `,
    // 7. await using: disposal releases.
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function once(id: string) {
        await using held = locks.lock(\`report:build:\${id}\`, 30);
        if (!(await held.get())) return;
        await buildReport(id);
      }
    `,
    // 8. Acquisition inside the try whose finally releases.
    code`
      async function work(locks) {
        const lock = locks.lock('sync:all:nightly', 600);
        try {
          await lock.block(30);
          await syncEverything();
        } finally {
          await lock.release();
        }
      }
    `,
    // 9. Result in a variable, tested by a guard.
    code`
      async function run(id: string) {
        const lock = locks.lock(\`job:run:\${id}\`, 60);
        const acquired = await lock.get();
        if (!acquired) return false;
        try {
          await runJob(id);
          return true;
        } finally {
          await lock.release();
        }
      }
    `,
    // 10. The lock is returned: the caller releases it.
    code`
      export async function acquireFor(id: string) {
        const lock = locks.lock(\`tenant:migrate:\${id}\`, 300);
        if (!(await lock.get())) return undefined;
        return lock;
      }
    `,
    // 11. Stored outside the function (a field) for a later release.
    code`
      class Leader {
        private held: unknown;
        async campaign() {
          const lock = this.locks.lock('leader:elect:primary', 30);
          if (await lock.get()) this.held = lock;
        }
      }
    `,
    // 12. Passed to another function, which takes over.
    code`
      async function start(id: string) {
        const lock = locks.lock(\`job:start:\${id}\`, 60);
        await lock.block(5);
        scheduleRelease(lock, 30_000);
      }
    `,
    // 13. The document's Owner Tokens example: the owner token leaves for a later restoreLock().
    code`
      async function reserve(id: string, session: Session) {
        const lock = Cache.lock(\`resource:\${id}\`, 120);
        const owner = lock.owner;
        if (await lock.get()) {
          session.put('lock_owner', owner);
          if (session.get('lock_owner') === lock.owner) {
            await lock.release();
          }
        }
      }
    `,
    // 14. Unrelated objects with lock/get/release methods.
    code`
      async function unrelated(mutex: Mutex, db: Db, redis: Redis, map: Map<string, number>) {
        await mutex.lock();
        if (await db.lock('accounts').get()) { await db.query('x'); }
        const value = await redis.get('k');
        map.get('x');
        const data = Cache.get(key);
        await pool.block(5);
        return [value, data];
      }
    `,
    // 15. A lock field acquired in start() and released in stop(): the class holds it.
    code`
      class Heartbeat {
        private readonly lock = this.locks.lock('heartbeat:node:a', 30);
        constructor(private readonly locks: LockManager) {}
        async start() { await this.lock.block(10); }
        async stop() { await this.lock.release(); }
      }
    `,
    // 16. A lock given as a parameter is the caller's to release.
    code`
      import type { Lock } from 'locksmith-js';
      export async function withHeld(lock: Lock) {
        if (await lock.get()) {
          await work();
        }
      }
    `,
    // 17. Loop over labels, each with its own lock and try/finally.
    code`
      async function generateLabels(tags: string[], facility: string) {
        for (const tag of tags) {
          const lock = Cache.lock(\`label:generate:\${facility}:\${tag}\`, 300);
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
    // 18. Nested locks, released in reverse order.
    code`
      async function transfer(from: string, to: string) {
        const a = locks.lock(\`account:debit:\${from}\`, 30);
        const b = locks.lock(\`account:credit:\${to}\`, 30);
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
    // 19. A conditional release inside finally.
    code`
      async function maybe(id: string) {
        const lock = locks.lock(\`cache:warm:\${id}\`, 30);
        let acquired = false;
        try {
          acquired = await lock.get();
          if (!acquired) return;
          await warm(id);
        } finally {
          if (acquired) await lock.release();
        }
      }
    `,
    // 20. CommonJS require with destructuring.
    {
      code: code`
        const { createLocks } = require('locksmith-js');
        const manager = createLocks();
        module.exports.run = async function run(id) {
          const lock = manager.lock('job:run:' + id, 60);
          if (!(await lock.get())) return;
          try { await doRun(id); } finally { await lock.release(); }
        };
      `,
      languageOptions: commonjs,
    },
    // 21. Namespace import and espree.
    {
      code: code`
        import * as locksmith from 'locksmith-js';
        const manager = locksmith.createLocks();
        export async function tick() {
          await manager.lock('tick:clock:main', 5).block(1, async () => tickOnce());
        }
      `,
      languageOptions: esm,
    },
    // 22. Retry loop until acquired, then try/finally.
    code`
      async function waitTurn(id: string) {
        const lock = locks.lock(\`queue:turn:\${id}\`, 30);
        while (!(await lock.get())) await sleep(50);
        try {
          await takeTurn(id);
        } finally {
          await lock.release();
        }
      }
    `,
    // 23. Promise chain: not a shape the rule follows, so it stays silent.
    code`
      function fire(id: string) {
        const lock = locks.lock(\`job:fire:\${id}\`, 30);
        return lock.get().then((ok) => (ok ? run(id).finally(() => lock.release()) : undefined));
      }
    `,
    // 24. A class keeping the lock in a field, acquire and release in one method.
    code`
      class Exporter {
        #lock = this.locks.lock('export:all:daily', 600);
        constructor(private locks: LockManager) {}
        async export() {
          if (!(await this.#lock.get())) return;
          try {
            await this.writeFiles();
          } finally {
            await this.#lock.release();
          }
        }
      }
    `,
    // 25. Manager from a custom factory name configured in settings, properly released.
    {
      code: code`
        async function run(id: string) {
          const lock = mutexes.lock(\`job:run:\${id}\`, 60);
          await lock.block(5);
          try { await go(id); } finally { await lock.release(); }
        }
      `,
      settings: { locksmith: { lockFactories: ['mutexes'] } },
    },
    // 26. Without the setting, an unknown receiver's lock() is not a lock.
    code`
      async function run(id: string) {
        const lock = mutexes.lock(\`job:run:\${id}\`, 60);
        await lock.block(5);
        await go(id);
      }
    `,
    // 27. Aliased named import and a lock in a switch case.
    code`
      import { createLocks as makeLocks } from 'locksmith-js';
      const registry = makeLocks();
      export async function handle(kind: string, id: string) {
        switch (kind) {
          case 'sync': {
            const lock = registry.lock(\`sync:item:\${id}\`, 30);
            if (!(await lock.get())) return;
            try { await syncItem(id); } finally { await lock.release(); }
            break;
          }
          default:
            break;
        }
      }
    `,
    // 28. API handler: guard response, then try/finally, with forceRelease counted as a release.
    code`
      app.post('/admin/reindex', async (req, res) => {
        const lock = locks.lock('search:reindex:all', 900);
        if (!(await lock.get())) return res.status(409).end();
        try {
          await reindex();
          res.status(204).end();
        } finally {
          await lock.forceRelease();
        }
      });
    `,
    // 29. Two conditions: the consequent runs only when both hold.
    code`
      async function both(id: string, enabled: boolean) {
        const lock = locks.lock(\`feature:sync:\${id}\`, 30);
        if (enabled && (await lock.get())) {
          try { await syncFeature(id); } finally { await lock.release(); }
        }
      }
    `,
    // 30. Exported module-level lock acquired in one function: other modules may release it.
    code`
      export const maintenance = locks.lock('maintenance:mode:global', 0);
      export async function enterMaintenance() {
        await maintenance.block(30);
      }
    `,
    // 31. Module-level lock released in another function of the file.
    code`
      const leader = locks.lock('leader:elect:scheduler', 30);
      export async function lead() { if (await leader.get()) startScheduler(); }
      export async function resign() { await leader.release(); }
    `,
    // 32. Closure's lock parameter used for refresh inside.
    code`
      async function longJob(id: string) {
        return locks.lock(\`job:long:\${id}\`, 60).block(10, async ({ lock, signal }) => {
          for (const chunk of chunks(id)) {
            await processChunk(chunk, signal);
            await lock.refresh();
          }
        });
      }
    `,
    // 33. restoreLock in a later request, released in finally.
    code`
      async function finish(id: string, owner: string) {
        const lock = locks.restoreLock(\`resource:\${id}\`, owner);
        if (await lock.isOwnedByCurrentProcess()) {
          await lock.release();
        }
      }
    `,
    // 35. Try get(), fall back to waiting inside the if: the try after the if covers both.
    code`
      async function refreshToken(tenant: string) {
        const lock = locks.lock(\`token:refresh:\${tenant}\`, 30);
        if (!(await lock.get())) {
          log('another refresh is running, waiting for it');
          await lock.block(10);
        }
        try {
          await refresh(tenant);
        } finally {
          await lock.release();
        }
      }
    `,
    // 36. Different waits per branch, one try after both.
    code`
      async function sync(id: string, urgent: boolean) {
        const lock = locks.lock(\`sync:item:\${id}\`, 60);
        if (urgent) {
          await lock.block(30);
        } else {
          await lock.block(1);
        }
        try {
          await syncItem(id);
        } finally {
          await lock.release();
        }
      }
    `,
    // 37. A helper that releases: the lock is handed over.
    code`
      class Jobs {
        async run(id: string) {
          const lock = this.locks.lock(\`job:run:\${id}\`, 60);
          await lock.block(5);
          await this.work(id).finally(() => this.unlock(lock));
        }
      }
    `,
    // 38. Retry loop with break, then try/finally after the loop.
    code`
      async function withRetries(id: string) {
        const lock = locks.lock(\`invoice:send:\${id}\`, 30);
        for (let attempt = 0; attempt < 3; attempt++) {
          if (await lock.get()) break;
          await sleep(100 * 2 ** attempt);
        }
        try {
          await sendInvoice(id);
        } finally {
          await lock.release();
        }
      }
    `,
    // 39. A handle returned with the release inside it: the caller releases.
    code`
      export async function hold(name: string) {
        const lock = locks.lock(name, 30);
        await lock.block(5);
        return { release: () => lock.release(), owner: 'x' };
      }
    `,
    // 40. Released by the promise's finally().
    code`
      async function send(id: string) {
        const lock = locks.lock(\`mail:send:\${id}\`, 30);
        if (!(await lock.get())) return;
        await deliver(id).finally(() => lock.release());
      }
    `,
    // 41. A probe: released right away, nothing runs while it is held.
    code`
      async function storeIsUp(): Promise<boolean> {
        const probe = locks.lock('health:probe:store', 5);
        const acquired = await probe.get();
        if (acquired) await probe.release();
        return acquired;
      }
    `,
    // 42. An outer lock whose get() is only passed around (a type test), never awaited here.
    code`
      const lock = locks.lock('types:check:one', 30);
      describe('types', () => {
        it('get', () => {
          expectTypeOf(lock.get()).toEqualTypeOf<Promise<boolean>>();
          expect(() => lock.get('fn' as never)).toThrow(TypeError);
        });
      });
    `,
    // 43. A timeout answered with 409 by its own try/catch, then the try/finally.
    code`
      import { LockTimeoutError } from 'locksmith-js';
      export async function handle(req: Req, res: Res) {
        const lock = locks.lock(\`order:update:\${req.id}\`, 30);
        try {
          await lock.block(5);
        } catch (error) {
          if (error instanceof LockTimeoutError) return res.status(409).end();
          throw error;
        }
        try {
          await updateOrder(req);
        } finally {
          await lock.release();
        }
      }
    `,
    // 44. The result tested inside the try, and again after it.
    code`
      async function once(id: string) {
        const lock = locks.lock(\`once:run:\${id}\`, 30);
        const acquired = await lock.get();
        try {
          if (!acquired) return;
          await runOnce(id);
        } finally {
          if (acquired) await lock.release();
        }
        if (acquired) log('ran once');
      }
    `,
    // 34. Getter, optional chaining and computed members stay quiet.
    code`
      class Store {
        get lock() { return this.mutex; }
        async touch(key: string) {
          await this.lock?.get?.();
          await this['lock'].release();
          return cache?.get(key);
        }
      }
    `,
    // A `return` after the release in the same block, a `break` inside a loop of the section, a `return` whose
    // argument releases: none leaves with the lock held (the sections are still judged for their missing finally).
    code`
      import { createLocks } from 'locksmith-js';
      const locks = createLocks();
      export async function drain(ids: string[]) {
        const lock = locks.lock('drain:queue:main', 30);
        await lock.block(5);
        try {
          for (const id of ids) {
            if (!id) break;
            await handle(id);
          }
          if (ids.length === 0) {
            await lock.release();
            return;
          }
        } finally {
          await lock.release();
        }
      }
    `,
  ],
  invalid: [
    // The document's anti-pattern: forgetting to release.
    {
      code: code`
        async function process() {
          const lock = Cache.lock('resource', 60);
          if (await lock.get()) {
            await this.process();
          }
        }
      `,
      errors: [
        {
          messageId: 'noRelease',
          line: 3,
          column: 18,
          endLine: 3,
          endColumn: 23,
          suggestions: [
            {
              messageId: 'suggestTryFinally',
              data: { release: 'await lock.release();' },
              output: code`
                async function process() {
                  const lock = Cache.lock('resource', 60);
                  if (await lock.get()) {
                    try {
                      await this.process();
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
    // A template literal spanning lines inside the section: re-indenting it would change the string, so no
    // try/finally rewrite is offered.
    {
      code: 'async function run() {\n  const lock = Cache.lock(\'resource\', 60);\n  if (await lock.get()) {\n    await send(`line one\nline two`);\n  }\n}',
      errors: [{ messageId: 'noRelease', line: 3, column: 18, endLine: 3, endColumn: 23, suggestions: [] }],
    },
    // The same template before the acquisition, outside the section: the rewrite is offered.
    {
      code: 'const text = `line one\nline two`;\nasync function run() {\n  const lock = Cache.lock(\'resource\', 60);\n  if (await lock.get()) {\n    await send(text);\n  }\n}',
      errors: [
        {
          messageId: 'noRelease',
          line: 5,
          column: 18,
          endLine: 5,
          endColumn: 23,
          suggestions: [
            {
              messageId: 'suggestTryFinally',
              data: { release: 'await lock.release();' },
              output:
                'const text = `line one\nline two`;\nasync function run() {\n  const lock = Cache.lock(\'resource\', 60);\n  if (await lock.get()) {\n    try {\n      await send(text);\n    } finally {\n      await lock.release();\n    }\n  }\n}',
            },
          ],
        },
      ],
    },
    // Release at the end of the try body (not in finally), with a catch.
    {
      code: code`
        async function sync(id: string) {
          const lock = locks.lock(\`sync:item:\${id}\`, 30);
          await lock.block(10);
          try {
            await syncItem(id);
            await lock.release();
          } catch (error) {
            report(error);
          }
        }
      `,
      errors: [{ messageId: 'releaseNotInFinally', line: 3, column: 14, endLine: 3, endColumn: 23, suggestions: [] }],
    },
    // Release after the work, no try at all: suggestion wraps the work.
    {
      code: code`
        async function sync(id: string) {
          const lock = locks.lock(\`sync:item:\${id}\`, 30);
          await lock.block(10);
          await syncItem(id);
          await notify(id);
          await lock.release();
          log('done');
        }
      `,
      errors: [
        {
          messageId: 'releaseNotInFinally',
          line: 3,
          column: 14,
          endLine: 3,
          endColumn: 23,
          suggestions: [
            {
              messageId: 'suggestTryFinally',
              data: { release: 'await lock.release();' },
              output: code`
                async function sync(id: string) {
                  const lock = locks.lock(\`sync:item:\${id}\`, 30);
                  await lock.block(10);
                  try {
                    await syncItem(id);
                    await notify(id);
                  } finally {
                    await lock.release();
                  }
                  log('done');
                }
              `,
            },
          ],
        },
      ],
    },
    // Release in catch only.
    {
      code: code`
        async function sync(id: string) {
          const lock = locks.lock(\`sync:item:\${id}\`, 30);
          if (!(await lock.get())) return;
          try {
            await syncItem(id);
          } catch (error) {
            await lock.release();
            throw error;
          }
        }
      `,
      errors: [{ messageId: 'releaseInCatchOnly', line: 3, column: 20, endLine: 3, endColumn: 25, suggestions: [] }],
    },
    // Statements between the acquisition and the try.
    {
      code: code`
        async function sync(id: string) {
          const lock = locks.lock(\`sync:item:\${id}\`, 30);
          await lock.block(10);
          const item = await loadItem(id);
          try {
            await syncItem(item);
          } finally {
            await lock.release();
          }
        }
      `,
      errors: [
        {
          messageId: 'statementsBeforeTry',
          line: 3,
          column: 14,
          endLine: 3,
          endColumn: 23,
          suggestions: [
            {
              messageId: 'suggestMoveIntoTry',
              output: code`
                async function sync(id: string) {
                  const lock = locks.lock(\`sync:item:\${id}\`, 30);
                  await lock.block(10);
                  try {
                    const item = await loadItem(id);
                    await syncItem(item);
                  } finally {
                    await lock.release();
                  }
                }
              `,
            },
          ],
        },
      ],
    },
    // The statement before the try declares what the finally uses: moving it would break the finally.
    {
      code: code`
        async function timed(id: string) {
          const lock = locks.lock(\`sync:item:\${id}\`, 30);
          await lock.block(10);
          const started = Date.now();
          try {
            await syncItem(id);
          } finally {
            await lock.release();
            log(Date.now() - started);
          }
        }
      `,
      errors: [{ messageId: 'statementsBeforeTry', line: 3, column: 14, endLine: 3, endColumn: 23, suggestions: [] }],
    },
    // Statements inside the if before the try.
    {
      code: code`
        class Worker {
          async handle(job: Job) {
            const lock = this.locks.lock(\`job:handle:\${job.id}\`, 60);
            if (await lock.get()) {
              this.metrics.increment('locked');
              try {
                await job.run();
              } finally {
                await lock.release();
              }
            }
          }
        }
      `,
      errors: [
        {
          messageId: 'statementsBeforeTry',
          line: 4,
          column: 20,
          endLine: 4,
          endColumn: 25,
          suggestions: [
            {
              messageId: 'suggestMoveIntoTry',
              output: code`
                class Worker {
                  async handle(job: Job) {
                    const lock = this.locks.lock(\`job:handle:\${job.id}\`, 60);
                    if (await lock.get()) {
                      try {
                        this.metrics.increment('locked');
                        await job.run();
                      } finally {
                        await lock.release();
                      }
                    }
                  }
                }
              `,
            },
          ],
        },
      ],
    },
    // The finally releases another lock.
    {
      code: code`
        async function transfer(from: string, to: string) {
          const debit = locks.lock(\`account:debit:\${from}\`, 30);
          const credit = locks.lock(\`account:credit:\${to}\`, 30);
          await debit.block(5);
          try {
            await move(from, to);
          } finally {
            await credit.release();
          }
        }
      `,
      errors: [
        { messageId: 'finallyReleasesOtherLock', line: 4, column: 15, endLine: 4, endColumn: 23, suggestions: [] },
      ],
    },
    // Chained acquisition never released (no way to release it): no try/finally suggestion.
    {
      code: code`
        async function ping(id: string) {
          if (await locks.lock(\`ping:host:\${id}\`, 10).get()) {
            await sendPing(id);
          }
        }
      `,
      errors: [
        {
          messageId: 'noRelease',
          line: 2,
          column: 47,
          endLine: 2,
          endColumn: 52,
          suggestions: [
            {
              messageId: 'suggestClosure',
              data: { method: 'get' },
              output: code`
                async function ping(id: string) {
                  await locks.lock(\`ping:host:\${id}\`, 10).get(async () => {
                    await sendPing(id);
                  });
                }
              `,
            },
          ],
        },
      ],
    },
    // Chained block() in an if, but the body returns: a closure would change what `return` means.
    {
      code: code`
        async function ping(id: string) {
          for (const host of hosts) {
            if (await locks.lock(\`ping:host:\${host}\`, 10).block(1)) {
              if (await sendPing(host)) return host;
              continue;
            }
          }
        }
      `,
      errors: [{ messageId: 'noRelease', line: 3, column: 51, endLine: 3, endColumn: 59, suggestions: [] }],
    },
    // Chained block() with a loop inside the body: the closure suggestion passes the wait first.
    {
      code: code`
        async function flush(queue: string) {
          if (await locks.lock(\`flush:queue:\${queue}\`, 60).block(5)) {
            for (const item of pending(queue)) {
              if (!item) break;
              await send(item);
            }
          }
        }
      `,
      errors: [
        {
          messageId: 'noRelease',
          line: 2,
          column: 52,
          endLine: 2,
          endColumn: 60,
          suggestions: [
            {
              messageId: 'suggestClosure',
              data: { method: 'block' },
              output: code`
                async function flush(queue: string) {
                  await locks.lock(\`flush:queue:\${queue}\`, 60).block(5, async () => {
                    for (const item of pending(queue)) {
                      if (!item) break;
                      await send(item);
                    }
                  });
                }
              `,
            },
          ],
        },
      ],
    },
    // A failed get() only logged: the code after the if runs, holding the lock when get() succeeded.
    {
      code: code`
        async function poll(id: string) {
          const lock = locks.lock(\`poll:feed:\${id}\`, 30);
          if (!(await lock.get())) {
            log('busy');
          }
          await pollFeed(id);
        }
      `,
      errors: [
        {
          messageId: 'noRelease',
          line: 3,
          column: 20,
          endLine: 3,
          endColumn: 25,
          suggestions: [
            {
              messageId: 'suggestTryFinally',
              data: { release: 'await lock.release();' },
              output: code`
                async function poll(id: string) {
                  const lock = locks.lock(\`poll:feed:\${id}\`, 30);
                  if (!(await lock.get())) {
                    log('busy');
                  }
                  try {
                    await pollFeed(id);
                  } finally {
                    await lock.release();
                  }
                }
              `,
            },
          ],
        },
      ],
    },
    // Guard clause with no release: the suggestion wraps the rest of the function.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const manager = createLocks();
        export async function run(id: string) {
          const job = manager.lock(\`job:run:\${id}\`, 60);
          if (!(await job.get())) return;
          await runJob(id);
          await audit(id);
        }
      `,
      errors: [
        {
          messageId: 'noRelease',
          line: 5,
          column: 19,
          endLine: 5,
          endColumn: 24,
          suggestions: [
            {
              messageId: 'suggestTryFinally',
              data: { release: 'await job.release();' },
              output: code`
                import { createLocks } from 'locksmith-js';
                const manager = createLocks();
                export async function run(id: string) {
                  const job = manager.lock(\`job:run:\${id}\`, 60);
                  if (!(await job.get())) return;
                  try {
                    await runJob(id);
                    await audit(id);
                  } finally {
                    await job.release();
                  }
                }
              `,
            },
          ],
        },
      ],
    },
    // CommonJS, the namespace required whole.
    {
      code: code`
        const locksmith = require('locksmith-js');
        const registry = locksmith.createLocks();
        exports.handler = async (event) => {
          const lock = registry.lock('event:handle:' + event.id, 30);
          await lock.block(5);
          await handle(event);
          await lock.release();
        };
      `,
      languageOptions: commonjs,
      errors: [
        {
          messageId: 'releaseNotInFinally',
          line: 5,
          column: 14,
          endLine: 5,
          endColumn: 22,
          suggestions: [
            {
              messageId: 'suggestTryFinally',
              data: { release: 'await lock.release();' },
              output: code`
                const locksmith = require('locksmith-js');
                const registry = locksmith.createLocks();
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
            },
          ],
        },
      ],
    },
    // A module-level lock acquired and never released anywhere in the file.
    {
      code: code`
        const nightly = locks.lock('report:build:nightly', 3600);
        async function build() {
          if (await nightly.get()) await buildReport();
        }
      `,
      errors: [{ messageId: 'noRelease', line: 3, column: 21, endLine: 3, endColumn: 26, suggestions: [] }],
    },
    // A lock field released in the same method, but not in finally.
    {
      code: code`
        class Sync {
          private lock = this.locks.lock('sync:all:hourly', 3600);
          constructor(private locks: LockManager) {}
          async run() {
            await this.lock.block(5);
            await this.syncAll();
            await this.lock.release();
          }
        }
      `,
      errors: [
        {
          messageId: 'releaseNotInFinally',
          line: 5,
          column: 21,
          endLine: 5,
          endColumn: 29,
          suggestions: [
            {
              messageId: 'suggestTryFinally',
              data: { release: 'await this.lock.release();' },
              output: code`
                class Sync {
                  private lock = this.locks.lock('sync:all:hourly', 3600);
                  constructor(private locks: LockManager) {}
                  async run() {
                    await this.lock.block(5);
                    try {
                      await this.syncAll();
                    } finally {
                      await this.lock.release();
                    }
                  }
                }
              `,
            },
          ],
        },
      ],
    },
    // Result in a variable, if (acquired) without release.
    {
      code: code`
        async function once(id: string) {
          const lock = locks.lock(\`once:run:\${id}\`, 30);
          const acquired = await lock.get();
          if (acquired) { await runOnce(id); }
        }
      `,
      errors: [
        {
          messageId: 'noRelease',
          line: 3,
          column: 31,
          endLine: 3,
          endColumn: 36,
          suggestions: [
            {
              messageId: 'suggestTryFinally',
              data: { release: 'await lock.release();' },
              output: code`
                async function once(id: string) {
                  const lock = locks.lock(\`once:run:\${id}\`, 30);
                  const acquired = await lock.get();
                  if (acquired) { try { await runOnce(id); } finally { await lock.release(); } }
                }
              `,
            },
          ],
        },
      ],
    },
    // Typed path: a manager typed as locksmith's, whose name is no factory.
    {
      ...typed,
      code: code`
        import { createLocks } from 'locksmith-js';
        const registry = { main: createLocks() };
        export async function run(id: string): Promise<void> {
          const lock = registry.main.lock(\`job:run:\${id}\`, 60);
          await lock.block(5);
          await Promise.resolve(id);
        }
      `,
      errors: [{ messageId: 'noRelease', line: 5, column: 14, endLine: 5, endColumn: 22, suggestions: [
        {
          messageId: 'suggestTryFinally',
          data: { release: 'await lock.release();' },
          output: code`
            import { createLocks } from 'locksmith-js';
            const registry = { main: createLocks() };
            export async function run(id: string): Promise<void> {
              const lock = registry.main.lock(\`job:run:\${id}\`, 60);
              await lock.block(5);
              try {
                await Promise.resolve(id);
              } finally {
                await lock.release();
              }
            }
          `,
        },
      ] }],
    },
    // The only release is in the branch where the lock was NOT acquired: it is never released.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function once(id: string) {
          const lock = locks.lock(\`once:job:\${id}\`, 30);
          if (await lock.get()) {
            await run(id);
          } else {
            await lock.release();
          }
        }
      `,
      errors: [{ messageId: 'noRelease', line: 5, column: 18, endLine: 5, endColumn: 23, suggestions: [] }],
    },
    // A `return` leaves the section before the release: on that path the lock is never released.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function sync(id: string) {
          const lock = locks.lock(\`sync:item:\${id}\`, 30);
          await lock.block(10);
          const item = await load(id);
          if (!item) return;
          await syncItem(item);
          await lock.release();
        }
      `,
      errors: [{ messageId: 'notReleasedOnExit', data: { line: 7, exit: 'return', held: 'until its TTL expires' }, line: 5, column: 14, endLine: 5, endColumn: 23, suggestions: [] }],
    },
    // A `continue` of the loop around the section, and a `break` of a labelled outer loop, leave it too.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function each(ids: string[]) {
          outer: for (const id of ids) {
            const lock = locks.lock(\`each:item:\${id}\`, 30);
            if (await lock.get()) {
              for (const part of await parts(id)) {
                if (part.stop) break outer;
              }
              await lock.release();
            }
          }
          for (const id of ids) {
            const lock = locks.lock(\`each:item:\${id}\`, 30);
            await lock.block(1);
            if (skip(id)) continue;
            await lock.release();
          }
        }
      `,
      errors: [
        { messageId: 'notReleasedOnExit', data: { line: 8, exit: 'break', held: 'until its TTL expires' }, line: 6, column: 20, endLine: 6, endColumn: 25, suggestions: [] },
        { messageId: 'notReleasedOnExit', data: { line: 16, exit: 'continue', held: 'until its TTL expires' }, line: 15, column: 16, endLine: 15, endColumn: 24, suggestions: [] },
      ],
    },
    // A `return` right after a release, or returning the release itself, leaves with the lock released: only the
    // missing `finally` is reported.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function pick(id: string) {
          const lock = locks.lock(\`pick:item:\${id}\`, 30);
          await lock.block(10);
          if (await cached(id)) {
            await lock.release();
            return;
          }
          if (await gone(id)) return lock.release();
          for (const part of await parts(id)) {
            if (!part) continue;
            await fill(part);
          }
          await lock.release();
        }
      `,
      errors: [{ messageId: 'releaseNotInFinally', line: 5, column: 14, endLine: 5, endColumn: 23, suggestions: [] }],
    },
    // A release before the `return` only on another branch does not count for the `return`.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function pick(id: string) {
          const lock = locks.lock(\`pick:item:\${id}\`, 30);
          await lock.block(10);
          if (await cached(id)) {
            await lock.release();
          } else if (await missing(id)) {
            return;
          }
          await fill(id);
          await lock.release();
        }
      `,
      errors: [{ messageId: 'notReleasedOnExit', data: { line: 9, exit: 'return', held: 'until its TTL expires' }, line: 5, column: 14, endLine: 5, endColumn: 23, suggestions: [] }],
    },
  ],
});

// The same snippet without type information: `registry.main` is unknown, so nothing is reported.
ruleTester.run('require-release-in-finally (no type information needed, none invented)', tester, {
  valid: [
    code`
      import { createLocks } from 'locksmith-js';
      const registry = { main: createLocks() };
      export async function run(id: string): Promise<void> {
        const lock = registry.main.lock(\`job:run:\${id}\`, 60);
        await lock.block(5);
        await Promise.resolve(id);
      }
    `,
    // Typed, and correct.
    {
      ...typed,
      code: code`
        import { createLocks } from 'locksmith-js';
        const registry = { main: createLocks() };
        export async function run(id: string): Promise<void> {
          const lock = registry.main.lock(\`job:run:\${id}\`, 60);
          await lock.block(5);
          try { await Promise.resolve(id); } finally { await lock.release(); }
        }
      `,
    },
    // Typed: an unrelated class with the same method names is not a lock.
    {
      ...typed,
      code: code`
        class Gate { async get() { return true; } async release() {} lock() { return this; } }
        const registry = { main: new Gate() };
        export async function run(): Promise<void> {
          const lock = registry.main.lock();
          if (await lock.get()) await Promise.resolve(1);
        }
      `,
    },
  ],
  invalid: [],
});
