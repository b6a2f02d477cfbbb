/**
 * Wake-on-release for RedisStore: one subscriber connection per store serves every local waiter.
 *
 * - Each key with local waiters has one channel subscription (SUBSCRIBE, or SSUBSCRIBE on Cluster so the
 *   announcement stays on the key's shard) and a FIFO of waiters. An announced release wakes ONE waiter, the
 *   first one not already woken; a waiter that leaves with an unused wake-up passes it on. So a release costs
 *   one retry in this process, not one per waiter.
 * - Only the head of a key's FIFO (the first waiter that is waiting) re-checks on the fallback ceiling, for
 *   releases nobody announces (a lease that expired, a Laravel app's release, a wake-up lost while the
 *   subscriber was reconnecting). The others have nothing to gain from polling: whoever takes the lock next,
 *   the head included, announces its own release. So 10,000 waiters on one key cost one re-check per ceiling.
 * - When the last local waiter of a key leaves, the channel lingers subscribed briefly (a hot key is waited on
 *   again at once), then is unsubscribed.
 * - If the subscriber connection is down, waiting still ends by each waiter's timeout, and the heads re-check
 *   at the ceiling; after a reconnect every head is woken to re-check at once.
 */
import type { ReleaseSubscription } from './store.js';

/** The subscriber connection, seen through what the registry needs; standalone and Cluster differ only here. */
export interface ReleaseFeed {
  /** Resolves when the server has confirmed the subscription. */
  subscribe(channel: string): Promise<unknown>;
  unsubscribe(channel: string): Promise<unknown>;
  /**
   * `false` when the connection is known to be down (reconnecting, closed): a subscription sent now would
   * wait for the reconnect. `true` while it is up or making its first connection.
   */
  isUsable(): boolean;
  /** Disconnects at once (never waits on a stalled server). */
  close(): void;
}

export interface ReleaseFeedEvents {
  /** A release of `key` was announced. */
  onRelease(key: string): void;
  /** The connection is back after a loss: announcements may have been missed. */
  onReconnect(): void;
}

export interface ReleaseRegistryOptions {
  /** Fallback re-check ceiling of a key's head waiter, in ms. */
  readonly recheckMs: number;
  /** How long a key's channel stays subscribed after its last local waiter left, in ms. */
  readonly lingerMs: number;
  /** How long `subscribe()` waits for the server's confirmation before it settles for re-checks, in ms. */
  readonly confirmMs: number;
}

const MAX_TIMER_MS = 2_147_483_647;

interface PendingNext {
  readonly resolve: (released: boolean) => void;
  /** Absolute time (ms, `performance.now()`) at which this `next()` gives up. */
  readonly deadline: number;
  timer: NodeJS.Timeout | undefined;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: (() => void) | undefined;
}

class Waiter {
  /**
   * A watcher (`subscribe(key, { watch: true })`: a holder's closure watching its own lock) hears every
   * release, outside the waiters' wake-one queue, and never re-checks on their behalf.
   */
  watcher = false;
  /** An announced release this waiter has not consumed yet. */
  woken = false;
  /** Has waited at least once: only such waiters re-check for the others (see `isHead`). */
  active = false;
  closed = false;
  pending: PendingNext | undefined;

  constructor(readonly entry: KeyEntry) {}
}

interface KeyEntry {
  readonly key: string;
  readonly channel: string;
  readonly waiters: Set<Waiter>;
  /** Set once the server confirmed the channel subscription. */
  confirmed: boolean;
  /** The SUBSCRIBE in flight, if any. */
  subscribing: Promise<void> | undefined;
  lingerTimer: NodeJS.Timeout | undefined;
}

export class ReleaseRegistry {
  private readonly entries = new Map<string, KeyEntry>();
  private feed: ReleaseFeed | undefined;
  private closed = false;

  constructor(
    /** Opens the subscriber connection; called on the first `subscribe()`. */
    private readonly openFeed: (events: ReleaseFeedEvents) => ReleaseFeed,
    /** The channel of a key (same Cluster slot as the key). */
    private readonly channelOf: (key: string) => string,
    private readonly options: ReleaseRegistryOptions,
  ) {}

  /** Number of keys with a channel subscription (or one lingering). For tests and diagnostics. */
  get subscribedKeys(): number {
    return this.entries.size;
  }

  async subscribe(key: string, watch = false): Promise<ReleaseSubscription> {
    if (this.closed) throw new Error('RedisStore is closed');
    const entry = this.entryOf(key);
    const waiter = new Waiter(entry);
    waiter.watcher = watch;
    entry.waiters.add(waiter);
    const subscription: ReleaseSubscription = {
      next: (timeoutMs, signal) => this.next(waiter, timeoutMs, signal),
      close: () => this.leave(waiter),
    };
    if (!entry.confirmed && entry.subscribing) await this.confirmation(entry.subscribing);
    return subscription;
  }

  /** Closes the subscriber connection and ends every wait. Idempotent, never waits on the server. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const entry of this.entries.values()) {
      clearTimeout(entry.lingerTimer);
      for (const waiter of entry.waiters) {
        waiter.closed = true;
        this.settle(waiter, false);
      }
      entry.waiters.clear();
    }
    this.entries.clear();
    this.feed?.close();
  }

  private get connection(): ReleaseFeed {
    this.feed ??= this.openFeed({
      onRelease: (key) => this.wakeOne(key),
      onReconnect: () => this.resume(),
    });
    return this.feed;
  }

  private entryOf(key: string): KeyEntry {
    const existing = this.entries.get(key);
    if (existing) {
      clearTimeout(existing.lingerTimer);
      existing.lingerTimer = undefined;
      return existing;
    }
    const entry: KeyEntry = {
      key,
      channel: this.channelOf(key),
      waiters: new Set(),
      confirmed: false,
      subscribing: undefined,
      lingerTimer: undefined,
    };
    this.entries.set(key, entry);
    this.sendSubscribe(entry);
    return entry;
  }

  private sendSubscribe(entry: KeyEntry): void {
    const sent = this.connection.subscribe(entry.channel).then(
      () => {
        if (entry.subscribing === sent) entry.confirmed = true;
      },
      // Not fatal: the head waiter re-checks at the ceiling, and the next reconnect subscribes again.
      () => undefined,
    );
    entry.subscribing = sent;
  }

  /**
   * Waits for the SUBSCRIBE confirmation, unless the connection is down or slow: then waiting goes on without
   * wake-ups (heads re-check at the ceiling) rather than failing a lock over a missing optimisation.
   */
  private async confirmation(subscribing: Promise<void>): Promise<void> {
    if (!this.connection.isUsable()) return;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.confirmMs);
      timer.unref();
    });
    await Promise.race([subscribing, gaveUp]);
    clearTimeout(timer);
  }

  private next(waiter: Waiter, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (waiter.closed) return Promise.resolve(false);
    this.settle(waiter, false); // a caller never has two next() pending; resolve a stray one rather than leak it
    if (waiter.woken) {
      waiter.woken = false;
      return Promise.resolve(true);
    }
    if (signal?.aborted) return Promise.resolve(false);
    waiter.active = true;
    return new Promise<boolean>((resolve) => {
      const onAbort = signal ? () => this.settle(waiter, false) : undefined;
      waiter.pending = {
        resolve,
        deadline: performance.now() + timeoutMs,
        timer: undefined,
        signal,
        onAbort,
      };
      if (onAbort) signal?.addEventListener('abort', onAbort, { once: true });
      this.arm(waiter);
    });
  }

  /** (Re)starts a pending `next()`'s timer: the head re-checks at the ceiling, the others wait it out. */
  private arm(waiter: Waiter): void {
    const pending = waiter.pending;
    if (!pending) return;
    clearTimeout(pending.timer);
    const left = Math.max(0, pending.deadline - performance.now());
    const ms = this.isHead(waiter) ? Math.min(left, this.options.recheckMs) : left;
    // Beyond 2^31-1 ms Node fires a timer after 1 ms: a very long wait would turn into a busy poll.
    pending.timer = setTimeout(() => this.settle(waiter, false), Math.min(ms, MAX_TIMER_MS));
    // The caller (the lock core) keeps the process alive while it waits; a store timer must not on its own.
    pending.timer.unref();
  }

  /** The first waiter of its key that has started waiting: the one that re-checks for everyone. */
  private isHead(waiter: Waiter): boolean {
    return this.headOf(waiter.entry) === waiter;
  }

  private headOf(entry: KeyEntry): Waiter | undefined {
    for (const candidate of entry.waiters) if (candidate.active && !candidate.watcher) return candidate;
    return undefined;
  }

  /** Resolves a waiter's pending `next()`, if any. */
  private settle(waiter: Waiter, released: boolean): void {
    const pending = waiter.pending;
    if (!pending) return;
    waiter.pending = undefined;
    clearTimeout(pending.timer);
    if (pending.onAbort) pending.signal?.removeEventListener('abort', pending.onAbort);
    pending.resolve(released);
  }

  /** One announced release: wakes every watcher, and the first waiter not already woken (FIFO). */
  private wakeOne(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    for (const watcher of entry.waiters) if (watcher.watcher) this.wake(watcher);
    for (const waiter of entry.waiters) {
      if (waiter.woken || waiter.watcher) continue;
      if (waiter.pending) this.settle(waiter, true);
      else waiter.woken = true;
      return;
    }
  }

  /** Delivers one release to `waiter` now, or keeps it for its next `next()`. */
  private wake(waiter: Waiter): void {
    if (waiter.pending) this.settle(waiter, true);
    else waiter.woken = true;
  }

  private leave(waiter: Waiter): void {
    if (waiter.closed) return;
    const entry = waiter.entry;
    const wasHead = this.isHead(waiter);
    waiter.closed = true;
    this.settle(waiter, false);
    entry.waiters.delete(waiter);
    if (waiter.woken && !waiter.watcher) this.wakeOne(entry.key); // the unused wake-up belongs to the next waiter
    if (wasHead) {
      const head = this.headOf(entry);
      if (head) this.arm(head);
    }
    if (entry.waiters.size === 0 && !this.closed) this.linger(entry);
  }

  private linger(entry: KeyEntry): void {
    clearTimeout(entry.lingerTimer);
    entry.lingerTimer = setTimeout(() => {
      if (entry.waiters.size > 0 || this.entries.get(entry.key) !== entry) return;
      this.entries.delete(entry.key);
      entry.subscribing = undefined;
      entry.confirmed = false;
      this.connection.unsubscribe(entry.channel).catch(() => undefined);
    }, this.options.lingerMs);
    entry.lingerTimer.unref();
  }

  /** After a reconnect: subscribe what never got confirmed, and let every head re-check at once. */
  private resume(): void {
    for (const entry of this.entries.values()) {
      if (!entry.confirmed) this.sendSubscribe(entry);
      // Watchers may have missed a release too: they re-check their own lock.
      for (const watcher of entry.waiters) if (watcher.watcher) this.wake(watcher);
      const head = [...entry.waiters].find((waiter) => !waiter.watcher);
      if (head && !head.woken) this.wake(head);
    }
  }
}
