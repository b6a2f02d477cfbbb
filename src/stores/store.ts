/**
 * The contract every lock store implements (MemoryStore, RedisStore, and later a quorum store). The lock
 * core (`src/lock.ts`) owns argument checking, deadlines, prefixes and retries; a store only performs
 * single atomic operations on a full key (`prefix + name`) and announces releases.
 *
 * Times are integer milliseconds here; the lock core converts user durations before calling a store.
 */

/** One attempt to take `key` for `owner`. */
export interface AcquireRequest {
  /** Full key: the manager's prefix followed by the lock name. */
  readonly key: string;
  /** The owner token stored as the key's value. */
  readonly owner: string;
  /** Lease length in whole milliseconds; `0` means the lock never expires. */
  readonly ttlMs: number;
  /** Issue a fencing token: a per-key counter, incremented atomically with every successful acquisition. */
  readonly fencing: boolean;
  /**
   * Set by the lock core on a waiter's attempts (never on `get()` or a wait's first attempt): a store that
   * queues waiters server-side (RedisStore) joins `owner` to the key's queue in the same atomic step when the
   * attempt fails, so a later release can hand the lock straight to it (see {@link Handoff}). A store that
   * has no such queue, or does not recognise the subscription as its own, ignores it.
   */
  readonly queue?: QueueRequest;
  /**
   * The identity to record for this hold (see {@link Hold}), when the caller must give several stores the
   * same one (QuorumStore: one per acquisition, on every node). A store makes a fresh one when absent.
   */
  readonly hold?: Hold;
}

/**
 * The identity of one hold of a key (one successful acquisition or handoff), opaque to the lock core: a store
 * that records it (RedisStore) returns it with the acquisition, and its `release`/`refresh`/`remainingLease`
 * then act only on that very hold, never on a later hold that shares the owner token (a retried job's, or the
 * waiter a release handed the key to, when a re-sent or late command of the earlier hold arrives). Without it
 * (`undefined`: a restored handle, or a handle that never acquired) they act on whoever holds the owner token.
 */
export type Hold = string;

/** What a queued attempt needs (see {@link AcquireRequest.queue}). */
export interface QueueRequest {
  /** The waiter's active subscription to the key, from this store's `subscribe()`: handoffs arrive there. */
  readonly subscription: ReleaseSubscription;
  /** How much longer the waiter waits, in whole ms (≥ 1): the store skips its queue entry after that. */
  readonly waitMs: number;
  /**
   * `false` for a barging waiter (the lock's `fair: false`): a release that reaches its queue entry does not
   * hand it the lock but frees the key and wakes this waiter alone (`next()` resolves `true`) to race for it
   * with everyone else, the releasing process included; a waiter that loses keeps its place in the queue.
   * Absent or `true`: FIFO handoff (see {@link Handoff}). A store without a queue ignores it.
   */
  readonly fair?: boolean;
}

/**
 * A lock handed to a queued waiter by another owner's release (or force-release): the store already set the
 * key to the waiter's owner token with the waiter's lease, so the waiter holds it without another attempt.
 */
export interface Handoff {
  readonly handedOff: true;
  /** The fencing token issued with the handoff, when the queued attempt asked for fencing. */
  readonly fencingToken?: number;
  /** The identity of the hold the waiter was handed (see {@link Hold}), when the store records one. */
  readonly hold?: Hold;
  /** `performance.now()` when the store learned of the handoff (the lease began shortly before). */
  readonly at: number;
}

export type AcquireResult =
  | {
      readonly acquired: true;
      /** Present when `fencing` was requested: strictly greater than every token issued before for the key. */
      readonly fencingToken?: number;
      /** `true` when a release had already handed the lock to this queued attempt's owner (see {@link Handoff}). */
      readonly handedOff?: true;
      /** This hold's identity, when the store records one (see {@link Hold}). */
      readonly hold?: Hold;
    }
  | {
      readonly acquired: false;
      /**
       * How long the current holder's lease has left, in ms, when the store learned it for free: `-1` for a
       * lock without expiry, `undefined` when unknown. Waiters use it to bound their fallback re-check.
       */
      readonly remainingMs?: number;
    };

/**
 * @internal Marks a {@link ReleaseSubscription} whose `next(timeoutMs, signal)` settles on its own within
 * `timeoutMs` or when `signal` aborts, under a timer that keeps the process alive while it is pending: the
 * lock core then waits on it without a guard timer of its own. Only the package's own stores set it; any
 * other subscription is guarded (a waiter never hangs on a store bug). Not exported from the package.
 */
export const SETTLES_ON_TIME: unique symbol = Symbol('locksmith.settlesOnTime');

/**
 * A live subscription to the releases of one key. Created before the retry that follows a failed attempt,
 * so a release that happens between that retry and the wait is never missed.
 */
export interface ReleaseSubscription {
  /**
   * Waits for the next announced release of the key. Resolves `true` when one arrived (or had arrived since
   * the previous call), `false` when `timeoutMs` elapsed or `signal` aborted. Never rejects.
   * A store that queues waiters resolves with a {@link Handoff} (truthy, like `true`) once the lock has been
   * handed to this subscriber's queued owner, and keeps answering so until the subscription is closed.
   */
  next(timeoutMs: number, signal?: AbortSignal): Promise<boolean | Handoff>;
  /**
   * Optional, for stores that queue waiters: called by the lock core when it stops waiting WITHOUT the lock
   * (timeout, abort, failure), before `close()`. Removes the waiter's queue entry atomically and, if the lock
   * was handed to it in the meantime, passes the lock on to the next waiter (or frees it). Resolves when done.
   */
  leave?(): Promise<void>;
  /** Ends the subscription; pending `next()` calls resolve `false`. Idempotent. */
  close(): void;
}

/** Options of {@link LockStore.subscribe}. */
export interface SubscribeOptions {
  /**
   * Watch the key instead of waiting for it: the lock core of a holder running a closure uses this to hear
   * of a force-release or takeover. A watcher receives EVERY announced release of the key and stays out of
   * the waiters' wake-one queue (it neither takes a waiter's wake-up nor misses a release that woke one),
   * and never re-checks on a waiter's behalf. A store that cannot tell watchers apart may ignore it.
   */
  readonly watch?: boolean;
}

export interface LockStore {
  /** Sets `key` to `owner` if it is absent (`SET key owner NX PX ttl` on Redis). Never overwrites. */
  acquire(request: AcquireRequest): Promise<AcquireResult>;

  /**
   * Deletes `key` if its value is `owner` (atomic compare-and-delete) and, given `hold`, if it is still that
   * very hold (see {@link Hold}). `true` when it did. Announces the release.
   */
  release(key: string, owner: string, hold?: Hold): Promise<boolean>;

  /** Deletes `key` whoever holds it. Announces the release. */
  forceRelease(key: string): Promise<void>;

  /**
   * Sets the lease of `key` to `ttlMs` from now if its value is `owner` (atomic compare-and-extend);
   * `ttlMs === 0` removes the expiry. Given `hold`, only that very hold (see {@link Hold}). `true` when it did.
   */
  refresh(key: string, owner: string, ttlMs: number, hold?: Hold): Promise<boolean>;

  /** The owner token stored under `key`, or `null` when no one holds it. */
  currentOwner(key: string): Promise<string | null>;

  /**
   * The lease left on `key` if `owner` holds it: milliseconds (> 0), `-1` when it never expires, `null` when
   * `owner` does not hold it (given `hold`: when that very hold has ended, see {@link Hold}). Lease extension
   * schedules itself from this value, not from a local guess.
   */
  remainingLease(key: string, owner: string, hold?: Hold): Promise<number | null>;

  /** Starts listening for releases of `key`; resolves once the subscription is active. */
  subscribe(key: string, options?: SubscribeOptions): Promise<ReleaseSubscription>;

  /**
   * Optional: `true` when `subscribe(key)` would be active at once, with no round trip (the store already
   * listens to the key's releases, for another local waiter or a subscription that lingers after one). The
   * lock core then subscribes before a wait's FIRST attempt, so that attempt can already queue
   * ({@link AcquireRequest.queue}): on a hot key a wait costs one request instead of two.
   */
  listening?(key: string): boolean;

  /**
   * Optional: throws (a `RangeError` naming the key) when this store cannot keep a lock at `key`, because it
   * keeps something else there (RedisStore: the queue, grant record, … it derives from another lock's key).
   * `createLocks` calls it in `lock()` and `restoreLock()` with the prefixed key, so such a name fails where
   * it is written; a lock kept there would be overwritten or deleted by the other lock's operations, and two
   * holders could meet.
   */
  assertKey?(key: string): void;

  /**
   * Set by a store that runs the fallback re-check for its own waiters (RedisStore: only the first waiting
   * waiter of each key re-checks, every `recheckIntervalMs`, so 10,000 waiters do not poll). The lock core
   * then bounds each `next()` only by the remaining wait and the holder's lease, not by its own ceiling.
   */
  readonly recheckIntervalMs?: number;

  /** Frees what the store itself opened (timers, its own connections); never the user's client. Idempotent. */
  close(): Promise<void>;
}
