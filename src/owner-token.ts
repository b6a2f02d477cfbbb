import { randomBytes } from 'node:crypto';

/**
 * Owner tokens: 128 random bits from `node:crypto` each, base64url. Drawn from a pooled buffer, as Node's
 * own `crypto.randomUUID()` does: one CSPRNG call per 256 tokens instead of one per lock (a synchronous
 * `randomBytes(16)` measured 5-8 µs per call on the benchmark machine, the largest single cost of a lock
 * cycle). Every byte is used once.
 */
const TOKEN_BYTES = 16;
const POOL_BYTES = TOKEN_BYTES * 256;

let pool = Buffer.alloc(0);
let offset = 0;

/** A fresh owner token: 128 CSPRNG bits, 22 base64url characters. */
export function newOwnerToken(): string {
  if (offset + TOKEN_BYTES > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const token = pool.toString('base64url', offset, offset + TOKEN_BYTES);
  offset += TOKEN_BYTES;
  return token;
}
