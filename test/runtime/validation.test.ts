import { describe, expect, it } from 'vitest';
import { createLocks, type Lock } from 'locksmith-js';
import { SwitchStore } from './doubles.js';

/** Every store call a test made, over all methods. */
function storeCalls(store: SwitchStore): number {
  return [...store.counts.values()].reduce((sum, n) => sum + n, 0);
}

describe('createLocks() rejects bad options synchronously, naming them', () => {
  it.each([
    ['options as a string', 'x', TypeError, /options must be an object, got "x"/],
    ['options as null', null, TypeError, /options must be an object, got null/],
    ['options as an array', [], TypeError, /options must be an object, got an array/],
    ['an unknown option', { tiemout: 5 }, TypeError, /unknown option "tiemout"/],
    ['a number store', { store: 5 }, TypeError, /store must be a LockStore, got 5/],
    ['a null store', { store: null }, TypeError, /store must be a LockStore, got null/],
    ['a store missing methods', { store: { acquire() {} } }, TypeError, /store must be a LockStore \(missing release/],
    ['a number prefix', { prefix: 5 }, TypeError, /prefix must be a string, got 5/],
    ['a negative timeout', { timeout: -1 }, RangeError, /timeout is negative/],
    ['a zero timeout', { timeout: 0 }, RangeError, /timeout must be greater than 0/],
    ['a NaN timeout', { timeout: Number.NaN }, RangeError, /timeout is NaN/],
    ['a unitless string timeout', { timeout: '5' }, TypeError, /timeout "5"/],
    ['a bad recheckInterval', { recheckInterval: 'soon' }, TypeError, /recheckInterval "soon"/],
    ['a zero recheckInterval', { recheckInterval: 0 }, RangeError, /recheckInterval must be greater than 0/],
    ['a non-function onError', { onError: 'log' }, TypeError, /onError must be a function, got "log"/],
    ['a non-boolean fair', { fair: 'no' }, TypeError, /fair must be a boolean, got "no"/],
  ])('%s', (_, options, type, message) => {
    expect(() => createLocks(options as never)).toThrow(type);
    expect(() => createLocks(options as never)).toThrow(message);
  });

  it('accepts no options, an empty object and valid ones', () => {
    expect(() => createLocks()).not.toThrow();
    expect(() => createLocks({})).not.toThrow();
    expect(() => createLocks({ store: new SwitchStore(), prefix: '', timeout: '250ms', recheckInterval: 1 })).not.toThrow();
    expect(() => createLocks({ fair: false })).not.toThrow();
  });

  it('fair defaults to true; the manager sets the default and a lock option overrides it', () => {
    const fairByDefault = createLocks({ store: new SwitchStore() });
    const barging = createLocks({ store: new SwitchStore(), fair: false });
    expect(fairByDefault.lock('a:b:c').fair).toBe(true);
    expect(fairByDefault.lock('a:b:c', 1, { fair: false }).fair).toBe(false);
    expect(barging.lock('a:b:c').fair).toBe(false);
    expect(barging.lock('a:b:c', 1, { fair: true }).fair).toBe(true);
    expect(barging.restoreLock('a:b:c', 'token').fair).toBe(false);
    expect(fairByDefault.restoreLock('a:b:c', 'token').fair).toBe(true);
  });
});

describe('lock() and restoreLock() reject bad arguments synchronously, before any store call', () => {
  const store = new SwitchStore();
  const locks = createLocks({ store });

  it.each([
    ['an empty name', [''], TypeError, /name must be a non-empty string, got ""/],
    ['a number name', [5], TypeError, /name must be a non-empty string, got 5/],
    ['a missing name', [], TypeError, /name must be a non-empty string, got undefined/],
    ['a null name', [null], TypeError, /name must be a non-empty string, got null/],
    ['an object name', [{}], TypeError, /name must be a non-empty string, got object/],
    ['a negative ttl', ['a:b:c', -1], RangeError, /ttl is negative/],
    ['a NaN ttl', ['a:b:c', Number.NaN], RangeError, /ttl is NaN/],
    ['an infinite ttl', ['a:b:c', Number.POSITIVE_INFINITY], RangeError, /ttl is not finite/],
    ['a unitless string ttl', ['a:b:c', '30'], TypeError, /ttl "30" is not a number of seconds/],
    ['an unknown unit', ['a:b:c', '5d'], TypeError, /ttl "5d"/],
    ['a null ttl', ['a:b:c', null], TypeError, /ttl must be a number of seconds or a string with a unit, got null/],
    ['string options', ['a:b:c', 30, 'owner'], TypeError, /options must be an object/],
    ['an unknown lock option', ['a:b:c', 30, { autoextend: true }], TypeError, /unknown option "autoextend"/],
    ['an empty owner', ['a:b:c', 30, { owner: '' }], TypeError, /options.owner must be a non-empty string/],
    ['a number owner', ['a:b:c', 30, { owner: 7 }], TypeError, /options.owner must be a non-empty string, got 7/],
    ['a non-boolean autoExtend', ['a:b:c', 30, { autoExtend: 'yes' }], TypeError, /options.autoExtend must be a boolean/],
    ['a non-boolean fencing', ['a:b:c', 30, { fencing: 1 }], TypeError, /options.fencing must be a boolean, got 1/],
    ['a non-boolean fair', ['a:b:c', 30, { fair: 0 }], TypeError, /options.fair must be a boolean, got 0/],
  ])('lock() with %s', (_, args, type, message) => {
    const call = () => (locks.lock as (...a: unknown[]) => Lock)(...args);
    expect(call).toThrow(type);
    expect(call).toThrow(message);
    expect(storeCalls(store)).toBe(0);
  });

  it.each([
    ['an empty name', ['', 'owner'], /name must be a non-empty string/],
    ['a number name', [1, 'owner'], /name must be a non-empty string/],
    ['a missing owner', ['a:b:c'], /owner must be a non-empty string, got undefined/],
    ['an empty owner', ['a:b:c', ''], /owner must be a non-empty string, got ""/],
    ['a number owner', ['a:b:c', 42], /owner must be a non-empty string, got 42/],
  ])('restoreLock() with %s', (_, args, message) => {
    const call = () => (locks.restoreLock as (...a: unknown[]) => Lock)(...args);
    expect(call).toThrow(TypeError);
    expect(call).toThrow(message);
    expect(storeCalls(store)).toBe(0);
  });

  it('rounds a positive sub-millisecond ttl up to whole milliseconds', () => {
    expect(locks.lock('a:b:c', 0.0001).ttl).toBe(0.001);
    expect(locks.lock('a:b:c', '0.5ms').ttl).toBe(0.001);
    expect(locks.lock('a:b:c', 0.0015).ttl).toBe(0.002);
    expect(locks.lock('a:b:c', 0).ttl).toBe(0);
    expect(locks.lock('a:b:c', '2m').ttl).toBe(120);
    expect(locks.lock('a:b:c').ttl).toBe(0);
  });

  it('issues distinct owner tokens of at least 128 random bits', () => {
    const owners = new Set(Array.from({ length: 1_000 }, () => locks.lock('a:b:c', 1).owner));
    expect(owners.size).toBe(1_000);
    for (const owner of owners) {
      expect(owner).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(owner, 'base64url').length).toBeGreaterThanOrEqual(16);
    }
  });
});

describe('async methods reject bad arguments before any store call', () => {
  const store = new SwitchStore();
  const locks = createLocks({ store });
  const lock = locks.lock('a:b:c', 30);

  it.each([
    ['get(non-function)', () => lock.get('fn' as never), TypeError, /fn must be a function, got "fn"/],
    ['block(negative wait)', () => lock.block(-1), RangeError, /wait is negative/],
    ['block(NaN wait)', () => lock.block(Number.NaN), RangeError, /wait is NaN/],
    ['block(unitless string wait)', () => lock.block('10' as never), TypeError, /wait "10"/],
    ['block(missing wait)', () => (lock.block as () => Promise<unknown>)(), TypeError, /wait must be a number/],
    ['block(wait, string)', () => lock.block(1, 'x' as never), TypeError, /options must be an object, got "x"/],
    ['block(wait, non-function, options)', () => lock.block(1, 5 as never, {}), TypeError, /fn must be a function, got 5/],
    ['block(wait, { unknown })', () => lock.block(1, { sginal: 1 } as never), TypeError, /unknown option "sginal"/],
    ['block(wait, { signal: non-signal })', () => lock.block(1, { signal: {} } as never), TypeError, /options.signal must be an AbortSignal, got object/],
    ['block(wait, fn, { signal: non-signal })', () => lock.block(1, () => 1, { signal: 'x' } as never), TypeError, /options.signal must be an AbortSignal/],
    ['block(wait, fn, string options)', () => lock.block(1, () => 1, 'x' as never), TypeError, /options must be an object/],
    ['refresh(negative ttl)', () => lock.refresh(-5), RangeError, /ttl is negative/],
    ['refresh(bad unit)', () => lock.refresh('1y' as never), TypeError, /ttl "1y"/],
    ['refresh(null)', () => lock.refresh(null as never), TypeError, /ttl must be a number/],
  ])('%s', async (_, call, type, message) => {
    let promise: Promise<unknown> | undefined;
    expect(() => {
      promise = call();
    }).not.toThrow(); // async methods report through their promise
    await expect(promise).rejects.toThrow(type);
    await expect(promise).rejects.toThrow(message);
    expect(storeCalls(store)).toBe(0);
  });
});
