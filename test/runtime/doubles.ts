/**
 * Tiny hand-written LockStore test doubles for the lock core's own behaviour (deadlines, failures, call
 * counts). They are not Redis mocks: store behaviour itself is tested on real stores by the store suite.
 */
import { MemoryStore, type AcquireRequest, type LockStore, type ReleaseSubscription } from 'locksmith-js';

type Method = Exclude<keyof LockStore, 'close'>;
const METHODS: readonly Method[] = [
  'acquire',
  'release',
  'forceRelease',
  'refresh',
  'currentOwner',
  'remainingLease',
  'subscribe',
];

/** A store whose every call never settles: the deadline is the only way out. */
export function hangingStore(): LockStore & { calls: string[] } {
  const calls: string[] = [];
  const never = <T>(method: string) => (): Promise<T> => {
    calls.push(method);
    return new Promise<T>(() => undefined);
  };
  return {
    calls,
    acquire: never('acquire'),
    release: never('release'),
    forceRelease: never('forceRelease'),
    refresh: never('refresh'),
    currentOwner: never('currentOwner'),
    remainingLease: never('remainingLease'),
    subscribe: never('subscribe'),
    close: async () => undefined,
  };
}

/**
 * A MemoryStore behind a switchboard: counts calls, and lets a test make chosen methods fail, hang, answer
 * late, or answer something else.
 */
export class SwitchStore implements LockStore {
  readonly inner = new MemoryStore();
  readonly counts = new Map<string, number>();
  /** Per method: replace the call (return a promise), or leave undefined to pass through. */
  readonly override = new Map<Method, (...args: unknown[]) => Promise<unknown>>();

  count(method: Method): number {
    return this.counts.get(method) ?? 0;
  }

  #run<T>(method: Method, args: unknown[], pass: () => Promise<T>): Promise<T> {
    this.counts.set(method, this.count(method) + 1);
    const replace = this.override.get(method);
    return replace ? (replace(...args) as Promise<T>) : pass();
  }

  acquire(request: AcquireRequest) {
    return this.#run('acquire', [request], () => this.inner.acquire(request));
  }
  release(key: string, owner: string) {
    return this.#run('release', [key, owner], () => this.inner.release(key, owner));
  }
  forceRelease(key: string) {
    return this.#run('forceRelease', [key], () => this.inner.forceRelease(key));
  }
  refresh(key: string, owner: string, ttlMs: number) {
    return this.#run('refresh', [key, owner, ttlMs], () => this.inner.refresh(key, owner, ttlMs));
  }
  currentOwner(key: string) {
    return this.#run('currentOwner', [key], () => this.inner.currentOwner(key));
  }
  remainingLease(key: string, owner: string) {
    return this.#run('remainingLease', [key, owner], () => this.inner.remainingLease(key, owner));
  }
  subscribe(key: string): Promise<ReleaseSubscription> {
    return this.#run('subscribe', [key], () => this.inner.subscribe(key));
  }
  close() {
    return this.inner.close();
  }
}

/** Resolves with the signal's reason once it aborts; rejects if it has not aborted within `withinMs`. */
export function aborted(signal: AbortSignal, withinMs = 10_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return resolve(signal.reason);
    const timer = setTimeout(() => reject(new Error(`signal did not abort within ${withinMs} ms`)), withinMs);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve(signal.reason);
    });
  });
}

export { METHODS };
