import rule from '../../rules/no-lock-around-read.js';
import { code, RuleTester, tested, esm } from './support/rule-tester.js';
import { LIBRARY_IDIOMS } from './support/valid-corpus.js';

const ruleTester = new RuleTester();

ruleTester.run('no-lock-around-read', tested(rule), {
  valid: [
    ...LIBRARY_IDIOMS,
    // The document's locks that guard real work.
    code`
      export class MetrcService {
        fetchAllPackages(facility: string) {
          const lock = Cache.lock(\`metrc:fetch:\${facility}\`, 300);
          return lock.block(60, () => {
            return this.metrcApi.all_active_packages(facility, true);
          });
        }
      }
    `,
    code`
      export async function importBatch(batchId: string) {
        await Cache.lock(\`import:batch:\${batchId}\`, 120).block(30, async () => {
          await this.importBatch(batchId);
        });
      }
    `,
    code`
      export class PackageService {
        async processPackage(label: string): Promise<void> {
          const lock = Cache.lock(\`process:package:\${label}\`, 120);
          if (!(await lock.get())) {
            log('Duplicate', \`Package \${label} already being processed, skipping\`);
            return;
          }
          try {
            const pkg = await this.metrcApi.package(label);
            await this.process(pkg);
          } finally {
            await lock.release();
          }
        }
      }
    `,
    code`
      export async function generateLabels(tags: string[], facility: string) {
        for (const tag of tags) {
          const lock = Cache.lock(\`label:generate:\${facility}:\${tag}\`, 300);
          if (await lock.get()) {
            try {
              GeneratePackageLabel.dispatch(tag, facility);
            } finally {
              await lock.release();
            }
          }
        }
      }
    `,
    "await Cache.lock('quick:op', 10).block(5, () => this.quickOp());",
    "await Cache.lock('import:job', 300).block(30, () => this.importJob());",
    // fetch* is not a pure read: serializing a third-party API per facility is the point.
    'export const f = (facility: string) => Cache.lock(`metrc:fetch:${facility}`, 300).block(60, () => api.fetchPackages(facility));',
    // Read, then write.
    code`
      export async function bump(key: string) {
        await locks.lock(\`bump:counter:\${key}\`, 10).block(5, async () => {
          const value = Number(await redis.get(key));
          await redis.set(key, String(value + 1));
        });
      }
    `,
    // Read into a variable declared outside the section: the lock orders that write.
    code`
      export async function load(key: string) {
        let value: string | null = null;
        await locks.lock(\`load:cache:\${key}\`, 10).block(5, async () => {
          value = await cache.get(key);
        });
        return value;
      }
    `,
    // Assigning to object state.
    code`
      export class Holder {
        cached: unknown;
        async refreshCache(key: string) {
          await locks.lock(\`load:cache:\${key}\`, 10).block(5, async () => {
            this.cached = await cache.get(key);
          });
        }
      }
    `,
    // Increments, delete, new.
    'let hits = 0; await locks.lock("a:b:c", 10).block(5, async () => { hits++; return cache.get("k"); });',
    'await locks.lock("a:b:c", 10).block(5, async () => { const all = await cache.getAll(); delete all.x; return all; });',
    'await locks.lock("a:b:c", 10).block(5, async () => new Date(await cache.get("updated")));',
    // Awaiting a promise made elsewhere.
    'export const f = (pending: Promise<string>) => locks.lock("a:b:c", 10).block(5, async () => await pending);',
    // Unknown calls.
    'await locks.lock("a:b:c", 10).block(5, async () => transform(await cache.get("k")));',
    'await locks.lock("a:b:c", 10).block(5, async () => { logger.info("reading"); return cache.get("k"); });',
    // Remote endpoints: an HTTP GET to a rate-limited API is what a lock legitimately serializes.
    'export const f = (url: string) => locks.lock("api:call:x", 60).block(10, () => axios.get(url));',
    'export class M { list(facility: string) { return Cache.lock(`metrc:fetch:${facility}`, 300).block(60, () => this.metrcApi.listPackages(facility)); } }',
    'await locks.lock("api:call:x", 60).block(10, () => httpClient.get("/v1/packages"));',
    'await locks.lock("api:call:x", 60).block(10, () => client.get(`https://api.example.com/packages`));',
    'await locks.lock("api:call:x", 60).block(10, () => store.get("https://api.example.com/packages"));',
    'export class P { run(id: string) { return locks.lock("a:b:c", 60).block(10, () => this.packageService.find(id)); } }',
    // Receivers whose get() takes something: a job from a queue, a connection from a pool, a permit.
    'await locks.lock("a:b:c", 10).block(5, () => jobQueue.get());',
    'await locks.lock("a:b:c", 10).block(5, () => this.pool.get());',
    'await locks.lock("a:b:c", 10).block(5, () => semaphore.get());',
    'await locks.lock("a:b:c", 10).block(5, () => reader.stream.read());',
    // Read-looking names that write.
    'await locks.lock("a:b:c", 10).block(5, () => users.findOneAndUpdate({ id: 1 }, { $set: { seen: true } }));',
    'await locks.lock("a:b:c", 10).block(5, () => users.findOrCreate({ id: 1 }));',
    'await locks.lock("a:b:c", 10).block(5, () => queue.readAndDelete("jobs"));',
    'await locks.lock("a:b:c", 10).block(5, () => redis.getdel("k"));',
    'await locks.lock("a:b:c", 10).block(5, async () => { const h = await redis.hgetall("k"); await redis.hset("k", "n", 1); return h; });',
    // `list*` matches whole words only.
    'await locks.lock("a:b:c", 10).block(5, () => server.listen(3000));',
    // An empty closure: waiting for the holder to finish is not a read.
    'await locks.lock("a:b:c", 10).block(10, () => {});',
    // A callback that is not inline: its body is elsewhere.
    'export class S { async run() { await locks.lock("a:b:c", 10).block(5, this.readAll); } }',
    // Another lock inside, whose section writes: neither lock guards only reads.
    code`
      export async function both() {
        const inner = locks.lock('a:b:inner', 10);
        await locks.lock('a:b:outer', 10).block(5, async () => {
          if (await inner.get()) {
            try {
              await cache.put('k', await cache.get('k'));
            } finally {
              await inner.release();
            }
          }
        });
      }
    `,
    // The finally releases another lock.
    code`
      export async function mixed(other: Lock) {
        const lock = locks.lock('a:b:c', 10);
        if (await lock.get()) {
          try {
            return await cache.get('k');
          } finally {
            await other.release();
          }
        }
      }
    `,
    // A generator yielding inside, `for await`.
    'export async function* g() { await locks.lock("a:b:c", 10).block(5, function* () { yield cache.get("k"); }); }',
    'await locks.lock("a:b:c", 10).block(5, async () => { for await (const key of cache.keysStream()) return key; });',
    // Reads without a lock; unrelated objects with lock()/block().
    'export const read = (key: string) => Cache.get(key);',
    'await mutex.lock("r").block(5, () => cache.get("k"));',
    'await door.lock(1).block(5, () => cache.get("k"));',
    // Vocabulary options.
    { code: 'await locks.lock("a:b:c", 10).block(5, () => cache.get("k"));', options: [{ useDefaultVocabulary: false }] },
    { code: 'await locks.lock("a:b:c", 10).block(5, () => cache.findAndTag("k"));', options: [{ writeWords: ['tag'] }] },
    // Plain JavaScript.
    { code: 'await locks.lock("a:b:c", 10).block(5, async () => { await cache.set("k", 1); });', languageOptions: esm },
  ],
  invalid: [
    {
      // THE document's example.
      code: code`
        const lock = Cache.lock("read:data", 10);
        await lock.block(5, () => Cache.get(key));
      `,
      errors: [{ messageId: 'lockAroundRead', data: { reads: 'Cache.get' }, line: 2, column: 12, endLine: 2, endColumn: 42 }],
    },
    {
      code: 'const data = await Cache.lock("read:data", 10).block(5, () => Cache.get(key));',
      errors: [{ messageId: 'lockAroundRead', data: { reads: 'Cache.get' }, line: 1, column: 48, endLine: 1, endColumn: 78 }],
    },
    {
      // The if / try / finally form.
      code: code`
        export async function readUser(id: string) {
          const lock = locks.lock(\`read:user:\${id}\`, 10);
          if (await lock.get()) {
            try {
              return await redis.get(\`user:\${id}\`);
            } finally {
              await lock.release();
            }
          }
          return null;
        }
      `,
      errors: [{ messageId: 'lockAroundRead', data: { reads: 'redis.get' }, line: 3, column: 18, endLine: 3, endColumn: 23 }],
    },
    {
      // A guard clause, local variables and pure helpers.
      code: code`
        export class UserCache {
          async profile(id: string): Promise<unknown> {
            const lock = locks.lock(\`read:profile:\${id}\`, 10);
            if (!(await lock.get())) return undefined;
            try {
              const raw = await this.redis.hgetall(\`profile:\${id}\`);
              const names = Object.keys(raw);
              return names.length > 0 ? JSON.parse(raw['json'] ?? '{}') : undefined;
            } finally {
              await lock.release();
            }
          }
        }
      `,
      errors: [
        { messageId: 'lockAroundRead', data: { reads: 'this.redis.hgetall' }, line: 4, column: 22, endLine: 4, endColumn: 27 },
      ],
    },
    {
      // block() then try/finally.
      code: code`
        export async function findOrder(id: string) {
          const lock = locks.lock(\`read:order:\${id}\`, 30);
          await lock.block(5);
          try {
            return await db.orders.findOne({ id });
          } finally {
            await lock.release();
          }
        }
      `,
      errors: [{ messageId: 'lockAroundRead', data: { reads: 'db.orders.findOne' }, line: 3, column: 14, endLine: 3, endColumn: 22 }],
    },
    {
      // get(closure) and several reads.
      code: code`
        export async function stats(key: string) {
          return locks.lock(\`read:stats:\${key}\`, 10).get(async () => {
            const [count, members] = await Promise.all([redis.scard(key), redis.smembers(key)]);
            return { count, members, exists: await redis.exists(key) };
          });
        }
      `,
      errors: [
        {
          messageId: 'lockAroundRead',
          data: { reads: 'redis.scard, redis.smembers, redis.exists' },
          line: 2,
          column: 46,
          endLine: 5,
          endColumn: 5,
        },
      ],
    },
    {
      // TypeScript wrappers and a `find*` read.
      code: 'export const f = (id: string) => locks.lock("read:user:x", 10).block(5, async () => (await repo.findById(id))! as User);',
      errors: [{ messageId: 'lockAroundRead', data: { reads: 'repo.findById' }, line: 1, column: 64, endLine: 1, endColumn: 120 }],
    },
    {
      // A Redis client is a store, not a remote API.
      code: 'await locks.lock("a:b:c", 10).block(5, () => redisClient.get("k"));',
      errors: [{ messageId: 'lockAroundRead', data: { reads: 'redisClient.get' }, line: 1, column: 31, endLine: 1, endColumn: 67 }],
    },
    {
      // A read vocabulary of one's own.
      code: 'await locks.lock("a:b:c", 10).block(5, () => loader.loadUser(1));',
      options: [{ readMethods: ['load*'] }],
      errors: [{ messageId: 'lockAroundRead', data: { reads: 'loader.loadUser' }, line: 1, column: 31, endLine: 1, endColumn: 65 }],
    },
    {
      // createLocks() in a class field.
      code: code`
        import { createLocks } from 'locksmith-js';
        export class Reader {
          private readonly locks = createLocks();
          read(key: string) {
            return this.locks.lock(\`read:key:\${key}\`, 10).block(5, () => this.cache.get(key));
          }
        }
      `,
      errors: [{ messageId: 'lockAroundRead', data: { reads: 'this.cache.get' }, line: 5, column: 51, endLine: 5, endColumn: 86 }],
    },
    {
      // Nested locks: the outer section holds another lock (not a read); the inner one guards only a read.
      code: code`
        export async function both() {
          const inner = locks.lock('a:b:inner', 10);
          await locks.lock('a:b:outer', 10).block(5, async () => {
            if (await inner.get()) {
              try {
                return await cache.get('k');
              } finally {
                await inner.release();
              }
            }
          });
        }
      `,
      errors: [{ messageId: 'lockAroundRead', data: { reads: 'cache.get' }, line: 4, column: 21, endLine: 4, endColumn: 26 }],
    },
    {
      code: 'await locks.lock("a:b:c", 10).block(5, () => cache.get("k"));',
      languageOptions: esm,
      errors: [{ messageId: 'lockAroundRead', data: { reads: 'cache.get' }, line: 1, column: 31, endLine: 1, endColumn: 61 }],
    },
  ],
});
