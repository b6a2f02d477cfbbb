import rule from '../../rules/no-force-release.js';
import { code, commonjs, RuleTester, tested } from './support/rule-tester.js';
import { VALID_CORPUS } from './support/valid-corpus.js';

const ruleTester = new RuleTester();

const adminTool = code`
  export async function unlock(key: string) {
    await Cache.lock(key).forceRelease();
  }
`;

ruleTester.run('no-force-release', tested(rule), {
  valid: [
    ...VALID_CORPUS,
    // Files the project allows: exact, directory glob, extension glob, dot folders.
    { code: adminTool, filename: 'scripts/unlock.ts', options: [{ allowFiles: ['scripts/**'] }] },
    { code: adminTool, filename: 'src/admin/locks.ts', options: [{ allowFiles: ['src/admin/*.ts'] }] },
    { code: adminTool, filename: 'bin/locks.ts', options: [{ allowFiles: ['bin/locks.ts'] }] },
    { code: adminTool, filename: '.ops/unlock.ts', options: [{ allowFiles: ['.ops/**'] }] },
    { code: adminTool, filename: 'tools/deep/nested/unlock.ts', options: [{ allowFiles: ['src/**', 'tools/**/unlock.ts'] }] },
    // release() and restoreLock(…).release() are the ordinary ways.
    code`
      export async function done(name: string, owner: string) {
        await Cache.restoreLock(name, owner).release();
      }
    `,
    // A forceRelease of something that is not a locksmith lock.
    code`
      export async function other(redlock: Redlock, lease: { forceRelease(): Promise<void> }) {
        await lease.forceRelease();
        await redlock.forceRelease('a');
        await this.pool.forceRelease();
      }
    `,
    // A property named forceRelease, not called.
    code`
      export const admin = { forceRelease: true, release: Cache.lock('a:b:c', 5).release };
    `,
    // Mentioned in a string or a comment.
    code`
      // lock.forceRelease() is for admins only
      export const help = 'use lock.forceRelease() in scripts/unlock.ts';
    `,
    // A user-defined helper with the same name.
    code`
      function forceRelease(key: string) { return key; }
      export const k = forceRelease('a:b:c');
    `,
    // Typed only by annotation from another package.
    code`
      import type { Lock } from 'other-lock';
      export async function f(lock: Lock) { await lock.forceRelease(); }
    `,
    // An isLocked() check and a restore: no force.
    code`
      export async function g(key: string, owner: string) {
        if (await Cache.lock(key).isLocked()) await Cache.restoreLock(key, owner).release();
      }
    `,
    // CommonJS, allowed by glob.
    {
      code: code`
        const locks = require('locksmith-js').createLocks();
        exports.unlock = (key) => locks.lock(key).forceRelease();
      `,
      languageOptions: commonjs,
      filename: 'admin/unlock.cjs',
      options: [{ allowFiles: ['admin/*.cjs'] }],
    },
  ],
  invalid: [
    // The document's admin tool, in a file nobody allowed.
    { code: adminTool, errors: [{ messageId: 'forceRelease', line: 2, column: 25, endLine: 2, endColumn: 39 }] },
    // Allowed elsewhere, not here.
    {
      code: adminTool,
      filename: 'src/jobs/unlock.ts',
      options: [{ allowFiles: ['scripts/**', 'src/admin/**'] }],
      errors: [{ messageId: 'forceRelease', line: 2, column: 25, endLine: 2, endColumn: 39 }],
    },
    // On a lock variable, a field, a restored lock, and under `?.`.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export class Jobs {
          private lock = locks.lock('jobs:queue:main', 30);
          async reset(name: string, owner: string) {
            const stuck = locks.lock(name, 30);
            await stuck.forceRelease();
            await this.lock.forceRelease();
            await locks.restoreLock(name, owner).forceRelease();
            await locks.lock(name)?.forceRelease();
          }
        }
      `,
      errors: [
        { messageId: 'forceRelease', line: 7, column: 17, endLine: 7, endColumn: 31 },
        { messageId: 'forceRelease', line: 8, column: 21, endLine: 8, endColumn: 35 },
        { messageId: 'forceRelease', line: 9, column: 42, endLine: 9, endColumn: 56 },
        { messageId: 'forceRelease', line: 10, column: 29, endLine: 10, endColumn: 43 },
      ],
    },
    // Not awaited, inside a catch: still breaks the holder's exclusion.
    {
      code: code`
        export async function recover(key: string) {
          try {
            await work();
          } catch {
            void Cache.lock(key, 30).forceRelease();
          }
        }
      `,
      errors: [{ messageId: 'forceRelease', line: 5, column: 30, endLine: 5, endColumn: 44 }],
    },
    // CommonJS.
    {
      code: code`
        const locks = require('locksmith-js').createLocks();
        exports.unlock = (key) => locks.lock(key).forceRelease();
      `,
      languageOptions: commonjs,
      errors: [{ messageId: 'forceRelease', line: 2, column: 43, endLine: 2, endColumn: 57 }],
    },
  ],
});
