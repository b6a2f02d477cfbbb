/**
 * The one shape every benchmarked lock implementation is driven through, so that each metric is written once
 * and measures the same thing for the raw floor, locksmith and the peers.
 */

/** A lock this subject holds; `release()` gives it back. */
export interface Held {
  release(): Promise<void>;
}

export interface LockSubject {
  /** Short id used on the command line and in the table, e.g. `locksmith`, `redlock`. */
  readonly id: string;
  /** Package name and installed version, e.g. `redlock@5.0.0-beta.2`. */
  readonly version: string;
  /**
   * Acquires `key` for `ttlMs`, waiting with the implementation's own (default) waiting strategy for at most
   * `waitMs` where the implementation takes a wait limit. `null` when it gave up.
   */
  acquire(key: string, ttlMs: number, waitMs: number, signal?: AbortSignal): Promise<Held | null>;
  /** Closes every connection the subject opened. */
  close(): Promise<void>;
}

/** Builds a subject connected to the Redis at `url`. Each call opens its own connections. */
export type SubjectFactory = (url: string) => Promise<LockSubject>;
