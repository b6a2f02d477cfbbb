import rule from '../../rules/no-release-without-acquire.js';
import { code, commonjs, RuleTester, tested } from './support/rule-tester.js';
import { VALID_CORPUS } from './support/valid-corpus.js';

const ruleTester = new RuleTester();

ruleTester.run('no-release-without-acquire', tested(rule), {
  valid: [
    ...VALID_CORPUS,
    // Acquired in another function of the file (a handle kept in a module variable).
    code`
      const lock = Cache.lock('cron:job:nightly', 3600);
      export async function start() { return lock.get(); }
      export async function stop() { await lock.release(); }
    `,
    // Acquired with the closure form, then released again (harmless, not this rule's).
    code`
      export async function f() {
        const lock = Cache.lock('a:b:c', 30);
        await lock.block(5, async () => work());
        await lock.release();
      }
    `,
    // The closure's own lock, released early inside it.
    code`
      export async function early() {
        return Cache.lock('a:b:c', 30).get(async ({ lock }) => {
          await lock.release();
          return 1;
        });
      }
    `,
    // A parameter: whoever passed it acquired it.
    code`
      export async function g(lock: { release(): Promise<boolean> }) { await lock.release(); }
      export async function h(lock = Cache.lock('a:b:c', 30)) { await lock.release(); }
    `,
    // Passed to a helper that may acquire it.
    code`
      export async function i() {
        const lock = Cache.lock('a:b:c', 30);
        await acquireWithRetry(lock);
        await lock.release();
      }
    `,
    // Returned, stored on an object, aliased: escapes.
    code`
      export async function j() {
        const lock = Cache.lock('a:b:c', 30);
        registry.current = lock;
        await lock.release();
      }
      export async function k() {
        const lock = Cache.lock('a:b:c', 30);
        const alias = lock;
        await alias.get();
        await lock.release();
      }
    `,
    // An owner given in the options: the handle is another owner's, as with restoreLock().
    code`
      export async function l(owner: string, options: object) {
        await Cache.lock('a:b:c', 30, { owner }).release();
        const other = Cache.lock('a:b:c', 30, options);
        await other.release();
      }
    `,
    // Reassigned from something that is not a lock creation.
    code`
      export async function m() {
        let lock = Cache.lock('a:b:c', 30);
        lock = await takeOver();
        await lock.release();
      }
    `,
    // A field: set elsewhere, acquired elsewhere.
    code`
      export class Worker {
        private lock = Cache.lock('worker:queue:main', 30);
        async stop() { await this.lock.release(); }
      }
    `,
    // Exported: other modules acquire it.
    code`
      export const shared = Cache.lock('a:b:c', 30);
      export async function stop() { await shared.release(); }
    `,
    // await using: disposal, not this code's release, is the point.
    code`
      export async function n() {
        await using lock = Cache.lock('a:b:c', 30);
        await lock.release();
      }
    `,
    // forceRelease() on a fresh handle is the documented admin way.
    code`
      export async function o(key: string) { await Cache.lock(key).forceRelease(); }
    `,
    // Not a lock manager.
    code`
      export async function p(pool: Pool) {
        await pool.lock('x').release();
        const conn = pool.lock('y');
        await conn.release();
      }
    `,
    // CommonJS, acquired.
    {
      code: code`
        const locks = require('locksmith-js').createLocks();
        exports.run = async () => {
          const lock = locks.lock('run:job:main', 30);
          if (await lock.get()) await lock.release();
        };
      `,
      languageOptions: commonjs,
    },
  ],
  invalid: [
    // The example: a fresh handle released.
    {
      code: code`
        export async function unlock(key: string) {
          await Cache.lock(key, 30).release();
        }
      `,
      errors: [{ messageId: 'freshHandle', line: 2, column: 29, endLine: 2, endColumn: 38 }],
    },
    // A handle made, then released in finally, but never acquired.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function sync(id: string) {
          const lock = locks.lock(\`sync:item:\${id}\`, 30);
          try {
            await syncItem(id);
          } finally {
            await lock.release();
          }
        }
      `,
      errors: [{ messageId: 'neverAcquired', data: { name: 'lock' }, line: 8, column: 16, endLine: 8, endColumn: 25 }],
    },
    // Checked with isLocked(), then "released": still never acquired; and a second creation, still fresh.
    {
      code: code`
        export async function clear(key: string) {
          let lock = Cache.lock(key, 30);
          if (await lock.isLocked()) await lock.release();
          lock = Cache.lock(key, 60);
          await lock.release();
        }
      `,
      errors: [
        { messageId: 'neverAcquired', data: { name: 'lock' }, line: 3, column: 41, endLine: 3, endColumn: 50 },
        { messageId: 'neverAcquired', data: { name: 'lock' }, line: 5, column: 14, endLine: 5, endColumn: 23 },
      ],
    },
    // An options object without an owner does not change the token.
    {
      code: code`
        export async function f() {
          await Cache.lock('a:b:c', 30, { fair: false }).release();
        }
      `,
      errors: [{ messageId: 'freshHandle', line: 2, column: 50, endLine: 2, endColumn: 59 }],
    },
    // CommonJS.
    {
      code: code`
        const locks = require('locksmith-js').createLocks();
        exports.unlock = (key) => locks.lock(key, 30).release();
      `,
      languageOptions: commonjs,
      errors: [{ messageId: 'freshHandle', line: 2, column: 47, endLine: 2, endColumn: 56 }],
    },
  ],
});
