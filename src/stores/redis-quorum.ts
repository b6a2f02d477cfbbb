/**
 * A lock store over several independent Redis masters (the Redlock algorithm): a lock is held when a
 * majority of the nodes hold it, for as long as the time left on that majority's leases, minus a margin for
 * clock drift. Losing a minority of the nodes (stopped, partitioned, restarted) neither blocks nor breaks a
 * lock; losing a majority makes every call fail with a clear error instead of guessing.
 *
 * Each node is a {@link RedisStore} over the caller's client, so the per-node operations, Lua scripts, key
 * layout (value = owner token) and wake-on-release are RedisStore's; this module only adds the vote.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { withDeadline } from '../deadline.js';
import { RedisStore, type RedisStoreOptions } from './redis.js';
import { assertNotDerived, fencingKey } from './redis-keys.js';
import { AnyNodeSubscription } from './redis-quorum-subscription.js';
import { count, gather, majorityOf, settledFor, type Tally, type Vote } from './redis-quorum-votes.js';
import { runScript } from './redis-script-runner.js';
import { FENCE_COUNTER_MS, script, type RedisScript } from './redis-scripts.js';
import type { AcquireRequest, AcquireResult, Hold, LockStore, ReleaseSubscription, SubscribeOptions } from './store.js';

/** Options of {@link QuorumStore}. */
export interface QuorumStoreOptions {
  /**
   * How long one node may take to answer one call before it counts as failed, in ms (default 500).
   * Redlock's advice: much shorter than the TTLs you use, so a dead node costs little of the lease (time
   * spent waiting on nodes is taken off the lease's validity).
   */
  readonly nodeTimeoutMs?: number;
  /**
   * The clock-drift allowance as a fraction of the TTL (default 0.01); 2 ms are added to it. A lease is
   * only granted if `ttl − time spent acquiring − drift` is still positive.
   */
  readonly driftFactor?: number;
  /** Options of each node's {@link RedisStore} (re-check interval, offline behaviour). */
  readonly node?: RedisStoreOptions;
}

/**
 * Raised when too many nodes failed for a majority to answer a call: the store cannot tell a held lock from
 * an outage, so it fails closed. The lock core wraps it in a `LockStoreError` naming the lock.
 */
export class QuorumUnavailableError extends Error {
  override name = 'QuorumUnavailableError';

  constructor(
    /** How many nodes failed (an error, a refused connection, a missed per-node deadline). */
    readonly failed: number,
    /** How many answers a majority needs. */
    readonly needed: number,
    /** The total number of nodes. */
    readonly nodes: number,
    /** Each failed node's address and error. */
    readonly errors: readonly { readonly node: string; readonly error: unknown }[],
  ) {
    const first = errors[0];
    const detail = first === undefined ? '' : `; ${first.node}: ${describe(first.error)}`;
    super(`quorum unavailable: ${failed} of ${nodes} Redis nodes failed, a majority (${needed}) must answer${detail}`, {
      cause: first?.error,
    });
  }
}

/** The innermost useful message: a per-node deadline error carries the node's own error as its cause. */
function describe(error: unknown): string {
  if (error instanceof Error && error.cause instanceof Error) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Raise every listed node's fencing counter to at least the token just issued (never lower it). Run on the
 * nodes that granted the lock while it is held there, so the next holder's increment on any node of its own
 * majority (which overlaps this one) yields a larger token. The counter expires FENCE_COUNTER_MS after, as a
 * single node's does (see NEXT_FENCE in redis-scripts.ts). ARGV: the token. Returns the counter.
 */
const RAISE_FENCE: RedisScript = script(
  'quorum-raise-fence',
  `local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local token = tonumber(ARGV[1])
if current < token then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', '${FENCE_COUNTER_MS}')
  return token
end
redis.call('PEXPIRE', KEYS[1], '${FENCE_COUNTER_MS}')
return current
`,
);

type Granted = Extract<AcquireResult, { acquired: true }>;

/**
 * A {@link LockStore} over several independent Redis masters (at least 3; an odd number is best: 5 tolerates
 * 2 lost nodes). Pass one ioredis `Redis` client per master; the store never closes them.
 *
 * - `acquire` asks every node at once, each under its own deadline, and grants the lock only when a majority
 *   granted it with validity left (`ttl − elapsed − (ttl·driftFactor + 2 ms)` > 0). Otherwise it releases
 *   what it was granted; a grant that lands on a node after its deadline is released when it lands.
 * - `release`/`refresh` act on every node and succeed when a majority did. `forceRelease` deletes everywhere.
 * - `currentOwner` is the owner a majority agrees on; `remainingLease` the shortest lease on that majority.
 * - Fewer than a majority answering (3 of 5 nodes down) rejects with {@link QuorumUnavailableError}: the
 *   store cannot tell "held by someone" from "unknown", and says so rather than report "not acquired".
 * - Fencing tokens: the largest of the granting nodes' counters, then written back to at least a majority of
 *   them while the lock is held. Any two majorities share a node, so the next holder's token is larger,
 *   provided no node loses its counter (see docs/deployment.md: run the nodes with persistence).
 */
export class QuorumStore implements LockStore {
  readonly #clients: readonly Redis[];
  readonly #nodes: readonly RedisStore[];
  readonly #majority: number;
  readonly #nodeTimeoutMs: number;
  readonly #driftFactor: number;
  #closed = false;
  readonly #holdTag = randomBytes(6).toString('hex');
  #holdCount = 0;

  constructor(clients: readonly Redis[], options: QuorumStoreOptions = {}) {
    if (!Array.isArray(clients) || clients.length < 3) {
      throw new RangeError('QuorumStore: clients must be an array of at least 3 ioredis clients (independent masters)');
    }
    const nodeTimeoutMs = options.nodeTimeoutMs ?? 500;
    if (!Number.isFinite(nodeTimeoutMs) || nodeTimeoutMs <= 0) {
      throw new RangeError(`QuorumStore: nodeTimeoutMs must be a positive number of ms, got ${String(nodeTimeoutMs)}`);
    }
    const driftFactor = options.driftFactor ?? 0.01;
    if (!Number.isFinite(driftFactor) || driftFactor < 0 || driftFactor >= 1) {
      throw new RangeError(`QuorumStore: driftFactor must be in [0, 1), got ${String(driftFactor)}`);
    }
    this.#clients = [...clients];
    // RedisStore rejects what is not an ioredis client (a TypeError naming it) before the address check.
    this.#nodes = this.#clients.map((client) => new RedisStore(client, options.node));
    assertDistinctNodes(this.#clients);
    this.#majority = majorityOf(clients.length);
    this.#nodeTimeoutMs = nodeTimeoutMs;
    this.#driftFactor = driftFactor;
  }

  /** How many nodes must agree. */
  get majority(): number {
    return this.#majority;
  }

  async acquire(request: AcquireRequest): Promise<AcquireResult> {
    this.#assertOpen();
    const { key, owner, ttlMs } = request;
    const hold = request.hold ?? `q${this.#holdTag}.${(this.#holdCount++).toString(36)}`;
    const started = performance.now();
    const granted = (result: AcquireResult): boolean => result.acquired;
    let succeeded = false;
    // The per-node deadline is not capped at the TTL: a node slower than the TTL must count as "no validity
    // left" (not acquired), not as a failed node (which would read as an outage).
    const tally = await this.#ask(
      'acquire',
      key,
      this.#nodeTimeoutMs,
      // A plain attempt on every node, whatever else the request carries: server-side waiter queues, which
      // hand the lock to a node's first queued waiter, would hand different nodes to different waiters.
      // One hold id for every node, so the owner's release and refresh name the same hold everywhere.
      (node) => node.acquire({ key, owner, ttlMs, fencing: request.fencing, hold }),
      (node, late) => {
        // A grant that comes too late to count is kept if the lock was granted anyway (the owner's release
        // clears every node), else given back as soon as it lands: a ttl-0 lock would otherwise stay forever.
        if (late.acquired && !succeeded) node.release(key, owner, hold).catch(() => undefined);
      },
      (votes) => settledFor(votes, this.#majority, granted),
    );
    const { answered, accepted } = count(tally, granted);
    if (accepted >= this.#majority) {
      succeeded = true;
      const token = request.fencing ? await this.#issueToken(key, tally) : undefined;
      if (token !== null && this.#validityLeft(ttlMs, performance.now() - started) > 0) {
        return token === undefined ? { acquired: true, hold } : { acquired: true, fencingToken: token, hold };
      }
      succeeded = false;
      // Granted too slowly (or the token could not be made safe): the lease may already be gone somewhere.
      this.#releaseGranted(key, owner, hold, tally);
      return { acquired: false };
    }
    this.#releaseGranted(key, owner, hold, tally);
    if (answered < this.#majority) throw this.#unavailable(tally);
    if (accepted > 0) await splitVoteBackoff();
    return { acquired: false, remainingMs: holderRemaining(tally) };
  }

  /** Refuses a key that is another lock key's derived name on the nodes (docs/redis.md). */
  assertKey(key: string): void {
    assertNotDerived(key);
  }

  async release(key: string, owner: string, hold?: Hold): Promise<boolean> {
    return this.#agree('release', key, (node) => node.release(key, owner, hold));
  }

  async forceRelease(key: string): Promise<void> {
    this.#assertOpen();
    const answeredByMajority = (votes: Tally<void>): boolean => count(votes, () => true).answered >= this.#majority;
    const tally = await this.#ask('forceRelease', key, this.#nodeTimeoutMs, (node) => node.forceRelease(key), undefined, answeredByMajority);
    if (count(tally, () => true).answered < this.#majority) throw this.#unavailable(tally);
  }

  async refresh(key: string, owner: string, ttlMs: number, hold?: Hold): Promise<boolean> {
    const started = performance.now();
    const refreshed = await this.#agree('refresh', key, (node) => node.refresh(key, owner, ttlMs, hold));
    return refreshed && this.#validityLeft(ttlMs, performance.now() - started) > 0;
  }

  async currentOwner(key: string): Promise<string | null> {
    this.#assertOpen();
    const majority = this.#majority;
    const tally = await this.#ask('currentOwner', key, this.#nodeTimeoutMs, (node) => node.currentOwner(key), undefined, (votes) =>
      majorityValue(votes, majority) !== undefined,
    );
    const agreed = majorityValue(tally, majority);
    if (agreed !== undefined) return agreed;
    if (count(tally, () => true).answered < majority) throw this.#unavailable(tally);
    return null; // no majority holds the key for one owner: nobody holds the lock
  }

  async remainingLease(key: string, owner: string, hold?: Hold): Promise<number | null> {
    this.#assertOpen();
    const holds = (lease: number | null): boolean => lease !== null;
    const tally = await this.#ask(
      'remainingLease',
      key,
      this.#nodeTimeoutMs,
      (node) => node.remainingLease(key, owner, hold),
      undefined,
      (votes) => settledFor(votes, this.#majority, holds),
    );
    const { answered, accepted } = count(tally, holds);
    if (accepted < this.#majority) {
      if (answered < this.#majority) throw this.#unavailable(tally);
      return null;
    }
    // The shortest lease among the holders: conservative, so lease extension never schedules too late.
    let shortest = -1;
    for (const vote of tally) {
      if (!vote?.ok || vote.value === null || vote.value === -1) continue;
      shortest = shortest === -1 ? vote.value : Math.min(shortest, vote.value);
    }
    return shortest;
  }

  async subscribe(key: string, options?: SubscribeOptions): Promise<ReleaseSubscription> {
    this.#assertOpen();
    // Every node, not the first majority to answer: a node whose subscriber connection is down answers at
    // once, so "the first majority" could leave a live node out, and waiters subscribed on different nodes
    // are woken out of order (each node wakes its own first waiter). A node past its deadline is left out,
    // and its subscription closed when it lands.
    const tally = await this.#ask(
      'subscribe',
      key,
      this.#nodeTimeoutMs,
      (node) => node.subscribe(key, options),
      (_node, late) => late.close(),
    );
    const subscriptions: ReleaseSubscription[] = [];
    for (const vote of tally) if (vote?.ok) subscriptions.push(vote.value);
    // Fewer nodes subscribed only means fewer wake-ups; the lock core's bounded re-check still finds the release.
    return new AnyNodeSubscription(subscriptions);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled(this.#nodes.map((node) => node.close()));
  }

  /**
   * Asks every node under the per-node deadline; resolves once `decided` (or when all answered). `onLate`
   * receives every answer that came too late to count: after its deadline or after the decision.
   */
  #ask<T>(
    operation: string,
    key: string,
    timeoutMs: number,
    call: (node: RedisStore, index: number) => Promise<T>,
    onLate?: (node: RedisStore, value: T) => void,
    decided: (tally: Tally<T>) => boolean = () => false,
  ): Promise<Tally<T>> {
    const late = onLate && ((index: number, value: T): void => onLate(this.#nodes[index] as RedisStore, value));
    return gather(
      this.#nodes.map(
        (node, index) => () =>
          withDeadline(operation, key, timeoutMs, () => call(node, index), late && ((value: T) => late(index, value))),
      ),
      decided,
      late,
    );
  }

  /** Runs a boolean operation on every node; `true` when a majority said so. */
  async #agree(operation: string, key: string, call: (node: RedisStore) => Promise<boolean>): Promise<boolean> {
    this.#assertOpen();
    const yes = (done: boolean): boolean => done;
    const tally = await this.#ask(operation, key, this.#nodeTimeoutMs, call, undefined, (votes) =>
      settledFor(votes, this.#majority, yes),
    );
    const { answered, accepted } = count(tally, yes);
    if (accepted >= this.#majority) return true;
    if (answered < this.#majority) throw this.#unavailable(tally);
    return false;
  }

  /**
   * The fencing token for a granted acquisition: the largest counter among the granting nodes, written back to
   * them. `null` when fewer than a majority took the write-back (the token would not be safe to hand out).
   */
  async #issueToken(key: string, tally: Tally<AcquireResult>): Promise<number | null> {
    let token = 0;
    const granting: number[] = [];
    tally.forEach((vote, index) => {
      if (!vote?.ok || !vote.value.acquired) return;
      granting.push(index);
      token = Math.max(token, (vote.value as Granted).fencingToken ?? 0);
    });
    const counterKey = fencingKey(key);
    const raised = await gather(
      granting.map(
        (index) => () =>
          withDeadline('acquire', key, this.#nodeTimeoutMs, () =>
            runScript(this.#clients[index] as Redis, RAISE_FENCE, [counterKey], [token]),
          ),
      ),
      () => false,
    );
    return count(raised, () => true).answered >= this.#majority ? token : null;
  }

  #validityLeft(ttlMs: number, elapsedMs: number): number {
    if (ttlMs === 0) return Infinity;
    return ttlMs - elapsedMs - (ttlMs * this.#driftFactor + 2);
  }

  /**
   * Gives back, in the background, what this attempt was granted: only those nodes, and only this attempt's
   * hold there (a node that refused may hold the key for this very owner from an earlier acquisition, a
   * repeated `get()`). A node that did not answer in time is handled when its answer lands (`onLate`).
   */
  #releaseGranted(key: string, owner: string, hold: Hold, tally: Tally<AcquireResult>): void {
    tally.forEach((vote, index) => {
      if (!vote?.ok || !vote.value.acquired) return;
      const node = this.#nodes[index] as RedisStore;
      void withDeadline('release', key, this.#nodeTimeoutMs, () => node.release(key, owner, hold)).catch(() => undefined);
    });
  }

  #unavailable(tally: Tally<unknown>): QuorumUnavailableError {
    const errors: { node: string; error: unknown }[] = [];
    tally.forEach((vote, index) => {
      if (vote === undefined || vote.ok) return;
      const { host, port } = (this.#clients[index] as Redis).options;
      errors.push({ node: `${host ?? '?'}:${port ?? '?'}`, error: vote.error });
    });
    return new QuorumUnavailableError(errors.length, this.#majority, this.#nodes.length, errors);
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('locksmith: QuorumStore is closed');
  }
}

/**
 * Two clients of the same server would give that server two votes, and a "majority" could then be a minority
 * of the servers: refuse the same client twice, or two clients naming the same host and port.
 */
function assertDistinctNodes(clients: readonly Redis[]): void {
  const seen = new Set<unknown>();
  const addresses = new Set<string>();
  for (const client of clients) {
    if (seen.has(client)) throw new RangeError('QuorumStore: the same client is listed twice; each node must be a different Redis master');
    seen.add(client);
    const { host, port, path, sentinels } = (client?.options ?? {}) as { host?: string; port?: number; path?: string; sentinels?: unknown };
    if (sentinels) continue; // addressed through sentinels: no fixed address to compare
    const address = path ?? `${host ?? 'localhost'}:${port ?? 6379}`;
    if (addresses.has(address)) {
      throw new RangeError(`QuorumStore: two clients connect to ${address}; each node must be a different Redis master`);
    }
    addresses.add(address);
  }
}

/** The value a majority of the votes agree on, or `undefined` when none has a majority (yet). */
function majorityValue<T>(tally: Tally<T>, majority: number): T | undefined {
  const counts = new Map<T, number>();
  for (const vote of tally) {
    if (!vote?.ok) continue;
    const seen = (counts.get(vote.value) ?? 0) + 1;
    if (seen >= majority) return vote.value;
    counts.set(vote.value, seen);
  }
  return undefined;
}

/**
 * The holder's remaining lease as the refusing nodes reported it, for the waiter's re-check bound: the
 * shortest positive one (the lock may free up once that node's copy expires), `-1` when all never expire.
 */
function holderRemaining(tally: Tally<AcquireResult>): number | undefined {
  let shortest: number | undefined;
  let sawPersistent = false;
  for (const vote of tally as readonly (Vote<AcquireResult> | undefined)[]) {
    if (!vote?.ok || vote.value.acquired) continue;
    const remaining = vote.value.remainingMs;
    if (remaining === -1) sawPersistent = true;
    else if (remaining !== undefined && remaining > 0) shortest = Math.min(shortest ?? Infinity, remaining);
  }
  return shortest ?? (sawPersistent ? -1 : undefined);
}

/**
 * Contenders that each got part of the nodes all failed; retrying in lock-step would split the vote again.
 * A short random pause (Redlock's "retry after a random delay") lets one of them go first next time.
 */
function splitVoteBackoff(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 45).unref());
}
