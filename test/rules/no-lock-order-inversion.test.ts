import rule from '../../rules/no-lock-order-inversion.js';
import { code, commonjs, RuleTester, tested } from './support/rule-tester.js';
import { VALID_CORPUS } from './support/valid-corpus.js';

const ruleTester = new RuleTester();

ruleTester.run('no-lock-order-inversion', tested(rule), {
  valid: [
    ...VALID_CORPUS,
    // Same order in both functions, try/finally form.
    code`
      const a = Cache.lock('stock:item:a', 30);
      const b = Cache.lock('stock:item:b', 30);
      export async function one() {
        await a.block(5);
        try { await b.block(5); try { await work(); } finally { await b.release(); } } finally { await a.release(); }
      }
      export async function two() {
        await a.block(5);
        try { await b.block(5); try { await work(); } finally { await b.release(); } } finally { await a.release(); }
      }
    `,
    // Opposite order, but never nested: the first is released before the second is taken.
    code`
      export async function one() {
        await Cache.lock('x:y:a', 30).block(5, () => work());
        await Cache.lock('x:y:b', 30).block(5, () => work());
      }
      export async function two() {
        await Cache.lock('x:y:b', 30).block(5, () => work());
        await Cache.lock('x:y:a', 30).block(5, () => work());
      }
    `,
    // Released before the second acquisition in the sequence form.
    code`
      const a = Cache.lock('x:y:a', 30);
      const b = Cache.lock('x:y:b', 30);
      export async function one() {
        await a.block(5);
        await work();
        await a.release();
        await b.block(5);
        try { await work(); } finally { await b.release(); }
      }
      export async function two() {
        if (await b.get()) {
          try { await a.block(5, () => work()); } finally { await b.release(); }
        }
      }
    `,
    // Dynamic names never match, even when they look alike.
    code`
      export async function one(x: string, y: string) {
        await Cache.lock(x, 30).block(5, () => Cache.lock(y, 30).block(5, () => work()));
      }
      export async function two(x: string, y: string) {
        await Cache.lock(y, 30).block(5, () => Cache.lock(x, 30).block(5, () => work()));
      }
    `,
    // Partly dynamic names are not compared.
    code`
      export async function one(id: string) {
        await Cache.lock(\`a:b:\${id}\`, 30).block(5, () => Cache.lock(\`c:d:\${id}\`, 30).block(5, () => work()));
      }
      export async function two(id: string) {
        await Cache.lock(\`c:d:\${id}\`, 30).block(5, () => Cache.lock(\`a:b:\${id}\`, 30).block(5, () => work()));
      }
    `,
    // Nested in a callback that runs later (not while the outer lock is held by this code).
    code`
      export async function one() {
        await Cache.lock('x:y:a', 30).block(5, async () => {
          setTimeout(() => Cache.lock('x:y:b', 30).block(5, () => work()), 1000);
        });
      }
      export async function two() {
        await Cache.lock('x:y:b', 30).block(5, () => Cache.lock('x:y:a', 30).block(5, () => work()));
      }
    `,
    // Only one nesting in the file.
    code`
      export async function one() {
        await Cache.lock('x:y:a', 30).block(5, () => Cache.lock('x:y:b', 30).block(5, () => work()));
      }
      export async function two() {
        await Cache.lock('x:y:b', 30).block(5, () => work());
      }
    `,
    // The same name nested in itself (re-entrance is another problem).
    code`
      export async function one() {
        await Cache.lock('x:y:a', 30).block(5, () => Cache.lock('x:y:a', 30).get(() => work()));
      }
    `,
    // Three locks in one global order.
    code`
      const take = (name: string) => Cache.lock(name, 30);
      export async function one() {
        await Cache.lock('o:r:a', 30).block(5, () => Cache.lock('o:r:b', 30).block(5, () => Cache.lock('o:r:c', 30).block(5, () => work())));
      }
      export async function two() {
        await Cache.lock('o:r:a', 30).block(5, () => Cache.lock('o:r:c', 30).block(5, () => work()));
      }
    `,
    // Not locksmith locks.
    code`
      export async function one(m: Mutexes) {
        await m.lock('x:y:a').block(5, () => m.lock('x:y:b').block(5, () => work()));
        await m.lock('x:y:b').block(5, () => m.lock('x:y:a').block(5, () => work()));
      }
    `,
    // The inner acquisition after the outer lock was released in its own finally.
    code`
      const a = Cache.lock('x:y:a', 30);
      export async function one() {
        await a.block(5);
        try { await work(); } finally { await a.release(); }
        await Cache.lock('x:y:b', 30).block(5, () => work());
      }
      export async function two() {
        await Cache.lock('x:y:b', 30).block(5, () => a.block(5, () => work()));
      }
    `,
    // A lock made under two names is not compared.
    code`
      export async function one(flag: boolean) {
        const a = flag ? Cache.lock('x:y:a', 30) : Cache.lock('x:y:z', 30);
        await a.block(5, () => Cache.lock('x:y:b', 30).block(5, () => work()));
      }
      export async function two() {
        await Cache.lock('x:y:b', 30).block(5, () => Cache.lock('x:y:a', 30).block(5, () => work()));
      }
    `,
    // Opposite orders where one inner acquisition is a get(): one attempt never waits, so no deadlock.
    code`
      export async function one() {
        await Cache.lock('x:y:a', 30).block(5, () => Cache.lock('x:y:b', 30).get(() => work()));
      }
      export async function two() {
        await Cache.lock('x:y:b', 30).block(5, () => Cache.lock('x:y:a', 30).block(5, () => work()));
      }
    `,
    // CommonJS, one order.
    {
      code: code`
        const locks = require('locksmith-js').createLocks();
        exports.one = () => locks.lock('x:y:a', 30).block(5, () => locks.lock('x:y:b', 30).block(5, () => 1));
        exports.two = () => locks.lock('x:y:a', 30).block(5, () => locks.lock('x:y:b', 30).block(5, () => 2));
      `,
      languageOptions: commonjs,
    },
  ],
  invalid: [
    // The classic: transfer(a, b) and refund(b, a) with static names; both inner acquisitions reported.
    {
      code: code`
        import { createLocks } from 'locksmith-js';
        const locks = createLocks();
        export async function transfer() {
          await locks.lock('account:balance:alice', 30).block(5, async () => {
            await locks.lock('account:balance:bob', 30).block(5, () => move());
          });
        }
        export async function refund() {
          await locks.lock('account:balance:bob', 30).block(5, async () => {
            await locks.lock('account:balance:alice', 30).block(5, () => move());
          });
        }
      `,
      errors: [
        { messageId: 'orderInversion', data: { inner: 'account:balance:bob', outer: 'account:balance:alice', line: 10 }, line: 5, column: 49, endLine: 5, endColumn: 71 },
        { messageId: 'orderInversion', data: { inner: 'account:balance:alice', outer: 'account:balance:bob', line: 5 }, line: 10, column: 51, endLine: 10, endColumn: 73 },
      ],
    },
    // try/finally form with variables and constants, get() as the outer acquisition.
    {
      code: code`
        const STOCK = 'stock:item:main';
        const ORDERS = 'orders:queue:main';
        export async function reserve() {
          const stock = Cache.lock(STOCK, 30);
          await stock.block(5);
          try {
            const orders = Cache.lock(ORDERS, 30);
            await orders.block(5);
            try { await work(); } finally { await orders.release(); }
          } finally {
            await stock.release();
          }
        }
        export async function ship() {
          const orders = Cache.lock(ORDERS, 30);
          if (!(await orders.get())) return;
          try {
            await Cache.lock(STOCK, 30).block(5, () => work());
          } finally {
            await orders.release();
          }
        }
      `,
      errors: [
        { messageId: 'orderInversion', data: { inner: 'orders:queue:main', outer: 'stock:item:main', line: 18 }, line: 8, column: 18, endLine: 8, endColumn: 26 },
        { messageId: 'orderInversion', data: { inner: 'stock:item:main', outer: 'orders:queue:main', line: 8 }, line: 18, column: 33, endLine: 18, endColumn: 55 },
      ],
    },
    // Both orders inside one function (two concurrent calls deadlock too).
    {
      code: code`
        export async function both() {
          await Cache.lock('x:y:a', 30).block(5, () => Cache.lock('x:y:b', 30).block(5, () => work()));
          await Cache.lock('x:y:b', 30).block(5, () => Cache.lock('x:y:a', 30).block(5, () => work()));
        }
      `,
      errors: [
        { messageId: 'orderInversion', data: { inner: 'x:y:b', outer: 'x:y:a', line: 3 }, line: 2, column: 72, endLine: 2, endColumn: 94 },
        { messageId: 'orderInversion', data: { inner: 'x:y:a', outer: 'x:y:b', line: 2 }, line: 3, column: 72, endLine: 3, endColumn: 94 },
      ],
    },
    // redlock: using() nested in opposite orders, and acquire() inside using().
    {
      code: code`
        import Redlock from 'redlock';
        const redlock = new Redlock([client]);
        export async function one() {
          await redlock.using(['stock:item:a'], 5000, async () => {
            await redlock.using(['stock:item:b'], 5000, async () => work());
          });
        }
        export async function two() {
          await redlock.using(['stock:item:b'], 5000, async () => {
            const lock = await redlock.acquire(['stock:item:a'], 5000);
            try { await work(); } finally { await lock.release(); }
          });
        }
      `,
      errors: [
        { messageId: 'orderInversion', data: { inner: 'stock:item:b', outer: 'stock:item:a', line: 10 }, line: 5, column: 19, endLine: 5, endColumn: 68 },
        { messageId: 'orderInversion', data: { inner: 'stock:item:a', outer: 'stock:item:b', line: 5 }, line: 10, column: 32, endLine: 10, endColumn: 63 },
      ],
    },
    // redis-semaphore: two Mutexes acquired in opposite orders.
    {
      code: code`
        import { Mutex } from 'redis-semaphore';
        export async function one(redis: Redis) {
          const a = new Mutex(redis, 'ledger:account:a');
          const b = new Mutex(redis, 'ledger:account:b');
          await a.acquire();
          try {
            await b.acquire();
            try { await work(); } finally { await b.release(); }
          } finally {
            await a.release();
          }
        }
        export async function two(redis: Redis) {
          const b = new Mutex(redis, 'ledger:account:b');
          await b.acquire();
          try {
            await new Mutex(redis, 'ledger:account:a').acquire();
          } finally {
            await b.release();
          }
        }
      `,
      errors: [
        { messageId: 'orderInversion', data: { inner: 'ledger:account:b', outer: 'ledger:account:a', line: 17 }, line: 7, column: 13, endLine: 7, endColumn: 22 },
        { messageId: 'orderInversion', data: { inner: 'ledger:account:a', outer: 'ledger:account:b', line: 7 }, line: 17, column: 48, endLine: 17, endColumn: 57 },
      ],
    },
    // CommonJS.
    {
      code: code`
        const locks = require('locksmith-js').createLocks();
        exports.one = () => locks.lock('x:y:a', 30).block(5, () => locks.lock('x:y:b', 30).block(5, () => 1));
        exports.two = () => locks.lock('x:y:b', 30).block(5, () => locks.lock('x:y:a', 30).block(5, () => 2));
      `,
      languageOptions: commonjs,
      errors: [
        { messageId: 'orderInversion', data: { inner: 'x:y:b', outer: 'x:y:a', line: 3 }, line: 2, column: 84, endLine: 2, endColumn: 101 },
        { messageId: 'orderInversion', data: { inner: 'x:y:a', outer: 'x:y:b', line: 2 }, line: 3, column: 84, endLine: 3, endColumn: 101 },
      ],
    },
  ],
});
