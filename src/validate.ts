/**
 * Argument checks shared by the public API. Each throws a `TypeError`/`RangeError` naming the argument, so
 * a bad call fails before any store is touched.
 */
import { parseDuration } from './duration.js';

/** Parses a lock TTL into whole milliseconds: positive sub-millisecond values round up to 1 ms. */
export function ttlMs(value: unknown, argument = 'ttl'): number {
  return Math.ceil(parseDuration(value, argument));
}

export function assertName(value: unknown, argument = 'name'): asserts value is string {
  if (typeof value !== 'string') {
    throw new TypeError(`locksmith: ${argument} must be a non-empty string, got ${describe(value)}`);
  }
  if (value.length === 0) throw new TypeError(`locksmith: ${argument} must be a non-empty string, got ""`);
  assertWellFormed(value, argument);
}

/** A lone surrogate: a UTF-16 code unit that is half of a pair without its other half. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Rejects strings that are not well-formed UTF-16. Redis stores UTF-8, where a lone surrogate becomes U+FFFD:
 * distinct names would share one key there (but not in MemoryStore), and owner tokens would stop matching.
 */
export function assertWellFormed(value: string, argument: string): void {
  if (LONE_SURROGATE.test(value)) {
    throw new TypeError(
      `locksmith: ${argument} must be well-formed UTF-16 (it contains a lone surrogate, which Redis would store as U+FFFD), got ${describe(value)}`,
    );
  }
}

export function assertOptionalBoolean(value: unknown, argument: string): asserts value is boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new TypeError(`locksmith: ${argument} must be a boolean, got ${describe(value)}`);
  }
}

export function assertOptionalFunction(value: unknown, argument: string): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`locksmith: ${argument} must be a function, got ${describe(value)}`);
  }
}

/**
 * Checks that `value` is `undefined` or a plain options object with no keys but `allowed` (a typo such as
 * `{ singal }` would otherwise be silently ignored).
 */
export function assertOptions(
  value: unknown,
  argument: string,
  allowed: readonly string[],
): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`locksmith: ${argument} must be an object, got ${describe(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new TypeError(
        `locksmith: ${argument} has an unknown option "${key}" (known: ${allowed.join(', ')})`,
      );
    }
  }
}

export function assertOptionalSignal(value: unknown, argument: string): asserts value is AbortSignal | undefined {
  if (value !== undefined && !(value instanceof AbortSignal)) {
    throw new TypeError(`locksmith: ${argument} must be an AbortSignal, got ${describe(value)}`);
  }
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
