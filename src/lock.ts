import { performance } from 'node:perf_hooks';
import { withDeadline } from './deadline.js';
import { parseDuration, type Duration } from './duration.js';
import { LockStoreError, LockTimeoutError } from './errors.js';
import { publishAcquired, publishReleased, publishStoreError, publishTimeout } from './events.js';
import { LeaseWatch, type LeaseTarget } from './lease.js';
import type { AcquireResult, Hold, LockStore, QueueRequest } from './stores/store.js';
import {
  assertOptionalFunction,
  assertOptionalSignal,
  assertOptions,
  describe,
  ttlMs as parseTtlMs,
} from './validate.js';
import { acquireWithin, type Acquired, type WaitOps } from './waiting.js';

/** Options of {@link LockManager.lock}. */
export interface LockOptions {
  /** The owner token to use instead of a fresh random one (a non-empty string). */
  readonly owner?: string;
  /**
   * While a closure runs (`get(fn)`, `block(wait, fn)`), extend the lease before it lapses, scheduled from
   * the lease the store reports. If the lock is lost anyway, the closure's `signal` aborts.
   */
  readonly autoExtend?: boolean;
  /** Issue a strictly increasing {@link Lock.fencingToken} with every successful acquisition. */
  readonly fencing?: boolean;
  /**
   * How this handle waits in `block()`. `true` (the default, or the manager's `fair`): FIFO handoff, a release
   * hands the lock straight to the oldest waiter. `false` (barging): a release frees the lock and wakes one
   * waiter, and anyone, the releasing process included, may take it first: more acquisitions per second on a
   * hot name, no order among acquirers. The mode belongs to the waiter: on a name waited on in both modes,
   * a release serves the queue in order, handing the lock to a fair waiter and waking a barging one.
   */
  readonly fair?: boolean;
}

/** Options of {@link Lock.block}. */
export interface BlockOptions {
  /** Stops waiting early: `block()` then rejects with `signal.reason`. */
  readonly signal?: AbortSignal;
}

/** What a closure passed to `get(fn)` / `block(wait, fn)` receives. */
export interface LockContext {
  /** Aborts, with a `LockLostError` as `reason`, if the lock is lost while the closure runs. */
  readonly signal: AbortSignal;
  /** The lock being held. */
  readonly lock: Lock;
}

/** A critical section run while the lock is held. */
export type LockCallback<T> = (context: LockContext) => T | PromiseLike<T>;

/** What a {@link Lock} needs from its manager. Internal. */
export interface LockRuntime {
  readonly store: LockStore;
  readonly prefix: string;
  /** Deadline of each store call, in ms. */
  readonly timeoutMs: number;
  /** Longest a waiter sleeps without an announced release before re-checking, in ms. */
  readonly recheckMs: number;
  readonly onError: (error: unknown) => void;
  readonly isClosed: () => boolean;
}

/**
 * A named lock with one owner token, as returned by `locks.lock(name, ttl)` or `locks.restoreLock(name,
 * owner)`. Acquisition, release and refresh act only for this owner. A `Lock` is a handle: it holds nothing
 * by itself, and several handles may share a name (they exclude each other unless they share an owner).
 */
export class Lock {
  /** The lock's name, without the manager's prefix. */
  readonly name: string;
  /** The owner token stored as the lock's value while this handle holds it. */
  readonly owner: string;
  /** Whether closures extend the lease automatically (see {@link LockOptions.autoExtend}). */
  readonly autoExtend: boolean;
  /** Whether acquisitions issue fencing tokens (see {@link LockOptions.fencing}). */
  readonly fencing: boolean;
  /** Whether `block()` waits in FIFO handoff order or barges (see {@link LockOptions.fair}). */
  readonly fair: boolean;

  readonly #runtime: LockRuntime;
  readonly #key: string;
  readonly #ttlMs: number;
  /** `false` for a handle from `restoreLock()`: the lock's TTL is whatever its acquirer chose, unknown here. */
  readonly #ttlKnown: boolean;
  #fencingToken: number | undefined;
  /**
   * The identity of this handle's latest acquisition, when the store records one: release and refresh act
   * only on that very hold, never on a later hold of the same owner token (see `Hold`). Kept after a release,
   * so a second release is a no-op. `undefined` (a restored handle, or one that never acquired): by token.
   */
  #hold: Hold | undefined;
  /**
   * `performance.now()` when the last successful acquire was sent: the lease started after it. `undefined`
   * until then (not `0`: a field that only ever holds a double costs every waiting handle a boxed number).
   */
  #acquiredSentAt: number | undefined;
  /** When this handle's current hold began (for the released event); `undefined` when it holds nothing. */
  #heldSince: number | undefined;
  #watch: LeaseWatch | undefined;

  /** @internal Use `locks.lock()` or `locks.restoreLock()`; arguments are validated there. */
  constructor(
    runtime: LockRuntime,
    name: string,
    ttlMs: number,
    options: { owner: string; autoExtend: boolean; fencing: boolean; fair: boolean; ttlKnown?: boolean },
  ) {
    this.#runtime = runtime;
    this.name = name;
    this.#key = runtime.prefix + name;
    this.#ttlMs = ttlMs;
    this.#ttlKnown = options.ttlKnown ?? true;
    this.owner = options.owner;
    this.autoExtend = options.autoExtend;
    this.fencing = options.fencing;
    this.fair = options.fair;
  }

  /** The lease length in seconds (`0`: never expires); sub-millisecond TTLs are rounded up to 1 ms. */
  get ttl(): number {
    // Derived, not stored: thousands of handles may be blocked at once, and each field is kept by each.
    return this.#ttlMs / 1_000;
  }

  /**
   * The fencing token of this handle's latest successful acquisition (with `fencing: true`), strictly
   * greater than every token issued before for the name; `undefined` before that, or without `fencing`.
   */
  get fencingToken(): number | undefined {
    return this.#fencingToken;
  }

  /** One attempt to acquire: `true` when this owner now holds the lock. */
  get(): Promise<boolean>;
  /**
   * One attempt to acquire; when it succeeds, runs `fn` and releases the lock afterwards (whether `fn`
   * returns or throws). Resolves with `fn`'s result, or `false` without calling `fn` when the lock is held.
   */
  get<T>(fn: LockCallback<T>): Promise<Awaited<T> | false>;
  async get<T>(fn?: LockCallback<T>): Promise<boolean | Awaited<T>> {
    assertOptionalFunction(fn, 'fn');
    const startedAt = performance.now();
    const result = await this.#attempt();
    if (result.acquired) this.#acquired(startedAt, result.handedOff === true);
    if (!fn) return result.acquired;
    if (!result.acquired) return false;
    return this.#runHeld(fn);
  }

  /**
   * Waits up to `wait` for the lock. Resolves `true` once acquired; rejects with a `LockTimeoutError` when
   * the wait runs out (`block(0)` is a single attempt), or with `options.signal.reason` when aborted.
   */
  block(wait: Duration, options?: BlockOptions): Promise<true>;
  /** Like `block(wait)`, then runs `fn` while holding the lock and releases it; resolves with `fn`'s result. */
  block<T>(wait: Duration, fn: LockCallback<T>, options?: BlockOptions): Promise<Awaited<T>>;
  block<T>(
    wait: Duration,
    fnOrOptions?: LockCallback<T> | BlockOptions,
    maybeOptions?: BlockOptions,
  ): Promise<true | Awaited<T>> {
    // Not an async method: a blocked waiter's only async frame is the wait's own (see Lock.#waitOps).
    let waitMs: number;
    let fn: LockCallback<T> | undefined;
    let signal: AbortSignal | undefined;
    try {
      waitMs = parseDuration(wait, 'wait');
      let options: unknown;
      if (typeof fnOrOptions === 'function') {
        fn = fnOrOptions;
        options = maybeOptions;
      } else if (fnOrOptions === undefined) {
        options = maybeOptions;
      } else if (maybeOptions !== undefined) {
        throw new TypeError(`locksmith: fn must be a function, got ${describe(fnOrOptions)}`);
      } else {
        options = fnOrOptions;
      }
      assertOptions(options, 'options', ['signal']);
      const given = (options as BlockOptions | undefined)?.signal as unknown;
      assertOptionalSignal(given, 'options.signal');
      signal = given as AbortSignal | undefined;
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const runtime = this.#runtime;
    return acquireWithin(
      Lock.#waitOps as WaitOps<Lock, LockCallback<T> | undefined, true | Awaited<T>>,
      this,
      waitMs,
      runtime.timeoutMs,
      // A store that re-checks for its waiters itself (recheckIntervalMs) needs no per-waiter ceiling here.
      runtime.store.recheckIntervalMs === undefined ? runtime.recheckMs : Number.POSITIVE_INFINITY,
      signal,
      fn,
    );
  }

  /** What `block()`'s wait asks of its lock: one object for every wait, so a blocked waiter holds no closures. */
  static readonly #waitOps: WaitOps<Lock, LockCallback<unknown> | undefined, unknown> = {
    attempt: (lock, queue, maxMs) => lock.#attempt(queue, maxMs),
    // A subscription that arrives after its deadline has no owner left to close it: close it here.
    subscribe: (lock, maxMs) =>
      lock.#call(
        'subscribe',
        (store, key) => store.subscribe(key),
        (late) => late.close(),
        maxMs,
      ),
    // A barging wait starts with a plain attempt even on a hot key: it is not owed a place in the queue, and the
    // releasing process's re-take (the common case) then costs no subscription and the smaller script.
    listening: (lock) => lock.fair && lock.#runtime.store.listening?.(lock.#key) === true,
    // Not through #call: a manager closed while we wait must still take our queue entry back (the store's
    // commands go through the user's client, which stays open), or a release would hand the lock to no one.
    leave: (lock, subscription) =>
      withDeadline('leave', lock.name, lock.#runtime.timeoutMs, () => subscription.leave(), undefined, publishStoreError),
    abandon: (lock, late) => void lock.#releaseQuietly(late.hold),
    finish: (lock, acquired, startedAt, waitMs, fn) => lock.#blocked(acquired, startedAt, waitMs, fn),
  };

  /** The end of `block()`'s wait: the lock is held (then runs `fn`, if any), or the wait ran out. */
  #blocked<T>(
    acquired: Acquired | undefined,
    startedAt: number,
    waitMs: number,
    fn: LockCallback<T> | undefined,
  ): true | Promise<Awaited<T>> {
    if (!acquired) {
      publishTimeout(this.name, startedAt);
      throw new LockTimeoutError(this.name, waitMs / 1_000);
    }
    if (acquired.handedAt !== undefined) this.#handedOver(acquired, acquired.handedAt);
    this.#acquired(startedAt, acquired.handedAt !== undefined || acquired.handedOff === true);
    return fn ? this.#runHeld(fn) : true;
  }

  /** Releases the lock if this owner holds it: `true` when it did (atomic compare-and-delete). */
  async release(): Promise<boolean> {
    this.#watch?.stop();
    return this.#release();
  }

  /**
   * Frees the lock whoever holds it (an administrative override; the holder's closure signal aborts). On a
   * store that queues waiters (RedisStore) the oldest live waiter is handed the lock, as after a release.
   */
  async forceRelease(): Promise<void> {
    this.#watch?.stop();
    await this.#call('forceRelease', (store, key) => store.forceRelease(key));
  }

  /**
   * Resets the lease to `ttl` from now if this owner still holds the lock: `true` when it did.
   * Without an argument the lock's own `ttl` is used; `refresh(0)` removes the expiry. A handle from
   * `restoreLock()` does not know the TTL its lock was taken with: it needs an explicit `ttl` (a `TypeError`
   * otherwise), so a refresh never turns a lock taken for 10 s into one that never expires.
   */
  async refresh(ttl?: Duration): Promise<boolean> {
    if (ttl === undefined && !this.#ttlKnown) {
      throw new TypeError(
        `locksmith: refresh() of a lock from restoreLock() needs a ttl (the TTL "${this.name}" was taken with is unknown here): refresh(ttl), or refresh(0) to remove the expiry`,
      );
    }
    const ms = ttl === undefined ? this.#ttlMs : parseTtlMs(ttl, 'ttl');
    const sentAt = performance.now();
    const refreshed = await this.#call('refresh', (store, key) => store.refresh(key, this.owner, ms, this.#hold));
    if (refreshed) this.#watch?.refreshed(ms, sentAt);
    return refreshed;
  }

  /** `true` while this handle's owner token holds the lock. */
  async isOwnedByCurrentProcess(): Promise<boolean> {
    return (await this.#call('currentOwner', (store, key) => store.currentOwner(key))) === this.owner;
  }

  /** `true` while anyone holds the lock. */
  async isLocked(): Promise<boolean> {
    return (await this.#call('currentOwner', (store, key) => store.currentOwner(key))) !== null;
  }

  /** `await using lock = locks.lock(…)`: releases the lock at the end of the scope if this owner holds it. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
  }

  /**
   * A release handed the lock to this waiter (direct handoff): no attempt was sent for it. Its lease began
   * when the releasing script ran, shortly before the store heard of it (`at`, later by the delivery delay,
   * or by a stalled event loop). No earlier bound exists locally (the waiter's own last attempt may be long
   * past), so the estimate may be late by that delay: the lease watch confirms an expiry with the store, and
   * with autoExtend the first extension (at a third of the lease) follows the lease the store reports.
   */
  #handedOver(result: Acquired, at: number): void {
    this.#acquiredSentAt = at;
    this.#hold = result.hold;
    if (!this.fencing) return;
    if (typeof result.fencingToken !== 'number') {
      void this.#releaseQuietly();
      throw new LockStoreError('acquire', this.name, 'the store did not issue a fencing token');
    }
    this.#fencingToken = result.fencingToken;
  }

  /** One acquisition under the store-call deadline, or `maxMs` when that is shorter (see `acquireWithin`). */
  async #attempt(queue?: QueueRequest, maxMs?: number): Promise<AcquireResult> {
    const sentAt = performance.now();
    const request = queue
      ? {
          key: this.#key,
          owner: this.owner,
          ttlMs: this.#ttlMs,
          fencing: this.fencing,
          queue: this.fair ? queue : { ...queue, fair: false },
        }
      : { key: this.#key, owner: this.owner, ttlMs: this.#ttlMs, fencing: this.fencing };
    const result = await this.#call(
      'acquire',
      (store) => store.acquire(request),
      // An acquisition whose answer missed the deadline must not keep the lock until it expires.
      (late: AcquireResult) => {
        if (late.acquired) void this.#releaseQuietly(late.hold);
      },
      maxMs,
    );
    if (!result.acquired) return result;
    this.#acquiredSentAt = sentAt;
    this.#hold = result.hold;
    if (this.fencing) {
      if (typeof result.fencingToken !== 'number') {
        void this.#releaseQuietly();
        throw new LockStoreError('acquire', this.name, 'the store did not issue a fencing token');
      }
      this.#fencingToken = result.fencingToken;
    }
    return result;
  }

  async #runHeld<T>(fn: LockCallback<T>): Promise<Awaited<T>> {
    const runtime = this.#runtime;
    const target: LeaseTarget = {
      lockName: this.name,
      key: this.#key,
      owner: this.owner,
      hold: this.#hold,
      store: runtime.store,
      timeoutMs: runtime.timeoutMs,
      onError: runtime.onError,
    };
    const watch = new LeaseWatch(target, this.#ttlMs, this.autoExtend, this.#acquiredSentAt ?? 0);
    this.#watch = watch;
    watch.start();
    try {
      return await fn({ signal: watch.signal, lock: this });
    } finally {
      watch.stop();
      if (this.#watch === watch) this.#watch = undefined;
      // Never let a failing release hide the closure's own result or error: report it instead.
      try {
        await this.#release();
      } catch (error) {
        runtime.onError(error);
      }
    }
  }

  /** The lock is now held by this handle (`startedAt`: when `get()`/`block()` was called). */
  #acquired(startedAt: number, handoff: boolean): void {
    this.#heldSince = this.#acquiredSentAt;
    publishAcquired(this.name, this.owner, startedAt, handoff, this.#fencingToken);
  }

  /** Compare-and-delete; a successful release of a hold is published. */
  async #release(): Promise<boolean> {
    const released = await this.#call('release', (store, key) => store.release(key, this.owner, this.#hold));
    if (released) {
      publishReleased(this.name, this.owner, this.#heldSince);
      this.#heldSince = undefined;
    }
    return released;
  }

  async #releaseQuietly(hold = this.#hold): Promise<void> {
    try {
      await this.#call('release', (store, key) => store.release(key, this.owner, hold));
    } catch {
      // Best effort: the lease expires on its own.
    }
  }

  #call<T>(
    operation: string,
    run: (store: LockStore, key: string) => Promise<T>,
    onLate?: (value: T) => void,
    maxMs = Number.POSITIVE_INFINITY,
  ) {
    if (this.#runtime.isClosed()) {
      return Promise.reject(new LockStoreError(operation, this.name, 'the lock manager is closed'));
    }
    const { store, timeoutMs } = this.#runtime;
    const deadlineMs = Math.max(1, Math.min(timeoutMs, Math.ceil(maxMs)));
    return withDeadline(operation, this.name, deadlineMs, () => run(store, this.#key), onLate, publishStoreError);
  }
}
