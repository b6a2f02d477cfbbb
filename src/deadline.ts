import { formatSeconds } from './duration.js';
import { LockStoreError } from './errors.js';

const MAX_TIMER_MS = 2_147_483_647;

/**
 * Runs one store call under a deadline. A store failure, a synchronous throw, or a missed deadline becomes
 * a {@link LockStoreError} naming the operation and the lock, with the store's error as `cause`. A call
 * that settles after its deadline is ignored (never an unhandled rejection); `onLate` sees a late success,
 * so a caller can undo an acquisition whose answer came too late. `onFailure` sees every failure (the lock
 * core publishes it as an event).
 */
export function withDeadline<T>(
  operation: string,
  lockName: string,
  timeoutMs: number,
  call: () => Promise<T>,
  onLate?: (value: T) => void,
  onFailure?: (error: LockStoreError) => void,
): Promise<T> {
  const fail = (error: LockStoreError): LockStoreError => {
    onFailure?.(error);
    return error;
  };
  let pending: Promise<T>;
  try {
    pending = Promise.resolve(call());
  } catch (error) {
    return Promise.reject(fail(asStoreError(operation, lockName, error)));
  }
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    // Not unref()ed: a caller awaiting a store answer keeps the process alive until the deadline, like any I/O.
    const timer = setTimeout(() => {
      settled = true;
      reject(fail(new LockStoreError(operation, lockName, `the store did not answer within ${formatSeconds(timeoutMs)}`)));
    }, Math.min(timeoutMs, MAX_TIMER_MS)); // beyond this Node would fire after 1 ms; ~24.8 days is "never" here
    pending.then(
      (value) => {
        if (settled) {
          try {
            onLate?.(value);
          } catch {
            // A clean-up hook must not turn into an unhandled rejection.
          }
          return;
        }
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(fail(asStoreError(operation, lockName, error)));
      },
    );
  });
}

function asStoreError(operation: string, lockName: string, error: unknown): LockStoreError {
  if (error instanceof LockStoreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new LockStoreError(operation, lockName, message, { cause: error });
}
