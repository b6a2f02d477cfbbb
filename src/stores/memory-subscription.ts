import type { Handoff, ReleaseSubscription } from './store.js';

/** setTimeout fires after 1 ms for delays above this (2^31 - 1 ms, ~24.8 days). */
const MAX_TIMER_MS = 2_147_483_647;

/** What a MemoryStore subscription asks of its store. */
export interface MemorySubscriptionOwner {
  /** The subscription closed: drop it (and its queue entry) from the store. */
  closed(subscription: MemorySubscription): void;
  /** A waiter stops without the lock: take its queue entry back, passing on a lock handed to it meanwhile. */
  left(subscription: MemorySubscription): void;
}

/**
 * One waiter's (or watcher's) subscription to a MemoryStore key. A release reaches it as a wake-up
 * (`next()` resolves `true`) or, for a fair waiter whose queue entry came first, as a {@link Handoff}: the store
 * already made the waiter the holder, and `next()` keeps answering with that handoff until the subscription
 * closes.
 */
export class MemorySubscription implements ReleaseSubscription {
  #pending = false;
  #closed = false;
  #settle: ((released: boolean | Handoff) => void) | undefined;
  #handoff: Handoff | undefined;

  constructor(
    readonly key: string,
    private readonly owner: MemorySubscriptionOwner,
  ) {}

  /** The lock the store handed to this waiter, if it did (kept until the subscription closes). */
  get handoff(): Handoff | undefined {
    return this.#handoff;
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** Delivers one release; `false` when this subscription cannot take it (closed or already woken). */
  wake(): boolean {
    if (this.#closed || this.#pending || this.#handoff) return false;
    if (this.#settle) this.#settle(true);
    else this.#pending = true;
    return true;
  }

  /** Delivers a handoff: the store already set this waiter as the holder. */
  handOff(handoff: Handoff): void {
    this.#handoff = handoff;
    this.#pending = false;
    this.#settle?.(handoff);
  }

  next(timeoutMs: number, signal?: AbortSignal): Promise<boolean | Handoff> {
    this.#settle?.(false);
    if (this.#handoff) return Promise.resolve(this.#handoff);
    if (this.#closed || signal?.aborted) return Promise.resolve(false);
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve(true);
    }
    return new Promise<boolean | Handoff>((resolve) => {
      const onAbort = (): void => settle(false);
      const timer = setTimeout(onAbort, Math.min(MAX_TIMER_MS, Math.max(0, timeoutMs))).unref();
      const settle = (released: boolean | Handoff): void => {
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

  async leave(): Promise<void> {
    this.owner.left(this);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pending = false;
    this.#settle?.(false);
    this.owner.closed(this);
  }
}
