// Public surface of `locksmith-js`: re-exports only.
export { createLocks, type LockManager, type LocksOptions } from './locks.js';
export { Lock, type LockOptions, type BlockOptions, type LockContext, type LockCallback } from './lock.js';
export { MemoryStore } from './stores/memory.js';
export { RedisStore, type RedisStoreOptions } from './stores/redis.js';
export { QuorumStore, QuorumUnavailableError, type QuorumStoreOptions } from './stores/redis-quorum.js';
export { parseDuration, type Duration } from './duration.js';
export {
  LOCK_ACQUIRED,
  LOCK_RELEASED,
  LOCK_TIMEOUT,
  LOCK_LOST,
  LOCK_STORE_ERROR,
  type LockAcquiredEvent,
  type LockReleasedEvent,
  type LockTimeoutEvent,
  type LockLostEvent,
  type LockStoreErrorEvent,
} from './events.js';
export { LockError, LockTimeoutError, LockLostError, LockStoreError } from './errors.js';
export type {
  LockStore,
  AcquireRequest,
  AcquireResult,
  Handoff,
  Hold,
  QueueRequest,
  ReleaseSubscription,
  SubscribeOptions,
} from './stores/store.js';
