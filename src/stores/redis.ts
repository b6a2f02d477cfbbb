/**
 * RedisStore: locks in Redis through the user's ioredis client (`Redis`, including Sentinel, or `Cluster`).
 *
 * Layout, compatible with Laravel's RedisLock so PHP and TypeScript processes exclude each other:
 * - the lock is the key `prefix + name` itself, its value the owner token, its expiry the lease
 *   (`SET key owner NX PX ttl`; no expiry for ttl 0), plus a hold record next to it (same slot, same lease)
 *   naming the acquisition, so a release or refresh acts only on the hold that issued it (docs/redis.md);
 * - releases are announced on a channel derived from the key (same Cluster slot, see `redis-keys.ts`);
 * - `fencing: true` keeps a counter next to the key (same slot);
 * - waiters queue in a sorted set next to the key (same slot): a release hands the key to the oldest live
 *   waiter and records the grant (that waiter's entry id) next to the key (direct handoff: `redis-handoff.ts`,
 *   scripts in `redis-scripts.ts`), or, when that waiter barges (`fair: false`), frees the key and wakes it
 *   alone to race for it. A free key is still anyone's (`SET NX`), so Laravel clients interoperate; they only
 *   cannot take a key that a release handed to a waiter.
 * - local waiters share one subscriber connection (`redis-waiters.ts`, `redis-feed.ts`). The protocol is
 *   documented in docs/redis.md.
 */
import { parseDuration, type Duration } from '../duration.js';
import { assertOptionalBoolean, assertOptions, describe } from '../validate.js';
import { openReleaseFeed, publishCommand } from './redis-feed.js';
import { HandoffProtocol } from './redis-handoff.js';
import { randomBytes } from 'node:crypto';
import { assertNotDerived, fencingKey, grantKey, releaseChannel } from './redis-keys.js';
import { runScript, type RedisClient } from './redis-script-runner.js';
import { ACQUIRE, ACQUIRE_FENCED, REFRESH, REMAINING_LEASE } from './redis-scripts.js';
import { ReleaseRegistry } from './redis-waiters.js';
import type { AcquireRequest, AcquireResult, Hold, LockStore, ReleaseSubscription, SubscribeOptions } from './store.js';

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  /**
   * Longest time a waiter goes without re-checking a lock it is waiting for, as a fallback for releases
   * that are not announced: a lease that expired, a lock released by a client that does not publish (a
   * Laravel app), a wake-up lost while the subscriber connection was down. Only the first local waiter of
   * each key re-checks, so this costs one command per key per interval, however many wait.
   * Seconds or a string with a unit. Default `'100ms'`.
   */
  readonly recheckInterval?: Duration;
  /**
   * Fail a command at once when the client is not connected (after its first `ready`: reconnecting, or a
   * reconnect attempt still connecting) instead of letting ioredis queue it (default `true`). A queued
   * acquire could run after the caller gave up, holding the lock until its TTL with no one to release it.
   * Set `false` to let ioredis's offline queue ride out short disconnections.
   */
  readonly failWhileReconnecting?: boolean;
  /**
   * The lease a lock with ttl 0 ("never expires") carries when a release hands it to one of THIS store's
   * queued waiters (the waiter's queue entry carries it, whoever releases), until the waiter's process
   * confirms it (PERSIST, right after the handoff message arrives, retried until the claim would lapse). It
   * bounds how long a waiter that died while queued can hold a never-expiring lock. Seconds or a string with a
   * unit. Default `'30s'`.
   */
  readonly handoffClaim?: Duration;
}

const DEFAULT_RECHECK_MS = 100;
const DEFAULT_CLAIM_MS = 30_000;
/** How long a key's channel stays subscribed after its last local waiter left (hot keys are waited on again). */
const LINGER_MS = 1_000;
/** Longest `subscribe()` waits for the server's confirmation before waiting on with re-checks only. */
const CONFIRM_MS = 1_000;

/** The hold the scripts read as "whoever holds the owner token" (a restored handle; see `Hold`). */
const BY_TOKEN = '*';

const UNAVAILABLE = new Set(['reconnecting', 'close', 'end', 'disconnecting']);

/**
 * A lock store on Redis, through your ioredis client (`Redis`, Sentinel included, or `Cluster`).
 *
 * ```ts
 * import { Redis } from 'ioredis';
 * const locks = createLocks({ store: new RedisStore(new Redis(process.env.REDIS_URL)), prefix: 'app:' });
 * ```
 *
 * Commands go through your client; the store opens one extra connection of its own (a duplicate of your
 * client, lazily, on the first wait) to receive release announcements. {@link RedisStore.close} closes that
 * one, never yours.
 */
export class RedisStore implements LockStore {
  /** The fallback re-check ceiling in ms (see {@link RedisStoreOptions.recheckInterval}). */
  readonly recheckIntervalMs: number;
  /** The claim lease of a ttl-0 lock handed to a waiter, in ms (see {@link RedisStoreOptions.handoffClaim}). */
  readonly handoffClaimMs: number;
  private readonly handoff: HandoffProtocol;
  private readonly failWhileReconnecting: boolean;
  private readonly releases: ReleaseRegistry;
  private readonly holdTag = randomBytes(6).toString('hex');
  private holdCount = 0;
  /** The client has been `ready` at least once (see `ensureConnected`). */
  private seenReady: boolean;
  private readonly onFirstReady = (): void => {
    this.seenReady = true;
  };
  /** The user's client ended: the store's own connection must end too (see `ReleaseRegistry.detach`). */
  private readonly onClientEnd = (): void => {
    this.releases.detach();
  };

  /**
   * @param client - an ioredis `Redis` or `Cluster`, connected or connecting; it must not use `keyPrefix`
   *   (use `createLocks({ prefix })`: the store derives channel and counter names from the full key)
   * @param options - see {@link RedisStoreOptions}
   */
  constructor(
    private readonly client: RedisClient,
    options: RedisStoreOptions = {},
  ) {
    if (!isIoredisClient(client)) {
      throw new TypeError(`locksmith: client must be an ioredis Redis or Cluster, got ${describe(client)}`);
    }
    assertOptions(options, 'options', ['recheckInterval', 'failWhileReconnecting', 'handoffClaim']);
    assertOptionalBoolean(options.failWhileReconnecting, 'options.failWhileReconnecting');
    if (hasKeyPrefix(client)) {
      throw new TypeError(
        "locksmith: RedisStore needs an ioredis client without keyPrefix; use createLocks({ prefix }) instead",
      );
    }
    const recheckMs =
      options.recheckInterval === undefined
        ? DEFAULT_RECHECK_MS
        : parseDuration(options.recheckInterval, 'options.recheckInterval');
    if (recheckMs < 1) throw new RangeError('locksmith: options.recheckInterval must be at least 1ms');
    this.recheckIntervalMs = Math.ceil(recheckMs);
    const claimMs =
      options.handoffClaim === undefined ? DEFAULT_CLAIM_MS : parseDuration(options.handoffClaim, 'options.handoffClaim');
    if (claimMs < 1) throw new RangeError('locksmith: options.handoffClaim must be at least 1ms');
    this.handoffClaimMs = Math.ceil(claimMs);
    this.failWhileReconnecting = options.failWhileReconnecting ?? true;
    this.seenReady = client.status === 'ready';
    if (!this.seenReady) client.once('ready', this.onFirstReady);
    client.on('end', this.onClientEnd);
    this.handoff = new HandoffProtocol(client, {
      publish: publishCommand(client),
      claimMs: this.handoffClaimMs,
      ensureConnected: () => this.ensureConnected(),
    });
    this.releases = new ReleaseRegistry(
      (events) => openReleaseFeed(client, events),
      releaseChannel,
      { recheckMs: this.recheckIntervalMs, lingerMs: LINGER_MS, confirmMs: CONFIRM_MS },
      this.handoff,
    );
  }

  async acquire(request: AcquireRequest): Promise<AcquireResult> {
    this.ensureConnected();
    const { key, owner, ttlMs, fencing, queue } = request;
    const waiter = queue && this.releases.queuedWaiter(queue.subscription, key);
    if (waiter && queue) return this.handoff.acquireOrEnqueue(request, waiter, queue.waitMs, queue.fair !== false);
    const hold = request.hold ?? this.nextHold();
    if (!fencing) {
      // SET NX and the hold record. A failure does not learn the holder's lease (that would cost a PTTL per
      // attempt); the head waiter's re-check bounds the wait for an expiring lease instead.
      const acquired = await runScript(this.client, ACQUIRE, [key, grantKey(key)], [owner, ttlMs, hold]);
      return acquired === 1 ? { acquired: true, hold } : { acquired: false };
    }
    const [acquired, value] = await runScript(
      this.client,
      ACQUIRE_FENCED,
      [key, fencingKey(key), grantKey(key)],
      [owner, ttlMs, hold],
    );
    if (acquired === 1) return { acquired: true, fencingToken: Number(value), hold };
    // PTTL: -1 = no expiry; -2 (vanished) cannot happen inside the script, but would mean "free now".
    return { acquired: false, remainingMs: value === -2 ? 0 : Number(value) };
  }

  async release(key: string, owner: string, hold?: Hold): Promise<boolean> {
    this.ensureConnected();
    return this.handoff.release(key, owner, hold ?? BY_TOKEN);
  }

  async forceRelease(key: string): Promise<void> {
    this.ensureConnected();
    await this.handoff.forceRelease(key);
  }

  async refresh(key: string, owner: string, ttlMs: number, hold?: Hold): Promise<boolean> {
    this.ensureConnected();
    return (await runScript(this.client, REFRESH, [key, grantKey(key)], [owner, ttlMs, hold ?? BY_TOKEN])) === 1;
  }

  async currentOwner(key: string): Promise<string | null> {
    this.ensureConnected();
    return this.client.get(key);
  }

  async remainingLease(key: string, owner: string, hold?: Hold): Promise<number | null> {
    this.ensureConnected();
    const pttl = Number(await runScript(this.client, REMAINING_LEASE, [key, grantKey(key)], [owner, hold ?? BY_TOKEN]));
    if (pttl === -1) return -1;
    if (pttl < 0) return null; // -3: someone else (or no one) holds it
    return Math.max(1, pttl); // held with under a millisecond left: still held
  }

  listening(key: string): boolean {
    return this.releases.listening(key);
  }

  /** Refuses a key that is another lock key's derived name (its queue, hold record, …: docs/redis.md). */
  assertKey(key: string): void {
    assertNotDerived(key);
  }

  subscribe(key: string, options?: SubscribeOptions): Promise<ReleaseSubscription> {
    return this.releases.subscribe(key, options?.watch === true);
  }

  /** Closes the store's own subscriber connection and ends pending waits. Never closes your client. */
  async close(): Promise<void> {
    this.handoff.close();
    this.client.off('ready', this.onFirstReady);
    this.client.off('end', this.onClientEnd);
    this.releases.close();
  }

  /** A hold id unique across processes (see `Hold`): this store's random tag and a counter, never `*` or `:`. */
  private nextHold(): Hold {
    return `h${this.holdTag}.${(this.holdCount++).toString(36)}`;
  }

  /**
   * Refuses to hand ioredis a command it would queue: while the connection is known to be down, or, once it
   * has been ready, whenever it is not ready (a reconnect attempt to a black-holed server sits in
   * `connecting` for the whole connectTimeout). Before the first `ready` commands may queue: a client that
   * is still making its first connection (or waits for one, lazyConnect) must not fail its first lock.
   */
  private ensureConnected(): void {
    const status = this.client.status;
    if (status === 'ready') {
      this.seenReady = true;
      return;
    }
    if (this.failWhileReconnecting && (this.seenReady || UNAVAILABLE.has(status))) {
      // The lock core wraps this in a LockStoreError naming the operation and the lock.
      throw new Error(
        `the Redis connection is ${this.client.status}; RedisStore does not queue commands while disconnected (one could run after the caller gave up)`,
      );
    }
  }
}

function isIoredisClient(client: unknown): client is RedisClient {
  const candidate = client as Partial<Record<'evalsha' | 'duplicate' | 'set', unknown>> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.evalsha === 'function' &&
    typeof candidate.duplicate === 'function' &&
    typeof candidate.set === 'function'
  );
}

function hasKeyPrefix(client: RedisClient): boolean {
  const options = client.options as { keyPrefix?: string; redisOptions?: { keyPrefix?: string } };
  return Boolean(options.keyPrefix || options.redisOptions?.keyPrefix);
}
