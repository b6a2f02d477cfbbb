/** Base class of every error locksmith throws on purpose. `instanceof LockError` catches them all. */
export class LockError extends Error {
  override name = 'LockError';
}

/** `block(wait)` gave up: the lock was not acquired within `waited` seconds. */
export class LockTimeoutError extends LockError {
  override name = 'LockTimeoutError';

  constructor(
    /** The lock's name, as given to `lock()` (without the manager's prefix). */
    readonly lockName: string,
    /** How long `block()` was asked to wait, in seconds. */
    readonly waited: number,
    options?: ErrorOptions,
  ) {
    super(`locksmith: could not acquire lock "${lockName}" within ${waited}s`, options);
  }
}

/**
 * The lock was lost while it was believed held: it expired, was taken over by another owner, or was
 * force-released. A closure's `signal` aborts with this error as its `reason`.
 */
export class LockLostError extends LockError {
  override name = 'LockLostError';

  constructor(
    /** The lock's name, as given to `lock()` (without the manager's prefix). */
    readonly lockName: string,
    /** Why the lock is considered lost, e.g. `'expired'`, `'refresh refused'`, `'store unreachable'`. */
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`locksmith: lock "${lockName}" was lost (${reason})`, options);
  }
}

/**
 * A store call failed or missed its deadline (Redis down, stalled, or refusing the command).
 * The underlying error, when there is one, is in `cause`.
 */
export class LockStoreError extends LockError {
  override name = 'LockStoreError';

  constructor(
    /** The store operation that failed: `'acquire'`, `'release'`, `'refresh'`, … */
    readonly operation: string,
    /** The lock's name, as given to `lock()` (without the manager's prefix). */
    readonly lockName: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`locksmith: ${operation} of lock "${lockName}" failed: ${message}`, options);
  }
}
