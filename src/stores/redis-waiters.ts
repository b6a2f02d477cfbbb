/**
 * Local waiters of RedisStore: one subscriber connection per store serves every waiter of the process.
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
 *   at the ceiling; after a reconnect every head, and every queued waiter, is woken to re-check at once.
 * - Direct handoff (the protocol is in `redis-handoff.ts`): a handoff message names one waiter by id, and only
 *   that waiter resolves (with a `Handoff`, kept until it closes); no other waiter wakes, the key is not free.
 *   A ttl-0 waiter's claim is confirmed through the protocol's `claimed`, and a waiter that stops without the
 *   lock leaves the queue through `subscription.leave()` (the protocol's `leave`).
 * - Barging (a queued waiter with `fair: false`): a release frees the key and its wake-up names one queued
 *   waiter by id; only that waiter wakes (to race for the key). Every process's watchers hear it as a release.
 *   A wake-up for one of THIS store's ids that is no longer here (its waiter left) goes to the key's first
 *   local waiter instead, so a free key is not left to the re-check ceiling. A barging waiter that just lost
 *   the race holds its next wake-up back for a moment, longer the more races it lost (`lostRaceBackoffMs` in
 *   `redis-handoff.ts`).
 */
import { randomBytes } from 'node:crypto';
import { parseHandoffMessage, parseWakeMessage, type HandoffHooks, type QueuedWaiter, type QueueSlot } from './redis-handoff.js';
import { presenceChannel } from './redis-keys.js';
import { TimerQueue, type Timed } from './timer-queue.js';
import { SETTLES_ON_TIME, type Handoff, type ReleaseSubscription } from './store.js';

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
  /**
   * Whether the connection can hold a presence channel that release scripts count (`PUBSUB NUMSUB`):
   * classic pub/sub (standalone, Sentinel). Not on Cluster, where the subscriber uses sharded pub/sub.
   */
  readonly presence: boolean;
}

export interface ReleaseFeedEvents {
  /**
   * A message on a key's channel: the key itself for a plain release, `key NUL fence NUL waiterId NUL token` when a
   * release handed the key to a queued waiter, `key NUL w NUL waiterId` when it freed the key and woke a queued
   * barging waiter (see `redis-handoff.ts`).
   */
  onMessage(channel: string, message: string): void;
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

/** Bits of `Waiter.flags`. */
const WOKEN = 1;
const ACTIVE = 2;
const CLOSED = 4;
const WATCHER = 8;
/** `Waiter.flags` above these bits count the waiter's lost races (see `QueuedWaiter.losses`). */
const LOSS_SHIFT = 4;

/**
 * One local waiter, which is also its `ReleaseSubscription`: thousands may block on one key, so it keeps its
 * state, its pending `next()` included, in its own fields, with its methods on the prototype (no closures).
 */
class Waiter implements QueuedWaiter, ReleaseSubscription, Timed {
  queue: QueueSlot | undefined = undefined;
  handoff: Handoff | undefined = undefined;
  /** `woken`, `active`, `closed` and `watcher`, as bits of one field. */
  private flags: number;
  /** The pending `next()`'s resolve, if one is pending. */
  resolve: ((released: boolean | Handoff) => void) | undefined = undefined;
  /** Absolute time (ms, `performance.now()`) at which the pending `next()` gives up. */
  deadline = 0;
  /** The registry's `TimerQueue` bookkeeping: when the pending `next()` times out (or re-checks), and where. */
  due = 0;
  slot = -1;
  /** The pending `next()`'s signal, which has this waiter as its abort listener (see `handleEvent`). */
  signal: AbortSignal | undefined = undefined;
  /** A barging waiter that just lost a race takes no wake-up before this whole-ms `performance.now()` (see `wake`). */
  backoffUntil = 0;

  constructor(
    readonly entry: KeyEntry,
    /** Its number in the registry (see `id`). */
    readonly seq: number,
    watcher: boolean,
  ) {
    this.flags = watcher ? WATCHER : 0;
  }

  /**
   * A watcher (`subscribe(key, { watch: true })`: a holder's closure watching its own lock) hears every
   * release, outside the waiters' wake-one queue, and never re-checks on their behalf.
   */
  get watcher(): boolean {
    return (this.flags & WATCHER) !== 0;
  }

  /** An announced release this waiter has not consumed yet. */
  get woken(): boolean {
    return (this.flags & WOKEN) !== 0;
  }

  set woken(value: boolean) {
    this.flags = value ? this.flags | WOKEN : this.flags & ~WOKEN;
  }

  /** Has waited at least once: only such waiters re-check for the others (see `isHead`). */
  get active(): boolean {
    return (this.flags & ACTIVE) !== 0;
  }

  set active(value: boolean) {
    this.flags = value ? this.flags | ACTIVE : this.flags & ~ACTIVE;
  }

  get closed(): boolean {
    return (this.flags & CLOSED) !== 0;
  }

  set closed(value: boolean) {
    this.flags = value ? this.flags | CLOSED : this.flags & ~CLOSED;
  }

  /** Races for a freed key this barging waiter has lost in a row (see `QueuedWaiter.losses`). */
  get losses(): number {
    return this.flags >>> LOSS_SHIFT;
  }

  set losses(value: number) {
    this.flags = (this.flags & ((1 << LOSS_SHIFT) - 1)) | (value << LOSS_SHIFT);
  }

  /** Unique among this process's waiters, made when needed: a string kept per waiter would cost its memory. */
  get id(): string {
    return this.entry.registry.waiterId(this.seq);
  }

  next(timeoutMs: number, signal?: AbortSignal): Promise<boolean | Handoff> {
    return this.entry.registry.next(this, timeoutMs, signal);
  }

  async leave(): Promise<void> {
    if (!this.queue && !this.handoff) return;
    await this.entry.registry.hooks.leave(this.entry.key, this);
    this.queue = undefined;
  }

  close(): void {
    this.entry.registry.remove(this);
  }

  /** `next()` settles on time by itself: the lock core adds no guard timer (see `timeouts`). */
  get [SETTLES_ON_TIME](): true {
    return true;
  }

  /** The pending `next()`'s signal aborted (an `EventListener` object: no closure per wait). */
  handleEvent(): void {
    this.entry.registry.settle(this, false);
  }
}

interface KeyEntry {
  readonly registry: ReleaseRegistry;
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
  private readonly byChannel = new Map<string, KeyEntry>();
  private feed: ReleaseFeed | undefined;
  /**
   * This store's tag: waiter ids start with it, and its subscriber connection listens on the presence channel
   * named after it, so a release script can tell a queued waiter whose process died (its connections closed,
   * so the channel has no subscriber) and skip it instead of handing it the lock.
   */
  private readonly tag = randomBytes(6).toString('hex');
  private waiterCount = 0;
  /** What every waiter id starts with (see `waiterId`), set by the first `subscribe()`. */
  private idPrefix: string | undefined;
  /** The presence channel's SUBSCRIBE, once sent (see `tag`). */
  private presence: Promise<unknown> | undefined;
  private closed = false;
  /**
   * The pending `next()`s' timeouts, under one timer. A waiter's is the waiting lock core's only one
   * (SETTLES_ON_TIME), so like any pending call it keeps the process alive; a watcher's (the lease watch of a
   * running closure) does not on its own.
   */
  private readonly timeouts = new TimerQueue<Waiter>(
    (waiter) => this.due(waiter),
    (waiter) => !waiter.watcher,
  );

  constructor(
    /** Opens the subscriber connection; called on the first `subscribe()`. */
    private readonly openFeed: (events: ReleaseFeedEvents) => ReleaseFeed,
    /** The channel of a key (same Cluster slot as the key). */
    private readonly channelOf: (key: string) => string,
    private readonly options: ReleaseRegistryOptions,
    /** @internal The protocol's side of a waiter's leave. */
    readonly hooks: HandoffHooks,
  ) {}

  /** @internal The id of waiter number `seq`: the store's tag (see `tag`) and the number. */
  waiterId(seq: number): string {
    return `${this.idPrefix ?? ''}${seq.toString(36)}`;
  }

  /** The number of the waiter `id` names, if it names one of ours. */
  private seqOf(id: string): number | undefined {
    const prefix = this.idPrefix;
    if (prefix === undefined || !id.startsWith(prefix)) return undefined;
    const digits = id.slice(prefix.length);
    const seq = Number.parseInt(digits, 36);
    return Number.isSafeInteger(seq) && seq.toString(36) === digits ? seq : undefined;
  }

  /** Number of keys with a channel subscription (or one lingering). For tests and diagnostics. */
  get subscribedKeys(): number {
    return this.entries.size;
  }

  async subscribe(key: string, watch = false): Promise<ReleaseSubscription> {
    if (this.closed) throw new Error('RedisStore is closed');
    const entry = this.entryOf(key);
    // `p`: a release may check this waiter's presence channel; `x`: it cannot (Cluster), and a dead waiter is
    // only bounded by its lease.
    this.idPrefix ??= `${this.connection.presence ? 'p' : 'x'}${this.tag}.`;
    const waiter = new Waiter(entry, this.waiterCount++, watch);
    entry.waiters.add(waiter);
    if (!entry.confirmed && entry.subscribing) await this.confirmation(entry.subscribing);
    return waiter;
  }

  /**
   * The waiter behind `subscription` if it may join `key`'s queue: one of ours, waiting (not watching) on
   * `key`, still open, and its channel subscription confirmed by the server. A waiter that cannot hear a
   * handoff (SUBSCRIBE refused, e.g. no sharded pub/sub on a Redis 6 Cluster, or not confirmed yet) must not
   * queue: a lock handed to it would sit unused until its lease ends. It waits with plain attempts instead.
   */
  queuedWaiter(subscription: ReleaseSubscription, key: string): QueuedWaiter | undefined {
    // Only ours can be queued: a subscription of this registry is its waiter.
    const waiter = subscription instanceof Waiter && subscription.entry.registry === this ? subscription : undefined;
    if (!waiter || waiter.closed || waiter.watcher || waiter.entry.key !== key) return undefined;
    return waiter.entry.confirmed ? waiter : undefined;
  }

  /** Whether a subscription to `key` is confirmed already, so `subscribe(key)` needs no round trip. */
  listening(key: string): boolean {
    return !this.closed && this.entries.get(key)?.confirmed === true && this.connection.isUsable();
  }

  /**
   * The user's client ended (quit, disconnect): closes the subscriber connection, which would otherwise go on
   * reconnecting and keep the process alive. Waits go on without wake-ups (their attempts fail on the ended
   * client); a later `subscribe()` opens a new connection (the client may be connected again).
   */
  detach(): void {
    if (this.closed || !this.feed) return;
    const feed = this.feed;
    this.feed = undefined;
    this.presence = undefined;
    for (const entry of [...this.entries.values()]) {
      entry.confirmed = false;
      entry.subscribing = undefined;
      if (entry.waiters.size > 0) continue;
      clearTimeout(entry.lingerTimer);
      this.entries.delete(entry.key);
      this.byChannel.delete(entry.channel);
    }
    feed.close();
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
    this.byChannel.clear();
    this.feed?.close();
  }

  private get connection(): ReleaseFeed {
    this.feed ??= this.openFeed({
      onMessage: (channel, message) => this.onMessage(channel, message),
      onReconnect: () => this.resume(),
    });
    return this.feed;
  }

  private entryOf(key: string): KeyEntry {
    const existing = this.entries.get(key);
    if (existing) {
      clearTimeout(existing.lingerTimer);
      existing.lingerTimer = undefined;
      if (!existing.confirmed && !existing.subscribing) this.sendSubscribe(existing); // after a detach
      return existing;
    }
    const entry: KeyEntry = {
      registry: this,
      key,
      channel: this.channelOf(key),
      waiters: new Set(),
      confirmed: false,
      subscribing: undefined,
      lingerTimer: undefined,
    };
    this.entries.set(key, entry);
    this.byChannel.set(entry.channel, entry);
    this.sendSubscribe(entry);
    return entry;
  }

  private sendSubscribe(entry: KeyEntry): void {
    // The presence channel first: a key's subscription counts as confirmed (and its waiters may queue) only
    // once releases can see that this store is alive.
    const sent = this.presenceChannel()
      .then(() => this.connection.subscribe(entry.channel))
      .then(
      () => {
        if (entry.subscribing === sent) entry.confirmed = true;
      },
      // Not fatal: the head waiter re-checks at the ceiling, and the next reconnect subscribes again.
      () => undefined,
    );
    entry.subscribing = sent;
  }

  private presenceChannel(): Promise<unknown> {
    if (!this.connection.presence) return Promise.resolve();
    this.presence ??= this.connection.subscribe(presenceChannel(this.tag)).catch((error: unknown) => {
      this.presence = undefined; // try again with the next key's subscription
      throw error;
    });
    return this.presence;
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

  /** @internal `waiter.next()`. */
  next(waiter: Waiter, timeoutMs: number, signal?: AbortSignal): Promise<boolean | Handoff> {
    if (waiter.closed) return Promise.resolve(false);
    this.settle(waiter, false); // a caller never has two next() pending; resolve a stray one rather than leak it
    // Sticky: the waiter holds the handed lock until it acts, so every later next() says so (a stray next()
    // that received it may have been abandoned by the caller's own timer).
    if (waiter.handoff) return Promise.resolve(waiter.handoff);
    if (waiter.woken && waiter.backoffUntil <= performance.now()) {
      waiter.woken = false;
      return Promise.resolve(true);
    }
    if (signal?.aborted) return Promise.resolve(false);
    waiter.active = true;
    return new Promise<boolean | Handoff>((resolve) => {
      waiter.resolve = resolve;
      // Whole ms (rounded up), stored unboxed: a fraction of a ms is below any timer's resolution.
      waiter.deadline = Math.ceil(performance.now() + timeoutMs);
      if (signal) {
        waiter.signal = signal;
        signal.addEventListener('abort', waiter, { once: true });
      }
      this.arm(waiter);
    });
  }

  /**
   * (Re)starts a pending `next()`'s timeout: the head re-checks at the ceiling, the others wait it out; a
   * wake-up held back by a lost race's backoff is delivered when the backoff ends (see `due`).
   */
  private arm(waiter: Waiter): void {
    if (!waiter.resolve) return;
    let due = this.isHead(waiter)
      ? Math.min(waiter.deadline, performance.now() + this.options.recheckMs)
      : waiter.deadline;
    if (waiter.woken && waiter.backoffUntil < due) due = waiter.backoffUntil;
    this.timeouts.schedule(waiter, due);
  }

  /** The first waiter of its key that has started waiting: the one that re-checks for everyone. */
  private isHead(waiter: Waiter): boolean {
    return this.headOf(waiter.entry) === waiter;
  }

  private headOf(entry: KeyEntry): Waiter | undefined {
    for (const candidate of entry.waiters) if (candidate.active && !candidate.watcher) return candidate;
    return undefined;
  }

  /**
   * A pending `next()`'s time came: its timeout or the head's re-check (`false`), or the end of a lost race's
   * backoff with a wake-up held back meanwhile (`true`).
   */
  private due(waiter: Waiter): void {
    const held = waiter.woken && waiter.backoffUntil <= performance.now();
    if (held) waiter.woken = false;
    this.settle(waiter, held);
  }

  /** @internal Resolves a waiter's pending `next()`, if any. */
  settle(waiter: Waiter, released: boolean | Handoff): void {
    const resolve = waiter.resolve;
    if (!resolve) return;
    waiter.resolve = undefined;
    this.timeouts.cancel(waiter);
    if (waiter.signal) {
      waiter.signal.removeEventListener('abort', waiter);
      waiter.signal = undefined;
    }
    resolve(released);
  }

  private onMessage(channel: string, message: string): void {
    const entry = this.byChannel.get(channel);
    if (!entry) {
      if (channel === presenceChannel(this.tag)) this.onPresenceMessage(message);
      return;
    }
    if (message === entry.key) {
      this.wakeOne(entry);
      return;
    }
    const woken = parseWakeMessage(entry.key, message);
    if (woken !== undefined) {
      this.wakeNamed(entry, woken);
      return;
    }
    const handoff = parseHandoffMessage(entry.key, message);
    if (handoff) this.handOff(entry, handoff.waiterId, handoff.owner, handoff.fence);
  }

  /**
   * A wake-up sent to this store alone, on its presence channel (`key NUL w NUL waiterId`: a holder released the
   * key and woke our queued barging waiter; see HAND_ON). The key is what precedes the last `NUL w NUL`: a
   * waiter id contains no NUL, a key may.
   */
  private onPresenceMessage(message: string): void {
    const end = message.lastIndexOf('\0w\0');
    if (end < 0) return;
    const entry = this.entries.get(message.slice(0, end));
    if (!entry) return;
    const woken = parseWakeMessage(entry.key, message);
    if (woken !== undefined) this.wakeNamed(entry, woken);
  }

  /**
   * A release freed the key and woke queued barging waiter `id`. Watchers hear it (their lock was released).
   * That waiter, if it is ours and here, wakes alone: the other waiters of every process sleep on (the woken
   * one may lose the race, keep its place, and be woken again by the next release). If `id` is one of this
   * store's waiters that is gone (it closed while the message was on its way; its leave passes the wake-up on
   * only if it reaches Redis while the key is still free), the wake-up goes to the key's first local waiter,
   * as an unused wake-up of a leaving waiter does.
   */
  private wakeNamed(entry: KeyEntry, id: string): void {
    for (const watcher of entry.waiters) if (watcher.watcher) this.wake(watcher);
    const seq = this.seqOf(id);
    if (seq === undefined) return;
    for (const waiter of entry.waiters) {
      if (waiter.seq !== seq || waiter.watcher || waiter.closed) continue;
      this.wake(waiter);
      return;
    }
    this.wakeFirst(entry);
  }

  /**
   * A release handed the key to waiter `id` (queued for `owner`). Watchers hear it (their lock changed
   * hands); that waiter, if it is ours and still here, now holds the lock. Nobody else is woken: the key is
   * not free. Matching by id, not owner: a newer wait of the same owner must not take a late message meant
   * for one that already left (its LEAVE passed the lock on).
   */
  private handOff(entry: KeyEntry, id: string, owner: string, fence: number | undefined): void {
    const at = performance.now();
    for (const watcher of entry.waiters) if (watcher.watcher) this.wake(watcher);
    const seq = this.seqOf(id);
    if (seq === undefined) return;
    for (const waiter of entry.waiters) {
      if (waiter.seq !== seq || waiter.closed || waiter.handoff || waiter.queue?.owner !== owner) continue;
      // The hold record the release wrote names this waiter's id: that is the hold's identity.
      const handoff: Handoff =
        fence === undefined ? { handedOff: true, at, hold: id } : { handedOff: true, fencingToken: fence, at, hold: id };
      waiter.handoff = handoff;
      if (waiter.queue.ttlMs === 0) this.hooks.claimed(entry.key, waiter);
      this.settle(waiter, handoff);
      return;
    }
  }

  /** One announced release: wakes every watcher, and the first waiter not already woken (FIFO). */
  private wakeOne(entry: KeyEntry): void {
    for (const watcher of entry.waiters) if (watcher.watcher) this.wake(watcher);
    this.wakeFirst(entry);
  }

  /** Wakes the key's first local waiter not already woken (FIFO), if any; watchers are not waiters. */
  private wakeFirst(entry: KeyEntry): void {
    for (const waiter of entry.waiters) {
      if (waiter.woken || waiter.watcher) continue;
      this.wake(waiter);
      return;
    }
  }

  /**
   * Delivers one release to `waiter` now, or keeps it for its next `next()`. A barging waiter that has just
   * lost a race (see `QueuedWaiter.backoffUntil`) gets it when its backoff ends: wake-ups meanwhile are one.
   */
  private wake(waiter: Waiter): void {
    if (waiter.resolve && waiter.backoffUntil <= performance.now()) {
      this.settle(waiter, true);
      return;
    }
    waiter.woken = true;
    this.arm(waiter);
  }

  /** @internal `waiter.close()`. */
  remove(waiter: Waiter): void {
    if (waiter.closed) return;
    const entry = waiter.entry;
    const wasHead = this.isHead(waiter);
    waiter.closed = true;
    this.settle(waiter, false);
    entry.waiters.delete(waiter);
    if (waiter.woken && !waiter.watcher) this.wakeFirst(entry); // the unused wake-up belongs to the next waiter
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
      this.byChannel.delete(entry.channel);
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
      // A handoff to any queued waiter may have been missed: each re-checks once (its attempt recognises a
      // key that already holds its token). One command per queued waiter per reconnect, not a stream.
      for (const waiter of entry.waiters) if (waiter.queue && !waiter.watcher && !waiter.woken) this.wake(waiter);
    }
  }
}
