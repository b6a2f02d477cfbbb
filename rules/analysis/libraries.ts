/**
 * Library profiles: the lock libraries the analysis follows besides locksmith itself, each by its imports
 * only (nothing is recognised in a file that does not import the library, unless settings name receivers).
 */

/** A lock library the analysis knows. */
export type LibraryId = 'locksmith' | 'redlock' | 'redis-semaphore' | 'async-mutex';

/** The libraries that have a profile (locksmith is always on). */
export const PROFILE_IDS = ['redlock', 'redis-semaphore', 'async-mutex'] as const;
export type ProfileId = (typeof PROFILE_IDS)[number];

/** How a library speaks: its method names for each role and the unit of its durations. */
export interface Vocabulary {
  readonly library: LibraryId;
  /** The method that waits for the lock and throws when it cannot get it (`block`, `acquire`). */
  readonly acquire: string;
  /** The method that tries once and resolves a boolean (`get`, `tryAcquire`), if the library has one. */
  readonly tryAcquire: string | undefined;
  /** How the code releases (`lock.release()`, `release()`). */
  readonly release: string;
  /** The closure form (`get(fn)` / `block(wait, fn)`, `using(…, fn)`, `runExclusive(fn)`), if any. */
  readonly closure: string | undefined;
  /** The unit the library's TTLs and waits are written in. */
  readonly unit: 'seconds' | 'milliseconds';
}

export const VOCABULARIES: Readonly<Record<LibraryId, Vocabulary>> = {
  locksmith: {
    library: 'locksmith',
    acquire: 'block',
    tryAcquire: 'get',
    release: 'release',
    closure: 'block(wait, fn)',
    unit: 'seconds',
  },
  redlock: {
    library: 'redlock',
    acquire: 'acquire',
    tryAcquire: undefined,
    release: 'release',
    closure: 'using(resources, ttl, fn)',
    unit: 'milliseconds',
  },
  'redis-semaphore': {
    library: 'redis-semaphore',
    acquire: 'acquire',
    tryAcquire: 'tryAcquire',
    release: 'release',
    closure: undefined,
    unit: 'milliseconds',
  },
  'async-mutex': {
    library: 'async-mutex',
    acquire: 'acquire',
    tryAcquire: undefined,
    release: 'release',
    closure: 'runExclusive(fn)',
    unit: 'milliseconds',
  },
};

/** The package specifiers each profile follows by default. */
export const DEFAULT_MODULES: Readonly<Record<ProfileId, readonly string[]>> = {
  redlock: ['redlock', '@sesamecare-oss/redlock'],
  'redis-semaphore': ['redis-semaphore'],
  'async-mutex': ['async-mutex'],
};

/** redis-semaphore's lock classes, with the index of their options argument. */
export const REDIS_SEMAPHORE_CLASSES: ReadonlyMap<string, number> = new Map([
  ['Mutex', 2],
  ['RedlockMutex', 2],
  ['Semaphore', 3],
  ['RedlockSemaphore', 3],
  ['MultiSemaphore', 4],
  ['RedlockMultiSemaphore', 4],
]);

/** async-mutex's lock classes. */
export const ASYNC_MUTEX_CLASSES: ReadonlySet<string> = new Set(['Mutex', 'Semaphore']);

/** redlock's defaults (v5 and @sesamecare-oss/redlock alike). */
export const REDLOCK_DEFAULTS = { retryCount: 10, retryDelay: 200, retryJitter: 100 } as const;

/** redis-semaphore's defaults (`defaultTimeoutOptions`). */
export const REDIS_SEMAPHORE_DEFAULTS = { lockTimeout: 10_000, acquireTimeout: 10_000 } as const;
