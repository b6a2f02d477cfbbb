import { performance } from 'node:perf_hooks';
import { MemorySubscription, type MemorySubscriptionOwner } from './memory-subscription.js';
import type {
  AcquireRequest,
  AcquireResult,
  Hold,
  LockStore,
  QueueRequest,
  ReleaseSubscription,
  SubscribeOptions,
} from './store.js';

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
  /** The fencing token issued with this hold, if it asked for one (a handed waiter's attempt re-reads it). */
  readonly fencingToken: number | undefined;
}

/** A waiter's place in a key's queue: what a release needs to hand it the lock, or to wake it (barging). */
interface QueueEntry {
  readonly owner: string;
  readonly ttlMs: number;
  readonly fencing: boolean;
  /** `false`: a barging waiter, woken (not handed the lock) when its turn comes; it keeps its place. */
  readonly fair: boolean;
  /** `performance.now()` after which the waiter has stopped waiting: its entry is skipped. */
  readonly deadline: number;
}

/**
 * An in-process {@link LockStore}: locks exclude each other only inside this process (every lock manager
 * using the same MemoryStore instance). Leases expire both lazily (checked on every access) and by an
 * `unref()`ed timer that announces the expiry, so a waiter takes an expired lock at once. Nothing here keeps
 * the process alive.
 *
 * Waiters queue in arrival order (their queued attempts, see `AcquireRequest.queue`). Every release and expiry
 * serves the oldest live entry: a fair waiter is handed the lock (it holds it before it hears of it, as on
 * Redis); a barging waiter (`fair: false`) is only woken to race for the free key and keeps its place if it
 * loses. Without a queued waiter, a release wakes one waiter that has not queued yet.
 */
export class MemoryStore implements LockStore, MemorySubscriptionOwner {
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
  /** Queued waiters per key, in arrival order (a Map keeps insertion order). */
  readonly #queues = new Map<string, Map<MemorySubscription, QueueEntry>>();
  #closed = false;

  /**
   * How many keys the store keeps state for right now (held locks, waiters, watchers). For tests and
   * diagnostics: it does not grow with the number of distinct names ever used, only with those in use.
   */
  get trackedKeys(): number {
    return this.#held.size + this.#subscribers.size + this.#watchers.size + this.#queues.size;
  }

  async acquire(request: AcquireRequest): Promise<AcquireResult> {
    this.#assertOpen();
    const { key, owner, ttlMs, fencing } = request;
    const waiter = this.#ownWaiter(key, request.queue?.subscription);
    const current = this.#live(key);
    const handedOff = waiter?.handoff;
    // A handoff this waiter has not heard of yet (its sleep ended first): it already holds the lock.
    if (handedOff && current && current.hold === handedOff.hold) {
      return { acquired: true, handedOff: true, hold: current.hold, ...fenced(current.fencingToken) };
    }
    if (current) {
      if (waiter && !handedOff && request.queue) this.#enqueue(key, waiter, request, request.queue);
      return { acquired: false, remainingMs: remainingOf(current) };
    }
    if (waiter) this.#dequeue(key, waiter);
    const held = this.#hold(key, owner, ttlMs, fencing, request.hold);
    return { acquired: true, hold: held.hold, ...fenced(held.fencingToken) };
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
    const subscription = new MemorySubscription(key, this);
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
    this.#queues.clear();
    for (const subscription of subscriptions) subscription.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('locksmith: this MemoryStore is closed');
  }

  /**
   * The entry for `key` if its lease has not ended. An ended one is removed and announced here, which may
   * hand the key to a queued waiter at once: the result is then that waiter's hold.
   */
  #live(key: string): Held | undefined {
    const held = this.#held.get(key);
    if (held && performance.now() >= held.expiresAt) {
      this.#delete(key, held);
      return this.#held.get(key);
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

  /** Makes `owner` the holder of the free `key` with a lease of `ttlMs`. */
  #hold(key: string, owner: string, ttlMs: number, fencing: boolean, hold?: Hold): Held {
    const held: Held = {
      owner,
      hold: hold ?? `m${(this.#holds++).toString(36)}`,
      expiresAt: Infinity,
      timer: undefined,
      fencingToken: fencing ? ++this.#lastFencingToken : undefined,
    };
    this.#held.set(key, held);
    this.#lease(key, held, ttlMs);
    return held;
  }

  #delete(key: string, held: Held): void {
    clearTimeout(held.timer);
    this.#held.delete(key);
    const watchers = this.#watchers.get(key);
    if (watchers) for (const watcher of watchers) watcher.wake();
    this.#serveQueue(key);
  }

  /**
   * The key is free: serve the oldest live queue entry (a fair waiter is handed the lock, a barging one is
   * woken and keeps its place), or, with none, wake one waiter that has not queued yet: one waiter per
   * release, no thundering herd.
   */
  #serveQueue(key: string): void {
    const queue = this.#queues.get(key);
    if (queue) {
      const now = performance.now();
      for (const [subscription, entry] of queue) {
        if (subscription.isClosed || entry.deadline <= now) {
          queue.delete(subscription);
          continue;
        }
        if (!entry.fair) {
          subscription.wake();
          return;
        }
        queue.delete(subscription);
        if (queue.size === 0) this.#queues.delete(key);
        const held = this.#hold(key, entry.owner, entry.ttlMs, entry.fencing);
        subscription.handOff({ handedOff: true, hold: held.hold, ...fenced(held.fencingToken), at: performance.now() });
        return;
      }
      this.#queues.delete(key);
    }
    const subscribers = this.#subscribers.get(key);
    if (!subscribers) return;
    for (const subscription of subscribers) {
      if (!queue?.has(subscription) && subscription.wake()) return;
    }
  }

  /** `subscription` if it is one of this store's waiters on `key` (a queued attempt may name any). */
  #ownWaiter(key: string, subscription: ReleaseSubscription | undefined): MemorySubscription | undefined {
    if (!(subscription instanceof MemorySubscription)) return undefined;
    return this.#subscribers.get(key)?.has(subscription) ? subscription : undefined;
  }

  /** Joins the key's queue; a waiter already queued keeps its place (and its first deadline). */
  #enqueue(key: string, waiter: MemorySubscription, request: AcquireRequest, queued: QueueRequest): void {
    let queue = this.#queues.get(key);
    if (queue?.has(waiter)) return;
    if (!queue) {
      queue = new Map();
      this.#queues.set(key, queue);
    }
    queue.set(waiter, {
      owner: request.owner,
      ttlMs: request.ttlMs,
      fencing: request.fencing,
      fair: queued.fair !== false,
      deadline: performance.now() + queued.waitMs,
    });
  }

  #dequeue(key: string, waiter: MemorySubscription): void {
    const queue = this.#queues.get(key);
    if (!queue?.delete(waiter)) return;
    if (queue.size === 0) this.#queues.delete(key);
  }

  /** See `MemorySubscriptionOwner.left`: a lock handed to the waiter meanwhile goes to the next one. */
  left(subscription: MemorySubscription): void {
    if (this.#closed) return;
    const { key, handoff } = subscription;
    this.#dequeue(key, subscription);
    const current = this.#held.get(key);
    if (handoff && current && current.hold === handoff.hold) this.#delete(key, current);
  }

  /** See `MemorySubscriptionOwner.closed`. */
  closed(subscription: MemorySubscription): void {
    const { key } = subscription;
    this.#dequeue(key, subscription);
    for (const registry of [this.#subscribers, this.#watchers]) {
      const subscribers = registry.get(key);
      if (!subscribers?.delete(subscription)) continue;
      if (subscribers.size === 0) registry.delete(key);
      // A waiter leaving while the key is free may have taken a wake-up meant for the next one: pass it on.
      else if (registry === this.#subscribers && !this.#closed && !this.#live(key)) this.#serveQueue(key);
    }
  }
}

/** The fencing-token part of an acquisition or handoff result. */
function fenced(fencingToken: number | undefined): { fencingToken?: number } {
  return fencingToken === undefined ? {} : { fencingToken };
}

function remainingOf(held: Held): number {
  return held.expiresAt === Infinity ? -1 : Math.max(1, Math.ceil(held.expiresAt - performance.now()));
}
