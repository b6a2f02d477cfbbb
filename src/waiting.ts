/**
 * Blocking acquisition without a fixed-interval poll. A waiter sleeps until the store announces a release
 * of the key, and re-checks on its own only when the holder's lease should have ended, or after a
 * bounded ceiling (for releases nobody announces, such as another client's expiry or a Laravel app).
 *
 * Protocol: attempt → on failure subscribe (active once resolved) → attempt again (so a release between
 * the first attempt and the subscription is never missed; when the store already listens to the key, the
 * subscription comes first and this is the first attempt) → wait for the next announced release, at most
 * min(remaining wait, holder's remaining lease, ceiling) → attempt … The subscription is closed at the end.
 *
 * Direct handoff: every attempt after the subscription is active is a queued attempt (`AcquireRequest.queue`):
 * a store with a server-side queue (RedisStore) enqueues the waiter in the same atomic step when the attempt
 * fails, and a later release hands the lock straight to the oldest live waiter, whose `next()` then answers
 * with a `Handoff`: the waiter holds the lock without another round trip, in arrival order across processes.
 * The first attempt stays a plain one (an uncontended lock costs what it did), and a waiter that stops
 * without the lock leaves the queue (`subscription.leave()`), passing on a lock handed to it meanwhile.
 */
import { performance } from 'node:perf_hooks';
import { SETTLES_ON_TIME, type AcquireResult, type Handoff, type QueueRequest, type ReleaseSubscription } from './stores/store.js';

const MAX_TIMER_MS = 2_147_483_647;

export type Acquired = Extract<AcquireResult, { acquired: true }> & {
  /** Set when a release handed the lock over: `performance.now()` when the store learned it (lease start). */
  readonly handedAt?: number;
};

/**
 * What a wait asks of the lock it waits for (`host`). One object serves every wait: thousands of waiters may
 * block at once, so a wait carries no closures of its own.
 */
export interface WaitOps<H, C, R> {
  /**
   * One acquisition attempt under a deadline of at most `maxMs` (and the store-call timeout); `queue` joins
   * the store's queue on failure.
   */
  attempt(host: H, queue?: QueueRequest, maxMs?: number): Promise<AcquireResult>;
  /** Subscribes to the key's releases, under a deadline of at most `maxMs` (and the store-call timeout). */
  subscribe(host: H, maxMs: number): Promise<ReleaseSubscription>;
  /** Whether the store would subscribe with no round trip (see `LockStore.listening`). */
  listening(host: H): boolean;
  /** Runs `subscription.leave()` under a deadline (the waiter stops without the lock). */
  leave(host: H, subscription: ReleaseSubscription & { leave(): Promise<void> }): Promise<void>;
  /** Gives back a lock acquired after the signal aborted (fire and forget). */
  abandon(host: H, result: Acquired): void;
  /**
   * The wait is over and its subscription closed: `acquired` is the successful attempt, or `undefined` when
   * the wait ran out (`startedAt`: `performance.now()` when it began, `waitMs` its length; `context`: the
   * caller's, passed through).
   * What it returns (or throws) settles the wait, so the caller needs no async frame of its own around it.
   */
  finish(host: H, acquired: Acquired | undefined, startedAt: number, waitMs: number, context: C): R | Promise<R>;
}

/**
 * Waits for the lock, then settles with `ops.finish(host, acquired, …)`: `acquired` is the successful attempt,
 * or `undefined` when the wait ran out; rejects with `signal.reason` when aborted. Settles within
 * `waitMs + timeoutMs` (the README's bound) before `finish`, however the store stalls. No store call starts
 * after the wait ran out except the leave, and every call gets at most what is left of the bound. The leave
 * that follows (taking back our queue entry, passing on a lock handed to us meanwhile) is awaited only within
 * the bound: past it, it goes on in the background under its own deadline, and the store retries a failed
 * leave until the entry would be skipped anyway.
 */
export async function acquireWithin<H, C, R>(
  ops: WaitOps<H, C, R>,
  host: H,
  /** How long to keep trying, in ms; `0` is a single attempt. */
  waitMs: number,
  /**
   * The deadline of one store call, in ms. The whole wait settles within `waitMs + timeoutMs`: a call started
   * near the end gets only what is left of that bound, and a leave that would outlast it finishes in the
   * background.
   */
  timeoutMs: number,
  /** Longest sleep without an announced release before re-checking, in ms. */
  recheckMs: number,
  signal: AbortSignal | undefined,
  context: C,
): Promise<R> {
  // Plain arguments, not an options object: a blocked waiter keeps its frame, so every object in it counts.
  signal?.throwIfAborted();
  const startedAt = performance.now();
  const deadline = startedAt + waitMs;
  // The bound (deadline + timeoutMs) is not kept: a sleeping waiter's frame keeps every local, a double boxed.
  // A key this process already listens to is likely contended: subscribing costs nothing, and the first
  // attempt can then already queue. Otherwise the first attempt is a plain one (the uncontended cost).
  // Few locals below, one `result` for every attempt: the frame of a sleeping waiter keeps all of them.
  let result: AcquireResult;
  if (waitMs === 0 || !ops.listening(host)) {
    result = await ops.attempt(host);
    if (result.acquired) return ops.finish(host, keep(ops, host, signal, result), startedAt, waitMs, context);
    // A first attempt that outlasted the wait (a stalled store) ends it: nothing more may start.
    if (waitMs === 0 || performance.now() >= deadline) return ops.finish(host, undefined, startedAt, waitMs, context);
    signal?.throwIfAborted();
  }

  const subscription = await ops.subscribe(host, deadline + timeoutMs - performance.now());
  let acquired: Acquired | undefined;
  try {
    for (;;) {
      signal?.throwIfAborted();
      // A subscription that took long may have used up the wait; the attempt then still runs once (the
      // wait's last chance), under what is left of the bound.
      result = await ops.attempt(
        host,
        { subscription, waitMs: Math.max(1, Math.ceil(deadline - performance.now())) },
        deadline + timeoutMs - performance.now(),
      );
      if (result.acquired) {
        acquired = result;
        break;
      }
      const ms = sleepFor(deadline - performance.now(), result.remainingMs, recheckMs);
      if (ms === 0) break; // the wait ran out
      // A store that settles next() on time itself needs no guard here (one timer per waiter, not two).
      acquired = handedOver(
        SETTLES_ON_TIME in subscription
          ? await subscription.next(ms, signal)
          : await sleepUntilRelease(subscription, ms, signal),
      );
      if (acquired) break;
    }
  } finally {
    if (!acquired && subscription.leave) {
      // Best effort: if it fails, our queue entry is skipped once our deadline passes, and a lock handed to
      // us meanwhile ends with its lease, as a crashed holder's would. Awaited only within the bound.
      await within(
        ops.leave(host, subscription as ReleaseSubscription & { leave(): Promise<void> }).catch(() => undefined),
        deadline + timeoutMs - performance.now(),
      );
    }
    subscription.close();
  }
  return ops.finish(host, acquired && keep(ops, host, signal, acquired), startedAt, waitMs, context);
}

/** Waits for `pending` at most `ms` (it goes on after that; it never rejects). */
async function within(pending: Promise<unknown>, ms: number): Promise<void> {
  if (ms <= 0) return;
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.min(MAX_TIMER_MS, Math.ceil(ms)));
  });
  await Promise.race([pending, gaveUp]);
  clearTimeout(timer);
}

/** What a sleep ended with: the lock, if a release handed it over; `undefined` for a wake-up or a timeout. */
function handedOver(woke: boolean | Handoff): Acquired | undefined {
  if (typeof woke !== 'object' || !woke.handedOff) return undefined;
  return {
    acquired: true,
    handedAt: woke.at,
    ...(woke.fencingToken === undefined ? {} : { fencingToken: woke.fencingToken }),
    ...(woke.hold === undefined ? {} : { hold: woke.hold }),
  };
}

function keep<H>(ops: WaitOps<H, never, unknown>, host: H, signal: AbortSignal | undefined, result: Acquired): Acquired {
  if (signal?.aborted) {
    ops.abandon(host, result);
    signal.throwIfAborted();
  }
  return result;
}

/** How long to sleep before the next attempt, in ms; `0` when the wait ran out. */
function sleepFor(remainingWait: number, holderRemainingMs: number | undefined, recheckMs: number): number {
  if (remainingWait <= 0) return 0;
  // Jitter keeps many waiters' fallback re-checks from landing on the store in the same instant.
  let sleep = recheckMs * (0.8 + 0.4 * Math.random());
  if (holderRemainingMs !== undefined && holderRemainingMs > 0) sleep = Math.min(sleep, holderRemainingMs);
  // Node fires longer timers after 1 ms; a longer wait simply takes several rounds.
  return Math.max(1, Math.min(MAX_TIMER_MS, Math.ceil(Math.min(sleep, remainingWait))));
}

async function sleepUntilRelease(
  subscription: ReleaseSubscription,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<boolean | Handoff> {
  // Our own timer and abort listener end the sleep even if a store's next() overstays (it must not, but a
  // waiter must never hang on a store bug). The timer is not unref()ed, unlike the store's: a caller blocked
  // in block() keeps the process alive, as any pending timer-based call would.
  return new Promise<boolean | Handoff>((resolve) => {
    const done = (woke: boolean | Handoff = false): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(woke);
    };
    const onAbort = (): void => done(false);
    const timer = setTimeout(onAbort, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    subscription.next(ms, signal).then(done, onAbort);
  });
}
