import rule from '../../rules/no-boolean-block.js';
import { code, commonjs, RuleTester, tested } from './support/rule-tester.js';
import { VALID_CORPUS } from './support/valid-corpus.js';

const ruleTester = new RuleTester();

ruleTester.run('no-boolean-block', tested(rule), {
  valid: [
    ...VALID_CORPUS,
    // Awaited as a statement: the timeout propagates, which is the point of block().
    code`
      export async function a(id: string) {
        const lock = Cache.lock(\`a:b:\${id}\`, 30);
        await lock.block(5);
        try { await work(); } finally { await lock.release(); }
      }
    `,
    // The closure form's result is the closure's: testing it is fine.
    code`
      export async function b(id: string) {
        if (await Cache.lock(\`a:b:\${id}\`, 30).block(5, async () => check(id))) notify();
        const ok = await Cache.lock('a:b:c', 30).block(5, () => true);
        return ok ? 1 : 2;
      }
    `,
    // get() resolves a boolean: testing it is the idiom.
    code`
      export async function c() {
        const lock = Cache.lock('a:b:c', 30);
        if (!(await lock.get())) return;
        try { await work(); } finally { await lock.release(); }
      }
    `,
    // Returned or passed on: the caller decides.
    code`
      export async function d() {
        const lock = Cache.lock('a:b:c', 30);
        return lock.block(5);
      }
      export async function e() {
        const lock = Cache.lock('a:b:c', 30);
        record(await lock.block(5));
        return { acquired: await lock.block(1) };
      }
    `,
    // A variable holding the result but never tested.
    code`
      export async function f() {
        const lock = Cache.lock('a:b:c', 30);
        const acquired = await lock.block(5);
        log('acquired', acquired);
        try { await work(); } finally { await lock.release(); }
      }
    `,
    // Not a locksmith lock: other libraries' block() may return booleans.
    code`
      export async function g(queue: { block(ms: number): Promise<boolean> }) {
        if (!(await queue.block(5))) return;
        const redis = connect();
        if (await redis.block(1)) done();
      }
    `,
    // The promise itself (no await) is no-floating-lock-call's business.
    code`
      export async function h() {
        const lock = Cache.lock('a:b:c', 30);
        return Promise.race([lock.block(5), timeout()]);
      }
    `,
    // A reassigned variable is not followed.
    code`
      export async function i() {
        const lock = Cache.lock('a:b:c', 30);
        let ok = await lock.block(5);
        ok = await other();
        if (!ok) return;
      }
    `,
    // get() in a condition next to block() as a statement.
    code`
      export async function j() {
        const lock = Cache.lock('a:b:c', 30);
        if (await lock.get()) { try { await work(); } finally { await lock.release(); } }
        else { await lock.block(5); try { await work(); } finally { await lock.release(); } }
      }
    `,
    // In a sequence, discarded: not a test.
    code`
      export async function k() {
        const lock = Cache.lock('a:b:c', 30);
        (await lock.block(5), await work());
        await lock.release();
      }
    `,
    // Right side of && as a statement: its value is thrown away.
    code`
      export async function l(ready: boolean) {
        const lock = Cache.lock('a:b:c', 30);
        ready && (await lock.block(5));
      }
    `,
    // Compared with something other than a boolean literal.
    code`
      export async function m() {
        const lock = Cache.lock('a:b:c', 30);
        expect(await lock.block(5)).toBe(true);
      }
    `,
    // A `block` method of an unrelated object literal.
    code`
      const api = { async block(_: number) { return false; } };
      export async function n() { if (!(await api.block(1))) return; }
    `,
  ],
  invalid: [
    // The guard the issue names: the fallback never runs; the suggestion catches the timeout instead.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function sync(id: string) {
          const lock = locks.lock(\`sync:item:\${id}\`, 30);
          if (!(await lock.block(5))) {
            log('busy', id);
            return;
          }
          try { await work(id); } finally { await lock.release(); }
        }
      `,
      errors: [
        {
          messageId: 'booleanBlock',
          line: 5, column: 20, endLine: 5, endColumn: 28,
          suggestions: [
            {
              messageId: 'suggestCatchTimeout',
              output: code`
                import { createLocks, LockTimeoutError } from 'locksmith-js';
                const locks = createLocks();
                export async function sync(id: string) {
                  const lock = locks.lock(\`sync:item:\${id}\`, 30);
                  try {
                    await lock.block(5);
                  } catch (error) {
                    if (!(error instanceof LockTimeoutError)) throw error;
                    log('busy', id);
                    return;
                  }
                  try { await work(id); } finally { await lock.release(); }
                }
              `,
            },
          ],
        },
      ],
    },
    // `=== false`, with LockTimeoutError already imported and `error` used by the fallback.
    {
      code: code`
        import { createLocks, LockTimeoutError } from 'locksmith-js';
        const locks = createLocks();
        export async function run(error: string) {
          const lock = locks.lock('run:job:main', 30);
          if ((await lock.block(5)) === false) return error;
          try { await work(); } finally { await lock.release(); }
        }
      `,
      errors: [
        {
          messageId: 'booleanBlock',
          line: 5, column: 19, endLine: 5, endColumn: 27,
          suggestions: [
            {
              messageId: 'suggestCatchTimeout',
              output: code`
                import { createLocks, LockTimeoutError } from 'locksmith-js';
                const locks = createLocks();
                export async function run(error: string) {
                  const lock = locks.lock('run:job:main', 30);
                  try {
                    await lock.block(5);
                  } catch (lockError) {
                    if (!(lockError instanceof LockTimeoutError)) throw lockError;
                    return error;
                  }
                  try { await work(); } finally { await lock.release(); }
                }
              `,
            },
          ],
        },
      ],
    },
    // The document's shape: a positive test with a dead else (Cache is a facade: no import to extend).
    {
      code: code`
        export async function sync(facility: string) {
          const lock = Cache.lock(\`sync:facility:\${facility}\`, 60);
          if (await lock.block(10)) {
            try { await pull(facility); } finally { await lock.release(); }
          } else {
            throw new Error('busy');
          }
        }
      `,
      errors: [{ messageId: 'booleanBlock', line: 3, column: 18, endLine: 3, endColumn: 27, suggestions: [] }],
    },
    // && and ?: and a while loop.
    {
      code: code`
        export async function many() {
          const lock = Cache.lock('many:job:main', 30);
          (await lock.block(5)) && (await work());
          const state = (await Cache.lock('many:job:other', 30).block(1)) ? 'held' : 'busy';
          while (!(await lock.block(1))) await sleep(10);
          return state;
        }
      `,
      errors: [
        { messageId: 'booleanBlock', line: 3, column: 15, endLine: 3, endColumn: 23, suggestions: [] },
        { messageId: 'booleanBlock', line: 4, column: 57, endLine: 4, endColumn: 65, suggestions: [] },
        { messageId: 'booleanBlock', line: 5, column: 23, endLine: 5, endColumn: 31, suggestions: [] },
      ],
    },
    // Assigned, then tested.
    {
      code: code`
        export async function stored() {
          const lock = Cache.lock('stored:job:main', 30);
          const acquired = await lock.block(5);
          if (!acquired) return;
          try { await work(); } finally { await lock.release(); }
        }
      `,
      errors: [{ messageId: 'booleanBlockVariable', data: { name: 'acquired' }, line: 3, column: 31, endLine: 3, endColumn: 39, suggestions: [] }],
    },
    // `!== true` inside an || with a type assertion; CommonJS (no import to extend: no suggestion).
    {
      code: code`
        const { createLocks } = require('locksmith-js');
        const locks = createLocks();
        exports.go = async (skip) => {
          const lock = locks.lock('go:job:main', 30);
          if (skip || (await lock.block(5)) !== true) return;
          await lock.release();
        };
      `,
      languageOptions: commonjs,
      errors: [{ messageId: 'booleanBlock', line: 5, column: 27, endLine: 5, endColumn: 35, suggestions: [] }],
    },
  ],
});
