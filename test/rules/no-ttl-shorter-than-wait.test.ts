import rule from '../../rules/no-ttl-shorter-than-wait.js';
import { code, RuleTester, tested, commonjs, esm } from './support/rule-tester.js';
import { LIBRARY_IDIOMS } from './support/valid-corpus.js';

const ruleTester = new RuleTester();

ruleTester.run('no-ttl-shorter-than-wait', tested(rule), {
  valid: [
    ...LIBRARY_IDIOMS,
    // The document's examples that take a lock and wait: each TTL exceeds its wait.
    code`
      import { createLocks } from 'locksmith-js';
      const Cache = createLocks();
      export async function importBatch(batchId: string) {
        await Cache.lock(\`import:batch:\${batchId}\`, 120).block(30, async () => {
          await doImport(batchId);
        });
      }
    `,
    code`
      export async function call(endpoint: string) {
        return Cache.lock(\`api:call:\${endpoint}\`, 60).block(10, () => makeApiCall(endpoint));
      }
    `,
    code`
      export async function syncFacility(facility: string) {
        const lock = Cache.lock(\`sync:facility:\${facility}\`, 60);
        if (await lock.block(10)) {
          try {
            await syncFacilityData(facility);
          } finally {
            await lock.release();
          }
        }
      }
    `,
    code`
      class MetrcService {
        async fetchAllPackages(facility: string): Promise<unknown[]> {
          const lock = Cache.lock(\`metrc:fetch:\${facility}\`, 300);
          return lock.block(60, () => this.metrcApi.all_active_packages(facility, true));
        }
      }
    `,
    "await Cache.lock('quick:op', 10).block(5, () => quickOp());",
    "await Cache.lock('import:job', 300).block(30, () => importJob());",
    // The document's "TTL shorter than the operation": 10 > 5, the operation's length is unknowable statically.
    code`
      const lock = Cache.lock('long:job', 10);
      await lock.block(5, async () => {
        await importData();
      });
    `,
    // Equal is accepted by default.
    "await locks.lock('sync:facility:a', 30).block(30);",
    "await locks.lock('sync:facility:a', '30s').block(30);",
    // Units compared exactly.
    "await locks.lock('sync:facility:a', '2m').block(90);",
    "await locks.lock('sync:facility:a', '250ms').block(0.1);",
    "await locks.lock('sync:facility:a', 5 * 60).block('2m');",
    "await locks.lock('sync:facility:a', 1_000).block(999.999);",
    // ttl 0 or omitted: the lock never expires.
    "await locks.lock('sync:facility:a', 0).block(30);",
    "await locks.lock('sync:facility:a').block(30);",
    "await locks.lock('sync:facility:a', '0ms').block(30);",
    // Unknown TTL or wait.
    'export async function f(ttl: number) { await locks.lock("a:b:c", ttl).block(30); }',
    'export async function f(wait: number) { await locks.lock("a:b:c", 5).block(wait); }',
    'await locks.lock("a:b:c", Number(process.env.LOCK_TTL)).block(30);',
    'let TTL = 5; TTL = 60; await locks.lock("a:b:c", TTL).block(30);',
    'import { TTL } from "./config"; await locks.lock("a:b:c", TTL).block(30);',
    // Not durations the runtime accepts: the runtime throws; not this rule's finding.
    'await locks.lock("a:b:c", "5").block(30);',
    'await locks.lock("a:b:c", 5).block("soon");',
    // autoExtend renews the TTL while held; unknown options might turn it on.
    "await locks.lock('a:b:c', 5, { autoExtend: true }).block(30);",
    'export async function f(options: object) { await locks.lock("a:b:c", 5, options).block(30); }',
    "await locks.lock('a:b:c', 5, { ...defaults }).block(30);",
    // restoreLock() does not know the TTL the lock was taken with.
    'export async function f(owner: string) { await locks.restoreLock("a:b:c", owner).block(30); }',
    // A lock from elsewhere: no creation to read a TTL from.
    'export async function f(lock: Lock) { await lock.block(30); }',
    // get() takes no wait.
    "const lock = locks.lock('a:b:c', 5); if (await lock.get()) { try { work(); } finally { await lock.release(); } }",
    // block() with no wait: the runtime rejects it.
    "await locks.lock('a:b:c', 5).block();",
    // Two locks: the long one is the one waited on.
    code`
      const short = locks.lock('a:b:short', 5);
      const long = locks.lock('a:b:long', 120);
      await long.block(30);
      await short.get();
    `,
    // A variable assigned several locks: one of them outlives the wait.
    code`
      export async function pick(urgent: boolean) {
        let lock = locks.lock('a:b:quick', 5);
        if (urgent) lock = locks.lock('a:b:slow', 60);
        await lock.block(30, () => work());
      }
    `,
    // Unrelated objects with lock()/block() methods.
    "await mutex.lock('a', 1).block(30);",
    "await this.queue.lock(5).block(60);",
    "const door = building.lock('front', 1); await door.block(10);",
    // A loop with a long TTL, the wait a constant.
    code`
      const WAIT = 10;
      const TTL = 5 * 60;
      export async function generateLabels(tags: string[], facility: string) {
        for (const tag of tags) {
          await locks.lock(\`label:generate:\${facility}:\${tag}\`, TTL).block(WAIT, () => generate(tag));
        }
      }
    `,
    // A class field holding the lock.
    code`
      export class Importer {
        private readonly lock = locks.lock('import:batch:nightly', 600);
        async run() {
          await this.lock.block(120, () => this.importAll());
        }
      }
    `,
    // Nested locks, each with a TTL above its wait, and an early return.
    code`
      export async function transfer(from: string, to: string): Promise<boolean> {
        if (from === to) return false;
        const outer = locks.lock(\`transfer:account:\${from}\`, 60);
        return outer.block(10, async () => {
          const inner = locks.lock(\`transfer:account:\${to}\`, 30);
          if (!(await inner.block(5))) return false;
          try {
            await move(from, to);
            return true;
          } finally {
            await inner.release();
          }
        });
      }
    `,
    // Retry loop with a growing wait that stays under the TTL.
    code`
      const TTL = 120;
      export async function withRetries(id: string) {
        for (const wait of [5, 10, 20]) {
          try {
            return await locks.lock(\`sync:order:\${id}\`, TTL).block(wait, () => sync(id));
          } catch (error) {
            if (!(error instanceof LockTimeoutError)) throw error;
          }
        }
      }
    `,
    // Plain JavaScript, ESM and CommonJS.
    { code: "await locks.lock('import:batch:1', 120).block(30, () => run());", languageOptions: esm },
    {
      code: code`
        const { createLocks } = require('locksmith-js');
        const locks = createLocks();
        module.exports = async function job() {
          await locks.lock('report:daily:build', '10m').block('1m', () => build());
        };
      `,
      languageOptions: commonjs,
    },
  ],
  invalid: [
    {
      code: "await Cache.lock('long:job', 5).block(10);",
      errors: [
        { messageId: 'ttlShorterThanWait', data: { ttl: '5s', wait: '10s' }, line: 1, column: 33, endLine: 1, endColumn: 42 },
      ],
    },
    {
      // Through a variable, closure form, as the document writes it with the numbers the other way round.
      code: code`
        const lock = Cache.lock('long:job', 5);
        await lock.block(10, async () => {
          await importData();
        });
      `,
      errors: [{ messageId: 'ttlShorterThanWait', data: { ttl: '5s', wait: '10s' }, line: 2, column: 12, endLine: 4, endColumn: 3 }],
    },
    {
      code: "await locks.lock('sync:facility:a', 90).block('2m');",
      errors: [
        { messageId: 'ttlShorterThanWait', data: { ttl: '90s', wait: '120s' }, line: 1, column: 41, endLine: 1, endColumn: 52 },
      ],
    },
    {
      code: "await locks.lock('sync:facility:a', 0.1).block('250ms');",
      errors: [
        { messageId: 'ttlShorterThanWait', data: { ttl: '0.1s', wait: '0.25s' }, line: 1, column: 42, endLine: 1, endColumn: 56 },
      ],
    },
    {
      code: "await locks.lock('sync:facility:a', '500ms').block(1);",
      errors: [
        { messageId: 'ttlShorterThanWait', data: { ttl: '0.5s', wait: '1s' }, line: 1, column: 46, endLine: 1, endColumn: 54 },
      ],
    },
    {
      // Constants, arithmetic and TypeScript wrappers.
      code: code`
        const MINUTE = 60;
        const TTL = 2 * MINUTE;
        const WAIT = \`\${3}m\` as const;
        export async function sync(facility: string): Promise<void> {
          await locks.lock(\`sync:facility:\${facility}\`, TTL satisfies number).block(WAIT!, () => syncIt(facility));
        }
      `,
      errors: [
        { messageId: 'ttlShorterThanWait', data: { ttl: '120s', wait: '180s' }, line: 5, column: 71, endLine: 5, endColumn: 107 },
      ],
    },
    {
      // TypeScript enums.
      code: code`
        enum LockTtl { Short = 5, Long = 300 }
        const enum Wait { Patient = '30s' }
        export const run = () => locks.lock('import:batch:x', LockTtl.Short).block(Wait.Patient, () => go());
      `,
      errors: [{ messageId: 'ttlShorterThanWait', data: { ttl: '5s', wait: '30s' }, line: 3, column: 70, endLine: 3, endColumn: 101 }],
    },
    {
      code: "await locks.lock('a:b:c', 5, { autoExtend: false }).block(30);",
      errors: [{ messageId: 'ttlShorterThanWait', data: { ttl: '5s', wait: '30s' }, line: 1, column: 53, endLine: 1, endColumn: 62 }],
    },
    {
      code: "await locks.lock('a:b:c', 5, { owner: token }).block(30);",
      errors: [{ messageId: 'ttlShorterThanWait', line: 1, column: 48, endLine: 1, endColumn: 57 }],
    },
    {
      // Equal is reported when asked.
      code: "await locks.lock('a:b:c', 30).block('30s');",
      options: [{ allowEqual: false }],
      errors: [{ messageId: 'ttlEqualsWait', data: { ttl: '30s', wait: '30s' }, line: 1, column: 31, endLine: 1, endColumn: 43 }],
    },
    {
      // With allowEqual: false, shorter is still "shorter".
      code: "await locks.lock('a:b:c', 10).block(30);",
      options: [{ allowEqual: false }],
      errors: [{ messageId: 'ttlShorterThanWait', line: 1, column: 31, endLine: 1, endColumn: 40 }],
    },
    {
      // createLocks() from locksmith, in a class, through the manager in a field.
      code: code`
        import { createLocks } from 'locksmith-js';
        export class LabelService {
          private readonly locks = createLocks();
          async generate(facility: string, tag: string): Promise<void> {
            const lock = this.locks.lock(\`label:generate:\${facility}:\${tag}\`, 10);
            if (!(await lock.block(60))) return;
            try {
              await this.print(tag);
            } finally {
              await lock.release();
            }
          }
        }
      `,
      errors: [{ messageId: 'ttlShorterThanWait', data: { ttl: '10s', wait: '60s' }, line: 6, column: 22, endLine: 6, endColumn: 31 }],
    },
    {
      // A lock held in a class field.
      code: code`
        export class Importer {
          private readonly lock = locks.lock('import:batch:nightly', 60);
          async run() {
            await this.lock.block(120, () => this.importAll());
          }
        }
      `,
      errors: [{ messageId: 'ttlShorterThanWait', data: { ttl: '60s', wait: '120s' }, line: 4, column: 21, endLine: 4, endColumn: 55 }],
    },
    {
      // A variable assigned several locks, every one too short.
      code: code`
        export async function pick(urgent: boolean) {
          let lock = locks.lock('a:b:quick', 5);
          if (urgent) lock = locks.lock('a:b:other', '10s');
          await lock.block(30, () => work());
        }
      `,
      errors: [{ messageId: 'ttlShorterThanWait', data: { ttl: '10s', wait: '30s' }, line: 4, column: 14, endLine: 4, endColumn: 37 }],
    },
    {
      // CommonJS require of locksmith.
      code: code`
        const { createLocks } = require('locksmith-js');
        const locks = createLocks();
        module.exports = async function job() {
          await locks.lock('report:daily:build', '1m').block('10m', () => build());
        };
      `,
      languageOptions: commonjs,
      errors: [{ messageId: 'ttlShorterThanWait', data: { ttl: '60s', wait: '600s' }, line: 4, column: 48, endLine: 4, endColumn: 75 }],
    },
    {
      // Plain JavaScript (espree).
      code: "const lock = locks.lock('a:b:c', 1); await lock.block(2);",
      languageOptions: esm,
      errors: [{ messageId: 'ttlShorterThanWait', data: { ttl: '1s', wait: '2s' }, line: 1, column: 49, endLine: 1, endColumn: 57 }],
    },
  ],
});
