/**
 * The library profiles through every rule that applies to them: redlock (v5 and @sesamecare-oss/redlock),
 * redis-semaphore and async-mutex. Each invalid case pins the exact range; the shared corpus of each library's
 * correct idioms is every rule's valid set, plus the settings that switch a profile off or extend it.
 */
import requireReleaseInFinally, { type MessageIds as requireReleaseInFinallyIds, type Options as requireReleaseInFinallyOptions } from '../../rules/require-release-in-finally.js';
import noFloatingLockCall, { type MessageIds as noFloatingLockCallIds, type Options as noFloatingLockCallOptions } from '../../rules/no-floating-lock-call.js';
import noUncheckedGet, { type MessageIds as noUncheckedGetIds, type Options as noUncheckedGetOptions } from '../../rules/no-unchecked-get.js';
import noTtlShorterThanWait, { type MessageIds as noTtlShorterThanWaitIds, type Options as noTtlShorterThanWaitOptions } from '../../rules/no-ttl-shorter-than-wait.js';
import noLockAroundRead, { type MessageIds as noLockAroundReadIds, type Options as noLockAroundReadOptions } from '../../rules/no-lock-around-read.js';
import keyNamingConvention, { type MessageIds as keyNamingConventionIds, type Options as keyNamingConventionOptions } from '../../rules/key-naming-convention.js';
import type { InvalidTestCase } from '@typescript-eslint/rule-tester';
import type { TSESLint } from '@typescript-eslint/utils';
import { code, RuleTester, tested } from './support/rule-tester.js';
import { LIBRARY_IDIOMS } from './support/valid-corpus.js';

const ruleTester = new RuleTester();

/** Each profile switched off: the same code is nobody's lock. */
const OFF = { locksmith: { libraries: { redlock: false, 'redis-semaphore': false, 'async-mutex': false } } };

const INVALID_requireReleaseInFinally: InvalidTestCase<requireReleaseInFinallyIds, requireReleaseInFinallyOptions>[] = [
    {
      code: code`
        import Redlock from 'redlock';
        const redlock = new Redlock([client]);
        export async function f(id: string) {
          const lock = await redlock.acquire([\`pay:order:\${id}\`], 30_000);
          await charge(id);
        }
      `,
      errors: [
        { messageId: 'noRelease', line: 4, column: 30, endLine: 4, endColumn: 66,
          suggestions: [{ messageId: 'suggestTryFinally', output: code`
        import Redlock from 'redlock';
        const redlock = new Redlock([client]);
        export async function f(id: string) {
          const lock = await redlock.acquire([\`pay:order:\${id}\`], 30_000);
          try {
            await charge(id);
          } finally {
            await lock.release();
          }
        }
      ` }] },
      ],
    },
    {
      code: code`
        import Redlock from 'redlock';
        const redlock = new Redlock([client]);
        export async function f(id: string) {
          const lock = await redlock.acquire([\`pay:order:\${id}\`], 30_000);
          await charge(id);
          await lock.release();
        }
      `,
      errors: [
        { messageId: 'releaseNotInFinally', line: 4, column: 30, endLine: 4, endColumn: 66,
          suggestions: [{ messageId: 'suggestTryFinally', output: code`
        import Redlock from 'redlock';
        const redlock = new Redlock([client]);
        export async function f(id: string) {
          const lock = await redlock.acquire([\`pay:order:\${id}\`], 30_000);
          try {
            await charge(id);
          } finally {
            await lock.release();
          }
        }
      ` }] },
      ],
    },
    {
      code: code`
        import { Redlock } from '@sesamecare-oss/redlock';
        const redlock = new Redlock([client], { retryCount: -1 });
        export async function f(id: string) {
          const lock = await redlock.acquire([\`pay:order:\${id}\`], 30_000);
          await charge(id);
          await redlock.release(lock);
        }
      `,
      errors: [
        { messageId: 'releaseNotInFinally', line: 4, column: 30, endLine: 4, endColumn: 66,
          suggestions: [{ messageId: 'suggestTryFinally', output: code`
        import { Redlock } from '@sesamecare-oss/redlock';
        const redlock = new Redlock([client], { retryCount: -1 });
        export async function f(id: string) {
          const lock = await redlock.acquire([\`pay:order:\${id}\`], 30_000);
          try {
            await charge(id);
          } finally {
            await lock.release();
          }
        }
      ` }] },
      ],
    },
    {
      code: code`
        import { Mutex, Semaphore } from 'redis-semaphore';
        export async function f(redis: any, id: string) {
          const mutex = new Mutex(redis, \`bill:customer:\${id}\`);
          await mutex.acquire();
          await bill(id);
          await mutex.release();
        }
      `,
      errors: [
        { messageId: 'releaseNotInFinally', line: 4, column: 15, endLine: 4, endColumn: 24,
          suggestions: [{ messageId: 'suggestTryFinally', output: code`
        import { Mutex, Semaphore } from 'redis-semaphore';
        export async function f(redis: any, id: string) {
          const mutex = new Mutex(redis, \`bill:customer:\${id}\`);
          await mutex.acquire();
          try {
            await bill(id);
          } finally {
            await mutex.release();
          }
        }
      ` }] },
      ],
    },
    {
      code: code`
        import { Mutex, Semaphore } from 'redis-semaphore';
        export async function f(redis: any) {
          const sem = new Semaphore(redis, 'export:report:all', 2);
          if (await sem.tryAcquire()) {
            await run();
          }
        }
      `,
      errors: [
        { messageId: 'noRelease', line: 4, column: 17, endLine: 4, endColumn: 29,
          suggestions: [{ messageId: 'suggestTryFinally', output: code`
        import { Mutex, Semaphore } from 'redis-semaphore';
        export async function f(redis: any) {
          const sem = new Semaphore(redis, 'export:report:all', 2);
          if (await sem.tryAcquire()) {
            try {
              await run();
            } finally {
              await sem.release();
            }
          }
        }
      ` }] },
      ],
    },
    {
      code: code`
        import { Mutex, Semaphore, withTimeout } from 'async-mutex';
        const mutex = new Mutex();
        export async function f() {
          const release = await mutex.acquire();
          await work();
          release();
        }
      `,
      errors: [
        { messageId: 'releaseNotInFinally', line: 4, column: 31, endLine: 4, endColumn: 40,
          suggestions: [{ messageId: 'suggestTryFinally', output: code`
        import { Mutex, Semaphore, withTimeout } from 'async-mutex';
        const mutex = new Mutex();
        export async function f() {
          const release = await mutex.acquire();
          try {
            await work();
          } finally {
            release();
          }
        }
      ` }] },
      ],
    },
    {
      code: code`
        import { Mutex, Semaphore, withTimeout } from 'async-mutex';
        const mutex = new Mutex();
        const pool = new Semaphore(3);
        export async function f() {
          const [, release] = await pool.acquire();
          await work();
        }
      `,
      errors: [
        { messageId: 'noRelease', line: 5, column: 34, endLine: 5, endColumn: 43,
          suggestions: [{ messageId: 'suggestTryFinally', output: code`
        import { Mutex, Semaphore, withTimeout } from 'async-mutex';
        const mutex = new Mutex();
        const pool = new Semaphore(3);
        export async function f() {
          const [, release] = await pool.acquire();
          try {
            await work();
          } finally {
            release();
          }
        }
      ` }] },
      ],
    },
];

const INVALID_noFloatingLockCall: InvalidTestCase<noFloatingLockCallIds, noFloatingLockCallOptions>[] = [
    {
      code: code`
        import Redlock from 'redlock';
        const redlock = new Redlock([client]);
        export async function f(id: string) {
          const lock = await redlock.acquire([\`pay:order:\${id}\`], 30_000);
          try { await charge(id); } finally { lock.release(); }
        }
      `,
      errors: [
        { messageId: 'floating', line: 5, column: 44, endLine: 5, endColumn: 53,
          suggestions: [{ messageId: 'addAwait', output: code`
        import Redlock from 'redlock';
        const redlock = new Redlock([client]);
        export async function f(id: string) {
          const lock = await redlock.acquire([\`pay:order:\${id}\`], 30_000);
          try { await charge(id); } finally { await lock.release(); }
        }
      ` }] },
      ],
    },
    {
      code: code`
        import Redlock from 'redlock';
        const redlock = new Redlock([client]);
        export async function f(id: string) {
          redlock.acquire([\`pay:order:\${id}\`], 30_000);
          redlock.using([\`pay:order:\${id}\`], 30_000, async () => charge(id));
        }
      `,
      errors: [
        { messageId: 'floating', line: 4, column: 11, endLine: 4, endColumn: 47,
          suggestions: [{ messageId: 'addAwait', output: code`
        import Redlock from 'redlock';
        const redlock = new Redlock([client]);
        export async function f(id: string) {
          await redlock.acquire([\`pay:order:\${id}\`], 30_000);
          redlock.using([\`pay:order:\${id}\`], 30_000, async () => charge(id));
        }
      ` }] },
        { messageId: 'floating', line: 5, column: 11, endLine: 5, endColumn: 69,
          suggestions: [{ messageId: 'addAwait', output: code`
        import Redlock from 'redlock';
        const redlock = new Redlock([client]);
        export async function f(id: string) {
          redlock.acquire([\`pay:order:\${id}\`], 30_000);
          await redlock.using([\`pay:order:\${id}\`], 30_000, async () => charge(id));
        }
      ` }] },
      ],
    },
    {
      code: code`
        import { Mutex, Semaphore } from 'redis-semaphore';
        export async function f(redis: any, id: string) {
          const mutex = new Mutex(redis, \`bill:customer:\${id}\`);
          if (mutex.tryAcquire()) await bill(id);
          mutex.release();
        }
      `,
      errors: [
        { messageId: 'alwaysTruthy', line: 4, column: 13, endLine: 4, endColumn: 25,
          suggestions: [{ messageId: 'addAwait', output: code`
        import { Mutex, Semaphore } from 'redis-semaphore';
        export async function f(redis: any, id: string) {
          const mutex = new Mutex(redis, \`bill:customer:\${id}\`);
          if (await mutex.tryAcquire()) await bill(id);
          mutex.release();
        }
      ` }] },
        { messageId: 'floating', line: 5, column: 9, endLine: 5, endColumn: 18,
          suggestions: [{ messageId: 'addAwait', output: code`
        import { Mutex, Semaphore } from 'redis-semaphore';
        export async function f(redis: any, id: string) {
          const mutex = new Mutex(redis, \`bill:customer:\${id}\`);
          if (mutex.tryAcquire()) await bill(id);
          await mutex.release();
        }
      ` }] },
      ],
    },
    {
      code: code`
        import { Mutex, Semaphore, withTimeout } from 'async-mutex';
        const mutex = new Mutex();
        export async function f() {
          mutex.acquire();
          mutex.runExclusive(() => work());
        }
      `,
      errors: [
        { messageId: 'floating', line: 4, column: 9, endLine: 4, endColumn: 18,
          suggestions: [{ messageId: 'addAwait', output: code`
        import { Mutex, Semaphore, withTimeout } from 'async-mutex';
        const mutex = new Mutex();
        export async function f() {
          await mutex.acquire();
          mutex.runExclusive(() => work());
        }
      ` }] },
        { messageId: 'floating', line: 5, column: 9, endLine: 5, endColumn: 35,
          suggestions: [{ messageId: 'addAwait', output: code`
        import { Mutex, Semaphore, withTimeout } from 'async-mutex';
        const mutex = new Mutex();
        export async function f() {
          mutex.acquire();
          await mutex.runExclusive(() => work());
        }
      ` }] },
      ],
    },
];

const INVALID_noUncheckedGet: InvalidTestCase<noUncheckedGetIds, noUncheckedGetOptions>[] = [
    {
      code: code`
        import { Mutex, Semaphore } from 'redis-semaphore';
        export async function f(redis: any, id: string) {
          const mutex = new Mutex(redis, \`bill:customer:\${id}\`);
          await mutex.tryAcquire();
          try { await bill(id); } finally { await mutex.release(); }
        }
      `,
      errors: [
        { messageId: 'discarded', line: 4, column: 15, endLine: 4, endColumn: 27 },
      ],
    },
    {
      code: code`
        import { Mutex, Semaphore } from 'redis-semaphore';
        export async function f(redis: any, id: string) {
          const mutex = new Mutex(redis, \`bill:customer:\${id}\`);
          const acquired = await mutex.tryAcquire();
          try { await bill(id); } finally { console.log(acquired); await mutex.release(); }
        }
      `,
      errors: [
        { messageId: 'neverTested', line: 4, column: 32, endLine: 4, endColumn: 44 },
      ],
    },
];

const INVALID_noTtlShorterThanWait: InvalidTestCase<noTtlShorterThanWaitIds, noTtlShorterThanWaitOptions>[] = [
    {
      code: code`
        import Redlock from 'redlock';
        const redlock = new Redlock([client]);
        export async function f(id: string) {
          await redlock.acquire([\`pay:order:\${id}\`], 2_000);
        }
      `,
      errors: [
        { messageId: 'libraryTtlShorterThanWait', line: 4, column: 17, endLine: 4, endColumn: 52 },
      ],
    },
    {
      code: code`
        import Redlock from 'redlock';
        const redlock = new Redlock([client]);
        export async function f(id: string) {
          await redlock.acquire([\`pay:order:\${id}\`], 60_000, { retryCount: 100, retryDelay: 1000 });
        }
      `,
      errors: [
        { messageId: 'libraryTtlShorterThanWait', line: 4, column: 17, endLine: 4, endColumn: 92 },
      ],
    },
    {
      code: code`
        import { Redlock } from '@sesamecare-oss/redlock';
        const redlock = new Redlock([client], { retryCount: -1 });
        export async function f(id: string) {
          await redlock.acquire([\`pay:order:\${id}\`], 60_000);
        }
      `,
      errors: [
        { messageId: 'libraryTtlShorterThanWait', line: 4, column: 17, endLine: 4, endColumn: 53 },
      ],
    },
    {
      code: code`
        import { Mutex, Semaphore } from 'redis-semaphore';
        export function f(redis: any, id: string) {
          return new Mutex(redis, \`bill:customer:\${id}\`, { refreshInterval: 0, lockTimeout: 1000 });
        }
      `,
      errors: [
        { messageId: 'libraryTtlShorterThanWait', line: 3, column: 10, endLine: 3, endColumn: 92 },
      ],
    },
    {
      code: code`
        import { Mutex, Semaphore } from 'redis-semaphore';
        export function f(redis: any) {
          return new Semaphore(redis, 'export:report:all', 3, {
            lockTimeout: 5_000,
            acquireTimeout: 20_000,
            refreshInterval: 0,
          });
        }
      `,
      errors: [
        { messageId: 'libraryTtlShorterThanWait', line: 3, column: 10, endLine: 7, endColumn: 5 },
      ],
    },
];

const INVALID_noLockAroundRead: InvalidTestCase<noLockAroundReadIds, noLockAroundReadOptions>[] = [
    {
      code: code`
        import Redlock from 'redlock';
        const redlock = new Redlock([client]);
        export async function f(id: string) {
          return redlock.using([\`read:order:\${id}\`], 5_000, async () => repo.findOne(id));
        }
      `,
      errors: [
        { messageId: 'lockAroundRead', line: 4, column: 18, endLine: 4, endColumn: 82 },
      ],
    },
    {
      code: code`
        import { Mutex, Semaphore, withTimeout } from 'async-mutex';
        const mutex = new Mutex();
        export async function f(key: string) {
          return mutex.runExclusive(() => cache.get(key));
        }
      `,
      errors: [
        { messageId: 'lockAroundRead', line: 4, column: 16, endLine: 4, endColumn: 50 },
      ],
    },
    {
      code: code`
        import { Mutex, Semaphore } from 'redis-semaphore';
        export async function f(redis: any, id: string) {
          const mutex = new Mutex(redis, \`bill:customer:\${id}\`);
          await mutex.acquire();
          try {
            return await repo.findOne(id);
          } finally {
            await mutex.release();
          }
        }
      `,
      errors: [
        { messageId: 'lockAroundRead', line: 4, column: 15, endLine: 4, endColumn: 24 },
      ],
    },
];

const INVALID_keyNamingConvention: InvalidTestCase<keyNamingConventionIds, keyNamingConventionOptions>[] = [
    {
      code: code`
        import Redlock from 'redlock';
        const redlock = new Redlock([client]);
        export async function f(id: string) {
          await redlock.using(['Orders', \`pay:order:\${id}\`, 'lock'], 5_000, async () => charge(id));
        }
      `,
      errors: [
        { messageId: 'tooFewSegments', line: 4, column: 24, endLine: 4, endColumn: 32 },
        { messageId: 'tooFewSegments', line: 4, column: 53, endLine: 4, endColumn: 59 },
      ],
    },
    {
      code: code`
        import { Mutex, Semaphore } from 'redis-semaphore';
        export function f(redis: any) {
          return new Mutex(redis, 'billing');
        }
      `,
      errors: [
        { messageId: 'tooFewSegments', line: 3, column: 27, endLine: 3, endColumn: 36 },
      ],
    },
];

/**
 * One rule over the library profiles: the idioms of every library are valid, each invalid case reports as
 * listed, and the same cases are valid with every profile turned off (the findings come from the profiles).
 */
function runWithProfiles<MessageIds extends string, Options extends readonly unknown[]>(
  name: string,
  rule: TSESLint.RuleModule<MessageIds, Options, unknown>,
  invalid: InvalidTestCase<MessageIds, Options>[],
): void {
  ruleTester.run(`${name} (library profiles)`, tested(rule), {
    valid: [...LIBRARY_IDIOMS, ...invalid.map((c) => ({ code: c.code, settings: OFF }))],
    invalid,
  });
}

runWithProfiles('require-release-in-finally', requireReleaseInFinally, INVALID_requireReleaseInFinally);
runWithProfiles('no-floating-lock-call', noFloatingLockCall, INVALID_noFloatingLockCall);
runWithProfiles('no-unchecked-get', noUncheckedGet, INVALID_noUncheckedGet);
runWithProfiles('no-ttl-shorter-than-wait', noTtlShorterThanWait, INVALID_noTtlShorterThanWait);
runWithProfiles('no-lock-around-read', noLockAroundRead, INVALID_noLockAroundRead);
runWithProfiles('key-naming-convention', keyNamingConvention, INVALID_keyNamingConvention);

// settings.locksmith.libraries: a wrapper module and receiver names extend a profile.
ruleTester.run('require-release-in-finally (profile settings)', tested(requireReleaseInFinally), {
  valid: [
    // Not listed: an imported `redlock` from the application's own module is unknown without types.
    code`
      import { redlock } from '@/lib/redlock';
      export async function f() {
        const lock = await redlock.acquire(['a:b:c'], 1000);
        await work();
      }
    `,
  ],
  invalid: [
    {
      code: code`
        import { redlock } from '@/lib/redlock';
        export async function f() {
          const lock = await redlock.acquire(['a:b:c'], 1000);
          await work();
        }
      `,
      settings: { locksmith: { libraries: { redlock: { names: ['redlock'] } } } },
      errors: [
        {
          messageId: 'noRelease',
          line: 3,
          column: 30,
          endLine: 3,
          endColumn: 54,
          suggestions: [
            {
              messageId: 'suggestTryFinally',
              output: code`
                import { redlock } from '@/lib/redlock';
                export async function f() {
                  const lock = await redlock.acquire(['a:b:c'], 1000);
                  try {
                    await work();
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
    {
      code: code`
        import { Mutex } from '@/lib/locks';
        const mutex = new Mutex();
        export async function f() {
          await mutex.acquire();
          await work();
          mutex.release();
        }
      `,
      settings: { locksmith: { libraries: { 'async-mutex': { modules: ['@/lib/locks'] } } } },
      errors: [
        {
          messageId: 'releaseNotInFinally',
          line: 4,
          column: 15,
          endLine: 4,
          endColumn: 24,
          suggestions: [
            {
              messageId: 'suggestTryFinally',
              output: code`
                import { Mutex } from '@/lib/locks';
                const mutex = new Mutex();
                export async function f() {
                  await mutex.acquire();
                  try {
                    await work();
                  } finally {
                    mutex.release();
                  }
                }
              `,
            },
          ],
        },
      ],
    },
  ],
});
