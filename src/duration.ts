/**
 * The one duration parser shared by the runtime and the ESLint rules, so that the rules and the library
 * never disagree about what `30`, `'250ms'` or `'2m'` means. Pure: no I/O, no imports.
 *
 * A duration is a number of **seconds** (fractions allowed, as in Laravel's `Cache::lock($name, 30)`), or a
 * string made of a decimal number and one unit: `ms`, `s`, `m`, `h` (`'250ms'`, `'1.5s'`, `'5m'`, `'2h'`).
 * A bare numeric string such as `'30'` is rejected: seconds or milliseconds would be a guess.
 */

/** Milliseconds per unit accepted in a duration string. */
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

export type DurationUnit = keyof typeof UNIT_MS;

/** A duration as accepted by every public API: seconds as a number, or a string with a unit. */
export type Duration = number | `${number}${DurationUnit}`;

const DURATION_STRING = /^(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)$/;

/** Why a value is not a duration, or `undefined` when it is one. */
type Verdict = { ms: number } | { error: 'type' | 'range' | 'format'; detail: string };

function judge(value: unknown): Verdict {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return { error: 'range', detail: 'is NaN' };
    if (!Number.isFinite(value)) return { error: 'range', detail: 'is not finite' };
    if (value < 0) return { error: 'range', detail: `is negative (${value})` };
    return { ms: value * 1_000 };
  }
  if (typeof value === 'string') {
    const match = DURATION_STRING.exec(value);
    if (!match) {
      return {
        error: 'format',
        detail: `${JSON.stringify(value)} is not a number of seconds or a string like '250ms', '30s', '5m', '2h'`,
      };
    }
    const ms = Number(match[1]) * UNIT_MS[match[2] as DurationUnit];
    if (!Number.isFinite(ms)) return { error: 'range', detail: `${JSON.stringify(value)} is not finite` };
    return { ms };
  }
  return {
    error: 'type',
    detail: `must be a number of seconds or a string with a unit, got ${value === null ? 'null' : typeof value}`,
  };
}

/**
 * Parses a duration into milliseconds (possibly fractional: `0.0005` seconds is `0.5` ms).
 *
 * @param value - seconds as a number, or a string with a unit (`'250ms'`, `'30s'`, `'5m'`, `'2h'`)
 * @param argument - the argument's name, used in the error message (`ttl`, `wait`, …)
 * @throws TypeError when `value` is neither a number nor a string, or is a string in no known format
 * @throws RangeError when `value` is negative, NaN or not finite
 */
export function parseDuration(value: unknown, argument: string): number {
  const verdict = judge(value);
  if ('ms' in verdict) return verdict.ms;
  const message = `locksmith: ${argument} ${verdict.detail}`;
  throw verdict.error === 'range' ? new RangeError(message) : new TypeError(message);
}

/** Like {@link parseDuration}, but returns `undefined` instead of throwing. For static analysis. */
export function tryParseDuration(value: unknown): number | undefined {
  const verdict = judge(value);
  return 'ms' in verdict ? verdict.ms : undefined;
}

/** Formats milliseconds as seconds for messages: `1500` → `'1.5s'`, `250` → `'0.25s'`. */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1_000).toFixed(6))}s`;
}
