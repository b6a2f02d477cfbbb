/**
 * Names RedisStore derives from a lock key: the release channel, the fencing counter, the waiter queue, the
 * grant record, the wake-pending mark and the force-release marker. On Redis Cluster a script may only touch
 * keys of one slot, and a sharded release announcement (SPUBLISH) reaches only the shard that owns the
 * channel's slot, so every derived name must hash to the lock key's slot.
 *
 * Redis hashes the part between the first `{` and the first `}` after it when that part is non-empty (the
 * hash tag), else the whole key. The lock key itself is never changed: it is exactly `prefix + name`, as a
 * Laravel app sharing the Redis stores it.
 */

/** The key's hash tag (the text Redis Cluster hashes), or `undefined` when the whole key is hashed. */
export function hashTag(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open === -1) return undefined;
  const close = key.indexOf('}', open + 1);
  if (close === -1 || close === open + 1) return undefined;
  return key.slice(open + 1, close);
}

/**
 * The derived name of `kind` for `key`: `{T}` + key + `:locksmith:` + kind, where T is the text Redis Cluster
 * hashes for `key` (its hash tag when it has one, else the key itself) or, for a key that has no hash tag but
 * contains a `}` (`a}b`, `x{}y`: hashed whole, impossible to wrap), a short tag chosen to hash to the key's
 * slot. So:
 * - every derived name hashes to the key's slot (its own hash tag is T, never empty);
 * - distinct (key, kind) pairs never share a name: T contains no `}`, so the first `}` ends it, and the key
 *   is what lies between it and the fixed `:locksmith:<kind>` ending. (Wrapping only untagged keys, as
 *   `{key}:…`, would make `x` and `{x}` share every name.)
 *
 * A lock key of this very form (`{…}…:locksmith:<kind>`) would be some other lock's derived key: such keys
 * are reserved ({@link derivedFrom} finds them, RedisStore refuses them).
 */
export function derivedName(key: string, kind: DerivedKind): string {
  const tag = hashTag(key) ?? (key.includes('}') ? tagForSlot(keySlot(key)) : key);
  return `{${tag}}${key}:locksmith:${kind}`;
}

/** The names RedisStore derives from a lock key (see {@link derivedName}). */
export type DerivedKind = 'released' | 'fence' | 'queue' | 'grant' | 'woke' | 'forced';

/** What each derived name holds, in words (for errors); its keys are every {@link DerivedKind}. */
const KIND_NAMES: Readonly<Record<DerivedKind, string>> = {
  released: 'release channel',
  fence: 'fencing counter',
  queue: 'waiter queue',
  grant: 'hold record',
  woke: 'wake-pending mark',
  forced: 'force-release marker',
};
const DERIVED_KINDS = Object.keys(KIND_NAMES) as DerivedKind[];

/**
 * The lock key and kind `key` is the derived name of (`derivedName(source, kind) === key`), or `undefined`
 * when it is no lock key's derived name. Exact, not a pattern: {@link derivedName} is injective, so a key of
 * the form `{T}S:locksmith:<kind>` is derived exactly when deriving it again from `S` gives it back
 * (`{x}:locksmith:queue` and `{x}y:locksmith:queue` are not: `S` would be `` and `y`).
 */
export function derivedFrom(key: string): { readonly source: string; readonly kind: DerivedKind } | undefined {
  if (key.charCodeAt(0) !== 0x7b /* { */) return undefined;
  const close = key.indexOf('}', 1);
  if (close <= 1) return undefined;
  for (const kind of DERIVED_KINDS) {
    const end = key.length - ':locksmith:'.length - kind.length;
    if (end <= close + 1 || !key.endsWith(`:locksmith:${kind}`)) continue;
    const source = key.slice(close + 1, end);
    if (derivedName(source, kind) === key) return { source, kind };
  }
  return undefined;
}

/** Throws a `RangeError` when `key` is reserved: another lock key's derived name (see {@link derivedFrom}). */
export function assertNotDerived(key: string): void {
  const from = derivedFrom(key);
  if (!from) return;
  throw new RangeError(
    `locksmith: the lock key ${JSON.stringify(key)} (prefix + name) is reserved: RedisStore keeps the ${KIND_NAMES[from.kind]} of the lock key ${JSON.stringify(from.source)} there; choose another name`,
  );
}

/** The channel a release of `key` is announced on. */
export function releaseChannel(key: string): string {
  return derivedName(key, 'released');
}

/** The counter `fencing: true` increments on every acquisition of `key`. */
export function fencingKey(key: string): string {
  return derivedName(key, 'fence');
}

/**
 * The sorted set of waiters queued for `key` (direct handoff): scripts that release the key hand it to the
 * oldest live entry, so it must be in the key's slot like the channel and the counter.
 */
export function queueKey(key: string): string {
  return derivedName(key, 'queue');
}

/**
 * The grant record of `key`: while a release's handoff holds the key for a queued waiter, the waiter's id
 * (and the fencing token it was issued), written in the same script that sets the key, with the key's lease.
 * A waiter's re-check and leave act on a handoff only if this names their own id, never on the owner token.
 */
export function grantKey(key: string): string {
  return derivedName(key, 'grant');
}

/**
 * The wake-pending mark of `key`: the id of the queued barging waiter a release woke and that has not tried
 * since, for a few ms at most. While it names the queue's head, a holder's release frees the key quietly
 * (the woken waiter is about to try anyway), so a hot key sends one wake-up per try, not one per release.
 */
export function wokeKey(key: string): string {
  return derivedName(key, 'woke');
}

/**
 * The force-release marker of `key`: the id of the latest force-release that freed it, for a few minutes, so a
 * re-sent force-release (its reply lost with the connection) recognises that it already ran and does not free
 * the next hold.
 */
export function forcedKey(key: string): string {
  return derivedName(key, 'forced');
}

/**
 * The channel a store's subscriber connection listens on to show it is alive (standalone and Sentinel): a
 * release script counts its subscribers (`PUBSUB NUMSUB`) before handing the lock to one of that store's
 * waiters. Not derived from a key: one per store, whatever it waits on.
 */
export function presenceChannel(tag: string): string {
  return `locksmith:alive:${tag}`;
}

/** Redis Cluster's slot of `key` (CRC16/XMODEM of the hash tag or the whole key, as UTF-8, mod 16384). */
export function keySlot(key: string): number {
  return crc16(Buffer.from(hashTag(key) ?? key, 'utf8')) % 16_384;
}

let crcTable: Uint16Array | undefined;

function crc16(bytes: Uint8Array): number {
  crcTable ??= buildCrcTable();
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xff_ff) ^ (crcTable[((crc >> 8) ^ byte) & 0xff] ?? 0);
  return crc;
}

function buildCrcTable(): Uint16Array {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80_00 ? ((crc << 1) ^ 0x10_21) & 0xff_ff : (crc << 1) & 0xff_ff;
    table[i] = crc;
  }
  return table;
}

/** For each slot, the shortest decimal string that hashes to it; built only when a key needs it (rare). */
let slotTags: string[] | undefined;

function tagForSlot(slot: number): string {
  if (!slotTags) {
    const tags: string[] = new Array<string>(16_384);
    let missing = 16_384;
    for (let n = 0; missing > 0; n++) {
      const tag = String(n);
      const tagSlot = crc16(Buffer.from(tag, 'latin1')) % 16_384;
      if (tags[tagSlot] === undefined) {
        tags[tagSlot] = tag;
        missing--;
      }
    }
    slotTags = tags;
  }
  return slotTags[slot] as string;
}
