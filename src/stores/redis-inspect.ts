/**
 * Reads RedisStore's locks for an operator (`locksmith locks`): which names are held, by whom, for how long,
 * who is queued, and the fencing counter. Read-only except {@link RedisLockInspector.release}, which goes
 * through RedisStore's own release so queued waiters are served as after any release.
 *
 * Telling locks from other keys under a shared prefix (a Laravel app keeps its cache and its locks under one
 * prefix): a key `prefix + name` is listed as a lock when it is a string and
 * - it is not a name RedisStore derives from a lock (`…:locksmith:fence|queue|grant|released|woke`), and
 * - its value has the shape of an owner token: 16 to 128 characters of `[A-Za-z0-9_-]`, not all digits
 *   (locksmith's tokens are 22 base64url characters, Laravel's 16 alphanumerics). A Laravel cache entry is
 *   `serialize()`d (`s:5:"hello";`, `a:1:{…}`, `i:3;`) or a bare number, so it never has that shape;
 * - or, whatever its value, the key has live lock state next to it: queued waiters or a handoff grant (a lock
 *   taken with a custom short `owner` is recognised that way while anyone waits for it).
 * A fencing counter alone does not make a key a lock: it outlives every lock of its name.
 */
import type { Cluster, Redis } from 'ioredis';
import { assertNotDerived, derivedFrom, fencingKey, grantKey, queueKey } from './redis-keys.js';
import { runScript, type RedisClient } from './redis-script-runner.js';
import { ALIVE, script } from './redis-scripts.js';
import { RedisStore } from './redis.js';

/** A held lock, as `locksmith locks list` shows it. */
export interface LockInfo {
  /** The lock name, without the prefix. */
  readonly name: string;
  /** The owner token stored as the key's value. */
  readonly owner: string;
  /** The lease left in ms; `-1` when the lock never expires. */
  readonly ttlMs: number;
  /** Queued waiters whose wait has not run out. */
  readonly waiters: number;
  /** The fencing counter of the name, or `null` when no fenced acquisition ever happened. */
  readonly fence: number | null;
}

/** A queued waiter (direct handoff queue), oldest first. */
export interface QueuedWaiterInfo {
  /** When it joined the queue (the server's clock), ISO 8601. */
  readonly arrival: string;
  /** When its wait runs out (the server's clock), ISO 8601. */
  readonly deadline: string;
  /** The lease it asked for, in ms (`0`: never expires). */
  readonly ttlMs: number;
  /** The owner token the lock would be handed to. */
  readonly owner: string;
}

/** A held lock with its queue, as `locksmith locks show NAME` shows it. */
export interface LockDetails extends LockInfo {
  readonly queue: readonly QueuedWaiterInfo[];
}

/** What {@link RedisLockInspector.release} freed. */
export interface ReleasedLock {
  readonly previousOwner: string;
  /** The lease the lock had left, in ms (`-1`: never expires). */
  readonly ttlMs: number;
}

/** At most this many queued waiters are returned in detail (all are counted). */
const QUEUE_DETAIL = 100;
const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;
const DIGITS = /^\d+$/;

/**
 * One key's lock state, read atomically. KEYS: lock, queue, fence, grant (one slot). ARGV: how many queued
 * waiters to return in detail. Returns `{type, value|false, pttl, fence|false, grant(0|1), live waiters,
 * {member, score, …}}`: the queue's entries a release would still hand the lock to, by the rules of HAND_ON
 * (redis-scripts.ts): deadline (inside the member, server clock) still ahead, and the waiter's store still
 * subscribed to its presence channel where it has one.
 */
const INSPECT = script<[string, string | null, number, string | null, number, number, string[]]>(
  'inspect',
  `${ALIVE}local kind = redis.call('TYPE', KEYS[1])['ok']
if kind ~= 'string' then return {kind, false, 0, false, 0, 0, {}} end
local value = redis.call('GET', KEYS[1])
local pttl = redis.call('PTTL', KEYS[1])
local fence = false
if redis.call('TYPE', KEYS[3])['ok'] == 'string' then fence = redis.call('GET', KEYS[3]) end
local grant = redis.call('EXISTS', KEYS[4])
local live, detail = 0, {}
if redis.call('TYPE', KEYS[2])['ok'] == 'zset' then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local entries = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
  for i = 1, #entries, 2 do
    local deadline, id = string.match(entries[i], '^(%d+):[%d:]*:([px]%x+%.%w+):')
    if deadline and tonumber(deadline) > now and alive(id) then
      live = live + 1
      if live <= tonumber(ARGV[1]) then
        detail[#detail + 1] = entries[i]
        detail[#detail + 1] = entries[i + 1]
      end
    end
  end
end
return {kind, value, pttl, fence, grant, live, detail}
`,
);

/** Whether `value` has the shape of an owner token (locksmith's or Laravel's), see the module comment. */
export function looksLikeOwnerToken(value: string): boolean {
  return TOKEN.test(value) && !DIGITS.test(value);
}

/** Whether `key` is a name RedisStore derives from a lock key (fence, queue, grant, marks), not a lock. */
export function isDerivedKey(key: string): boolean {
  return derivedFrom(key) !== undefined;
}

/** `text` with Redis glob metacharacters escaped, so it matches itself in `SCAN MATCH`. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** Reads (and on request force-releases) the locks under one prefix, on a Redis, Sentinel or Cluster client. */
export class RedisLockInspector {
  constructor(
    private readonly client: RedisClient,
    /** The prefix the applications pass to `createLocks({ prefix })`. */
    readonly prefix = '',
  ) {}

  /**
   * Every held lock whose name matches `match` (a Redis glob over the name, default `*`), found with `SCAN`
   * on every master (never `KEYS`), sorted by name.
   */
  async list(match = '*'): Promise<LockInfo[]> {
    const found: LockInfo[] = [];
    for (const node of this.masters()) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', escapeGlob(this.prefix) + match, 'COUNT', 500, 'TYPE', 'string');
        cursor = next;
        const candidates = keys.filter((key) => key.startsWith(this.prefix) && !isDerivedKey(key));
        const infos = await Promise.all(candidates.map((key) => this.read(key)));
        for (const info of infos) if (info?.recognised) found.push(info.lock);
      } while (cursor !== '0');
    }
    // A key seen twice (SCAN may repeat keys) is listed once.
    const unique = new Map(found.map((lock) => [lock.name, lock]));
    return [...unique.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * The lock held under `name` with its queued waiters, or `null` when nothing holds it. Throws a `RangeError`
   * for a name whose key is another lock's derived key (its hold record, queue, …): not a lock.
   */
  async show(name: string): Promise<LockDetails | null> {
    assertNotDerived(this.prefix + name);
    const info = await this.read(this.prefix + name);
    return info ? { ...info.lock, queue: info.queue } : null;
  }

  /**
   * Frees `name` from its current holder through RedisStore's release (the oldest live queued waiter is handed
   * the lock, as after the holder's own release). The holder's token is read first and the release compares
   * it, so the result names exactly the owner that was released. `null` when nothing holds the name. Throws a
   * `RangeError` for a derived key's name, as `show` does: "releasing" x's hold record would strand x's holder.
   */
  async release(name: string): Promise<ReleasedLock | null> {
    const key = this.prefix + name;
    assertNotDerived(key);
    const store = new RedisStore(this.client);
    try {
      // A busy lock may change hands between the read and the release: read again (bounded).
      for (let attempt = 0; attempt < 10; attempt++) {
        const info = await this.read(key);
        if (!info) return null;
        if (await store.release(key, info.lock.owner)) return { previousOwner: info.lock.owner, ttlMs: info.lock.ttlMs };
      }
      throw new Error(`the lock "${name}" changed hands 10 times while it was being released; try again`);
    } finally {
      await store.close();
    }
  }

  private async read(key: string): Promise<{ lock: LockInfo; queue: QueuedWaiterInfo[]; recognised: boolean } | null> {
    const [kind, value, pttl, fence, grant, live, detail] = await runScript(
      this.client,
      INSPECT,
      [key, queueKey(key), fencingKey(key), grantKey(key)],
      [QUEUE_DETAIL],
    );
    if (kind !== 'string' || value === null) return null;
    const queue: QueuedWaiterInfo[] = [];
    for (let i = 0; i + 1 < detail.length; i += 2) {
      const waiter = parseEntry(detail[i] as string, Number(detail[i + 1]));
      if (waiter) queue.push(waiter);
    }
    const lock: LockInfo = {
      name: key.slice(this.prefix.length),
      owner: value,
      ttlMs: Number(pttl) < 0 ? -1 : Number(pttl),
      waiters: Number(live),
      fence: fence === null || fence === undefined || !/^\d+$/.test(fence) ? null : Number(fence),
    };
    const recognised = looksLikeOwnerToken(value) || Number(live) > 0 || Number(grant) === 1;
    return { lock, queue, recognised };
  }

  private masters(): Redis[] {
    const client = this.client as Partial<Cluster>;
    return typeof client.nodes === 'function' ? client.nodes('master') : [this.client as Redis];
  }
}

/**
 * A queue entry (see ACQUIRE_OR_ENQUEUE in redis-scripts.ts): member `deadlineMs:ttlMs:<more numeric
 * fields: claimMs, fencing, fair>:waiterId:ownerToken`, score = arrival in µs. Read by its ends (the deadline
 * and lease first, then the waiter id `p|x<hex tag>.<n>` and the token), so a numeric field added to the
 * protocol (as `fair` was) does not break it.
 */
const ENTRY = /^(\d+):(\d+)(?::\d+)*:[px][0-9a-f]+\.[0-9a-z]+:(.*)$/s;

function parseEntry(member: string, arrivalUs: number): QueuedWaiterInfo | undefined {
  const match = ENTRY.exec(member);
  if (!match) return undefined;
  return {
    arrival: new Date(Math.floor(arrivalUs / 1_000)).toISOString(),
    deadline: new Date(Number(match[1])).toISOString(),
    ttlMs: Number(match[2]),
    owner: match[3] as string,
  };
}
