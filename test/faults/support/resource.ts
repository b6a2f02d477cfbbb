/**
 * The protected resource of the fault scenarios, on its own redis-server (never the one the faults hit), so
 * what it records is the truth about the critical sections:
 *
 * - `plain`: a counter updated by a non-atomic read-modify-write (GET … work … SET), as careless code does. An
 *   overlap of two holders can lose an update here: lost = `plainWrites` − `plain`.
 * - `fenced`: the same counter behind a fencing check (Kleppmann's fenced storage): every access carries the
 *   holder's fencing token; the resource remembers the highest token seen and refuses any access with a lower
 *   one. A holder whose lock was taken over is refused as soon as the newer holder has touched the resource.
 *   Every accepted write must count: `fencedAccepted` − `fenced` must be 0 in every scenario.
 * - `holders`: the set of workers inside a critical section right now; entering while it is not empty is an
 *   overlap (two holders at once), counted in `overlaps`.
 */
import type { Redis } from 'ioredis';

export const RESOURCE_KEYS = {
  plain: 'fault:plain',
  plainWrites: 'fault:plain:writes',
  fenced: 'fault:fenced',
  fencedMax: 'fault:fenced:max-token',
  fencedAccepted: 'fault:fenced:accepted',
  fencedRejected: 'fault:fenced:rejected',
  holders: 'fault:holders',
  overlaps: 'fault:overlaps',
} as const;

const K = RESOURCE_KEYS;

/** Enter the critical section: returns how many holders are inside, this one included (> 1: an overlap). */
export async function enter(resource: Redis, id: string): Promise<number> {
  return Number(
    await resource.eval(
      `redis.call('SADD', KEYS[1], ARGV[1])
local inside = redis.call('SCARD', KEYS[1])
if inside > 1 then redis.call('INCR', KEYS[2]) end
return inside`,
      2,
      K.holders,
      K.overlaps,
      id,
    ),
  );
}

export async function leave(resource: Redis, id: string): Promise<void> {
  await resource.srem(K.holders, id);
}

export async function readPlain(resource: Redis): Promise<number> {
  return Number((await resource.get(K.plain)) ?? 0);
}

/** The blind write of a read-modify-write, counted atomically with the write itself. */
export async function writePlain(resource: Redis, value: number): Promise<void> {
  await resource.eval(`redis.call('SET', KEYS[1], ARGV[1]) redis.call('INCR', KEYS[2])`, 2, K.plain, K.plainWrites, value);
}

/** A fenced read: the value, or `undefined` when the token is older than one the resource has seen. */
export async function readFenced(resource: Redis, token: number): Promise<number | undefined> {
  const reply = (await resource.eval(
    `local max = tonumber(redis.call('GET', KEYS[2]) or '0')
local token = tonumber(ARGV[1])
if token < max then redis.call('INCR', KEYS[3]) return {0} end
redis.call('SET', KEYS[2], ARGV[1])
return {1, tonumber(redis.call('GET', KEYS[1]) or '0')}`,
    3,
    K.fenced,
    K.fencedMax,
    K.fencedRejected,
    token,
  )) as [number, number?];
  return reply[0] === 1 ? Number(reply[1]) : undefined;
}

/** A fenced write: `true` when accepted, `false` when the token is older than one the resource has seen. */
export async function writeFenced(resource: Redis, token: number, value: number): Promise<boolean> {
  const accepted = await resource.eval(
    `local max = tonumber(redis.call('GET', KEYS[2]) or '0')
local token = tonumber(ARGV[1])
if token < max then redis.call('INCR', KEYS[4]) return 0 end
redis.call('SET', KEYS[2], ARGV[1])
redis.call('SET', KEYS[1], ARGV[2])
redis.call('INCR', KEYS[3])
return 1`,
    4,
    K.fenced,
    K.fencedMax,
    K.fencedAccepted,
    K.fencedRejected,
    token,
    value,
  );
  return accepted === 1;
}

export interface ResourceState {
  plain: number;
  plainWrites: number;
  fenced: number;
  fencedAccepted: number;
  fencedRejected: number;
  overlaps: number;
}

export async function readState(resource: Redis): Promise<ResourceState> {
  const values = await resource.mget(K.plain, K.plainWrites, K.fenced, K.fencedAccepted, K.fencedRejected, K.overlaps);
  const [plain, plainWrites, fenced, fencedAccepted, fencedRejected, overlaps] = values.map((value) => Number(value ?? 0));
  return {
    plain: plain ?? 0,
    plainWrites: plainWrites ?? 0,
    fenced: fenced ?? 0,
    fencedAccepted: fencedAccepted ?? 0,
    fencedRejected: fencedRejected ?? 0,
    overlaps: overlaps ?? 0,
  };
}
