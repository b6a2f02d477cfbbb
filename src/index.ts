// Public surface of `locksmith`: re-exports only.
export { parseDuration, type Duration } from './duration.js';
export { LockError, LockTimeoutError, LockLostError, LockStoreError } from './errors.js';
export type { LockStore, AcquireRequest, AcquireResult, ReleaseSubscription } from './stores/store.js';
