import rule from '../../rules/require-ttl.js';
import { code, commonjs, RuleTester, tested } from './support/rule-tester.js';
import { VALID_CORPUS } from './support/valid-corpus.js';

const ruleTester = new RuleTester();

ruleTester.run('require-ttl', tested(rule), {
  valid: [
    ...VALID_CORPUS,
    // Every duration form.
    code`
      const MINUTE = 60;
      export function ttls(id: string, ttl: number) {
        return [
          Cache.lock(\`a:b:\${id}\`, 30),
          Cache.lock(\`a:b:\${id}\`, 0.25),
          Cache.lock(\`a:b:\${id}\`, '250ms'),
          Cache.lock(\`a:b:\${id}\`, 5 * MINUTE),
          Cache.lock(\`a:b:\${id}\`, 1_000),
          Cache.lock(\`a:b:\${id}\`, ttl),
          Cache.lock(\`a:b:\${id}\`, config.lockTtl),
        ];
      }
    `,
    // A spread may carry the TTL.
    code`
      const args: [string, number] = ['a:b:c', 30];
      export const lock = Cache.lock(...args);
    `,
    // restoreLock() takes over a lock made elsewhere: it has no TTL argument.
    code`
      export async function resume(name: string, owner: string) {
        const lock = Cache.restoreLock(name, owner);
        await lock.release();
      }
    `,
    // A handle used once for something that never acquires needs no TTL.
    code`
      export async function admin(key: string) {
        const busy = await Cache.lock(key).isLocked();
        await Cache.lock(key).isOwnedByCurrentProcess();
        return busy;
      }
    `,
    // Not a lock manager.
    code`
      export async function other(db: Db, file: FileHandle) {
        await db.lock('table');
        await file.lock();
        const mutex = new Mutex();
        await mutex.lock();
      }
    `,
    // allowNames: a static name, a pattern over a dynamic scope, and a name made of a constant.
    {
      code: code`
        const LEADER = 'leader:election:main';
        export function forever(shard: string) {
          return [Cache.lock(LEADER), Cache.lock(\`singleton:worker:\${shard}\`, 0), Cache.lock('leader:election:main', 0)];
        }
      `,
      options: [{ allowNames: ['leader:election:main', 'singleton:worker:*'] }],
    },
    // allowExplicitZero: a written 0 is a decision.
    {
      code: code`
        export const forever = Cache.lock('leader:election:main', 0);
        export const alsoForever = Cache.lock('leader:election:main', '0s');
      `,
      options: [{ allowExplicitZero: true }],
    },
    // A pattern that covers the whole name with a wildcard in the middle.
    {
      code: code`
        export const l = (id: string) => Cache.lock(\`cron:\${id}:nightly\`);
      `,
      options: [{ allowNames: ['cron:*:nightly'] }],
    },
    // An undefined TTL argument is not statically 0 (the runtime decides).
    code`
      export const l = (ttl?: number) => Cache.lock('a:b:c', ttl);
    `,
    // CommonJS, with a TTL.
    {
      code: code`
        const { createLocks } = require('locksmith-js');
        const locks = createLocks();
        module.exports = (id) => locks.lock('job:run:' + id, 30);
      `,
      languageOptions: commonjs,
    },
    // A manager from settings.
    {
      code: code`
        export const l = mutexes.lock('a:b:c', 10);
      `,
      settings: { locksmith: { lockFactories: ['mutexes'] } },
    },
    // The name `lock` on a non-manager receiver.
    code`
      export const l = this.storage.lock('a:b:c');
      export const m = redlock.lock(['a'], 1000);
    `,
  ],
  invalid: [
    // No TTL at all, in the document's naming style.
    {
      code: code`
        export async function processPackage(label: string) {
          const lock = Cache.lock(\`process:package:\${label}\`);
          if (!(await lock.get())) return;
          try { await work(); } finally { await lock.release(); }
        }
      `,
      errors: [{ messageId: 'noTtl', line: 2, column: 22, endLine: 2, endColumn: 54 }],
    },
    // A static 0 in every form the evaluator knows.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const NEVER = 0;
        const locks = createLocks();
        export const a = locks.lock('a:b:c', 0);
        export const b = locks.lock('a:b:c', NEVER);
        export const c = locks.lock('a:b:c', '0ms');
        export const d = locks.lock('a:b:c', 5 * 0);
      `,
      errors: [
        { messageId: 'zeroTtl', line: 4, column: 24, endLine: 4, endColumn: 40 },
        { messageId: 'zeroTtl', line: 5, column: 24, endLine: 5, endColumn: 44 },
        { messageId: 'zeroTtl', line: 6, column: 24, endLine: 6, endColumn: 44 },
        { messageId: 'zeroTtl', line: 7, column: 24, endLine: 7, endColumn: 44 },
      ],
    },
    // A chained acquisition with no TTL; the underline is `lock(…)` only.
    {
      code: code`
        export async function sync(facility: string) {
          await Cache.lock(\`sync:facility:\${facility}\`)
            .block(10, async () => pull(facility));
        }
      `,
      errors: [{ messageId: 'noTtl', line: 2, column: 15, endLine: 2, endColumn: 48 }],
    },
    // allowNames that do not match: a literal pattern does not match a dynamic scope.
    {
      code: code`
        export const l = (shard: string) => Cache.lock(\`leader:election:\${shard}\`);
      `,
      options: [{ allowNames: ['leader:election:main'] }],
      errors: [{ messageId: 'noTtl', line: 1, column: 43, endLine: 1, endColumn: 75 }],
    },
    // allowExplicitZero does not excuse an omitted TTL.
    {
      code: code`
        export const l = Cache.lock('leader:election:main');
      `,
      options: [{ allowExplicitZero: true }],
      errors: [{ messageId: 'noTtl', line: 1, column: 24, endLine: 1, endColumn: 52 }],
    },
    // A field and an options argument with no TTL in front of it.
    {
      code: code`
        import type { LockManager } from 'locksmith-js';
        export class Worker {
          private lock = this.locks.lock('worker:queue:main', 0, { fair: false });
          constructor(private locks: LockManager) {}
        }
      `,
      errors: [{ messageId: 'zeroTtl', line: 3, column: 29, endLine: 3, endColumn: 74 }],
    },
    // CommonJS.
    {
      code: code`
        const locks = require('locksmith-js').createLocks();
        exports.l = locks.lock('cron:job:nightly');
      `,
      languageOptions: commonjs,
      errors: [{ messageId: 'noTtl', line: 2, column: 19, endLine: 2, endColumn: 43 }],
    },
  ],
});
