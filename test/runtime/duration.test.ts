import { describe, expect, it } from 'vitest';
import { formatSeconds, parseDuration, tryParseDuration } from '../../src/duration.js';

describe('parseDuration', () => {
  it.each([
    [30, 30_000],
    [0, 0],
    [0.25, 250],
    [1.5, 1_500],
    ['250ms', 250],
    ['30s', 30_000],
    ['1.5s', 1_500],
    ['.5s', 500],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['0ms', 0],
  ] as const)('%j is %d ms', (input, ms) => {
    expect(parseDuration(input, 'ttl')).toBe(ms);
    expect(tryParseDuration(input)).toBe(ms);
  });

  it.each([
    [-1, RangeError, /ttl is negative/],
    [Number.NaN, RangeError, /ttl is NaN/],
    [Number.POSITIVE_INFINITY, RangeError, /ttl is not finite/],
    ['30', TypeError, /ttl "30" is not a number of seconds/],
    ['30 s', TypeError, /ttl "30 s"/],
    ['5d', TypeError, /ttl "5d"/],
    ['-5s', TypeError, /ttl "-5s"/],
    ['', TypeError, /ttl ""/],
    [null, TypeError, /ttl must be a number of seconds or a string with a unit, got null/],
    [undefined, TypeError, /got undefined/],
    [{}, TypeError, /got object/],
    [30n, TypeError, /got bigint/],
  ] as const)('rejects %s', (input, type, message) => {
    expect(() => parseDuration(input, 'ttl')).toThrow(type);
    expect(() => parseDuration(input, 'ttl')).toThrow(message);
    expect(tryParseDuration(input)).toBeUndefined();
  });

  it('names the argument', () => {
    expect(() => parseDuration(-1, 'wait')).toThrow(/^locksmith: wait is negative/);
  });

  it('formats seconds for messages', () => {
    expect(formatSeconds(1_500)).toBe('1.5s');
    expect(formatSeconds(250)).toBe('0.25s');
    expect(formatSeconds(120_000)).toBe('120s');
  });
});
