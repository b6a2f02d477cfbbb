import { parseDuration, type Duration } from './duration.js';
import { Lock, type LockOptions, type LockRuntime } from './lock.js';
import { newOwnerToken } from './owner-token.js';
import { MemoryStore } from './stores/memory.js';
import type { LockStore } from './stores/store.js';
import {
  assertName,
  assertOptionalBoolean,
  assertOptionalFunction,
  assertOptions,
  assertWellFormed,
  describe,
  ttlMs as parseTtlMs,
} from './validate.js';

/** Options of {@link createLocks}. */
export interface LocksOptions {
  /** Where locks live. Default: one in-process {@link MemoryStore} shared by every manager in the process. */
  readonly store?: LockStore;
  /** Prepended to every lock name in the store (`'app:'` + `'sync:facility:7'`). Default `''`. */
  readonly prefix?: string;
  /** Deadline of every store call (default 5 s): a call that misses it rejects with a `LockStoreError`. */
  readonly timeout?: Duration;
  /**
   * Last-resort ceiling on how long a blocked waiter sleeps without an announced release before it
   * re-checks the lock itself (default 2 s, jittered; sooner when the holder's lease ends sooner). The
   * bundled stores do not depend on it: MemoryStore announces every release and expiry, and RedisStore
   * re-checks unannounced releases itself (its own, shorter `recheckInterval`, one waiter per key).
   */
  readonly recheckInterval?: Duration;
  /**
   * Receives failures that cannot be thrown to a caller, e.g. a failed release after a closure returned
   * (the closure's result is still returned). Default: `process.emitWarning`.
   */
  readonly onError?: (error: unknown) => void;
  /**
   * The default of every lock's {@link LockOptions.fair}: `true` (FIFO handoff, the default) or `false`
   * (barging: a release wakes one waiter and anyone may take the lock first).
   */
  readonly fair?: boolean;
}

/** A lock manager: makes {@link Lock} handles on one store, under one prefix. */
export interface LockManager {
  /** The store this manager's locks live in. */
  readonly store: LockStore;
  /** The prefix prepended to every lock name in the store. */
  readonly prefix: string;
  /**
   * A lock handle for `name` with a lease of `ttl` (seconds or `'30s'`-style; `0`, the default, never
   * expires) and a fresh random owner token unless `options.owner` is given. Throws on a bad argument, and
   * with a `RangeError` when the store keeps something else at `prefix + name` (RedisStore: a name it
   * derives from another lock's key, `{…}…:locksmith:<kind>`; see docs/redis.md).
   */
  lock(name: string, ttl?: Duration, options?: LockOptions): Lock;
  /**
   * A handle for a lock acquired earlier by `owner` (a saved `lock.owner`), e.g. to release it. It does not
   * know the lock's TTL: its `refresh()` needs one (`refresh(ttl)`). Refuses the names `lock()` refuses.
   */
  restoreLock(name: string, owner: string): Lock;
  /**
   * Closes what this manager opened: the store passed as `options.store` (a `RedisStore` then closes only
   * the connections it opened itself, never your client). The process-wide default store is shared and
   * stays open (its timers never keep the process alive). Later calls on this manager's locks reject.
   */
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT: Duration = 5;
const DEFAULT_RECHECK: Duration = 2;
const STORE_METHODS = [
  'acquire',
  'release',
  'forceRelease',
  'refresh',
  'currentOwner',
  'remainingLease',
  'subscribe',
  'close',
] as const;

/**
 * Where the process-wide default store lives: a registered symbol on `globalThis`, not a module variable, so
 * that the package's ES module and CommonJS builds, both loaded in one process (an `import` here, a `require`
 * in a dependency), share one store and exclude each other as the documentation promises.
 */
const DEFAULT_STORE = Symbol.for('locksmith-js.default-store');

/** The process-wide MemoryStore behind every `createLocks()` without a `store`. */
function defaultStore(): LockStore {
  const registry = globalThis as { [DEFAULT_STORE]?: LockStore };
  registry[DEFAULT_STORE] ??= new MemoryStore();
  return registry[DEFAULT_STORE];
}

/**
 * Creates a lock manager. Without a `store`, locks live in one in-process {@link MemoryStore} shared by
 * every manager of the process, so two `createLocks()` exclude each other on the same (prefixed) names.
 *
 * @throws TypeError / RangeError for a bad option, naming it
 */
export function createLocks(options?: LocksOptions): LockManager {
  assertOptions(options, 'options', ['store', 'prefix', 'timeout', 'recheckInterval', 'onError', 'fair']);
  const given = options?.store as unknown;
  if (given !== undefined) assertStore(given);
  const prefix = options?.prefix ?? '';
  if (typeof prefix !== 'string') throw new TypeError(`locksmith: prefix must be a string, got ${describe(prefix)}`);
  assertWellFormed(prefix, 'prefix');
  const timeoutMs = positiveMs(options?.timeout ?? DEFAULT_TIMEOUT, 'timeout');
  const recheckMs = positiveMs(options?.recheckInterval ?? DEFAULT_RECHECK, 'recheckInterval');
  assertOptionalFunction(options?.onError, 'onError');
  const report = options?.onError ?? warn;
  assertOptionalBoolean(options?.fair, 'fair');
  const fair = options?.fair ?? true;

  const store = (given as LockStore | undefined) ?? defaultStore();
  let closed = false;
  const runtime: LockRuntime = {
    store,
    prefix,
    timeoutMs,
    recheckMs,
    onError: (error) => {
      try {
        report(error);
      } catch {
        // A throwing error handler must not turn a reported failure into an unhandled one.
      }
    },
    isClosed: () => closed,
  };

  return {
    store,
    prefix,
    lock(name: string, ttl: Duration = 0, lockOptions?: LockOptions): Lock {
      assertName(name);
      store.assertKey?.(prefix + name);
      const ms = parseTtlMs(ttl, 'ttl');
      assertOptions(lockOptions, 'options', ['owner', 'autoExtend', 'fencing', 'fair']);
      const owner = lockOptions?.owner;
      if (owner !== undefined) assertName(owner, 'options.owner');
      assertOptionalBoolean(lockOptions?.autoExtend, 'options.autoExtend');
      assertOptionalBoolean(lockOptions?.fencing, 'options.fencing');
      assertOptionalBoolean(lockOptions?.fair, 'options.fair');
      return new Lock(runtime, name, ms, {
        owner: owner ?? newOwnerToken(),
        autoExtend: lockOptions?.autoExtend ?? false,
        fencing: lockOptions?.fencing ?? false,
        fair: lockOptions?.fair ?? fair,
      });
    },
    restoreLock(name: string, owner: string): Lock {
      assertName(name);
      store.assertKey?.(prefix + name);
      assertName(owner, 'owner');
      return new Lock(runtime, name, 0, { owner, autoExtend: false, fencing: false, fair, ttlKnown: false });
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (given !== undefined) await store.close();
    },
  };
}

function positiveMs(value: unknown, argument: string): number {
  const ms = parseDuration(value, argument);
  if (ms <= 0) throw new RangeError(`locksmith: ${argument} must be greater than 0, got ${describe(value)}`);
  return Math.max(1, Math.ceil(ms));
}

function assertStore(value: unknown): asserts value is LockStore {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`locksmith: store must be a LockStore, got ${describe(value)}`);
  }
  const record = value as Record<string, unknown>;
  const missing = STORE_METHODS.filter((method) => typeof record[method] !== 'function');
  if (missing.length > 0) {
    throw new TypeError(`locksmith: store must be a LockStore (missing ${missing.join(', ')})`);
  }
}

function warn(error: unknown): void {
  process.emitWarning(error instanceof Error ? error : String(error));
}
