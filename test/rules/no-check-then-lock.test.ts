import rule from '../../rules/no-check-then-lock.js';
import { code, commonjs, RuleTester, tested } from './support/rule-tester.js';
import { VALID_CORPUS } from './support/valid-corpus.js';

const ruleTester = new RuleTester();

ruleTester.run('no-check-then-lock', tested(rule), {
  valid: [
    ...VALID_CORPUS,
    // The fix: acquire and test the result.
    code`
      export async function f(label: string) {
        const lock = Cache.lock(\`process:package:\${label}\`, 120);
        if (!(await lock.get())) return 'busy';
        try { await work(); } finally { await lock.release(); }
      }
    `,
    // Checked after acquiring (a health probe), or for another name.
    code`
      export async function g() {
        const lock = Cache.lock('a:b:c', 30);
        await lock.block(5);
        try {
          if (await Cache.lock('x:y:z', 30).isLocked()) log('other busy');
          if (await lock.isLocked()) log('still held');
        } finally {
          await lock.release();
        }
      }
    `,
    // Tested, but nothing acquired afterwards in the function.
    code`
      export async function h(label: string) {
        if (await Cache.lock(\`process:package:\${label}\`, 120).isLocked()) return 'busy';
        return 'free';
      }
    `,
    // Acquired in a callback that runs later: not the same moment.
    code`
      export async function i() {
        const lock = Cache.lock('a:b:c', 30);
        if (await lock.isLocked()) return;
        setTimeout(async () => { await lock.get(); }, 1000);
      }
    `,
    // Dynamic names never match.
    code`
      export async function j(a: string, b: string) {
        if (await Cache.lock(a, 30).isLocked()) return;
        await Cache.lock(b, 30).get(() => work());
      }
    `,
    // Two dynamic names from the same variable are still not compared.
    code`
      export async function k(id: string) {
        if (await Cache.lock(\`a:b:\${id}\`, 30).isLocked()) return;
        await Cache.lock(\`a:b:\${id}\`, 30).block(5, () => work());
      }
    `,
    // The answer only reported (not tested) before acquiring.
    code`
      export async function l() {
        const lock = Cache.lock('a:b:c', 30);
        metrics.gauge('busy', await lock.isLocked());
        await lock.block(5, () => work());
      }
    `,
    // A status endpoint returning the boolean.
    code`
      export async function m() {
        return { busy: await Cache.lock('a:b:c', 30).isLocked() };
      }
    `,
    // isOwnedByCurrentProcess() is a different question (about this handle).
    code`
      export async function n() {
        const lock = Cache.lock('a:b:c', 30);
        if (await lock.isOwnedByCurrentProcess()) return;
        await lock.block(5, () => work());
      }
    `,
    // Not awaited: the floating rule's business.
    code`
      export async function o() {
        const lock = Cache.lock('a:b:c', 30);
        const pending = lock.isLocked();
        await lock.block(5, () => work());
        return pending;
      }
    `,
    // Not a locksmith lock.
    code`
      export async function p(mutex: { isLocked(): boolean; acquire(): Promise<void>; get(): Promise<void> }) {
        if (mutex.isLocked()) return;
        await mutex.get();
      }
    `,
    // Checked in one function, acquired in another.
    code`
      const lock = Cache.lock('a:b:c', 30);
      export async function busy() { return (await lock.isLocked()) ? 'busy' : 'free'; }
      export async function run() { await lock.block(5, () => work()); }
    `,
    // CommonJS, tested after the release.
    {
      code: code`
        const locks = require('locksmith-js').createLocks();
        exports.run = async () => {
          await locks.lock('run:job:main', 30).block(5, () => work());
          if (await locks.lock('run:job:main', 30).isLocked()) throw new Error('leaked');
        };
      `,
      languageOptions: commonjs,
    },
  ],
  invalid: [
    // The shape: isLocked() then get() of the same handle.
    {
      code: code`
        export async function processPackage(label: string) {
          const lock = Cache.lock(\`process:package:\${label}\`, 120);
          if (await lock.isLocked()) return 'busy';
          if (!(await lock.get())) return 'busy';
          try { await work(); } finally { await lock.release(); }
        }
      `,
      errors: [{ messageId: 'checkThenLock', data: { line: 4 }, line: 3, column: 18, endLine: 3, endColumn: 28 }],
    },
    // Two handles, one static name; negated and through a variable.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function importBatch() {
          const busy = await locks.lock('import:batch:daily', 120).isLocked();
          if (!busy) {
            await locks.lock('import:batch:daily', 120).block(30, () => run());
          }
        }
      `,
      errors: [{ messageId: 'checkThenLock', data: { line: 6 }, line: 4, column: 60, endLine: 4, endColumn: 70 }],
    },
    // In a loop condition, and with && before an acquisition.
    {
      code: code`
        const NAME = 'report:build:nightly';
        export async function wait() {
          const lock = Cache.lock(NAME, 300);
          while (await lock.isLocked()) await sleep(100);
          await lock.block(1);
          try { await build(); } finally { await lock.release(); }
        }
        export async function maybe() {
          (await Cache.lock(NAME, 300).isLocked()) || (await Cache.lock(NAME, 300).get(() => build()));
        }
      `,
      errors: [
        { messageId: 'checkThenLock', data: { line: 5 }, line: 4, column: 21, endLine: 4, endColumn: 31 },
        { messageId: 'checkThenLock', data: { line: 9 }, line: 9, column: 32, endLine: 9, endColumn: 42 },
      ],
    },
    // A lock field.
    {
      code: code`
        export class Leader {
          private lock = Cache.lock('leader:scheduler:main', 30);
          async tick() {
            if (await this.lock.isLocked()) return;
            if (await this.lock.get()) {
              try { await this.schedule(); } finally { await this.lock.release(); }
            }
          }
          private async schedule() {}
        }
      `,
      errors: [{ messageId: 'checkThenLock', data: { line: 5 }, line: 4, column: 25, endLine: 4, endColumn: 35 }],
    },
    // CommonJS, compared with false.
    {
      code: code`
        const locks = require('locksmith-js').createLocks();
        exports.run = async () => {
          const lock = locks.lock('run:job:main', 30);
          if ((await lock.isLocked()) === false) await lock.block(5, () => work());
        };
      `,
      languageOptions: commonjs,
      errors: [{ messageId: 'checkThenLock', data: { line: 4 }, line: 4, column: 19, endLine: 4, endColumn: 29 }],
    },
  ],
});
