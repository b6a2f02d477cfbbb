/**
 * Direct handoff on Redis, the process's side of the protocol (the server's side is the Lua scripts in
 * `redis-scripts.ts`; the layout of every derived key is in `redis-keys.ts`):
 *
 * - A waiter's attempts after its subscription is active run ACQUIRE_OR_ENQUEUE: `SET NX`, else join the key's
 *   queue with an entry naming the waiter's own id (unique in the process, its store's tag in it).
 * - A release (RELEASE, FORCE_RELEASE, or a LEAVE that passes a handed lock on) serves the oldest live entry by
 *   that entry's mode (the waiter's `fair`). Fair: it sets the key to the entry's owner token with its lease,
 *   writes the grant record (that entry's id and fencing token) with the same lease, and publishes
 *   `key NUL fence NUL waiterId NUL token`; the waiter that id names resolves at once, without another
 *   request. Barging: it frees the key, leaves the entry in place and publishes `key NUL w NUL waiterId`; the
 *   waiter that id names wakes alone and races for the key with a `SET NX` like anyone (a loser keeps its
 *   entry, so its place).
 * - The identity of a handoff is the entry id in the grant record, never the owner token: a re-check, a leave
 *   or a ttl-0 claim confirmation acts on a handoff only if the grant names that very waiter. Two waiters, or
 *   a waiter and a retried job, may share a token.
 * - A waiter that stops without the lock LEAVEs: its entry goes, or a lock granted to it is passed on. A leave
 *   or a claim confirmation that fails (connection down) is retried in the background until it no longer
 *   matters (the entry's deadline, the claim's end).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { fencingKey, forcedKey, grantKey, queueKey, releaseChannel, wokeKey } from './redis-keys.js';
import { runScript, type RedisClient } from './redis-script-runner.js';
import { ACQUIRE_OR_ENQUEUE, CLAIM, FORCE_RELEASE, LEAVE, RELEASE } from './redis-scripts.js';
import type { AcquireRequest, AcquireResult, Handoff } from './store.js';

/** A waiter's place in the key's server-side queue, as far as this process knows it. */
export interface QueueSlot {
  readonly owner: string;
  readonly ttlMs: number;
  /** The queue entry, once the server answered the first queued attempt. */
  member: string | undefined;
  /** `performance.now()` after which the entry is dead anyway (its waiter's deadline): no leave is owed. */
  liveUntil: number | undefined;
  /** The entry's mode: `false` for a barging waiter (a release wakes it instead of handing it the key). */
  readonly fair: boolean;
}

/** A local waiter seen by the protocol's queued attempts and its leave. */
export interface QueuedWaiter {
  /** Unique among this process's waiters (owner tokens may be shared), part of the queue entry. */
  readonly id: string;
  /** Set just before the first queued attempt is sent, so a handoff racing its reply is recognised. */
  queue: QueueSlot | undefined;
  /** Set (and kept) once a release handed the lock to this waiter. */
  readonly handoff: Handoff | undefined;
  /** The subscription was closed (the waiter is gone). */
  readonly closed: boolean;
  /**
   * `performance.now()` before which a wake-up is held back: set when a queued barging waiter's attempt lost
   * the race for a free key (see {@link lostRaceBackoffMs}).
   */
  backoffUntil: number;
  /** How many races for a freed key this barging waiter has lost so far (see {@link lostRaceBackoffMs}). */
  losses: number;
}

/**
 * How long a barging waiter that lost the race for a freed key holds back its next wake-up (wake-ups meanwhile
 * are delivered as one, when it ends), after its `losses`-th lost race: 5 ms, doubling with each further loss,
 * at most 40 ms. On a hot key the releasing process re-takes the key within a round trip or two; a woken
 * waiter that tried after every release would mostly lose, spending an attempt (a wake-up of its process and a
 * script) each time and, when it wins, moving the lock to another process (the cost barging avoids). The
 * longer a waiter keeps losing, the hotter the key, so the rarer its tries; the cap bounds how long a free key
 * can wait for a waiter that lost just before the holder stopped re-taking. Never delays a waiter that has not
 * lost: an idle waiter's wake-up is delivered at once.
 */
function lostRaceBackoffMs(losses: number): number {
  return Math.min(LOST_RACE_BACKOFF_MAX_MS, LOST_RACE_BACKOFF_MS * 2 ** Math.max(0, losses - 1));
}

const LOST_RACE_BACKOFF_MS = 5;
const LOST_RACE_BACKOFF_MAX_MS = 40;
/** Losses counted at most: past this the backoff is at its cap anyway. */
const MAX_COUNTED_LOSSES = 8;

/** What the local waiters' registry asks of the protocol. */
export interface HandoffHooks {
  /** A waiter that queued gives up: leave the queue, passing on a lock handed to it meanwhile. */
  leave(key: string, waiter: QueuedWaiter): Promise<void>;
  /** A lock was handed to a local waiter with ttl 0, under a bounded claim: make it permanent. */
  claimed(key: string, waiter: QueuedWaiter): void;
}

/** A handoff announcement, parsed. */
export interface HandoffMessage {
  readonly waiterId: string;
  /** The owner token the key was set to. */
  readonly owner: string;
  /** The fencing token the handoff issued, when the entry asked for fencing. */
  readonly fence: number | undefined;
}

/**
 * Parses a message on `key`'s channel: `key NUL fence NUL waiterId NUL token` for a handoff (the token may
 * contain anything, so it comes last); `undefined` for anything else (a plain release is the key itself, a
 * barging waiter's wake-up is `key NUL w NUL waiterId`, see {@link parseWakeMessage}).
 */
export function parseHandoffMessage(key: string, message: string): HandoffMessage | undefined {
  if (!message.startsWith(`${key}\0`)) return undefined;
  const [fence, waiterId, ...token] = message.slice(key.length + 1).split('\0');
  if (fence === undefined || waiterId === undefined || token.length === 0) return undefined;
  return { waiterId, owner: token.join('\0'), fence: fence === '' ? undefined : Number(fence) };
}

/**
 * Parses a barging waiter's wake-up on `key`'s channel, `key NUL w NUL waiterId` (a release freed the key and
 * names the queued barging waiter that should try first): the waiter id, or `undefined` for any other
 * message. Never confused with a handoff: a handoff has four fields and its second is a fence (digits or
 * empty), never `w`; waiter ids contain no NUL.
 */
export function parseWakeMessage(key: string, message: string): string | undefined {
  const head = `${key}\0w\0`;
  if (!message.startsWith(head)) return undefined;
  const waiterId = message.slice(head.length);
  return waiterId === '' || waiterId.includes('\0') ? undefined : waiterId;
}

/** What the protocol needs from its store. */
export interface HandoffOptions {
  /** `PUBLISH`, or `SPUBLISH` on Cluster (the message stays on the key's shard). */
  readonly publish: 'PUBLISH' | 'SPUBLISH';
  /** The claim a ttl-0 waiter of this store is handed under, in ms (carried in its queue entry). */
  readonly claimMs: number;
  /** Throws when a command must not be sent now (see RedisStore's `failWhileReconnecting`). */
  readonly ensureConnected: () => void;
}

export class HandoffProtocol implements HandoffHooks {
  /** Background retries of leaves and claim confirmations that failed (see `retrying`). */
  private readonly retries = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly client: RedisClient,
    private readonly options: HandoffOptions,
  ) {}

  /**
   * A waiter's attempt after its subscription is active: SET NX, else join the key's queue, in one script
   * (see ACQUIRE_OR_ENQUEUE). A failure reports no lease: a queued waiter is handed the lock by the release,
   * and the key's first local waiter re-checks for expiries and silent releases (the holder's lease would
   * only wake every queued waiter at once).
   */
  async acquireOrEnqueue(
    { key, owner, ttlMs, fencing }: AcquireRequest,
    waiter: QueuedWaiter,
    waitMs: number,
    fair: boolean,
  ): Promise<AcquireResult> {
    // Every field from the start: one added later would take an out-of-object property array per waiter.
    const reuse = waiter.queue?.owner === owner && waiter.queue.fair === fair;
    const slot: QueueSlot =
      reuse && waiter.queue ? waiter.queue : { owner, ttlMs, member: undefined, liveUntil: undefined, fair };
    waiter.queue = slot; // before sending: the handoff message may beat the reply
    const [status, value] = await runScript(
      this.client,
      ACQUIRE_OR_ENQUEUE,
      [key, queueKey(key), fencingKey(key), grantKey(key), wokeKey(key)],
      [
        owner,
        ttlMs,
        fencing ? 1 : 0,
        Math.max(1, Math.ceil(waitMs)),
        slot.member ?? '',
        waiter.id,
        this.options.claimMs,
        fair ? 1 : 0,
      ],
    );
    if (status === 0) {
      // A barging waiter already queued that failed: it lost the race for a key freed by a release (or found it
      // held on a re-check). Its next wake-up waits a moment: see lostRaceBackoffMs.
      if (!fair && slot.member !== undefined) {
        waiter.losses = Math.min(waiter.losses + 1, MAX_COUNTED_LOSSES);
        waiter.backoffUntil = Math.ceil(performance.now() + lostRaceBackoffMs(waiter.losses));
      }
      slot.member = String(value);
      slot.liveUntil = Math.ceil(performance.now() + waitMs); // whole ms: stored unboxed
      // An answer that came after the waiter gave up (its deadline passed while Redis was slow): its leave ran
      // before the entry was known, so take the entry back now rather than let a release hand it the lock.
      if (waiter.closed) this.leave(key, waiter, slot).catch(() => undefined);
      return QUEUED;
    }
    // Acquired (1) or found granted to this very waiter (2): our entry is gone from the queue. Either way the
    // hold record names the waiter id: that is the hold's identity.
    waiter.queue = undefined;
    const handedOff = status === 2 ? ({ handedOff: true } as const) : {};
    const hold = waiter.id;
    return fencing
      ? { acquired: true, fencingToken: Number(value), hold, ...handedOff }
      : { acquired: true, hold, ...handedOff };
  }

  /**
   * See `ReleaseSubscription.leave`. A leave that fails (Redis unreachable or reconnecting) is retried in the
   * background until the entry would be skipped anyway (its waiter's deadline): otherwise a release after the
   * reconnect hands the lock to a waiter that is gone, and it sits unused for that waiter's TTL.
   */
  async leave(key: string, waiter: QueuedWaiter, slot = waiter.queue): Promise<void> {
    try {
      await this.leaveOnce(key, waiter, slot);
    } catch (error) {
      if (slot) this.retrying(() => this.leaveOnce(key, waiter, slot), slot.liveUntil ?? 0, 1);
      throw error;
    }
  }

  /**
   * Off the critical path (the waiter already runs): CLAIM, retried until the claim would have lapsed, since
   * a single PERSIST sent while the connection reconnects would be refused and the "never expiring" lock
   * would expire after the claim.
   */
  claimed(key: string, waiter: QueuedWaiter): void {
    const owner = waiter.queue?.owner;
    if (owner === undefined) return;
    const claim = async (): Promise<void> => {
      this.options.ensureConnected();
      await runScript(this.client, CLAIM, [key, grantKey(key)], [owner, waiter.id]);
    };
    this.retrying(claim, performance.now() + this.options.claimMs);
  }

  /**
   * RELEASE: compare-and-delete of this very hold (`hold`, or `*` for whoever holds `owner`), handing the key
   * to the oldest live waiter. `true` when it held the key.
   */
  async release(key: string, owner: string, hold: string): Promise<boolean> {
    const { publish } = this.options;
    return (await runScript(this.client, RELEASE, handoffKeys(key), [owner, hold, publish, key])) !== 0;
  }

  /**
   * FORCE_RELEASE: frees the key whoever holds it, handing it to the oldest live waiter; under a fresh request
   * id, so a re-sent copy of this call does not free the hold that came next.
   */
  async forceRelease(key: string): Promise<void> {
    await runScript(
      this.client,
      FORCE_RELEASE,
      [...handoffKeys(key), forcedKey(key)],
      [this.options.publish, key, randomBytes(9).toString('base64url')],
    );
  }

  /** Stops the background retries. */
  close(): void {
    this.closed = true;
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
  }

  /**
   * LEAVE: takes the entry out of the queue, or passes on a lock that was handed to this very waiter (its
   * grant record names the waiter's id; a key that only holds the same owner token is someone else's).
   */
  private async leaveOnce(key: string, waiter: QueuedWaiter, slot = waiter.queue): Promise<void> {
    this.options.ensureConnected();
    if (!slot || (slot.member === undefined && !waiter.handoff)) return;
    await runScript(this.client, LEAVE, handoffKeys(key), [
      slot.member ?? '',
      slot.owner,
      waiter.id,
      this.options.publish,
      key,
    ]);
  }

  /**
   * Runs `step` now (attempt 0) or after a backoff, again after each failure, until it succeeds, the protocol
   * closes or `until` (`performance.now()` time) passes. The timers do not keep the process alive.
   */
  private retrying(step: () => Promise<unknown>, until: number, attempt = 0): void {
    if (this.closed || until <= performance.now()) return;
    const run = (): void => {
      step().catch(() => this.retrying(step, until, attempt + 1));
    };
    if (attempt === 0) {
      run();
      return;
    }
    const timer = setTimeout(
      () => {
        this.retries.delete(timer);
        run();
      },
      Math.min(50 * 2 ** attempt, 2_000),
    );
    timer.unref();
    this.retries.add(timer);
  }
}

/** A queued attempt's answer: one shared object, since a sleeping waiter keeps its last answer in its frame. */
const QUEUED: AcquireResult = Object.freeze({ acquired: false });

/** The keys of the scripts that may hand the lock on: lock, channel, queue, fence, grant, woke (one slot). */
export function handoffKeys(key: string): string[] {
  return [key, releaseChannel(key), queueKey(key), fencingKey(key), grantKey(key), wokeKey(key)];
}
