import { performance } from 'node:perf_hooks';
import type { AcquireRequest, AcquireResult, Hold, LockStore, ReleaseSubscription, SubscribeOptions } from './store.js';

/** setTimeout fires after 1 ms for delays above this (2^31 - 1 ms, ~24.8 days); longer leases re-arm. */
const MAX_TIMER_MS = 2_147_483_647;

/** `current` is held by `owner` and, given `hold`, is that very hold (without it: whoever holds the token). */
function isHeldBy(current: Held | undefined, owner: string, hold: Hold | undefined): current is Held {
  return current !== undefined && current.owner === owner && (hold === undefined || current.hold === hold);
}

interface Held {
  readonly owner: string;
  /** This hold's identity (see `Hold`): a later hold of the same owner token is not this one. */
  readonly hold: Hold;
  /** `performance.now()` time at which the lease ends; `Infinity` when it never expires. */
  expiresAt: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * An in-process {@link LockStore}: locks exclude each other only inside this process (every lock manager
 * using the same MemoryStore instance). Leases expire both lazily (checked on every access) and by an
 * `unref()`ed timer that announces the expiry, so a waiter takes an expired lock at once. Each announced
 * release wakes one waiter, oldest first. Nothing here keeps the process alive.
 */
export class MemoryStore implements LockStore {
  /**
   * Every release and every expiry is announced here, so waiters never need a fallback re-check: the lock
   * core skips its own re-check ceiling for this store.
   */
  readonly recheckIntervalMs = Number.POSITIVE_INFINITY;
  readonly #held = new Map<string, Held>();
  /**
   * One counter for the whole store, not one per name: a name's tokens still strictly increase (every token is
   * above every token issued before, on any name), and a store that sees millions of distinct names keeps no
   * state for the ones nobody holds.
   */
  #lastFencingToken = 0;
  #holds = 0;
  /** Waiters per key, oldest first: each release wakes one. */
  readonly #subscribers = new Map<string, Set<MemorySubscription>>();
  /** Watchers per key (holders running a closure): each release wakes all of them. */
  readonly #watchers = new Map<string, Set<MemorySubscription>>();
  #closed = false;

  /**
   * How many keys the store keeps state for right now (held locks, waiters, watchers). For tests and
   * diagnostics: it does not grow with the number of distinct names ever used, only with those in use.
   */
  get trackedKeys(): number {
    return this.#held.size + this.#subscribers.size + this.#watchers.size;
  }

  async acquire(request: AcquireRequest): Promise<AcquireResult> {
    this.#assertOpen();
    const { key, owner, ttlMs, fencing } = request;
    const current = this.#live(key);
    if (current) return { acquired: false, remainingMs: remainingOf(current) };
    const hold = request.hold ?? `m${(this.#holds++).toString(36)}`;
    const held: Held = { owner, hold, expiresAt: Infinity, timer: undefined };
    this.#held.set(key, held);
    this.#lease(key, held, ttlMs);
    if (!fencing) return { acquired: true, hold };
    const fencingToken = ++this.#lastFencingToken;
    return { acquired: true, fencingToken, hold };
  }

  async release(key: string, owner: string, hold?: Hold): Promise<boolean> {
    this.#assertOpen();
    const current = this.#live(key);
    if (!isHeldBy(current, owner, hold)) return false;
    this.#delete(key, current);
    return true;
  }

  async forceRelease(key: string): Promise<void> {
    this.#assertOpen();
    const current = this.#live(key);
    if (current) this.#delete(key, current);
  }

  async refresh(key: string, owner: string, ttlMs: number, hold?: Hold): Promise<boolean> {
    this.#assertOpen();
    const current = this.#live(key);
    if (!isHeldBy(current, owner, hold)) return false;
    this.#lease(key, current, ttlMs);
    return true;
  }

  async currentOwner(key: string): Promise<string | null> {
    this.#assertOpen();
    return this.#live(key)?.owner ?? null;
  }

  async remainingLease(key: string, owner: string, hold?: Hold): Promise<number | null> {
    this.#assertOpen();
    const current = this.#live(key);
    return isHeldBy(current, owner, hold) ? remainingOf(current) : null;
  }

  async subscribe(key: string, options?: SubscribeOptions): Promise<ReleaseSubscription> {
    this.#assertOpen();
    const registry = options?.watch ? this.#watchers : this.#subscribers;
    let subscribers = registry.get(key);
    if (!subscribers) {
      subscribers = new Set();
      registry.set(key, subscribers);
    }
    const subscription = new MemorySubscription(() => this.#unsubscribe(registry, key, subscription));
    subscribers.add(subscription);
    return subscription;
  }

  /** Drops every lock, timer and subscription; later calls reject. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const held of this.#held.values()) clearTimeout(held.timer);
    this.#held.clear();
    const subscriptions = [...this.#subscribers.values(), ...this.#watchers.values()].flatMap((set) => [...set]);
    this.#subscribers.clear();
    this.#watchers.clear();
    for (const subscription of subscriptions) subscription.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('locksmith: this MemoryStore is closed');
  }

  /** The entry for `key` if its lease has not ended; an ended one is removed and announced here. */
  #live(key: string): Held | undefined {
    const held = this.#held.get(key);
    if (held && performance.now() >= held.expiresAt) {
      this.#delete(key, held);
      return undefined;
    }
    return held;
  }

  #lease(key: string, held: Held, ttlMs: number): void {
    clearTimeout(held.timer);
    held.timer = undefined;
    held.expiresAt = ttlMs === 0 ? Infinity : performance.now() + ttlMs;
    if (ttlMs !== 0) this.#arm(key, held);
  }

  #arm(key: string, held: Held): void {
    const delay = Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(held.expiresAt - performance.now())));
    held.timer = setTimeout(() => {
      held.timer = undefined;
      if (this.#held.get(key) !== held) return;
      // Timers may fire a fraction early, and very long leases need several rounds.
      if (performance.now() < held.expiresAt) this.#arm(key, held);
      else this.#delete(key, held);
    }, delay).unref();
  }

  #delete(key: string, held: Held): void {
    clearTimeout(held.timer);
    this.#held.delete(key);
    this.#announce(key);
  }

  /**
   * Wakes every watcher, and the oldest waiter not already holding a wake-up: one waiter per release, no
   * thundering herd.
   */
  #announce(key: string): void {
    const watchers = this.#watchers.get(key);
    if (watchers) for (const watcher of watchers) watcher.wake();
    this.#wakeOneWaiter(key);
  }

  #wakeOneWaiter(key: string): void {
    const subscribers = this.#subscribers.get(key);
    if (!subscribers) return;
    for (const subscription of subscribers) {
      if (subscription.wake()) return;
    }
  }

  #unsubscribe(
    registry: Map<string, Set<MemorySubscription>>,
    key: string,
    subscription: MemorySubscription,
  ): void {
    const subscribers = registry.get(key);
    if (!subscribers?.delete(subscription)) return;
    if (subscribers.size === 0) {
      registry.delete(key);
      return;
    }
    if (registry === this.#watchers) return;
    // A waiter leaving while the key is free may have taken a wake-up meant for the next one: pass it on.
    if (!this.#closed && !this.#live(key)) this.#wakeOneWaiter(key);
  }
}

function remainingOf(held: Held): number {
  return held.expiresAt === Infinity ? -1 : Math.max(1, Math.ceil(held.expiresAt - performance.now()));
}

class MemorySubscription implements ReleaseSubscription {
  #pending = false;
  #closed = false;
  #settle: ((released: boolean) => void) | undefined;

  constructor(private readonly onClose: () => void) {}

  /** Delivers one release; `false` when this subscription cannot take it (closed or already woken). */
  wake(): boolean {
    if (this.#closed || this.#pending) return false;
    if (this.#settle) this.#settle(true);
    else this.#pending = true;
    return true;
  }

  next(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    this.#settle?.(false);
    if (this.#closed || signal?.aborted) return Promise.resolve(false);
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      const onAbort = (): void => settle(false);
      const timer = setTimeout(onAbort, Math.min(MAX_TIMER_MS, Math.max(0, timeoutMs))).unref();
      const settle = (released: boolean): void => {
        if (this.#settle !== settle) return;
        this.#settle = undefined;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(released);
      };
      this.#settle = settle;
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pending = false;
    this.#settle?.(false);
    this.onClose();
  }
}
