/**
 * The Lua scripts RedisStore runs, one named constant each. Scripts make each store operation a single
 * atomic step on the server (no other client can act between the owner check and the delete/extend), and a
 * single round trip. They are sent by SHA (EVALSHA) and loaded on demand (see `redis-script-runner.ts`).
 *
 * Key layout, shared by every script (all keys of one call live in one Cluster slot, see `redis-keys.ts`):
 * - `KEYS[1]` the lock key (`prefix + name`), whose value is the owner token, as Laravel's RedisLock stores it;
 * - `KEYS[2]` the release channel (declared as a key so Cluster routes and checks it with the lock key) or,
 *   for ACQUIRE_FENCED, the fencing counter;
 * - the handoff scripts also take the waiter queue and the fencing counter (see `redis-keys.ts`).
 *
 * Numbers given to `redis.call` (durations, ranges) are passed as strings: the ARGV string as the client sent
 * it, or a quoted literal. Redis 7.0 formats a Lua number argument with `snprintf("%.17g")` on every call,
 * which costs about as much as a short command; compare with `tonumber` instead.
 */
import { createHash } from 'node:crypto';

/** A script and its SHA1, the name EVALSHA runs it by; `Result` is the reply it gives (for `runScript`). */
export interface RedisScript<Result = unknown> {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
  /** Type-level only: never set. */
  readonly result?: Result;
}

export function script<Result>(name: string, source: string): RedisScript<Result> {
  return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * How long a fencing counter outlives the last token it issued, in ms. The time floor (NEXT_FENCE) keeps
 * tokens increasing without it, so the counter need not be kept forever: a name fenced once (one per job id,
 * say) leaves nothing behind after this, where a counter that never expired was one key per name ever fenced.
 * An hour: a clock that steps back further than the gap since a name's last token is not a clock to fence by.
 */
export const FENCE_COUNTER_MS = 3_600_000;

/**
 * The next fencing token of a counter: max(counter + 1, the server's time in µs), written back as an integer
 * string (INCR on it keeps working) that expires FENCE_COUNTER_MS after this token. The time floor keeps
 * tokens increasing when the counter is gone (expired, or lost by a restart without persistence) or behind (a
 * failover to a replica that missed the latest increments), as long as the server clocks do not step back by
 * more than the tokens issued since; tokens (~1.8e15 today) stay exact doubles (below 2^53) for centuries.
 * Returned as a decimal string: Lua would print a number this large in exponent form. `t` is the server's
 * `TIME`, read by the caller before its first write: TIME is only in ACL category `@fast`, so an ACL of
 * `+@read +@write +@scripting` refuses it, and refused after a write it would leave that write behind.
 */
const NEXT_FENCE = `local function next_fence(fence_key, t)
  local floor = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local token = tonumber(redis.call('GET', fence_key) or '0') + 1
  if floor > token then token = floor end
  token = string.format('%.0f', token)
  redis.call('SET', fence_key, token, 'PX', '${FENCE_COUNTER_MS}')
  return token
end
`;

/**
 * The hold record (the grant key, `KEYS` "grant"): `<holdId>:<fence>`, written by every acquisition this
 * store makes (SET NX or handoff) with the key's own lease, kept in step with it by REFRESH and CLAIM, deleted
 * by every release. `holds` is the check that makes a release or refresh act on the very hold that issued
 * it: the key holds the owner token AND the record names the hold id (a handoff's id is its waiter id). A
 * re-sent or late command of an earlier hold then finds another hold's id (or none) and does nothing, even
 * when the later hold shares the owner token. Hold `*` is a restored handle ("whoever holds that token"):
 * the token alone decides. Hold ids never contain `:` and are never `*`.
 */
const HOLDS = `local function holds(lock, grant, owner, hold)
  if redis.call('GET', lock) ~= owner then return false end
  if hold == '*' then return true end
  return string.match(redis.call('GET', grant) or '', '^([^:]*):') == hold
end
`;

/**
 * `set_nx`: Laravel's `SET key owner NX PX ttl` (no PX for ttl 0 = never expires); truthy when it took the key.
 * `record_hold`: writes the hold record of an acquisition that just took the key with lease `ttl` (see HOLDS).
 * `own_fence`: after a failed `set_nx`, the fence of this very acquisition when it already holds the key (the key
 * holds `owner` and the record names `hold`), else nil. ioredis re-sends a command whose reply a dropped
 * connection lost; without this the re-sent acquisition would fail on the key its first run took, and the key
 * would sit unused until its lease ended (forever for ttl 0). A hold id names one acquisition and is never
 * used by another, so only a re-run of that acquisition can find it; another acquisition with the same owner
 * token still fails, as Laravel's does.
 */
const RECORD_HOLD = `local function set_nx(lock, owner, ttl)
  if tonumber(ttl) > 0 then return redis.call('SET', lock, owner, 'NX', 'PX', ttl) end
  return redis.call('SET', lock, owner, 'NX')
end
local function own_fence(lock, grant, owner, hold)
  if redis.call('GET', lock) ~= owner then return nil end
  local record = redis.call('GET', grant)
  if not record or string.sub(record, 1, #hold + 1) ~= hold .. ':' then return nil end
  return string.sub(record, #hold + 2)
end
local function record_hold(grant, hold, fence, ttl)
  if tonumber(ttl) > 0 then
    redis.call('SET', grant, hold .. ':' .. fence, 'PX', ttl)
  else
    redis.call('SET', grant, hold .. ':' .. fence)
  end
end
`;

/**
 * Take the lock if free (`SET key owner NX PX ttl`, Laravel's own command; no PX for ttl 0) and record the
 * hold (RECORD_HOLD), overwriting any record a PHP release of a shared token left behind. One round trip, as
 * the bare SET NX was. The SET is the first write: refused under maxmemory, it leaves nothing half-done. A
 * re-run of an acquisition that already took the key answers 1 again (`own_fence`).
 * KEYS: lock, grant. ARGV: owner, ttlMs, hold. Returns 1 acquired, 0 held.
 */
export const ACQUIRE = script<0 | 1>(
  'acquire',
  `${RECORD_HOLD}local lock, grant = KEYS[1], KEYS[2]
local owner, ttl, hold = ARGV[1], ARGV[2], ARGV[3]
local ok = set_nx(lock, owner, ttl)
if not ok then
  if own_fence(lock, grant, owner, hold) then return 1 end
  return 0
end
record_hold(grant, hold, '', ttl)
return 1
`,
);

/**
 * Take the lock if free and issue a fencing token: `SET key owner NX PX ttl` (no PX for ttl 0 = never
 * expires), and in the same atomic step advance the counter `KEYS[2]` (same slot, see NEXT_FENCE), so tokens
 * strictly increase across all holders of the key, in every process, and record the hold (RECORD_HOLD). The
 * server's clock is read before the first write (see NEXT_FENCE). On failure the holder's PTTL comes back in
 * the same round trip, so waiters can bound their fallback re-check by it. A re-run of an acquisition that
 * already took the key answers `{1, token}` with the token its first run issued (`own_fence`).
 * KEYS: lock, fence, grant. ARGV: owner, ttlMs, hold. Returns `{1, token}`, or `{0, pttl}` (-1: never expires).
 */
export const ACQUIRE_FENCED = script<[1, string] | [0, number]>(
  'acquire-fenced',
  `${NEXT_FENCE}${RECORD_HOLD}local lock, fence_key, grant = KEYS[1], KEYS[2], KEYS[3]
local owner, ttl, hold = ARGV[1], ARGV[2], ARGV[3]
local t = redis.call('TIME')
local ok = set_nx(lock, owner, ttl)
if ok then
  local token = next_fence(fence_key, t)
  record_hold(grant, hold, token, ttl)
  return {1, token}
end
local own = own_fence(lock, grant, owner, hold)
if own then return {1, own} end
return {0, redis.call('PTTL', lock)}
`,
);

/**
 * Lua `alive(id)`: whether the store that queued waiter `id` is still there. An id `p<tag>.<n>` names its
 * store's presence channel (`locksmith:alive:<tag>`, see `redis-keys.ts`), alive while subscribed; ids `x…`
 * (Cluster: no presence channel) and a refused PUBSUB (an ACL without it) count as alive. Prepended to the
 * scripts that hand the lock on, and to the inspector's read (`redis-inspect.ts`).
 */
export const ALIVE = `local function alive(id)
  local tag = string.match(id, '^p(%x+)%.')
  if not tag then return true end
  local counts = redis.pcall('PUBSUB', 'NUMSUB', 'locksmith:alive:' .. tag)
  if counts.err then return true end
  return counts[2] > 0
end
`;

/**
 * How long the wake-pending mark (KEYS "woke", see HAND_ON) lasts at most, in ms: the woken waiter's attempt or
 * leave clears it long before; it only bounds how long releases stay quiet if that waiter never acts (its
 * wake-up lost on a subscriber that has not reconnected yet: the head's re-check covers that too).
 */
export const WAKE_PENDING_MS = 100;

/**
 * Hand-on, shared by RELEASE, FORCE_RELEASE and LEAVE (prepended to each: a script cannot call another).
 * Runs once the caller's right to free the key is established. KEYS: lock, channel, queue, fence, grant, woke.
 *
 * Reads queue entries oldest first (ZRANGE in small batches: the score is the arrival time) and skips those
 * whose waiter's deadline has passed, read from the server's own clock (TIME), so no client clock is trusted, and those whose
 * store is gone: an id `p<tag>.<n>` names the store's presence channel (`locksmith:alive:<tag>`, see
 * `redis-keys.ts`), and no subscriber on it means the store's connection closed (its process died or closed
 * the store), so its waiter would never take the lock. Ids `x…` (Cluster: no presence channel) are not checked.
 * What happens next depends on the first live entry's mode (the waiter's, see ACQUIRE_OR_ENQUEUE):
 * - FAIR: it gets the key: `SET key <its owner token> PX <its ttl>`, the fencing counter advanced (NEXT_FENCE)
 *   when it asked for fencing, the grant record `<waiterId>:<fence>` written next to the key with the same
 *   lease, and a message `key NUL fence NUL waiterId NUL token` on the key's channel; its process resolves that
 *   waiter with no further round trip. The grant record, not the owner token, is what makes the key the
 *   waiter's: two waiters (or a waiter and a plain acquisition) may share a token, and only the entry the key
 *   was handed to may act on the handoff (a re-check, a leave). A waiter with ttl 0 is handed a bounded claim
 *   (its own store's `handoffClaim`, carried in its entry) instead of "forever" and PERSISTs it when the
 *   message arrives (CLAIM): a waiter that died while queued then holds the lock for at most its TTL or the
 *   claim, like a holder that crashed. Returns 2.
 * - BARGING: the key and its hold record are deleted (the key is free, anyone's `SET NX` may take it), the
 *   entry STAYS (the waiter keeps its place: if it loses the race, the next release wakes it again), and a
 *   message `key NUL w NUL waiterId` wakes that waiter alone to try. Nothing is granted: its attempt is a
 *   `SET NX` like anyone's. Returns 3. The wake-pending mark `woke` (that waiter's id, WAKE_PENDING_MS at
 *   most) is set with the message and cleared by the waiter's next attempt or its leave: while it names the
 *   head, a holder's own release (`coalesce`) frees the key WITHOUT another message, since the woken waiter
 *   has yet to try and will find the key as it is then. On a hot key a process that releases and re-takes in
 *   a loop so sends one wake-up per attempt of the woken waiter, not one per release. Such a release reads
 *   only the mark and the queue's first entry (no scan, no clock, no presence check): a marked head whose
 *   waiter has since died or passed its deadline is not skipped until the mark lapses, so a key freed then
 *   waits for the queue's re-check (the waiter's own leave, if it is alive, clears the mark and passes the
 *   wake-up on). A holder's own release sends the wake-up on the waiter's presence channel
 *   (`locksmith:alive:<tag>`, its store's subscriber alone hears it; ids `x…` on Cluster have none) instead of the key's, so the other processes waiting on the key
 *   are not woken to discard it; the key's channel is the fallback if that PUBLISH is refused. A force-release
 *   or a release by token (`coalesce` false: someone else's closure may be watching the lock) always
 *   announces, on the key's channel.
 * With no live entry the key and its grant are deleted and the plain release announced (message: the key).
 * Returns 1. The queue's first entry is read before anything else, so a release with nobody queued (the
 * uncontended case) reads neither the mark nor the clock.
 *
 * Lua does not roll back, so every command that may be refused runs before the first write: the scan only
 * reads, and the presence check is a `pcall` whose refusal (an ACL without PUBSUB) counts as "alive" (a dead
 * waiter then holds the lock for its TTL or the claim at most, as it would on Cluster). The first write is
 * `ZREMRANGEBYRANK` (skipped entries, and the chosen one if fair) or `DEL`, neither refused under maxmemory;
 * after a script's first write Redis no longer refuses its later writes for memory, so the SETs that follow
 * cannot fail half-way.
 *
 * Entry (member) format: `deadlineMs:ttlMs:claimMs:fencing(0|1):fair(0|1):waiterId:ownerToken` (see
 * ACQUIRE_OR_ENQUEUE). An entry of the older format (no `fair` field, written before barging existed) does
 * not match and is skipped like a dead one; its waiter re-joins the queue at its next attempt.
 * Announcements are `pcall`s: they only speed waiters up (SPUBLISH may be refused on an old Cluster); a
 * handed waiter that misses its message finds its grant at its next re-check, a woken one the free key.
 */
const HAND_ON = `${NEXT_FENCE}${ALIVE}local function hand_on(lock, channel, queue, fence_key, grant, woke, publish, message, coalesce)
  local head = redis.call('ZRANGE', queue, '0', '0')[1]
  if not head then
    redis.call('DEL', lock, grant)
    redis.pcall(publish, channel, message)
    return 1
  end
  local mark = coalesce and redis.call('GET', woke)
  if mark and string.match(head, '^%d+:%d+:%d+:[01]:0:([^:]*):') == mark then
    redis.call('DEL', lock, grant)
    return 3
  end
  local t, now, skipped, chosen = nil, nil, 0, nil
  while not chosen do
    local batch
    if skipped == 0 then
      batch = redis.call('ZRANGE', queue, '0', '15')
    else
      batch = redis.call('ZRANGE', queue, skipped, skipped + 15)
    end
    if #batch == 0 then break end
    if not now then
      t = redis.call('TIME')
      now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    end
    for _, member in ipairs(batch) do
      local deadline, ttl, claim, fenced, fair, id, token =
        string.match(member, '^(%d+):(%d+):(%d+):([01]):([01]):([^:]*):(.*)$')
      if deadline and tonumber(deadline) > now and alive(id) then
        chosen = {ttl = ttl, claim = claim, fenced = fenced == '1', fair = fair == '1', id = id, token = token}
        break
      end
      skipped = skipped + 1
    end
  end
  if chosen and not chosen.fair then
    local pending = mark == chosen.id
    if skipped > 0 then redis.call('ZREMRANGEBYRANK', queue, 0, skipped - 1) end
    redis.call('DEL', lock, grant)
    if pending then return 3 end
    redis.call('SET', woke, chosen.id, 'PX', '${WAKE_PENDING_MS}')
    local wake = message .. '\\0w\\0' .. chosen.id
    local tag = coalesce and string.match(chosen.id, '^p(%x+)%.')
    if not tag or type(redis.pcall('PUBLISH', 'locksmith:alive:' .. tag, wake)) ~= 'number' then
      redis.pcall(publish, channel, wake)
    end
    return 3
  end
  if chosen then
    redis.call('ZREMRANGEBYRANK', queue, 0, skipped)
    local px = chosen.ttl
    if tonumber(px) == 0 then px = chosen.claim end
    redis.call('SET', lock, chosen.token, 'PX', px)
    local fence = ''
    if chosen.fenced then fence = next_fence(fence_key, t) end
    redis.call('SET', grant, chosen.id .. ':' .. fence, 'PX', px)
    redis.pcall(publish, channel, message .. '\\0' .. fence .. '\\0' .. chosen.id .. '\\0' .. chosen.token)
    return 2
  end
  if skipped > 0 then redis.call('DEL', queue) end
  redis.call('DEL', lock, grant)
  redis.pcall(publish, channel, message)
  return 1
end
`;

/**
 * What RELEASE, FORCE_RELEASE and LEAVE return: 0 nothing done, 1 freed, 2 handed to a queued (fair) waiter,
 * 3 freed and a queued barging waiter woken (see HAND_ON).
 */
export type HandOnResult = 0 | 1 | 2 | 3;

/**
 * Compare-and-delete, then hand the key to the oldest live queued waiter or announce the release (HAND_ON).
 * Deleting only the caller's own token is what makes release safe after an expiry (Laravel's release script
 * does the same compare), and comparing the hold too (HOLDS) is what makes a re-sent release (ioredis
 * re-sends a command whose reply a dropped connection lost) or a late one harmless to the hold that came after
 * it, even one with the same token. KEYS: lock, channel, queue, fence, grant, woke. ARGV: owner, hold (`*`: by token
 * alone), publish command (`PUBLISH`, or `SPUBLISH` on Cluster so the message stays on the key's shard),
 * message (the lock key). Returns 0 when not held by owner (or not this hold), else as HAND_ON: 1 freed, 2 handed
 * on, 3 freed and a barging waiter woken.
 */
export const RELEASE = script<HandOnResult>(
  'release',
  `${HAND_ON}${HOLDS}local lock, channel, queue, fence_key, grant, woke = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local owner, hold, publish, message = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if not holds(lock, grant, owner, hold) then return 0 end
return hand_on(lock, channel, queue, fence_key, grant, woke, publish, message, hold ~= '*')
`,
);

/** How long a force-release's marker (KEYS "forced", see FORCE_RELEASE) recognises a re-run of it, in ms. */
export const FORCED_MARK_MS = 600_000;

/**
 * Free the key whoever holds it (when it is held), handing it to the next queued waiter like a release does:
 * an administrator's force-release must not strand the queue. It frees the hold it was sent for, once: ioredis
 * re-sends a command whose reply a dropped connection lost, and a second run would free the next hold (the
 * waiter the first run handed the key to, or anyone who took it since). So each call carries a fresh id, and
 * the first run leaves it in the marker `forced` (FORCED_MARK_MS); a run that finds its own id there does
 * nothing. The marker is written last: the first write is hand-on's `DEL`/`ZREMRANGEBYRANK` (never refused
 * under maxmemory, and after it no later write of the script is), so an administrator can still force-release
 * on a full server. KEYS: lock, channel, queue, fence, grant, woke, forced. ARGV: publish command, message,
 * request id. Returns 0 when nothing held the key (or this request already ran), else as RELEASE.
 */
export const FORCE_RELEASE = script<HandOnResult>(
  'force-release',
  `${HAND_ON}local lock, channel, queue, fence_key, grant, woke, forced = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local publish, message, request = ARGV[1], ARGV[2], ARGV[3]
if redis.call('GET', forced) == request then return 0 end
if redis.call('EXISTS', lock) == 0 then return 0 end
local result = hand_on(lock, channel, queue, fence_key, grant, woke, publish, message, false)
redis.call('SET', forced, request, 'PX', '${FORCED_MARK_MS}')
return result
`,
);

/**
 * What ACQUIRE_OR_ENQUEUE returns: `{1, fence}` acquired by SET NX, `{2, fence}` found handed to this very
 * waiter (its grant), `{0, member}` queued (the fence is a decimal string; 0 or empty without fencing).
 */
export type AcquireOrEnqueueResult = [1 | 2, string | number] | [0, string];

/**
 * A queued waiter's attempt (never the first attempt of get()/block(): that is ACQUIRE or ACQUIRE_FENCED).
 * KEYS: lock, queue, fence, grant, woke (the wake-pending mark: this waiter's attempt clears it when it names
 * the waiter, see HAND_ON). ARGV: owner, ttlMs, fencing (0|1), waitMs, member ('' before the first
 * enqueue), waiterId (unique per waiter: two waiters may share an owner token), claimMs (the lease a ttl-0
 * waiter is handed under until it confirms, see HAND_ON), fair (1: a release hands this waiter the key; 0:
 * barging, a release frees the key and wakes this waiter to race for it, see HAND_ON).
 * 1. `SET NX` as usual (a free key is anyone's: a Laravel client or a newcomer may take it too; only handoffs
 *    are ordered). On success the waiter's own entry is removed, so no later release hands the lock to a
 *    waiter that is done, and the hold is recorded under the waiter id (RECORD_HOLD). Returns `{1, fence}`
 *    (fence 0 without fencing).
 * 2. Still queued (a re-check, or a barging waiter woken by a release that lost the race): nothing to change,
 *    `{0, member}`: the entry keeps its place (a re-check costs ZSCORE + SET NX).
 * 3. Not queued (its entry is gone, or it never had one) and the key already this waiter's: the key holds its
 *    token and the grant record names its id (`own_fence`). Either a release handed it the key and the message
 *    was lost (subscriber reconnect), or an earlier run of this very attempt took the key (or queued and was
 *    handed it) and ioredis re-sent it after the reply was lost. A claimed ttl-0 lock is PERSISTed; the
 *    fencing token is the one kept in the grant. Returns `{2, fence}`, never a second entry for a waiter that
 *    holds the key. A key that merely holds the same token for anyone else (another waiter, a retried job
 *    sharing the token) is NOT ours: the attempt goes on as a newcomer's.
 * 4. Else join the queue: `ZADD NX` (a re-join keeps the original entry) with the arrival time in µs as
 *    score, the deadline (TIME + waitMs), lease and mode inside the member (`deadlineMs:ttlMs:claimMs:
 *    fencing:fair:waiterId:ownerToken`, see HAND_ON); the queue key expires a minute after
 *    the longest wait, so entries of waiters that died cannot outlive their deadlines by much.
 *    Returns `{0, member}`.
 */
export const ACQUIRE_OR_ENQUEUE = script<AcquireOrEnqueueResult>(
  'acquire-or-enqueue',
  `${NEXT_FENCE}${RECORD_HOLD}local lock, queue, fence_key, grant, woke = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local owner, ttl, fencing, wait_ms, member, id, claim, fair =
  ARGV[1], ARGV[2], ARGV[3] == '1', tonumber(ARGV[4]), ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local fair_entry = fair == '1'
local queued = false
if member ~= '' then queued = redis.call('ZSCORE', queue, member) end
local was_woken = queued and not fair_entry and redis.call('GET', woke) == id
local t = nil
if fencing or not queued then t = redis.call('TIME') end -- before the first write (see NEXT_FENCE)
local ok = set_nx(lock, owner, ttl)
if was_woken then redis.call('DEL', woke) end
if ok then
  if queued then redis.call('ZREM', queue, member) end
  local fence = ''
  if fencing then fence = next_fence(fence_key, t) end
  record_hold(grant, id, fence, ttl)
  if fence == '' then fence = 0 end
  return {1, fence}
end
if queued then return {0, member} end
local own = own_fence(lock, grant, owner, id)
if own then
  if tonumber(ttl) == 0 then
    redis.call('PERSIST', lock)
    redis.call('PERSIST', grant)
  end
  return {2, own}
end
if member == '' then
  local deadline = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + wait_ms
  member = string.format('%.0f', deadline) .. ':' .. ttl .. ':' .. claim .. ':' .. ARGV[3] .. ':' .. fair .. ':'
    .. id .. ':' .. owner
end
redis.call('ZADD', queue, 'NX', t[1] .. string.format('%06d', tonumber(t[2])), member)
local keep = wait_ms + 60000
if redis.call('PTTL', queue) < keep then redis.call('PEXPIRE', queue, keep) end
return {0, member}
`,
);

/**
 * A queued waiter gives up (timeout, abort): remove its entry; if it is already gone and the grant record
 * names this waiter (the key was handed to it in the meantime), hand it on (HAND_ON) instead of letting it
 * sit unused until its lease ends. A key that merely holds the waiter's owner token was NOT handed to it (a
 * retried job or another waiter may share the token) and is left alone.
 * A BARGING entry that leaves while the key is free may have been woken by the release that freed it (HAND_ON
 * keeps a woken entry queued) and is leaving without having tried: the wake is owed to the next live entry,
 * so the free key is passed on (HAND_ON: the next fair waiter is handed it, the next barging one woken).
 * Without that, the queue would sleep on a free key until a re-check found it. A fair entry's leave never
 * does this (a free key with fair waiters queued means an expiry or a foreign release: the re-check's job).
 * KEYS: lock, channel, queue, fence, grant, woke. ARGV: member ('' when the waiter never learned it), owner,
 * waiterId, publish, message. Returns 0 when it only left the queue (or was not in it), else as RELEASE.
 */
export const LEAVE = script<HandOnResult>(
  'leave',
  `${HAND_ON}local lock, channel, queue, fence_key, grant, woke = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local member, owner, id, publish, message = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if member ~= '' then
  local owed = string.match(member, '^%d+:%d+:%d+:[01]:0:') ~= nil and redis.call('EXISTS', lock) == 0
  local was_woken = redis.call('GET', woke) == id
  if redis.call('ZREM', queue, member) == 1 then
    if was_woken then redis.call('DEL', woke) end
    if owed then return hand_on(lock, channel, queue, fence_key, grant, woke, publish, message, false) end
    return 0
  end
end
local granted = string.match(redis.call('GET', grant) or '', '^([^:]*):')
if granted ~= id or redis.call('GET', lock) ~= owner then return 0 end
return hand_on(lock, channel, queue, fence_key, grant, woke, publish, message, false)
`,
);

/**
 * A ttl-0 waiter confirms the handoff it was told of: removes the expiry of the claim it was handed under, if
 * the grant record still names this waiter (and the key its token). Never by owner token alone: if the claim
 * lapsed and a retried job took the key with the same token and a TTL, that lease must stay. KEYS: lock,
 * grant. ARGV: owner, waiterId. Returns 1 when confirmed, 0 when the grant is no longer this waiter's.
 */
export const CLAIM = script<0 | 1>(
  'claim',
  `local lock, grant = KEYS[1], KEYS[2]
local owner, id = ARGV[1], ARGV[2]
if string.match(redis.call('GET', grant) or '', '^([^:]*):') ~= id then return 0 end
if redis.call('GET', lock) ~= owner then return 0 end
redis.call('PERSIST', lock)
redis.call('PERSIST', grant)
return 1
`,
);

/**
 * Compare-and-extend: set the lease to ttlMs from now if this hold (HOLDS) still holds the key; ttlMs 0 removes
 * the expiry (PERSIST), as Laravel's refresh(0) does. The hold record gets the same lease, so it never outlives
 * the key (blocking nothing: the next acquisition overwrites it anyway) nor ends before it. KEYS: lock, grant.
 * ARGV: owner, ttlMs, hold (`*`: by token). Returns 1 when extended, 0 when not held.
 */
export const REFRESH = script<0 | 1>(
  'refresh',
  `${HOLDS}local lock, grant = KEYS[1], KEYS[2]
local owner, ttl, hold = ARGV[1], ARGV[2], ARGV[3]
if not holds(lock, grant, owner, hold) then return 0 end
if tonumber(ttl) > 0 then
  redis.call('PEXPIRE', lock, ttl)
  redis.call('PEXPIRE', grant, ttl)
else
  redis.call('PERSIST', lock)
  redis.call('PERSIST', grant)
end
return 1
`,
);

/**
 * The lease left if this hold (HOLDS) holds the key, read atomically with the check (a separate GET then PTTL
 * could report another holder's lease). KEYS: lock, grant. ARGV: owner, hold (`*`: by token). Returns the
 * PTTL (-1: no expiry) or -3 when not held.
 */
export const REMAINING_LEASE = script<number>(
  'remaining-lease',
  `${HOLDS}local lock, grant = KEYS[1], KEYS[2]
local owner, hold = ARGV[1], ARGV[2]
if not holds(lock, grant, owner, hold) then return -3 end
return redis.call('PTTL', lock)
`,
);
