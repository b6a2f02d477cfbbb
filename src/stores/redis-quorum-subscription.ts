import type { ReleaseSubscription } from './store.js';

/**
 * One release subscription made of one per node: `next()` wakes on the first node that announces a release
 * of the key. A release is announced on every node that held the key, so one release may wake a waiter more
 * than once; the extra wake-ups only cost a failed attempt. With no node subscribed (all down), `next()`
 * simply waits out its timeout, and the lock core's bounded re-check does the rest.
 */
export class AnyNodeSubscription implements ReleaseSubscription {
  #closed = false;
  readonly #closing = new AbortController();

  constructor(private readonly subscriptions: readonly ReleaseSubscription[]) {}

  async next(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.#closed || signal?.aborted) return false;
    // One controller per call: the first node to wake ends the other nodes' waits.
    const round = new AbortController();
    const stop = (): void => round.abort();
    signal?.addEventListener('abort', stop, { once: true });
    this.#closing.signal.addEventListener('abort', stop, { once: true });
    try {
      if (this.subscriptions.length === 0) return await sleep(timeoutMs, round.signal);
      return await new Promise<boolean>((resolve) => {
        let waiting = this.subscriptions.length;
        for (const subscription of this.subscriptions) {
          subscription.next(timeoutMs, round.signal).then(
            (woke) => {
              waiting--;
              if (woke) {
                resolve(true);
                round.abort();
              } else if (waiting === 0) resolve(false);
            },
            () => {
              // The contract says next() never rejects; a store that does anyway counts as "no release seen".
              waiting--;
              if (waiting === 0) resolve(false);
            },
          );
        }
      });
    } finally {
      round.abort();
      signal?.removeEventListener('abort', stop);
      this.#closing.signal.removeEventListener('abort', stop);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.abort();
    for (const subscription of this.subscriptions) subscription.close();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(false);
    }, ms);
    timer.unref();
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
