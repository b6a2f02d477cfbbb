/**
 * Realistic, correct lock code that none of the rules added with issue 10 may report (no-release-without-acquire,
 * no-boolean-block, require-ttl, no-check-then-lock, no-force-release, no-lock-order-inversion): every test of
 * those rules spreads it into its `valid` cases. Each snippet is one idiom a careful service writes.
 */
import { code } from './rule-tester.js';

export const VALID_CORPUS: readonly string[] = [
  // The document's basic pattern: one attempt, release in finally.
  code`
    export async function processPackage(label: string) {
      const lock = Cache.lock(\`process:package:\${label}\`, 120);
      if (!(await lock.get())) return;
      try {
        await handle(label);
      } finally {
        await lock.release();
      }
    }
  `,
  // Blocking wait, then try/finally; the timeout propagates to the caller on purpose.
  code`
    import { createLocks } from 'locksmith-js';
    const locks = createLocks();
    export async function syncFacility(facility: string) {
      const lock = locks.lock(\`sync:facility:\${facility}\`, 60);
      await lock.block(10);
      try {
        await pull(facility);
      } finally {
        await lock.release();
      }
    }
  `,
  // The timeout caught by class.
  code`
    import { createLocks, LockTimeoutError } from 'locksmith-js';
    const locks = createLocks();
    export async function importBatch(batchId: string) {
      const lock = locks.lock(\`import:batch:\${batchId}\`, 120);
      try {
        await lock.block(30);
      } catch (error) {
        if (error instanceof LockTimeoutError) return 'busy';
        throw error;
      }
      try {
        return await run(batchId);
      } finally {
        await lock.release();
      }
    }
  `,
  // Closure forms.
  code`
    export async function callApi(endpoint: string) {
      await Cache.lock(\`api:call:\${endpoint}\`, 60).block(10, async () => request(endpoint));
      return Cache.lock(\`metrc:fetch:\${endpoint}\`, 300).get(() => fetchAll(endpoint));
    }
  `,
  // A restored lock released by a later job: the documented way to release across processes.
  code`
    import { createLocks } from 'locksmith-js';
    const locks = createLocks();
    export async function finish(name: string, owner: string) {
      await locks.restoreLock(name, owner).release();
      const again = locks.restoreLock(name, owner);
      if (await again.isOwnedByCurrentProcess()) await again.release();
    }
  `,
  // Owner token saved for another process, the handle released where it was acquired.
  code`
    export async function startJob(id: string) {
      const lock = Cache.lock(\`job:run:\${id}\`, 600);
      if (!(await lock.get())) return undefined;
      await queue.push({ id, owner: lock.owner });
      return lock.owner;
    }
  `,
  // await using: disposal releases.
  code`
    import { createLocks } from 'locksmith-js';
    const locks = createLocks();
    export async function once(key: string) {
      await using held = locks.lock(\`once:task:\${key}\`, 30);
      if (!(await held.get())) return false;
      await work(key);
      return true;
    }
  `,
  // Two locks, always in the same order.
  code`
    import { createLocks } from 'locksmith-js';
    const locks = createLocks();
    export async function transfer(from: string, to: string) {
      const [first, second] = [from, to].sort();
      const a = locks.lock(\`account:balance:\${first}\`, 30);
      const b = locks.lock(\`account:balance:\${second}\`, 30);
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
  // Nested static names in one order in two functions.
  code`
    export async function rebuild() {
      await Cache.lock('report:build:daily', 300).block(10, async () => {
        await Cache.lock('report:publish:daily', 60).block(5, async () => publish());
      });
    }
    export async function publishOnly() {
      await Cache.lock('report:build:daily', 300).block(10, async () => {
        await Cache.lock('report:publish:daily', 60).block(5, async () => publish());
      });
    }
  `,
  // A status endpoint: isLocked() only reported, nothing acquired.
  code`
    export async function status(label: string) {
      const busy = await Cache.lock(\`process:package:\${label}\`, 120).isLocked();
      return { label, busy };
    }
  `,
  // Lease extension while a long import runs.
  code`
    import { createLocks } from 'locksmith-js';
    const locks = createLocks();
    export async function longImport(id: string) {
      const lock = locks.lock(\`import:file:\${id}\`, '2m');
      await lock.block('10s');
      try {
        for await (const chunk of read(id)) {
          await store(chunk);
          if (!(await lock.refresh())) throw new Error('lost the lock');
        }
      } finally {
        await lock.release();
      }
    }
  `,
  // A lock field taken and released in one method.
  code`
    import { createLocks, type LockManager } from 'locksmith-js';
    export class Leader {
      private readonly lock = this.locks.lock('leader:scheduler:main', 30);
      constructor(private readonly locks: LockManager) {}
      async tick() {
        if (!(await this.lock.get())) return;
        try {
          await this.schedule();
        } finally {
          await this.lock.release();
        }
      }
      private async schedule() {}
    }
  `,
  // A lock handed in by the caller: released here, acquired there.
  code`
    import type { Lock } from 'locksmith-js';
    export async function finishWith(lock: Lock) {
      try {
        await finalize();
      } finally {
        await lock.release();
      }
    }
  `,
  // Duration strings and constants.
  code`
    const TTL = 5 * 60;
    export async function nightly() {
      await Cache.lock('report:nightly:all', TTL).block('30s', () => build());
      await Cache.lock('report:weekly:all', '2h').get(() => build());
    }
  `,
  // The result of get() kept and tested.
  code`
    export async function maybe(id: string) {
      const lock = Cache.lock(\`label:generate:\${id}\`, 30);
      const acquired = await lock.get();
      if (!acquired) return;
      try {
        await generate(id);
      } finally {
        await lock.release();
      }
    }
  `,
  // CommonJS with a required manager.
  code`
    const { createLocks } = require('locksmith-js');
    const registry = createLocks();
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
  // Objects with lock-like methods that are not locksmith locks.
  code`
    export async function other(mutex: { lock(): Promise<void>; unlock(): void }, db: Db) {
      await mutex.lock();
      try {
        await db.lock('table').release();
        if (!(await db.block(5))) return;
      } finally {
        mutex.unlock();
      }
    }
  `,
  // A lock returned to the caller, acquired there.
  code`
    export function lockFor(label: string) {
      return Cache.lock(\`process:package:\${label}\`, 120);
    }
  `,
];
