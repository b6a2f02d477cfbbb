/**
 * Watches a held lock while a closure runs, and aborts the closure's `signal` with a {@link LockLostError}
 * the moment the lock is known to be lost:
 * - its lease ran out (a local timer, confirmed with the store before declaring the loss);
 * - the store announced a release of the key and the key is no longer ours (force-release, takeover);
 * - with `autoExtend`: an extension was refused, the store stayed unreachable until the lease ended, or the
 *   event loop stalled past the lease (the extension timer fired too late to have kept it).
 *
 * With `autoExtend`, the lease is extended when a third of what the store reports as remaining has
 * passed, so two more attempts fit before it lapses.
 */
import { performance } from 'node:perf_hooks';
import { withDeadline } from './deadline.js';
import { LockLostError } from './errors.js';
import { publishLost, publishStoreError } from './events.js';
import type { Hold, LockStore, ReleaseSubscription } from './stores/store.js';

/** How long a closure runs before its lock is watched for force-release and takeover (see `start`). */
const WATCH_DELAY_MS = 25;
/** How long one wait on the release subscription lasts before it is simply renewed. */
const WATCH_SLICE_MS = 60_000;
/** Pause between extension attempts after a store failure (shortened near the end of the lease). */
const RETRY_MS = 200;
const MAX_TIMER_MS = 2_147_483_647;
/** Stores report leases in whole ms (rounded up): a lease may end this much before our estimate. */
const ROUNDING_SLACK_MS = 5;
const UNREACHABLE = 'the store was unreachable until the lease ended';

export interface LeaseTarget {
  readonly lockName: string;
  readonly key: string;
  readonly owner: string;
  /** The hold being watched (see `Hold`): extension and the lease check act on it alone. */
  readonly hold: Hold | undefined;
  readonly store: LockStore;
  readonly timeoutMs: number;
  readonly onError: (error: unknown) => void;
}

export class LeaseWatch {
  readonly #target: LeaseTarget;
  readonly #autoExtend: boolean;
  readonly #controller = new AbortController();
  #ttlMs: number;
  /** `performance.now()` time by which the lease surely ends (measured from when a request was sent). */
  #leaseEnd: number;
  #timer: NodeJS.Timeout | undefined;
  #subscription: ReleaseSubscription | undefined;
  #watchTimer: NodeJS.Timeout | undefined;
  #stopped = false;
  /** The last extension failure since the last success, if any. */
  #failure: { error: unknown } | undefined;

  /**
   * @param sentAt - `performance.now()` when the successful acquire was sent: the lease began after it.
   */
  constructor(target: LeaseTarget, ttlMs: number, autoExtend: boolean, sentAt: number) {
    this.#target = target;
    this.#ttlMs = ttlMs;
    this.#autoExtend = autoExtend;
    this.#leaseEnd = ttlMs === 0 ? Infinity : sentAt + ttlMs;
  }

  /** Aborts, with a {@link LockLostError} as reason, when the lock is lost. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  start(): void {
    this.#schedule();
    // Most closures end within a few ms: subscribing at once would double their store traffic (subscribe,
    // unsubscribe, a lease check). A force-release in the first moments is still caught: the watch confirms
    // the lease with the store as soon as it is subscribed.
    const delay = this.#leaseEnd === Infinity ? WATCH_DELAY_MS : Math.min(WATCH_DELAY_MS, this.#ttlMs / 3);
    this.#watchTimer = setTimeout(() => void this.#watchReleases(), delay).unref();
  }

  /** The holder refreshed the lock itself (`lock.refresh()` inside the closure): follow the new lease. */
  refreshed(ttlMs: number, sentAt: number): void {
    if (this.#stopped) return;
    this.#ttlMs = ttlMs;
    this.#leaseEnd = ttlMs === 0 ? Infinity : sentAt + ttlMs;
    this.#schedule();
  }

  /** Stops watching (before our own release, so that release is not mistaken for a loss). Idempotent. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#watchTimer);
    this.#subscription?.close();
  }

  #lost(reason: string, cause?: unknown): void {
    if (this.#stopped) return;
    this.stop();
    publishLost(this.#target.lockName, this.#target.owner, reason);
    const options = cause === undefined ? undefined : { cause };
    this.#controller.abort(new LockLostError(this.#target.lockName, reason, options));
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#stopped || this.#leaseEnd === Infinity) return;
    const now = performance.now();
    const left = this.#leaseEnd - now;
    if (this.#autoExtend) this.#after(left / 3, () => void this.#extend());
    else this.#after(left, () => void this.#confirmExpiry());
  }

  #after(ms: number, run: () => void): void {
    // Node fires longer timers after 1 ms; a very long lease is simply checked again when this one fires.
    this.#timer = setTimeout(run, Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(ms)))).unref();
  }

  async #confirmExpiry(): Promise<void> {
    if (this.#stopped) return;
    const sentAt = performance.now();
    let remaining: number | null;
    try {
      remaining = await this.#call('remainingLease', (t) => t.store.remainingLease(t.key, t.owner, t.hold));
    } catch (error) {
      this.#lost('expired', error);
      return;
    }
    this.#follow(remaining, sentAt, 'expired');
  }

  async #extend(): Promise<void> {
    if (this.#stopped) return;
    const sentAt = performance.now();
    if (sentAt >= this.#leaseEnd) {
      // A retry after failures lands here when the store never came back; otherwise the timer ran late.
      if (this.#failure === undefined) this.#lost('the event loop stalled past the lease');
      else this.#lost(UNREACHABLE, this.#failure.error);
      return;
    }
    let extended: boolean;
    try {
      const ttlMs = this.#ttlMs;
      extended = await this.#call('refresh', (t) => t.store.refresh(t.key, t.owner, ttlMs, t.hold), this.#leaseEnd - sentAt);
    } catch (error) {
      if (this.#stopped) return;
      this.#failure = { error };
      const left = this.#leaseEnd - performance.now();
      if (left <= 1) this.#lost(UNREACHABLE, error);
      else this.#after(Math.min(RETRY_MS, left / 2), () => void this.#extend());
      return;
    }
    this.#failure = undefined;
    if (this.#stopped) return;
    if (!extended) {
      this.#lost('extension refused: the lock expired or changed hands');
      return;
    }
    this.#leaseEnd = sentAt + this.#ttlMs;
    await this.#confirmLease();
  }

  /** Re-reads the lease the store reports and schedules from it. */
  async #confirmLease(): Promise<void> {
    const sentAt = performance.now();
    let remaining: number | null;
    try {
      remaining = await this.#call('remainingLease', (t) => t.store.remainingLease(t.key, t.owner, t.hold));
    } catch {
      // Keep the local estimate (measured from when the request was sent, so never optimistic).
      this.#schedule();
      return;
    }
    this.#follow(remaining, sentAt, 'force-released or taken over');
  }

  #follow(remaining: number | null, sentAt: number, reasonIfGone: string): void {
    if (this.#stopped) return;
    if (remaining === null) {
      this.#gone(reasonIfGone);
      return;
    }
    this.#leaseEnd = remaining < 0 ? Infinity : sentAt + remaining;
    this.#schedule();
  }

  async #watchReleases(): Promise<void> {
    let subscription: ReleaseSubscription;
    try {
      subscription = await this.#call(
        'subscribe',
        (t) => t.store.subscribe(t.key, { watch: true }),
        Infinity,
        (late) => late.close(), // arrived after its deadline: nobody else will close it
      );
    } catch (error) {
      // The lease timers still run; only takeover detection is missing. Say so.
      if (!this.#stopped) this.#target.onError(error);
      return;
    }
    if (this.#stopped) {
      subscription.close();
      return;
    }
    this.#subscription = subscription;
    // A force-release between the acquisition and the subscription would otherwise go unnoticed.
    await this.#confirmLease();
    try {
      while (!this.#stopped) {
        const released = await subscription.next(WATCH_SLICE_MS);
        if (this.#stopped) return;
        if (released) await this.#checkOwner();
      }
    } catch (error) {
      // next() must never reject; a store that does anyway loses takeover detection, not the process.
      if (!this.#stopped) this.#target.onError(error);
    }
  }

  async #checkOwner(): Promise<void> {
    // By hold, not by token: a force-release followed at once by a retry of the same job (same owner token)
    // leaves the key holding our token, but not our hold.
    let owner: string | null;
    try {
      const remaining = await this.#call('remainingLease', (t) => t.store.remainingLease(t.key, t.owner, t.hold));
      if (remaining !== null) return; // still ours: an announcement from before we held it
      owner = await this.#call('currentOwner', (t) => t.store.currentOwner(t.key));
    } catch {
      return; // unreachable store: the lease timers decide
    }
    if (owner === this.#target.owner) this.#lost('taken over by another hold of the same owner token');
    else if (owner !== null) this.#lost('taken over by another owner');
    else this.#gone('force-released');
  }

  /** Whether the lease has run out, give or take the store's whole-millisecond rounding. */
  #leaseOver(): boolean {
    return performance.now() >= this.#leaseEnd - ROUNDING_SLACK_MS;
  }

  /** The lock is gone from the store: say why as precisely as we know. */
  #gone(reasonIfNotExpired: string): void {
    if (!this.#leaseOver()) this.#lost(reasonIfNotExpired);
    else if (this.#failure !== undefined) this.#lost(UNREACHABLE, this.#failure.error);
    else this.#lost('expired');
  }

  #call<T>(
    operation: string,
    run: (target: LeaseTarget) => Promise<T>,
    maxMs = Infinity,
    onLate?: (value: T) => void,
  ): Promise<T> {
    const target = this.#target;
    const timeoutMs = Math.max(1, Math.min(target.timeoutMs, Math.ceil(maxMs)));
    return withDeadline(operation, target.lockName, timeoutMs, () => run(target), onLate, publishStoreError);
  }
}
