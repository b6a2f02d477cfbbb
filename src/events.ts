/**
 * Lock events on `node:diagnostics_channel`, the channels Node's own instrumentation (undici, http) and the
 * OpenTelemetry instrumentations use. A payload is built only when the channel has a subscriber, so a
 * process that never subscribes pays one property read per event.
 *
 * ```ts
 * import { subscribe } from 'node:diagnostics_channel';
 * import { LOCK_ACQUIRED, type LockAcquiredEvent } from 'locksmith-js';
 * subscribe(LOCK_ACQUIRED, (message) => console.log((message as LockAcquiredEvent).waitedMs));
 * ```
 *
 * Names in payloads are the names given to `locks.lock()`, without the manager's prefix.
 */
import { channel } from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import type { LockStoreError } from './errors.js';

/** Channel name: a lock was acquired (by `get()` or `block()`, including a direct handoff). */
export const LOCK_ACQUIRED = 'locksmith:acquired';
/** Channel name: a lock was released by the owner that held it. */
export const LOCK_RELEASED = 'locksmith:released';
/** Channel name: `block(wait)` gave up without the lock. */
export const LOCK_TIMEOUT = 'locksmith:timeout';
/** Channel name: a lock was lost while a closure held it (the closure's `signal` aborted). */
export const LOCK_LOST = 'locksmith:lost';
/** Channel name: a store call failed or missed its deadline. */
export const LOCK_STORE_ERROR = 'locksmith:store-error';

/** Payload of {@link LOCK_ACQUIRED}. */
export interface LockAcquiredEvent {
  readonly name: string;
  readonly owner: string;
  /** From the call of `get()`/`block()` to the acquisition, in ms (fractional). */
  readonly waitedMs: number;
  /** `true` when a release handed the lock to this waiter (direct FIFO handoff), `false` for a plain take. */
  readonly handoff: boolean;
  /** The fencing token issued with this acquisition, with `fencing: true`. */
  readonly fencingToken?: number;
}

/** Payload of {@link LOCK_RELEASED}. */
export interface LockReleasedEvent {
  readonly name: string;
  readonly owner: string;
  /**
   * From the acquisition (when the acquiring request was sent, or the handoff arrived) to the release, in ms;
   * `undefined` when this handle did not acquire the lock itself (a `restoreLock()` handle).
   */
  readonly heldMs: number | undefined;
}

/** Payload of {@link LOCK_TIMEOUT}. */
export interface LockTimeoutEvent {
  readonly name: string;
  /** How long `block()` waited before giving up, in ms. */
  readonly waitedMs: number;
}

/** Payload of {@link LOCK_LOST}. */
export interface LockLostEvent {
  readonly name: string;
  readonly owner: string;
  /** The same reason as the `LockLostError` the closure's signal aborts with (e.g. `'expired'`). */
  readonly reason: string;
}

/** Payload of {@link LOCK_STORE_ERROR}. */
export interface LockStoreErrorEvent {
  readonly name: string;
  /** The store operation: `'acquire'`, `'release'`, `'refresh'`, `'subscribe'`, … */
  readonly operation: string;
  /** The error the caller sees; the store's own error, if any, is its `cause`. */
  readonly error: LockStoreError;
}

const acquired = channel(LOCK_ACQUIRED);
const released = channel(LOCK_RELEASED);
const timeout = channel(LOCK_TIMEOUT);
const lost = channel(LOCK_LOST);
const storeError = channel(LOCK_STORE_ERROR);

/** @internal `startedAt`: `performance.now()` when `get()`/`block()` was called. */
export function publishAcquired(
  name: string,
  owner: string,
  startedAt: number,
  handoff: boolean,
  fencingToken: number | undefined,
): void {
  if (!acquired.hasSubscribers) return;
  const waitedMs = performance.now() - startedAt;
  const event: LockAcquiredEvent =
    fencingToken === undefined
      ? { name, owner, waitedMs, handoff }
      : { name, owner, waitedMs, handoff, fencingToken };
  acquired.publish(event);
}

/** @internal `heldSince`: `performance.now()` when the lease began, `undefined` when unknown. */
export function publishReleased(name: string, owner: string, heldSince: number | undefined): void {
  if (!released.hasSubscribers) return;
  const heldMs = heldSince === undefined ? undefined : performance.now() - heldSince;
  released.publish({ name, owner, heldMs } satisfies LockReleasedEvent);
}

/** @internal */
export function publishTimeout(name: string, startedAt: number): void {
  if (!timeout.hasSubscribers) return;
  timeout.publish({ name, waitedMs: performance.now() - startedAt } satisfies LockTimeoutEvent);
}

/** @internal */
export function publishLost(name: string, owner: string, reason: string): void {
  if (!lost.hasSubscribers) return;
  lost.publish({ name, owner, reason } satisfies LockLostEvent);
}

/** @internal */
export function publishStoreError(error: LockStoreError): void {
  if (!storeError.hasSubscribers) return;
  storeError.publish({ name: error.lockName, operation: error.operation, error } satisfies LockStoreErrorEvent);
}
