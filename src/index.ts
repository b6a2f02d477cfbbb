// Public surface of `locksmith`: re-exports only.
export { createLocks, type LockManager, type LocksOptions } from './locks.js';
export { Lock, type LockOptions, type BlockOptions, type LockContext, type LockCallback } from './lock.js';
export { MemoryStore } from './stores/memory.js';
// RedisStore (runtime-redis adds this line): export { RedisStore } from './stores/redis.js';
export { parseDuration, type Duration } from './duration.js';
export { LockError, LockTimeoutError, LockLostError, LockStoreError } from './errors.js';
export type { LockStore, AcquireRequest, AcquireResult, ReleaseSubscription } from './stores/store.js';
